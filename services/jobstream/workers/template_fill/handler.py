"""The template_fill handler: a registered template and instructions in; every field with its
value (or null) and the filled PDF out. The worker reads the template itself (scoped to the
job's organization), so a template deleted since the job was created fails `template_not_found`."""

from __future__ import annotations

from jobstream.workers import understanding as u
from jobstream.workers.context import JobContext
from jobstream.workers.forms import filling
from jobstream.workers.forms.bodies import fill_response
from jobstream_schemas.api import JobResponse
from jobstream_schemas.forms import TemplateFillRequest


async def handle_template_fill(ctx: JobContext) -> JobResponse:
    body = u.parse_body(ctx, TemplateFillRequest)
    source, form_fields = await filling.read_template(ctx, body.template_id)
    fields = await filling.template_fields(ctx, source, form_fields)
    filled = await filling.fill(
        ctx, source, fields, instructions=body.instructions, model=body.model,
        color=body.config.color,
    )  # fmt: skip
    return fill_response(
        ctx, source, filled, model=body.model, instructions=body.instructions, config=body.config
    )
