"""The extract, classify, split and schema handlers on the local engine, without Kafka.

A handler gets a JobContext whose CPU pool is a thread of the test; documents are real (text,
loaded by the real loaders), the engine is the real local one. What is checked: both generations'
response shapes, eval scoring, and that bad bodies, bad schemas, refused models and unavailable
providers end with the right job error.
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import datetime
from typing import Any

import pytest

from jobstream.core.documents import file_id
from jobstream.core.errors import PermanentError
from jobstream.engines import routing
from jobstream.engines.local import LocalEngine
from jobstream.engines.port import ProviderUnavailableError
from jobstream.settings import EngineSettings, WorkerSettings
from jobstream.workers import understanding
from jobstream.workers.classify.handler import handle_classify
from jobstream.workers.context import JobContext
from jobstream.workers.execution import Execution
from jobstream.workers.extract.handler import handle_extract
from jobstream.workers.schema_generate.handler import handle_schema_generate
from jobstream.workers.split.handler import handle_split
from jobstream_schemas.operations import ClassifyBody

INVOICE = b"""ACME Supplies GmbH
Invoice

Invoice number: INV-2026-0042
Invoice date: 13 October 2026

Subtotal: 1,000.00 EUR
VAT 19%: 190.00 EUR
Total: 1,190.00 EUR
"""
SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string"},
        "invoice_date": {"type": "string", "format": "date"},
        "total": {"type": "number"},
        "iban": {"type": "string"},
    },
}
CATEGORIES = [
    {"name": "invoice", "description": "a bill asking for payment"},
    {"name": "receipt", "description": "proof of a payment made"},
    {"name": "other", "description": "anything else"},
]


def document(data: bytes = INVOICE, filename: str = "invoice.txt") -> dict[str, str]:
    return {
        "filename": filename,
        "url": "data:text/plain;base64," + base64.b64encode(data).decode(),
    }


async def run_inline(fn: Any, *args: Any) -> Any:
    """The CPU pool's stand-in: the test's own thread pool (the local engine runs there)."""
    return await asyncio.to_thread(fn, *args)


async def no_progress(*args: Any, **kwargs: Any) -> None:
    return None


def context(endpoint: str, request: dict[str, Any]) -> JobContext:
    return JobContext(
        job_id="job_" + "a" * 21, organization_id="org", attempt=1, try_number=1,
        endpoint=endpoint, request=request, deadline=1e12, blobs=None,  # type: ignore[arg-type]
        report_progress=no_progress, run_cpu=run_inline, settings=WorkerSettings(),
    )  # fmt: skip


async def body_of(handler: Any, endpoint: str, request: dict[str, Any]) -> dict[str, Any]:
    response = await handler(context(endpoint, request))
    assert response.status_code == 200
    body: dict[str, Any] = response.body
    return body


async def failure(handler: Any, endpoint: str, request: dict[str, Any]) -> PermanentError:
    with pytest.raises(PermanentError) as failed:
        await handler(context(endpoint, request))
    return failed.value


EXPECTED = {"invoice_number": "INV-2026-0042", "invoice_date": "2026-10-13", "total": 1190.0}


async def test_legacy_extract_answers_a_chat_completion() -> None:
    request = {"document": document(), "json_schema": SCHEMA, "model": "retab-small"}

    body = await body_of(handle_extract, "/v1/documents/extract", request)

    assert body["object"] == "chat.completion"
    message = body["choices"][0]["message"]
    assert message["role"] == "assistant"
    assert message["parsed"] == {**EXPECTED, "iban": None}  # not in the document: null
    assert json.loads(message["content"]) == message["parsed"]
    assert set(body["likelihoods"]) == set(SCHEMA["properties"])
    assert body["likelihoods"]["iban"] == 0.0
    assert body["usage"]["credits"] == 1.0
    assert body["extraction_id"] == "extr_" + "a" * 21
    assert "evaluation" not in body


async def test_extractions_answers_a_gen_b_record() -> None:
    request = {"document": document(), "json_schema": SCHEMA, "metadata": {"k": "v"}}

    body = await body_of(handle_extract, "/v1/extractions", request)

    assert body["id"] == "extr_" + "a" * 21
    assert body["file"] == {
        "id": file_id(INVOICE),
        "filename": "invoice.txt",
        "mime_type": "text/plain",
    }
    assert body["output"] == {**EXPECTED, "iban": None}
    assert body["status"] == "completed"
    assert body["json_schema"] == SCHEMA
    assert (body["n_consensus"], body["image_resolution_dpi"], body["model"]) == (
        1, 192, "retab-small",
    )  # fmt: skip
    assert body["consensus"]["likelihoods"]["iban"] == 0.0
    assert body["metadata"] == {"k": "v"}
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None


async def test_extract_eval_scores_each_expected_field() -> None:
    expected = {**EXPECTED, "iban": "DE89370400440532013000"}
    request = {"document": document(), "json_schema": SCHEMA, "expected": expected}

    body = await body_of(handle_extract, "/v1/evals/extract/process", request)

    evaluation = body["evaluation"]
    assert evaluation["score"] == 0.75
    assert evaluation["fields"]["total"] == {"expected": 1190.0, "predicted": 1190.0, "match": True}
    assert evaluation["fields"]["iban"]["match"] is False


@pytest.mark.parametrize(
    ("schema", "keyword"),
    [
        ({"type": "object", "properties": {"total": {"type": "numbr"}}}, "type"),
        ({"type": "object", "required": "total"}, "required"),
        ({"type": "object", "properties": {"a": {"minLength": -1}}}, "minLength"),
        ({"type": "string"}, "type"),
    ],
)
async def test_invalid_json_schema_fails_naming_the_keyword(
    schema: dict[str, Any], keyword: str
) -> None:
    error = await failure(handle_extract, "/v1/extractions", {"document": document(),
                          "json_schema": schema})  # fmt: skip
    assert error.code == "validation_error"
    assert f"keyword {keyword!r}" in error.message
    assert error.details is not None
    assert error.details["keyword"] == keyword


async def test_bad_bodies_fail_with_validation_error_naming_the_field() -> None:
    missing = await failure(handle_extract, "/v1/documents/extract", {"document": document()})
    assert missing.code == "validation_error"
    assert "json_schema" in missing.message
    empty = await failure(handle_classify, "/v1/classifications",
                          {"document": document(), "categories": []})  # fmt: skip
    assert empty.code == "validation_error"
    assert "categories" in empty.message
    no_doc = await failure(handle_split, "/v1/splits", {"subdocuments": [{"name": "a"}]})
    assert no_doc.code == "validation_error"
    assert "document" in no_doc.message


async def test_classify_in_both_generations_and_its_eval() -> None:
    request = {"document": document(), "categories": CATEGORIES, "expected": "invoice"}

    legacy = await body_of(handle_classify, "/v1/documents/classify", request)
    record = await body_of(handle_classify, "/v1/classifications", request)
    scored = await body_of(handle_classify, "/v1/evals/classify/process", request)

    assert legacy["result"]["classification"] == "invoice"
    assert "invoice" in legacy["result"]["reasoning"]
    assert 0 < legacy["likelihood"] <= 1
    assert "evaluation" not in legacy
    assert record["output"]["category"] == "invoice"
    assert record["id"].startswith("clss_")
    assert record["categories"] == CATEGORIES
    assert record["consensus"]["likelihoods"] == {"invoice": 1.0}
    assert scored["evaluation"]["score"] == 1.0


PACKET = "\f".join(
    [
        "Invoice\nInvoice number: INV-1\nTotal: 100.00 EUR\nPage 1 of 2",
        "Invoice INV-1 continued\nPage 2 of 2",
        "Employment Contract\nThis agreement is made between the parties.\nPage 1 of 1",
    ]
).encode()


async def test_split_in_both_generations_and_its_eval() -> None:
    request = {
        "document": document(PACKET, "packet.txt"),
        "subdocuments": [{"name": "invoice", "description": "a bill"},
                         {"name": "contract", "description": "an agreement"}],
        "expected": [{"name": "invoice", "pages": [1, 2]}, {"name": "contract", "pages": [3]}],
    }  # fmt: skip

    legacy = await body_of(handle_split, "/v1/documents/split", request)
    record = await body_of(handle_split, "/v1/splits", request)
    scored = await body_of(handle_split, "/v1/evals/split/process", request)

    pages = [(s["name"], s["pages"]) for s in legacy["splits"]]
    assert all({"likelihood", "votes", "partitions"} <= set(s) for s in legacy["splits"])
    assert [(s["name"], s["pages"]) for s in record["output"]] == pages
    assert record["id"].startswith("splt_")
    assert record["status"] == "completed"
    assert pages == [("invoice", [1, 2]), ("contract", [3])]
    assert scored["evaluation"]["score"] == 1.0


async def test_partitions_answer_a_partition_record() -> None:
    text = "\f".join(["Invoice number: A-1\nTotal 5", "Invoice number: A-1\nmore", "Invoice "
                      "number: B-2\nTotal 7"]).encode()  # fmt: skip
    request = {"document": document(text, "p.txt"), "key": "invoice number"}

    record = await body_of(handle_split, "/v1/partitions", request)

    assert record["id"].startswith("prtn_")
    assert record["key"] == "invoice number"
    assert record["output"] == [{"key": "A-1", "pages": [1, 2]}, {"key": "B-2", "pages": [3]}]
    assert record["usage"]["credits"] == 3.0


async def test_schema_generate_answers_a_schema_extract_accepts() -> None:
    request = {"documents": [document(), document(INVOICE.replace(b"0042", b"0043"))]}

    body = await body_of(handle_schema_generate, "/v1/schemas/generate", request)

    assert body["object"] == "schema"
    assert body["strict"] is True
    assert "invoice_number" in body["json_schema"]["properties"]
    assert body["usage"]["credits"] == 2.0
    understanding.check_json_schema(body["json_schema"])  # usable as an extraction schema


async def test_model_routed_to_none_fails_model_not_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = EngineSettings.model_validate({"model_routes": "forbidden-*=none"})
    monkeypatch.setattr(understanding, "engine_settings", lambda: settings)
    request = {"document": document(), "json_schema": SCHEMA, "model": "forbidden-x"}

    error = await failure(handle_extract, "/v1/documents/extract", request)

    assert error.code == "model_not_available"


async def test_unavailable_provider_is_retried_with_its_retry_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Throttled:
        async def extract(self, *args: object) -> None:
            raise ProviderUnavailableError("429 from the model server", retry_after=4.0)

    monkeypatch.setattr(routing, "engine_for", lambda model, settings: Throttled())
    request = {"document": document(), "json_schema": SCHEMA}

    with pytest.raises(understanding.ProviderRetryError) as retried:
        await handle_extract(context("/v1/documents/extract", request))

    assert retried.value.code == "provider_error"
    assert retried.value.retry_after == 4.0
    backoff = Execution._backoff  # the runtime waits at least Retry-After, capped
    settings = WorkerSettings(backoff_base_seconds=0.01, backoff_max_seconds=3)
    holder = type("E", (), {"settings": settings})()
    assert backoff(holder, 1, 4.0) == 3  # type: ignore[arg-type]
    assert 1.0 <= backoff(holder, 1, 1.0) <= 1.01  # type: ignore[arg-type]


def test_local_engine_answers_and_errors_cross_the_pool_as_tagged_tuples() -> None:
    import pickle

    from jobstream.documents.loaders import load_document
    from jobstream.documents.loaders.options import LoadOptions
    from jobstream.engines.port import ExtractRequest

    loaded = load_document(INVOICE, filename="i.txt", mime_type="text/plain", options=LoadOptions())
    status, result = understanding.run_local_engine("extract", loaded, ExtractRequest(SCHEMA))
    assert status == "ok"
    crossed = pickle.loads(pickle.dumps(result))  # noqa: S301 - our own bytes
    assert crossed.data["invoice_number"] == "INV-2026-0042"
    bad = ExtractRequest({"type": "object", "properties": {"a": {"type": "numbr"}}})
    status, error = understanding.run_local_engine("extract", loaded, bad)
    assert status == "error"
    assert error[0] == "validation_error"


async def test_prepare_gives_the_engine_the_document_and_no_images_for_a_local_model() -> None:
    body = ClassifyBody.model_validate({"document": document(), "categories": CATEGORIES})
    prepared = await understanding.prepare(context("/v1/documents/classify", {}), body)
    assert isinstance(prepared.engine, LocalEngine)
    assert prepared.document.page_count == 1
    assert "INV-2026-0042" in prepared.document.plain_text
    assert prepared.page_images == ()


@pytest.mark.parametrize(
    ("parts", "joined"),
    [(("ctx", "do this"), "ctx\ndo this"), (("ctx", None), "ctx"), ((None, ""), None)],
)
def test_context_and_instructions_join_into_one_text(
    parts: tuple[str | None, ...], joined: str | None
) -> None:
    assert understanding.joined_context(*parts) == joined


def test_a_schema_that_passed_is_not_checked_again_and_a_bad_one_always_fails() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "string"}, "m": {"type": "number"}}}
    understanding.check_json_schema(schema)
    before = understanding._checked_schema.cache_info()
    understanding.check_json_schema({"properties": schema["properties"], "type": "object"})
    after = understanding._checked_schema.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)  # same canonical JSON
    bad = {"type": "object", "properties": {"n": {"type": "strin"}}}
    for _ in range(2):
        with pytest.raises(PermanentError) as caught:
            understanding.check_json_schema(bad)
        assert caught.value.code == "validation_error"
