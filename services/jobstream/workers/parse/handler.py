"""The parse handler: a document in, its text page by page out (the Retab parse response)."""

from __future__ import annotations

from typing import Any

from jobstream.core.documents import DecodedDocument, InvalidDocumentError, decode_data_url, file_id
from jobstream.core.errors import PermanentError
from jobstream.workers.context import JobContext
from jobstream.workers.parse.documents import DocumentParseError, parse_document
from jobstream_schemas.api import JobResponse

TABLE_FORMATS = {"html", "markdown", "yaml", "json", "text"}


def parse_in_pool(doc: DecodedDocument, table_format: str) -> tuple[str, Any]:
    """Runs in a worker process; returns a tagged tuple because custom exceptions pickle poorly."""
    try:
        parsed = parse_document(doc, table_parsing_format=table_format)
    except DocumentParseError as exc:
        return "error", (exc.code, exc.message)
    return "ok", (parsed.pages, parsed.text, parsed.mime_type)


def _document(request: dict[str, Any]) -> DecodedDocument:
    doc = request.get("document")
    if not isinstance(doc, dict) or not isinstance(doc.get("url"), str):
        raise PermanentError(
            "validation_error", "request.document must be an object with `filename` and `url`."
        )
    filename = str(doc.get("filename") or "document")
    if not doc["url"].startswith("data:"):
        raise PermanentError(
            "validation_error", "Only data: URLs are accepted for documents on this deployment."
        )
    try:
        return decode_data_url(doc["url"], filename=filename)
    except InvalidDocumentError as exc:
        raise PermanentError(exc.code, exc.message) from exc


async def handle_parse(ctx: JobContext) -> JobResponse:
    doc = _document(ctx.request)
    table_format = str(ctx.request.get("table_parsing_format") or "html")
    status, result = await ctx.run_cpu(parse_in_pool, doc, table_format)
    if status == "error":
        code, message = result
        raise PermanentError(code, message)
    pages, text, mime_type = result
    body = {
        "document": {"id": file_id(doc.data), "filename": doc.filename, "mime_type": mime_type},
        "usage": {"credits": float(len(pages))},
        "pages": pages,
        "text": text,
    }
    return JobResponse(status_code=200, body=body)
