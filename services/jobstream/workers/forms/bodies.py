"""The fill endpoints' answers: Gen A `{form_data, filled_document, usage}` on the legacy names,
the Gen B edit record on `/v1/edits` and `/v1/edits/templates/fill`."""

from __future__ import annotations

from jobstream.core.documents import file_id
from jobstream.workers import understanding as u
from jobstream.workers.context import JobContext
from jobstream.workers.forms.filling import (
    PDF,
    FilledForm,
    FormSource,
    form_field,
    pdf_document,
    warning_models,
)
from jobstream_schemas.api import JobResponse
from jobstream_schemas.forms import (
    EditConfig,
    EditOutput,
    EditRecord,
    FileRef,
    FillResponse,
)
from jobstream_schemas.results import UsageBody

GEN_B_ENDPOINTS = frozenset({"/v1/edits", "/v1/edits/templates/fill"})


def fill_response(
    ctx: JobContext, source: FormSource, filled: FilledForm, *, model: str, instructions: str,
    config: EditConfig,
) -> JobResponse:  # fmt: skip
    form_data = [form_field(v.field, v.text) for v in filled.values]
    document = pdf_document(source.pdf.filename, filled.pdf)
    usage = UsageBody(credits=filled.credits)
    warnings = warning_models(filled.warnings)
    if ctx.endpoint not in GEN_B_ENDPOINTS:
        body = FillResponse(
            form_data=form_data, filled_document=document, usage=usage, warnings=warnings
        )
        return JobResponse(status_code=200, body=body.model_dump(mode="json"))
    record = EditRecord(
        id=u.record_id("edit", ctx),
        file=FileRef(id=file_id(source.pdf.data), filename=source.pdf.filename, mime_type=PDF),
        model=model, instructions=instructions, config=config, template_id=source.template_id,
        output=EditOutput(form_data=form_data, filled_document=document), usage=usage,
        warnings=warnings, created_at=u.now_iso(),
    )  # fmt: skip
    return JobResponse(status_code=200, body=record.model_dump(mode="json"))
