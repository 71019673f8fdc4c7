"""The steps the form handlers share, between the request and the CPU-pool work.

A PDF comes in (`read_pdf`: fetched, checked to be a PDF, its form read, its Document loaded) or
is a stored template (`read_template`); its fields are found or taken from the template
(`template_fields`); `fill` asks the engine for values, checks them against the fields, writes
the PDF and fails the job with `no_usable_values` when nothing at all could be filled.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Any

from jobstream.adapters.templates import TemplateNotFoundError, load_template_files
from jobstream.core.documents import DecodedDocument
from jobstream.core.errors import PermanentError
from jobstream.documents.forms.model import DetectedField, FormLayout, WidgetKind
from jobstream.documents.forms.values import AcceptedValue, FieldWarning, accept_values
from jobstream.documents.loaders.pdf_forms import is_pdf
from jobstream.documents.model import Box, Document
from jobstream.engines.port import FillRequest, FillResult, FormFieldSpec
from jobstream.workers import understanding as u
from jobstream.workers.context import JobContext
from jobstream.workers.documents import fetch_request_document, load_decoded_document
from jobstream.workers.forms import pipeline
from jobstream_schemas.forms import (
    BBox,
    FieldWarningModel,
    FormDocument,
    FormField,
)

PDF = "application/pdf"
MULTILINE_SHARE = 0.035  # a flat template field taller than this share of its page wraps


@dataclass(frozen=True)
class FormSource:
    """A PDF form ready to fill: its bytes, its form's layout and its Document."""

    pdf: DecodedDocument
    layout: FormLayout
    document: Document
    template_id: str | None = None


@dataclass(frozen=True)
class FilledForm:
    values: list[AcceptedValue]
    pdf: bytes
    warnings: list[FieldWarning]
    credits: float


async def in_pool(ctx: JobContext, fn: Any, *args: Any) -> Any:
    status, result = await ctx.run_cpu(fn, *args)
    if status == "ok":
        return result
    code, message = result
    raise PermanentError(code, message)


async def read_pdf(ctx: JobContext, document: FormDocument) -> FormSource:
    decoded = await fetch_request_document(ctx, document.model_dump())
    return await _source(ctx, decoded)


async def _source(
    ctx: JobContext, decoded: DecodedDocument, template_id: str | None = None
) -> FormSource:
    if not is_pdf(decoded.data):
        raise PermanentError(
            "unsupported_document_type",
            f"Form operations take PDF documents; {decoded.filename!r} ({decoded.mime_type}) is "
            "not a PDF.",
        )
    layout: FormLayout = await in_pool(ctx, pipeline.layout_in_pool, decoded.data)
    loaded = await load_decoded_document(ctx, decoded)
    return FormSource(decoded, layout, loaded, template_id)


async def read_template(ctx: JobContext, template_id: str) -> tuple[FormSource, list[FormField]]:
    """A stored template of the caller's organization; `template_not_found` when there is none."""
    try:
        stored = await load_template_files(
            ctx.blobs, organization_id=ctx.organization_id, template_id=template_id
        )
    except TemplateNotFoundError:
        raise PermanentError(
            "template_not_found",
            f"Template {template_id!r} does not exist (or was deleted); register one with "
            "POST /v1/edit/templates.",
            {"template_id": template_id},
        ) from None
    decoded = DecodedDocument(filename=stored.filename, mime_type=PDF, data=stored.pdf)
    return await _source(ctx, decoded, template_id), stored.form_fields


async def detected_fields(ctx: JobContext, source: FormSource) -> list[DetectedField]:
    fields: list[DetectedField] = await in_pool(
        ctx, pipeline.detect_in_pool, source.layout, source.document
    )
    return fields


async def template_fields(
    ctx: JobContext, source: FormSource, form_fields: list[FormField]
) -> list[DetectedField]:
    """The template's fields (as the caller registered them) with what the PDF says of each:
    an AcroForm field's kind, states and options; a flat field is drawn in its box."""
    detected = {f.spec.key: f for f in await detected_fields(ctx, source)}
    merged: list[DetectedField] = []
    for field in form_fields:
        box = Box(field.bbox.left, field.bbox.top, field.bbox.width, field.bbox.height)
        known = detected.get(field.key)
        if known is not None and known.source == "acroform":
            spec = replace(known.spec, description=field.description, box=box)
            merged.append(replace(known, spec=spec))
            continue
        spec = FormFieldSpec(field.key, field.type, field.description, box, field.bbox.page)
        kind: WidgetKind = "checkbox" if field.type == "checkbox" else "text"
        if kind == "text" and field.bbox.height > MULTILINE_SHARE:
            kind = "multiline"
        merged.append(DetectedField(spec=spec, source="flat", kind=kind))
    return merged


def rgb(color: str) -> tuple[float, float, float]:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


async def fill(
    ctx: JobContext, source: FormSource, fields: list[DetectedField], *, instructions: str,
    model: str, color: str,
) -> FilledForm:  # fmt: skip
    if not fields:
        raise PermanentError("no_fields_found", "No fillable fields were found in this PDF.")
    engine = u.engine(model)
    request = FillRequest(
        fields=tuple(f.spec for f in fields), instructions=instructions, model=model
    )
    result: FillResult = await u.run_engine(ctx, engine, "fill_form", source.document, request)
    accepted, warnings = accept_values(fields, result.values)
    _require_some(accepted, warnings)
    filled, unshown = await in_pool(
        ctx, pipeline.fill_in_pool, source.pdf.data, accepted, rgb(color)
    )
    dropped = {w.key for w in unshown}
    accepted = [
        AcceptedValue(a.field, None) if a.field.spec.key in dropped else a for a in accepted
    ]
    _require_some(accepted, [*warnings, *unshown])
    credits = result.usage.credits or float(source.document.page_count)
    return FilledForm(accepted, filled, [*warnings, *unshown], credits)


def _require_some(accepted: list[AcceptedValue], warnings: list[FieldWarning]) -> None:
    if any(a.value is not None for a in accepted):
        return
    why = "; ".join(w.message for w in warnings[:5])
    raise PermanentError(
        "no_usable_values",
        "The instructions gave no value any field of this form can take"
        + (f" ({why})." if why else ". Name the fields (`Label: value`) or describe the values."),
        {"warnings": [w.message for w in warnings[:20]]},
    )


def form_field(field: DetectedField, value: str | None = None) -> FormField:
    spec = field.spec
    bbox = BBox(
        left=_unit(spec.box.left), top=_unit(spec.box.top), width=_unit(spec.box.width),
        height=_unit(spec.box.height), page=spec.page,
    )  # fmt: skip
    return FormField(
        key=spec.key, type=spec.type, description=spec.description, bbox=bbox, value=value
    )


def _unit(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 6)


def pdf_document(filename: str, data: bytes) -> FormDocument:
    return FormDocument(
        filename=filename, url=f"data:{PDF};base64,{base64.b64encode(data).decode()}"
    )


def warning_models(warnings: list[FieldWarning]) -> list[FieldWarningModel]:
    return [FieldWarningModel(code=w.reason, message=w.message, key=w.key) for w in warnings]
