"""The schema generation handler: documents in, a JSON Schema of the fields they share out.

`/v1/schemas/generate` answers `{object:"schema", created_at, json_schema, strict, usage}`; the
schema is meant to be usable as is by extract.
"""

from __future__ import annotations

from jobstream.engines.port import SchemaRequest
from jobstream.workers import understanding as u
from jobstream.workers.context import JobContext
from jobstream_schemas.api import JobResponse
from jobstream_schemas.operations import SchemaGenerateBody
from jobstream_schemas.results import GeneratedSchema


async def handle_schema_generate(ctx: JobContext) -> JobResponse:
    body = u.parse_body(ctx, SchemaGenerateBody)
    engine = u.engine(body.model)
    documents = tuple([await u.load(ctx, document) for document in body.documents])
    request = SchemaRequest(model=body.model, instructions=body.instructions)
    result = await u.run_engine(ctx, engine, "generate_schema", documents, request)
    pages = sum(document.page_count for document in documents)
    answer = GeneratedSchema(
        created_at=u.now_unix(), json_schema=result.json_schema,
        usage=u.usage_body(result.usage, pages=pages),
    )  # fmt: skip
    return JobResponse(status_code=200, body=answer.model_dump(mode="json"))
