"""The fields of a form: AcroForm widgets with their visible labels, or a flat form's places.

`detect_fields(layout, document)` is what template generation answers and what filling fills.
AcroForm fields keep their fully qualified name as `key`; a radio group or a choice list is one
`text` field whose value must be one of `options` (listed in its description too). Flat places get
a key made from their label (`full_name`, `full_name_2`, ...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from jobstream.documents.forms.flat import FlatPlace, find_flat_places
from jobstream.documents.forms.labels import (
    Piece,
    Rect,
    label_above,
    label_left,
    label_right,
    page_pieces,
)
from jobstream.documents.forms.model import DetectedField, FormLayout, PageGeometry, Widget
from jobstream.documents.model import Document, Page
from jobstream.engines.port import FormFieldSpec

OPTIONS_SUFFIX = re.compile(r"\s*\(one of: .*\)$")


def detect_fields(layout: FormLayout, document: Document) -> list[DetectedField]:
    """Every fillable field, in page order."""
    pages = {page.number: page for page in document.pages}
    fields: list[DetectedField] = []
    used_keys: set[str] = set()
    for geometry in layout.pages:
        page = pages.get(geometry.number) or Page(number=geometry.number, source="native")
        pieces = page_pieces(page, width=geometry.width, height=geometry.height)
        if layout.has_acroform:
            widgets = [w for w in layout.widgets if w.page == geometry.number]
            fields += [_acroform_field(w, widgets, pieces, geometry) for w in widgets]
        else:
            for place in find_flat_places(geometry, pieces):
                fields.append(_flat_field(place, geometry, used_keys))
    return fields


def label_of(description: str) -> str:
    """A field's label: its description without the options it lists."""
    return OPTIONS_SUFFIX.sub("", description)


def _scale(geometry: PageGeometry) -> dict[str, float]:
    return {"page_width": geometry.width, "page_height": geometry.height}


def _acroform_field(
    widget: Widget, neighbours: Sequence[Widget], pieces: Sequence[Piece], geometry: PageGeometry
) -> DetectedField:
    rect = Rect.of(widget.box, **_scale(geometry))
    stops = [Rect.of(w.box, **_scale(geometry)) for w in neighbours if w is not widget]
    if widget.kind == "checkbox":
        label = label_right(rect, pieces, stops=stops) or label_left(
            rect, pieces, page_width=geometry.width
        )
    elif widget.kind == "radio":
        first = Rect.of(widget.state_boxes[0], **_scale(geometry)) if widget.state_boxes else rect
        label = label_left(first, pieces, page_width=geometry.width)
    else:
        label = label_left(rect, pieces, page_width=geometry.width)
    label = label or label_above(rect, pieces) or widget.tooltip or _humanized(widget.name)
    options = _radio_options(widget, pieces, geometry) if widget.kind == "radio" else widget.options
    description = f"{label} (one of: {', '.join(options)})" if options else label
    spec = FormFieldSpec(
        key=widget.name, type="checkbox" if widget.kind == "checkbox" else "text",
        description=description, box=widget.box, page=widget.page, options=options,
        max_length=widget.max_length if widget.kind in ("text", "multiline") else None,
    )  # fmt: skip
    return DetectedField(
        spec=spec, source="acroform", kind=widget.kind, widget=widget.name, states=widget.states
    )


def _radio_options(
    widget: Widget, pieces: Sequence[Piece], geometry: PageGeometry
) -> tuple[str, ...]:
    """Each button's visible label (the text right of it), else its on-state name."""
    buttons = [Rect.of(b, **_scale(geometry)) for b in widget.state_boxes]
    labels: list[str] = []
    for state, button in zip(widget.states, buttons, strict=False):
        seen = label_right(button, pieces, stops=[b for b in buttons if b is not button])
        labels.append(seen or state.lstrip("/"))
    labels += [s.lstrip("/") for s in widget.states[len(labels) :]]
    return tuple(labels)


def _humanized(name: str) -> str:
    last = name.rsplit(".", 1)[-1]
    return re.sub(r"[_\-]+", " ", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", last)).strip() or name


def _flat_field(place: FlatPlace, geometry: PageGeometry, used: set[str]) -> DetectedField:
    key = unique_key(slug(place.label), used)
    spec = FormFieldSpec(
        key=key, type="checkbox" if place.kind == "checkbox" else "text",
        description=place.label, box=place.rect.to_box(**_scale(geometry)), page=geometry.number,
    )  # fmt: skip
    return DetectedField(spec=spec, source="flat", kind=place.kind)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:48] or "field"


def unique_key(key: str, used: set[str]) -> str:
    candidate, n = key, 1
    while candidate in used:
        n += 1
        candidate = f"{key}_{n}"
    used.add(candidate)
    return candidate
