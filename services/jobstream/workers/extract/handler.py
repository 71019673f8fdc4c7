"""The extract handler: a document and a JSON Schema in, the object the schema describes out.

Legacy names (`/v1/documents/extract`, `/v1/projects/extract`, the extract evals) answer an
OpenAI chat completion (Gen A); `/v1/extractions` answers an extraction record (Gen B). The
eval endpoints score each field against the request's `expected` object when it has one.
"""

from __future__ import annotations

import json

from jobstream.engines.port import ExtractRequest, ExtractResult
from jobstream.workers import understanding as u
from jobstream.workers.context import JobContext
from jobstream.workers.evals import score_fields
from jobstream_schemas.api import JobResponse
from jobstream_schemas.operations import ExtractBody
from jobstream_schemas.results import (
    CompletionChoice,
    CompletionMessage,
    ExtractCompletion,
    ExtractionConsensus,
    ExtractionRecord,
)


async def handle_extract(ctx: JobContext) -> JobResponse:
    body = u.parse_body(ctx, ExtractBody)
    u.check_json_schema(body.json_schema)
    prepared = await u.prepare(ctx, body, dpi=body.image_resolution_dpi)
    document = prepared.document
    request = ExtractRequest(
        json_schema=body.json_schema, model=body.model, n_consensus=body.n_consensus,
        instructions=body.instructions, additional_messages=tuple(body.additional_messages or ()),
        image_resolution_dpi=body.image_resolution_dpi, page_images=prepared.page_images,
    )  # fmt: skip
    result = await u.run_engine(ctx, prepared.engine, "extract", document, request)
    usage = u.usage_body(result.usage, pages=document.page_count)
    if ctx.endpoint == "/v1/extractions":
        record = ExtractionRecord(
            id=u.record_id("extr", ctx), file=u.file_ref(body.document, document),
            model=body.model, json_schema=body.json_schema, n_consensus=body.n_consensus,
            image_resolution_dpi=body.image_resolution_dpi, instructions=body.instructions,
            output=result.data, consensus=_consensus(result), metadata=body.metadata,
            usage=usage, created_at=u.now_iso(),
        )  # fmt: skip
        return JobResponse(status_code=200, body=record.model_dump(mode="json"))
    evaluation = None
    if ctx.endpoint.startswith("/v1/evals/") and body.expected is not None:
        evaluation = score_fields(body.expected, result.data)
    message = CompletionMessage(content=json.dumps(result.data, ensure_ascii=False),
                                parsed=result.data)  # fmt: skip
    completion = ExtractCompletion(
        id=u.record_id("chatcmpl", ctx), created=u.now_unix(), model=body.model,
        choices=[CompletionChoice(message=message)], usage=usage,
        likelihoods=result.likelihoods, extraction_id=u.record_id("extr", ctx),
        evaluation=evaluation,
    )  # fmt: skip
    return JobResponse(status_code=200, body=completion.model_dump(mode="json", exclude_none=True))


def _consensus(result: ExtractResult) -> ExtractionConsensus:
    return ExtractionConsensus(choices=list(result.choices), likelihoods=result.likelihoods)
