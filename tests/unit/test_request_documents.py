"""`load_request_document` with fake loaders and an inline CPU pool: validation, chunking,
progress, limits and the mapping of document errors to job error codes."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import pytest

from jobstream.adapters.blobs import InMemoryBlobStore
from jobstream.core.errors import PermanentError, TransientError
from jobstream.documents import loaders
from jobstream.documents.errors import DocumentEncryptedError, DocumentReadInterruptedError
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Document, Line, Page, PageSource, TextBlock, Word
from jobstream.settings import WorkerSettings
from jobstream.workers.context import JobContext
from jobstream.workers.documents import call_tagged, load_options, load_request_document


def page(number: int) -> Page:
    line = Line(words=(Word(text=f"page{number}"),))
    return Page(number=number, source="text_layer", blocks=(TextBlock(lines=(line,)),))


class FakeLoaders:
    """A document of `pages` pages; records the options of every load."""

    def __init__(self, pages: int, *, honours_range: bool = True) -> None:
        self.pages = pages
        self.honours_range = honours_range
        self.source: PageSource = "text_layer"
        self.loads: list[LoadOptions] = []

    def page_count(self, data: bytes, *, filename: str, mime_type: str | None) -> int:
        return self.pages

    def load_document(
        self, data: bytes, *, filename: str, mime_type: str | None, options: LoadOptions
    ) -> Document:
        self.loads.append(options)
        last = options.last_page or self.pages
        numbers = (
            range(options.first_page, last + 1) if self.honours_range else range(1, self.pages + 1)
        )
        languages = options.ocr_languages or ("deu",)  # what detection found
        return Document(
            pages=tuple(dataclasses.replace(page(n), source=self.source) for n in numbers),
            mime_type=mime_type or "",
            format="fake",
            languages=languages,
        )


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeLoaders:
    fakes = FakeLoaders(3)
    monkeypatch.setattr(loaders, "page_count", fakes.page_count, raising=False)
    monkeypatch.setattr(loaders, "load_document", fakes.load_document, raising=False)
    return fakes


def context(**settings: Any) -> tuple[JobContext, list[tuple[float, float | None, str | None]]]:
    progress: list[tuple[float, float | None, str | None]] = []

    async def report(done: float, total: float | None = None, message: str | None = None) -> None:
        progress.append((done, total, message))

    async def run_cpu(fn: Any, *args: Any) -> Any:
        return fn(*args)

    ctx = JobContext(
        job_id="job_x", organization_id="org", attempt=1, try_number=1, endpoint="/v1/parses",
        request={}, deadline=0.0, blobs=InMemoryBlobStore(), report_progress=report,
        run_cpu=run_cpu, settings=WorkerSettings(**settings),
    )  # fmt: skip
    return ctx, progress


DOC = {
    "filename": "a.pdf",
    "url": "data:application/pdf;base64," + base64.b64encode(b"%PDF").decode(),
}


async def test_a_short_document_loads_in_one_call_without_progress(fake: FakeLoaders) -> None:
    ctx, progress = context()
    doc = await load_request_document(ctx, DOC, dpi=150)
    assert [p.number for p in doc.pages] == [1, 2, 3] and doc.filename == "a.pdf"
    assert len(fake.loads) == 1 and fake.loads[0].last_page is None
    assert fake.loads[0].image_resolution_dpi == 150
    assert progress == []


async def test_a_long_document_loads_in_chunks_with_progress(fake: FakeLoaders) -> None:
    fake.pages = 120
    ctx, progress = context()
    doc = await load_request_document(ctx, DOC)
    assert [p.number for p in doc.pages] == list(range(1, 121))
    assert [(o.first_page, o.last_page) for o in fake.loads][:2] == [(1, 3), (4, 6)]
    assert len(fake.loads) == 40 and progress[-1][:2] == (120, 120)
    assert [done for done, _, _ in progress] == sorted(done for done, _, _ in progress)
    assert doc.languages == ("deu",)
    assert {o.ocr_languages for o in fake.loads} == {None}  # text layers: nothing to carry over


async def test_languages_detected_on_the_first_ocr_chunk_are_used_for_the_rest(
    fake: FakeLoaders,
) -> None:
    fake.pages, fake.source = 12, "ocr"
    ctx, _ = context()
    doc = await load_request_document(ctx, DOC)
    assert [o.ocr_languages for o in fake.loads] == [None] + [("deu",)] * 11
    assert doc.languages == ("deu",)
    ctx, _ = context(ocr_languages="fra")
    fake.loads.clear()
    await load_request_document(ctx, DOC)
    assert {o.ocr_languages for o in fake.loads} == {("fra",)}  # a setting is never overridden


async def test_a_loader_that_reads_whole_documents_is_called_once(fake: FakeLoaders) -> None:
    fake.pages, fake.honours_range = 10, False
    ctx, _ = context()
    doc = await load_request_document(ctx, DOC)
    assert [p.number for p in doc.pages] == list(range(1, 11)) and len(fake.loads) == 1
    cut = await load_request_document(ctx, DOC, first_n_pages=6)
    assert [p.number for p in cut.pages] == list(range(1, 7))


async def test_first_n_pages_cuts_the_range(fake: FakeLoaders) -> None:
    fake.pages = 10
    ctx, _ = context()
    doc = await load_request_document(ctx, DOC, first_n_pages=2)
    assert [p.number for p in doc.pages] == [1, 2] and fake.loads[0].last_page == 2


async def test_limits_and_languages_come_from_the_settings(fake: FakeLoaders) -> None:
    fake.pages = 11
    ctx, _ = context(max_pages=10)
    with pytest.raises(PermanentError) as info:
        await load_request_document(ctx, DOC)
    assert info.value.code == "document_too_large" and "11 pages" in info.value.message
    options = load_options(WorkerSettings(ocr_languages="eng, deu", max_image_pixels=5), dpi=96)
    assert options.ocr_languages == ("eng", "deu") and options.max_image_pixels == 5
    assert load_options(WorkerSettings(), dpi=96).ocr_languages is None


@pytest.mark.parametrize(
    "document",
    [None, "a.pdf", {"filename": "a.pdf"}, {"url": 3}, {"filename": 5, "url": "data:,x"}],
)
async def test_a_malformed_document_is_a_validation_error(
    fake: FakeLoaders, document: object
) -> None:
    ctx, _ = context()
    with pytest.raises(PermanentError) as info:
        await load_request_document(ctx, document)
    assert info.value.code == "validation_error"


async def test_bad_data_urls_and_resolutions_are_validation_errors(fake: FakeLoaders) -> None:
    ctx, _ = context()
    for document in ({"filename": "x.pdf", "url": "data:application/pdf;base64,@@@"},):
        with pytest.raises(PermanentError) as info:
            await load_request_document(ctx, document)
        assert info.value.code == "validation_error" and "base64" in info.value.message
    for dpi in (95, 301):
        with pytest.raises(PermanentError) as info:
            await load_request_document(ctx, DOC, dpi=dpi)
        assert info.value.code == "validation_error" and "96" in info.value.message


async def test_urls_go_through_the_fetch_policy(fake: FakeLoaders) -> None:
    ctx, _ = context()
    for url, code in [
        ("http://example.com/a.pdf", "document_url_forbidden"),  # http needs the setting
        ("https://127.0.0.1/a.pdf", "document_url_forbidden"),
        ("ftp://example.com/a.pdf", "document_url_forbidden"),
    ]:
        with pytest.raises(PermanentError) as info:
            await load_request_document(ctx, {"filename": "a.pdf", "url": url})
        assert info.value.code == code, url


def test_document_errors_cross_the_pool_as_tagged_tuples() -> None:
    def encrypted(data: bytes, **_: object) -> int:
        raise DocumentEncryptedError("the PDF is encrypted; send it without a password")

    def broken(data: bytes, **_: object) -> int:
        raise KeyError("xref")

    assert call_tagged(encrypted, b"", {}) == (
        "error", ("document_encrypted", "the PDF is encrypted; send it without a password")
    )  # fmt: skip

    def interrupted(data: bytes, **_: object) -> int:
        raise DocumentReadInterruptedError("Tesseract was killed by SIGKILL")

    assert call_tagged(broken, b"", {}) == ("crash", "KeyError: 'xref'")
    assert call_tagged(interrupted, b"", {}) == (
        "transient", ("ocr_interrupted", "Tesseract was killed by SIGKILL")
    )  # fmt: skip
    options = LoadOptions()
    assert call_tagged(lambda d, *, options: options, b"", {}, options) == ("ok", options)


async def test_a_loader_error_becomes_the_jobs_error(
    fake: FakeLoaders, monkeypatch: pytest.MonkeyPatch
) -> None:
    def encrypted(data: bytes, **_: object) -> Document:
        raise DocumentEncryptedError("encrypted PDF")

    monkeypatch.setattr(loaders, "load_document", encrypted, raising=False)
    ctx, _ = context()
    with pytest.raises(PermanentError) as info:
        await load_request_document(ctx, DOC)
    assert (info.value.code, info.value.message) == ("document_encrypted", "encrypted PDF")


async def test_an_interrupted_ocr_is_a_transient_failure_with_its_code(
    fake: FakeLoaders, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(data: bytes, **_: object) -> Document:
        raise DocumentReadInterruptedError("OCR was interrupted: Tesseract was killed by SIGKILL")

    monkeypatch.setattr(loaders, "load_document", killed, raising=False)
    ctx, _ = context()
    with pytest.raises(TransientError) as info:
        await load_request_document(ctx, DOC)
    assert not isinstance(info.value, PermanentError)
    assert getattr(info.value, "code", None) == "ocr_interrupted"  # reported if every try is
    assert "SIGKILL" in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("ocr_languages", "ENG"), ("ocr_languages", "eng;deu"), ("fetch_allowed_networks", "nope")],
)
def test_malformed_document_settings_stop_the_worker_at_start(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=field):
        WorkerSettings(**{field: value})
    assert WorkerSettings(ocr_languages=" eng, chi_sim ", fetch_allowed_networks="10.0.0.0/8,::1")
