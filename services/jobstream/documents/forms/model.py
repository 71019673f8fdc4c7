"""Plain data of a PDF form: its AcroForm widgets and drawn geometry, and the fields found in it.

Boxes are normalized to the page (0-1, origin top left) like every box of the Document model;
`PageGeometry` keeps the page size in points so that shapes (a square, a thin rule) can be judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jobstream.documents.model import Box
from jobstream.engines.port import FormFieldSpec

WidgetKind = Literal["text", "multiline", "checkbox", "radio", "choice", "signature", "button"]
FieldSource = Literal["acroform", "flat"]


@dataclass(frozen=True, slots=True)
class Widget:
    """One AcroForm field as the PDF declares it (its first page's widgets)."""

    name: str  # fully qualified, e.g. "applicant.name"
    kind: WidgetKind
    page: int  # 1-based
    box: Box  # every widget of the field on `page`, enclosed
    states: tuple[str, ...] = ()  # radio: each button's on-state; checkbox: its on-state
    state_boxes: tuple[Box, ...] = ()  # radio: each button's box, aligned with `states`
    options: tuple[str, ...] = ()  # choice: the values offered
    editable: bool = False  # choice: a combo box that accepts any text
    max_length: int | None = None
    comb: bool = False
    read_only: bool = False
    tooltip: str = ""  # /TU, the alternate description


@dataclass(frozen=True, slots=True)
class PageGeometry:
    """What is drawn on a page: horizontal rules, rectangles and table cells."""

    number: int  # 1-based
    width: float  # points
    height: float
    rules: tuple[Box, ...] = ()  # horizontal lines (and hairline rectangles), height ~0
    rects: tuple[Box, ...] = ()  # drawn rectangles
    tables: tuple[tuple[tuple[Box, ...], ...], ...] = ()  # tables → rows → cell boxes


@dataclass(frozen=True, slots=True)
class FormLayout:
    """A PDF form as the loader read it: per-page geometry and the AcroForm widgets."""

    pages: tuple[PageGeometry, ...]
    widgets: tuple[Widget, ...] = ()
    has_acroform: bool = False


@dataclass(frozen=True, slots=True)
class DetectedField:
    """A fillable place: the API's field, plus what writing a value into it needs."""

    spec: FormFieldSpec
    source: FieldSource
    kind: WidgetKind
    widget: str | None = None  # the AcroForm field name (source "acroform")
    states: tuple[str, ...] = ()  # radio: on-states aligned with `spec.options`; checkbox: one
