"""The one way a handler turns a request's `document` into a `Document`.

The Document's `filename` is the request's (or the URL's last segment) and its
`metadata["file_id"]` the content-addressed id of the bytes sent; `file_of` gives the
`{id, filename, mime_type}` reference responses carry.

`{filename, url}` with a `data:` URL is decoded; an `https://` URL (or `http://` when allowed)
is fetched here, in the worker, SSRF-safe (adapters/document_fetch.py). The bytes are then
counted and loaded in the worker's CPU pool — in chunks of pages for documents over a few
pages, so progress is reported as pages are read and a cancel (which kills the pool) stops
OCR at once. Every `DocumentError` becomes a `PermanentError` with its stable code; an
interrupted read (OCR killed by a signal) a `TransientError` the runtime retries.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from jobstream.adapters import tracing
from jobstream.adapters.document_fetch import DocumentFetcher, FetchPolicy, parse_networks
from jobstream.core.documents import (
    DecodedDocument,
    InvalidDocumentError,
    decode_data_url,
    file_id,
    guess_mime_type,
)
from jobstream.core.errors import PermanentError, TransientError
from jobstream.documents import loaders
from jobstream.documents.errors import (
    DocumentError,
    DocumentReadInterruptedError,
    DocumentTooLargeError,
)
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Document, Page
from jobstream.settings import WorkerSettings
from jobstream.workers.context import JobContext
from jobstream.workers.document_metrics import (
    document_attributes,
    merged_ocr_metadata,
    observe_loaded,
)

FILE_ID_KEY: Final = "file_id"  # in Document.metadata: `file_` + BLAKE2b of the bytes sent
MIN_DPI: Final = 96
MAX_DPI: Final = 300
CHUNKED_ABOVE_PAGES: Final = 4  # documents over this many pages load in chunks, with progress
MAX_CHUNKS: Final = 50  # at most this many pool calls (and progress events) per document


async def load_request_document(
    ctx: JobContext, document: object, *, dpi: int = 192, first_n_pages: int | None = None
) -> Document:
    """The request's `document` as a Document: its first `first_n_pages` pages, or all."""
    filename, url = _validated(document)
    _check_dpi(dpi)
    decoded = await _decoded(ctx.settings, filename, url)
    return await load_decoded_document(ctx, decoded, dpi=dpi, first_n_pages=first_n_pages)


async def fetch_request_document(ctx: JobContext, document: object) -> DecodedDocument:
    """The request's `document` as bytes, decoded or fetched but not loaded (form operations
    read the Document and also write into the original bytes)."""
    filename, url = _validated(document)
    return await _decoded(ctx.settings, filename, url)


def _check_dpi(dpi: int) -> None:
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise PermanentError(
            "validation_error",
            f"image_resolution_dpi must be between {MIN_DPI} and {MAX_DPI}, got {dpi}.",
            details={"field": "image_resolution_dpi"},
        )


async def load_decoded_document(
    ctx: JobContext, decoded: DecodedDocument, *, dpi: int = 192, first_n_pages: int | None = None
) -> Document:
    """Decoded bytes as a Document (what `load_request_document` does after fetching)."""
    _check_dpi(dpi)
    hints = {"filename": decoded.filename, "mime_type": decoded.mime_type}
    total: int = await _in_pool(ctx, loaders.page_count, decoded.data, hints)
    settings = ctx.settings
    if total > settings.max_pages:
        raise PermanentError(
            DocumentTooLargeError.code,
            f"the document has {total} pages; this deployment reads at most {settings.max_pages}",
        )
    last = total if first_n_pages is None else max(1, min(total, first_n_pages))
    options = load_options(settings, dpi=dpi)
    started = time.perf_counter()
    with tracing.span("document.load", attributes={"jobstream.pages": last}) as load_span:
        loaded = await _load(ctx, decoded, hints, options, last, total)
        observe_loaded(loaded, seconds=time.perf_counter() - started)
        load_span.set_attributes(document_attributes(loaded))
    metadata = {**loaded.metadata, FILE_ID_KEY: file_id(decoded.data)}
    return dataclasses.replace(loaded, filename=decoded.filename, metadata=metadata)


async def _load(
    ctx: JobContext, decoded: Any, hints: dict[str, Any], options: LoadOptions, last: int,
    total: int,
) -> Document:  # fmt: skip
    if last <= CHUNKED_ABOVE_PAGES:
        # The whole document unless cut: a page count is a hint (an email's attachments add pages).
        options = dataclasses.replace(options, last_page=last if last < total else None)
        loaded: Document = await _in_pool(ctx, loaders.load_document, decoded.data, hints, options)
    else:
        loaded = await _load_in_chunks(ctx, decoded, hints, options, last, total)
    return loaded


def file_of(document: Document) -> dict[str, str]:
    """The `file` / `document` reference of a response: `{id, filename, mime_type}`."""
    return {
        "id": document.metadata.get(FILE_ID_KEY, ""),
        "filename": document.filename,
        "mime_type": document.mime_type,
    }


def load_options(settings: WorkerSettings, *, dpi: int) -> LoadOptions:
    """The loader options a worker's settings and a request's resolution make."""
    languages = tuple(lang.strip() for lang in settings.ocr_languages.split(",") if lang.strip())
    return LoadOptions(
        image_resolution_dpi=dpi, ocr_languages=languages or None,
        max_pages=settings.max_pages, max_image_pixels=settings.max_image_pixels,
        max_unpacked_bytes=settings.max_unpacked_bytes,
    )  # fmt: skip


def fetch_policy(settings: WorkerSettings) -> FetchPolicy:
    """The fetch policy of a worker's settings."""
    return FetchPolicy(
        allow_http=settings.document_url_allow_http,
        allowed_networks=parse_networks(settings.fetch_allowed_networks),
        max_bytes=settings.fetch_max_bytes, timeout_seconds=settings.fetch_timeout_seconds,
        ca_bundle=settings.fetch_ca_bundle,
    )  # fmt: skip


def _validated(document: object) -> tuple[str, str]:
    if not isinstance(document, dict) or not isinstance(document.get("url"), str):
        raise PermanentError(
            "validation_error",
            "request.document must be an object with `filename` and `url` (a data: or https: URL).",
            details={"field": "document"},
        )
    filename = document.get("filename")
    if filename is not None and not isinstance(filename, str):
        raise PermanentError(
            "validation_error", "request.document.filename must be a string.",
            details={"field": "document.filename"},
        )  # fmt: skip
    return filename or "", document["url"]


async def _decoded(settings: WorkerSettings, filename: str, url: str) -> DecodedDocument:
    scheme = url.partition(":")[0].strip().lower()
    if scheme == "data":
        try:
            return decode_data_url(url, filename=filename or "document")
        except InvalidDocumentError as exc:
            raise PermanentError(
                "validation_error", exc.message, details={"field": "document.url"}
            ) from exc
    try:
        fetched = await DocumentFetcher(policy=fetch_policy(settings)).fetch(url=url)
    except DocumentError as exc:
        raise PermanentError(exc.code, exc.message) from exc
    name = filename or unquote(urlsplit(fetched.url).path.rsplit("/", 1)[-1]) or "document"
    mime_type = fetched.content_type or "application/octet-stream"
    if mime_type in ("application/octet-stream", "binary/octet-stream"):
        mime_type = guess_mime_type(name) or "application/octet-stream"
    return DecodedDocument(filename=name, mime_type=mime_type, data=fetched.data)


async def _load_in_chunks(
    ctx: JobContext, decoded: DecodedDocument, hints: dict[str, Any], options: LoadOptions,
    last: int, total: int,
) -> Document:  # fmt: skip
    size = math.ceil(last / MAX_CHUNKS)
    pages: list[Page] = []
    chunks: list[Document] = []
    languages: dict[str, None] = {}
    for start in range(1, last + 1, size):
        end = min(last, start + size - 1)
        chunk_options = dataclasses.replace(options, first_page=start, last_page=end)
        chunk: Document = await _in_pool(
            ctx, loaders.load_document, decoded.data, hints, chunk_options
        )
        chunks.append(chunk)
        languages.update(dict.fromkeys(chunk.languages))
        if len(chunk.pages) > end - start + 1:  # this format's loader reads whole documents
            pages = (
                list(chunk.pages) if last == total else pages_in_range(chunk, first=1, last=last)
            )
            await ctx.report_progress(last, last, f"read {last} pages")
            break
        pages += pages_in_range(chunk, first=start, last=end)
        if options.ocr_languages is None and chunk.languages and _ocred(chunk):
            # Detected once: later chunks OCR in those languages instead of detecting again.
            options = dataclasses.replace(options, ocr_languages=chunk.languages)
        await ctx.report_progress(end, last, f"read page {end} of {last}")
    return dataclasses.replace(
        chunks[0], pages=tuple(pages), languages=tuple(languages),
        metadata=merged_ocr_metadata(chunks),
    )  # fmt: skip


def _ocred(document: Document) -> bool:
    return any(page.source == "ocr" for page in document.pages)


def pages_in_range(document: Document, *, first: int, last: int) -> list[Page]:
    """The pages `first..last` of a loader's answer to a range request, numbered absolutely.

    A loader numbers the pages of a range by their place in the whole document; one that
    numbered them from 1 is renumbered, one that ignored the range is cut to it.
    """
    wanted = last - first + 1
    inside = [page for page in document.pages if first <= page.number <= last]
    if len(inside) == wanted or len(document.pages) != wanted:
        return inside
    return [dataclasses.replace(p, number=first + i) for i, p in enumerate(document.pages)]


async def _in_pool(ctx: JobContext, fn: Callable[..., Any], data: bytes, *args: Any) -> Any:
    status, result = await ctx.run_cpu(call_tagged, fn, data, *args)
    if status == "ok":
        return result
    if status == "error":
        code, message = result
        raise PermanentError(code, message)
    if status == "transient":
        code, message = result
        raise DocumentLoadInterruptedError(code, message)
    raise RuntimeError(f"the document loader failed: {result}")


class DocumentLoadInterruptedError(TransientError):
    """Loading was interrupted (OCR killed by a signal): retried; `code` if every try is."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def call_tagged(
    fn: Callable[..., Any], data: bytes, hints: dict[str, Any], options: LoadOptions | None = None
) -> tuple[str, Any]:
    """Runs in the CPU pool. Returns a tagged tuple, because custom exceptions pickle poorly:
    ("ok", result), ("error", (code, message)) for a DocumentError, ("transient", (code,
    message)) for an interrupted read (OCR killed by a signal), ("crash", text) otherwise."""
    try:
        if options is None:
            return "ok", fn(data, **hints)
        return "ok", fn(data, **hints, options=options)
    except DocumentError as exc:
        return "error", (exc.code, exc.message)
    except DocumentReadInterruptedError as exc:
        return "transient", (exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the job
        return "crash", f"{type(exc).__name__}: {exc}"[:500]
