"""The parse handler: a document in, its text page by page out, tables inline.

Legacy names (`/v1/documents/parse`) answer the Gen A body, `/v1/parses` the Gen B parse record
(schemas/jobstream_schemas/parse.py). `usage.credits` is the number of pages parsed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from jobstream.documents.render import render_document
from jobstream.workers.context import JobContext
from jobstream.workers.documents import file_of, load_request_document
from jobstream.workers.requests import validated_request
from jobstream_schemas.api import JobResponse
from jobstream_schemas.parse import (
    ParsedFile,
    ParseOutput,
    ParseRecord,
    ParseRequest,
    ParseResponse,
    ParseUsage,
)

GEN_B_ENDPOINT = "/v1/parses"


async def handle_parse(ctx: JobContext) -> JobResponse:
    request = validated_request(ParseRequest, ctx.request)
    document = await load_request_document(
        ctx, ctx.request["document"], dpi=request.image_resolution_dpi
    )
    pages, text = render_document(document, table_format=request.table_parsing_format)
    file = ParsedFile(**file_of(document))
    usage = ParseUsage(credits=float(len(pages)))
    if ctx.endpoint != GEN_B_ENDPOINT:
        body = ParseResponse(document=file, usage=usage, pages=pages, text=text)
        return JobResponse(status_code=200, body=body.model_dump(mode="json"))
    record = ParseRecord(
        id="parse_" + ctx.job_id.removeprefix("job_"),
        file=file,
        model=request.model,
        table_parsing_format=request.table_parsing_format,
        image_resolution_dpi=request.image_resolution_dpi,
        instructions=request.instructions,
        output=ParseOutput(pages=pages, text=text),
        usage=usage,
        created_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    )
    return JobResponse(status_code=200, body=record.model_dump(mode="json"))
