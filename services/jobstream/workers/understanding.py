"""What the understanding handlers (extract, classify, split, schemas) share.

Parse a body into its model (`validation_error` naming the fields), pick the engine for the
model and load its document (`prepare`: with page images for vision models), map engine errors
to job errors, and build the common pieces of a response
(file reference, usage, record ids and times).

Engine errors: `EngineError` codes fail the job (`PermanentError`); `ProviderUnavailableError`
becomes a `ProviderRetryError` the runtime retries with backoff, waiting at least the provider's
`Retry-After` (capped by the backoff maximum), until `max_tries`; then the job fails
`provider_error`.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import jsonschema
import orjson
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from jobstream.adapters import tracing
from jobstream.core.documents import InvalidDocumentError, decode_data_url, file_id
from jobstream.core.errors import PermanentError, TransientError
from jobstream.documents.model import Document
from jobstream.engines import routing
from jobstream.engines.local import LocalEngine
from jobstream.engines.port import Engine, EngineError, ProviderUnavailableError, Usage
from jobstream.settings import EngineSettings
from jobstream.workers.context import JobContext
from jobstream.workers.documents import load_request_document
from jobstream_schemas.operations import DocumentInput
from jobstream_schemas.results import FileRef, UsageBody

Body = TypeVar("Body", bound=BaseModel)


class ProviderRetryError(TransientError):
    """A provider that is throttling or down: retried by the runtime; `code` if it stays down."""

    code = "provider_error"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@functools.cache
def engine_settings() -> EngineSettings:
    """The engine settings of this process, read once from the environment."""
    return EngineSettings()


def parse_body(ctx: JobContext, model: type[Body]) -> Body:
    """The request as `model`; a bad body fails the job with `validation_error` and the fields."""
    try:
        return model.model_validate(ctx.request)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in err["loc"]) or "(body)", "problem": err["msg"]}
            for err in exc.errors(include_url=False, include_input=False)
        ]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
        raise PermanentError(
            "validation_error", f"Invalid request: {summary}", {"errors": problems}
        ) from exc


def check_json_schema(schema: dict[str, Any]) -> None:
    """An extraction schema must be a valid JSON Schema describing an object; else
    `validation_error` naming the offending keyword and where it is.

    The meta-schema check costs milliseconds and clients send the same schema with every
    document: a schema that passed (by its canonical JSON) is not checked again."""
    try:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # not plain JSON data: checked as is, every time
        _check_json_schema(schema)
        return
    _checked_schema(key)


@functools.lru_cache(maxsize=256)
def _checked_schema(canonical: str) -> None:
    _check_json_schema(orjson.loads(canonical))


def _check_json_schema(schema: dict[str, Any]) -> None:
    try:
        jsonschema.validators.validator_for(schema, default=Draft202012Validator).check_schema(
            schema
        )
    except jsonschema.SchemaError as exc:
        path = [str(p) for p in exc.absolute_path]
        keyword = path[-1] if path else str(exc.validator)
        where = "/".join(path[:-1]) or "(root)"
        raise PermanentError(
            "validation_error",
            f"Invalid JSON Schema: keyword {keyword!r} at {where}: {exc.message}",
            {"keyword": keyword, "path": where},
        ) from exc
    if schema.get("type", "object") != "object" and "properties" not in schema:
        raise PermanentError(
            "validation_error",
            "Invalid JSON Schema: keyword 'type' at (root): an extraction schema describes an "
            "object (type: object with properties)",
            {"keyword": "type", "path": "(root)"},
        )


def engine(model: str) -> Engine:
    try:
        return routing.engine_for(model, engine_settings())
    except EngineError as exc:
        raise PermanentError(exc.code, exc.message, exc.details) from exc


async def run_engine(ctx: JobContext, engine: Engine, operation: str, *args: Any) -> Any:
    """`engine.<operation>(*args)`, its errors turned into the runtime's.

    The local engine is CPU work: it runs in the worker's process pool, so the event loop stays
    free for heartbeats and cancels, and a cancel kills it at once. Other engines wait on the
    network and run here.
    """
    with tracing.span(
        f"engine.{operation}", attributes={"jobstream.engine": type(engine).__name__}
    ):
        return await _run_engine(ctx, engine, operation, *args)


async def _run_engine(ctx: JobContext, engine: Engine, operation: str, *args: Any) -> Any:
    if isinstance(engine, LocalEngine):
        status, payload = await ctx.run_cpu(run_local_engine, operation, *args)
        if status == "error":
            code, message, details = payload
            raise PermanentError(code, message, details)
        return payload
    try:
        return await getattr(engine, operation)(*args)
    except ProviderUnavailableError as exc:
        raise ProviderRetryError(exc.message, retry_after=exc.retry_after) from exc
    except EngineError as exc:
        raise PermanentError(exc.code, exc.message, exc.details) from exc


def run_local_engine(operation: str, *args: Any) -> tuple[str, Any]:
    """In a pool process: the local engine's answer, or its error as a tagged tuple (custom
    exceptions do not cross process boundaries reliably)."""
    try:
        return "ok", asyncio.run(getattr(LocalEngine(), operation)(*args))
    except EngineError as exc:
        return "error", (exc.code, exc.message, exc.details)


class DocumentBody(Protocol):
    """A request body naming a model and carrying one document (extract, classify, split...)."""

    @property
    def model(self) -> str: ...

    @property
    def document(self) -> DocumentInput: ...


@dataclass(frozen=True, slots=True)
class Prepared:
    """What an operation on one document needs: the engine its model names, the document
    loaded, and its page images (for vision-capable models only, else none)."""

    engine: Engine
    document: Document
    page_images: tuple[bytes, ...]


async def prepare(
    ctx: JobContext, body: DocumentBody, *, dpi: int = 192, first_n_pages: int | None = None
) -> Prepared:
    """The engine, the loaded document and its page images for a request body."""
    chosen = engine(body.model)
    document = await load(ctx, body.document, dpi=dpi, first_n_pages=first_n_pages)
    images = await page_images(ctx, body.model, body.document, document, dpi=dpi)
    return Prepared(engine=chosen, document=document, page_images=images)


def joined_context(*parts: str | None) -> str | None:
    """Context and instructions as one text for the engine (None when both are empty)."""
    return "\n".join(part for part in parts if part) or None


async def load(
    ctx: JobContext, document: DocumentInput, *, dpi: int = 192, first_n_pages: int | None = None
) -> Document:
    """The request's document as a Document (fetched, sniffed, loaded in the CPU pool)."""
    return await load_request_document(
        ctx, document.model_dump(), dpi=dpi, first_n_pages=first_n_pages
    )


def source_bytes(document: DocumentInput) -> bytes | None:
    """The decoded bytes of a `data:` document (None for other URLs or undecodable ones)."""
    if not document.url.startswith("data:"):
        return None
    try:
        return decode_data_url(document.url, filename=document.filename).data
    except InvalidDocumentError:
        return None


def file_ref(document: DocumentInput, loaded: Document) -> FileRef:
    """`file_` + blake2b-8 of the bytes (as the Retab SDK computes it); of the URL when remote."""
    data = source_bytes(document)
    if data is not None:
        ident = file_id(data)
    else:
        ident = "file_" + hashlib.blake2b(document.url.encode(), digest_size=8).hexdigest()
    return FileRef(id=ident, filename=document.filename, mime_type=loaded.mime_type)


async def page_images(
    ctx: JobContext, model: str, document: DocumentInput, loaded: Document, *, dpi: int
) -> tuple[bytes, ...]:  # fmt: skip
    """PNG renderings of the first pages, only for models configured as vision-capable and
    documents that are PDFs or images sent inline; otherwise none (the text goes alone)."""
    settings = engine_settings()
    if routing.route_for(model, settings) != "openai" or not routing.matches_any(
        model, settings.openai_vision_models
    ):
        return ()
    data = source_bytes(document)
    if data is None:
        return ()
    from jobstream.documents.loaders.render import render_pages_png

    count = min(loaded.page_count, settings.openai_max_image_pages)
    images: tuple[bytes, ...] = await ctx.run_cpu(render_pages_png, data, count, min(dpi, 150))
    return images


def usage_body(usage: Usage, *, pages: int) -> UsageBody:
    return UsageBody(
        credits=usage.credits or float(pages),
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
    )


def record_id(prefix: str, ctx: JobContext) -> str:
    """A record id stable across retries of the job: `<prefix>_` + the job id's random part."""
    return f"{prefix}_{ctx.job_id.removeprefix('job_')}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def now_unix() -> int:
    return int(time.time())
