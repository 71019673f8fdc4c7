"""The template_generate handler: a PDF form in; its fields (AcroForm widgets with their visible
labels, or a flat form's blanks, boxes, table cells and checkboxes) and an annotated copy out."""

from __future__ import annotations

from jobstream.documents.forms.model import DetectedField
from jobstream.workers import understanding as u
from jobstream.workers.context import JobContext
from jobstream.workers.forms import filling, pipeline
from jobstream_schemas.api import JobResponse
from jobstream_schemas.forms import FormSchema, TemplateGenerateRequest, TemplateGenerateResponse


async def handle_template_generate(ctx: JobContext) -> JobResponse:
    body = u.parse_body(ctx, TemplateGenerateRequest)
    source = await filling.read_pdf(ctx, body.document)
    await ctx.report_progress(1, 2, "finding the form's fields")
    found: tuple[list[DetectedField], bytes] = await filling.in_pool(
        ctx, pipeline.generate_in_pool, source.pdf.data, source.layout, source.document
    )
    fields, annotated = found
    response = TemplateGenerateResponse(
        form_schema=FormSchema(form_fields=[filling.form_field(f) for f in fields]),
        annotated_pdf=filling.pdf_document(source.pdf.filename, annotated),
        field_count=len(fields),
    )
    return JobResponse(status_code=200, body=response.model_dump(mode="json"))
