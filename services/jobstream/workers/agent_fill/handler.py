"""The agent_fill handler (`/v1/edit/agent/fill`, `/v1/edits`): a PDF form, whose fields are
found as template generation finds them, or a `template_id`, plus instructions in; every field
with its value (or null) and the filled PDF out."""

from __future__ import annotations

from jobstream.core.errors import PermanentError
from jobstream.workers import understanding as u
from jobstream.workers.context import JobContext
from jobstream.workers.forms import filling
from jobstream.workers.forms.bodies import fill_response
from jobstream_schemas.api import JobResponse
from jobstream_schemas.forms import AgentFillRequest


async def handle_agent_fill(ctx: JobContext) -> JobResponse:
    body = u.parse_body(ctx, AgentFillRequest)
    if (body.document is None) == (body.template_id is None):
        raise PermanentError(
            "validation_error", "Send exactly one of `document` and `template_id`.",
            {"fields": ["document", "template_id"]},
        )  # fmt: skip
    if body.template_id is not None:
        source, form_fields = await filling.read_template(ctx, body.template_id)
        fields = await filling.template_fields(ctx, source, form_fields)
    else:
        assert body.document is not None  # noqa: S101 - checked above
        source = await filling.read_pdf(ctx, body.document)
        fields = await filling.detected_fields(ctx, source)
    filled = await filling.fill(
        ctx, source, fields, instructions=body.instructions, model=body.model,
        color=body.config.color,
    )  # fmt: skip
    return fill_response(
        ctx, source, filled, model=body.model, instructions=body.instructions, config=body.config
    )
