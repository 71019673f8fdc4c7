"""The parse handler with fake loaders: request validation, the Gen A body and the Gen B record."""

from __future__ import annotations

import base64
import dataclasses
from datetime import datetime
from typing import Any

import pytest

from jobstream.core.documents import file_id
from jobstream.core.errors import PermanentError
from jobstream.documents import loaders
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Cell, Document, Line, Page, Table, TextBlock, Word
from jobstream.workers.context import JobContext
from jobstream.workers.parse.handler import handle_parse
from jobstream_schemas.parse import ParseRecord, ParseResponse
from tests.unit.test_request_documents import context

DATA = b"%PDF-1.7 two pages"
DOC = {"filename": "r.pdf", "url": "data:application/pdf;base64," + base64.b64encode(DATA).decode()}


def fake_load(
    data: bytes, *, filename: str, mime_type: str | None, options: LoadOptions
) -> Document:
    words = lambda text: Line(words=tuple(Word(text=w) for w in text.split()))  # noqa: E731
    first = Page(
        1,
        "text_layer",
        (
            TextBlock((words("Hello world"),)),
            Table(((Cell("a"), Cell("b")), (Cell("1"), Cell("2")))),
        ),
    )
    second = Page(2, "ocr", (TextBlock((words("Second"),), kind="heading", level=2),))
    return Document(pages=(first, second), mime_type="application/pdf", format="pdf")


@pytest.fixture(autouse=True)
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "page_count", lambda data, **_: 2, raising=False)
    monkeypatch.setattr(loaders, "load_document", fake_load, raising=False)


def ctx_for(endpoint: str, request: dict[str, Any]) -> JobContext:
    ctx, _ = context()
    return dataclasses.replace(ctx, endpoint=endpoint, request=request)


async def test_legacy_names_answer_the_gen_a_body() -> None:
    response = await handle_parse(
        ctx_for("/v1/documents/parse", {"document": DOC, "table_parsing_format": "markdown"})
    )
    body = ParseResponse.model_validate(response.body)
    assert body.document.model_dump() == {
        "id": file_id(DATA),
        "filename": "r.pdf",
        "mime_type": "application/pdf",
    }
    assert body.pages == ["Hello world\n\n| a | b |\n| --- | --- |\n| 1 | 2 |", "## Second"]
    assert body.text == "\n\n".join(body.pages) and body.usage.credits == 2.0
    assert set(response.body) == {"document", "usage", "pages", "text"}


async def test_v1_parses_answers_the_gen_b_record() -> None:
    request = {
        "document": DOC,
        "model": "retab-large",
        "image_resolution_dpi": 300,
        "instructions": "x",
    }
    response = await handle_parse(ctx_for("/v1/parses", request))
    record = ParseRecord.model_validate(response.body)
    assert record.id == "parse_x" and record.file.id == file_id(DATA)
    assert (record.model, record.table_parsing_format, record.image_resolution_dpi) == (
        "retab-large",
        "html",
        300,
    )
    assert record.output.pages[0].startswith("Hello world\n\n<table>")
    assert record.usage.credits == 2.0 and record.instructions == "x"
    assert datetime.fromisoformat(record.created_at).tzinfo is not None


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"document": DOC, "table_parsing_format": "csv"}, "table_parsing_format"),
        ({"document": DOC, "image_resolution_dpi": 95}, "image_resolution_dpi"),
        ({"document": DOC, "image_resolution_dpi": 301}, "image_resolution_dpi"),
        ({}, "document"),
        ({"document": {"filename": "a.pdf"}}, "document.url"),
    ],
)
async def test_bad_requests_fail_with_validation_error(
    request_body: dict[str, Any], field: str
) -> None:
    with pytest.raises(PermanentError) as info:
        await handle_parse(ctx_for("/v1/documents/parse", request_body))
    assert info.value.code == "validation_error"
    assert f"request.{field}" in info.value.message
