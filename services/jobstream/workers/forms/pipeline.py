"""The form steps that run in the worker's CPU pool, each returning a tagged tuple (custom
exceptions pickle poorly): ("ok", result) or ("error", (code, message)) for a DocumentError."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobstream.documents.errors import DocumentError
from jobstream.documents.forms.fields import detect_fields
from jobstream.documents.forms.model import DetectedField, FormLayout
from jobstream.documents.forms.values import AcceptedValue, FieldWarning
from jobstream.documents.loaders.pdf_annotate import annotate_fields
from jobstream.documents.loaders.pdf_fill import fill_pdf
from jobstream.documents.loaders.pdf_forms import read_form_layout
from jobstream.documents.model import Document

Tagged = tuple[str, Any]


def _tagged(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Tagged:
    try:
        return "ok", fn(*args, **kwargs)
    except DocumentError as exc:
        return "error", (exc.code, exc.message)


def layout_in_pool(data: bytes) -> Tagged:
    """The form's widgets or drawn geometry (`unsupported_form`, `document_encrypted`...)."""
    return _tagged(read_form_layout, data)


def _generate(
    data: bytes, layout: FormLayout, document: Document
) -> tuple[list[DetectedField], bytes]:
    fields = detect_fields(layout, document)
    return fields, annotate_fields(data, fields=[f.spec for f in fields])


def generate_in_pool(data: bytes, layout: FormLayout, document: Document) -> Tagged:
    """The fields found and the annotated copy of the PDF."""
    return _tagged(_generate, data, layout, document)


def detect_in_pool(layout: FormLayout, document: Document) -> Tagged:
    return _tagged(detect_fields, layout, document)


def _fill(
    data: bytes, values: list[AcceptedValue], color: tuple[float, float, float]
) -> tuple[bytes, list[FieldWarning]]:
    return fill_pdf(data, values=values, color=color)


def fill_in_pool(
    data: bytes, values: list[AcceptedValue], color: tuple[float, float, float]
) -> Tagged:
    """The filled PDF (an incremental update of `data`) and the values it could not show."""
    return _tagged(_fill, data, values, color)
