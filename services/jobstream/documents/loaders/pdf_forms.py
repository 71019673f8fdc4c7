"""Reading a PDF form: its AcroForm widgets (pypdf) and what is drawn on its pages (pdfplumber).

`read_form_layout` returns the plain data of `documents.forms.model`: for an AcroForm, every
fillable field with its kind, on-states, options and limits; for a flat PDF, each page's
horizontal rules, rectangles and ruled tables, from which the pure code finds fillable places.
Boxes are normalized to the page's crop box (origin top left). A PDF that is encrypted, not a PDF,
unreadable or an XFA-only form raises the `DocumentError` with that case's code.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, RectangleObject

from jobstream.documents.errors import (
    DocumentCorruptError,
    DocumentEncryptedError,
    UnsupportedDocumentTypeError,
    UnsupportedFormError,
)
from jobstream.documents.forms.model import FormLayout, PageGeometry, Widget, WidgetKind
from jobstream.documents.loaders.pdf_scan_geometry import scanned_page_geometry
from jobstream.documents.model import Box

FLAG_READ_ONLY = 1
FLAG_MULTILINE = 1 << 12
FLAG_RADIO = 1 << 15
FLAG_PUSHBUTTON = 1 << 16
FLAG_COMBO = 1 << 17
FLAG_EDIT = 1 << 18
FLAG_COMB = 1 << 24
MIN_RULE_POINTS = 24.0  # shorter horizontal strokes are underlines or ornaments, not blanks
HAIRLINE_POINTS = 2.0  # a rectangle thinner than this is drawn as a line


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def open_form_pdf(data: bytes) -> PdfReader:
    """A reader of a PDF that a form operation may read and write; else the case's error."""
    if not is_pdf(data):
        raise UnsupportedDocumentTypeError(
            "Form operations take PDF documents; this document is not a PDF."
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        page_count = len(reader.pages)
    except Exception as exc:
        raise DocumentCorruptError(f"The PDF cannot be read ({type(exc).__name__}).") from exc
    if encrypted:
        raise DocumentEncryptedError(
            "The PDF is encrypted; send it without a password or restrictions to use it as a form."
        )
    if page_count == 0:
        raise DocumentCorruptError("The PDF has no pages.")
    return reader


def read_form_layout(data: bytes) -> FormLayout:
    """The widgets of an AcroForm, or (no AcroForm fields) the drawn geometry of every page."""
    reader = open_form_pdf(data)
    try:
        widgets = tuple(_widgets(reader))
    except Exception as exc:
        raise DocumentCorruptError(
            f"The PDF's form cannot be read ({type(exc).__name__})."
        ) from exc
    if widgets:
        pages = tuple(_bare_page(reader, number) for number in range(1, len(reader.pages) + 1))
        return FormLayout(pages=pages, widgets=widgets, has_acroform=True)
    if _is_xfa_only(reader):
        raise UnsupportedFormError(
            "This is an XFA form (Adobe LiveCycle): its fields live in XML that only some viewers "
            "render. Save it as a regular PDF form (AcroForm) or print it to PDF, then retry."
        )
    return FormLayout(pages=_drawn_geometry(data))


def _is_xfa_only(reader: PdfReader) -> bool:
    root: Any = reader.trailer["/Root"]
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    has_xfa = isinstance(form, DictionaryObject) and "/XFA" in form
    return has_xfa or bool(root.get("/NeedsRendering"))


def _bare_page(reader: PdfReader, number: int) -> PageGeometry:
    box = reader.pages[number - 1].cropbox
    return PageGeometry(number=number, width=float(box.width), height=float(box.height))


# --- AcroForm --------------------------------------------------------------------------------


def _inherited(field: DictionaryObject, key: str) -> Any:
    node: DictionaryObject | None = field
    while node is not None:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def terminal_field(annotation: DictionaryObject) -> DictionaryObject:
    """The field a widget belongs to: itself when it is named, else its parent."""
    if "/T" in annotation or "/Parent" not in annotation:
        return annotation
    parent: Any = annotation["/Parent"].get_object()
    return parent if isinstance(parent, DictionaryObject) else annotation


def qualified_name(field: DictionaryObject) -> str:
    parts: list[str] = []
    node: DictionaryObject | None = field
    while node is not None:
        if "/T" in node:
            parts.append(str(node["/T"]))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return ".".join(reversed(parts))


def _kind(field: DictionaryObject) -> WidgetKind:
    field_type = str(_inherited(field, "/FT") or "")
    flags = int(_inherited(field, "/Ff") or 0)
    if field_type == "/Tx":
        return "multiline" if flags & FLAG_MULTILINE else "text"
    if field_type == "/Btn":
        if flags & FLAG_PUSHBUTTON:
            return "button"
        return "radio" if flags & FLAG_RADIO else "checkbox"
    if field_type == "/Ch":
        return "choice"
    return "signature" if field_type == "/Sig" else "button"


def _on_state(annotation: DictionaryObject) -> str | None:
    appearance = annotation.get("/AP")
    normal = appearance.get_object().get("/N") if appearance is not None else None
    if normal is None or not isinstance(normal.get_object(), DictionaryObject):
        return None
    states = [str(k) for k in normal.get_object() if str(k) != "/Off"]
    return states[0] if states else None


def _options(field: DictionaryObject) -> tuple[str, ...]:
    raw = _inherited(field, "/Opt") or []
    values: list[str] = []
    for item in raw:
        item = item.get_object() if hasattr(item, "get_object") else item
        values.append(str(item[0]) if isinstance(item, list) and item else str(item))
    return tuple(values)


def _normalized(rect: RectangleObject | list[Any], crop: RectangleObject) -> Box:
    x0, y0, x1, y1 = (float(v) for v in rect)
    left, right = sorted((x0, x1))
    bottom, top = sorted((y0, y1))
    width, height = float(crop.width), float(crop.height)
    return Box(
        left=(left - float(crop.left)) / width,
        top=(float(crop.top) - top) / height,
        width=(right - left) / width,
        height=(top - bottom) / height,
    )


def _page_widgets(reader: PdfReader) -> Iterator[tuple[int, DictionaryObject, Box]]:
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if isinstance(annotation, DictionaryObject) and annotation.get("/Subtype") == "/Widget":
                rect: Any = annotation["/Rect"]
                yield number, annotation, _normalized(rect, page.cropbox)


def _widgets(reader: PdfReader) -> Iterator[Widget]:
    """One Widget per fillable field, in the order its first widget appears."""
    grouped: dict[str, list[tuple[int, DictionaryObject, Box]]] = {}
    fields: dict[str, DictionaryObject] = {}
    for number, annotation, box in _page_widgets(reader):
        field = terminal_field(annotation)
        name = qualified_name(field)
        grouped.setdefault(name, []).append((number, annotation, box))
        fields.setdefault(name, field)
    for name, placed in grouped.items():
        widget = _widget(name, fields[name], placed)
        if widget is not None:
            yield widget


def _widget(
    name: str, field: DictionaryObject, placed: list[tuple[int, DictionaryObject, Box]]
) -> Widget | None:
    kind = _kind(field)
    flags = int(_inherited(field, "/Ff") or 0)
    if kind in ("button", "signature") or flags & FLAG_READ_ONLY or not name:
        return None
    page = placed[0][0]
    on_page = [(annotation, box) for number, annotation, box in placed if number == page]
    box = Box.enclosing([b for _, b in on_page])
    assert box is not None  # noqa: S101 - a field has at least one widget
    states = [_on_state(annotation) for annotation, _ in on_page]
    max_length = _inherited(field, "/MaxLen")
    return Widget(
        name=name, kind=kind, page=page, box=box,
        states=_states(kind, states),
        state_boxes=tuple(b for (_, b), s in zip(on_page, states, strict=True) if s)
        if kind == "radio" else (),
        options=_options(field) if kind == "choice" else (),
        editable=bool(flags & FLAG_EDIT) if kind == "choice" else False,
        max_length=int(max_length) if max_length is not None else None,
        comb=bool(flags & FLAG_COMB), tooltip=str(_inherited(field, "/TU") or ""),
    )  # fmt: skip


def _states(kind: WidgetKind, seen: list[str | None]) -> tuple[str, ...]:
    """Radio buttons' and checkboxes' on-states; a checkbox without appearances gets `/Yes`, the
    name viewers use when they draw one (NeedAppearances forms)."""
    if kind not in ("radio", "checkbox"):
        return ()
    states = tuple(s for s in seen if s)
    return states or (("/Yes",) if kind == "checkbox" else ())


# --- drawn geometry (flat forms) --------------------------------------------------------------


def _drawn_geometry(data: bytes) -> tuple[PageGeometry, ...]:
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_geometry(page) for page in pdf.pages]
            scans = [i for i, page in enumerate(pdf.pages) if _is_scan(page)]
        if scans:
            rendered = pdfium.PdfDocument(data)
            for i in scans:
                pages[i] = scanned_page_geometry(
                    rendered, number=i + 1, width=pages[i].width, height=pages[i].height
                )
        return tuple(pages)
    except Exception as exc:
        raise DocumentCorruptError(
            f"The PDF's pages cannot be read ({type(exc).__name__})."
        ) from exc


def _is_scan(page: Any) -> bool:
    """A page that is a picture: no text layer and no vector strokes, only images."""
    return bool(page.images) and not page.chars and not page.lines and not page.rects


def _page_geometry(page: Any) -> PageGeometry:
    width, height = float(page.width), float(page.height)

    def box(x0: float, top: float, x1: float, bottom: float) -> Box:
        return Box(left=x0 / width, top=top / height, width=(x1 - x0) / width,
                   height=(bottom - top) / height)  # fmt: skip

    tables = [t for t in page.find_tables() if len(t.cells) >= 2]
    table_boxes = [t.bbox for t in tables]
    rules: list[Box] = []
    rects: list[Box] = []
    for line in page.lines:
        flat = abs(line["bottom"] - line["top"]) < HAIRLINE_POINTS
        if flat and line["x1"] - line["x0"] >= MIN_RULE_POINTS and not _inside(line, table_boxes):
            rules.append(box(line["x0"], line["top"], line["x1"], line["top"]))
    for rect in page.rects:
        w, h = rect["x1"] - rect["x0"], rect["bottom"] - rect["top"]
        if _inside(rect, table_boxes) or w < HAIRLINE_POINTS:
            continue
        if h < HAIRLINE_POINTS:
            if w >= MIN_RULE_POINTS:
                rules.append(box(rect["x0"], rect["bottom"], rect["x1"], rect["bottom"]))
        else:
            rects.append(box(rect["x0"], rect["top"], rect["x1"], rect["bottom"]))
    table_rows = tuple(
        tuple(tuple(box(*cell) for cell in row.cells if cell is not None) for row in t.rows)
        for t in tables
    )
    return PageGeometry(
        number=int(page.page_number), width=width, height=height,
        rules=tuple(rules), rects=tuple(rects), tables=table_rows,
    )  # fmt: skip


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    slack = 1.5
    return any(
        obj["x0"] >= x0 - slack and obj["x1"] <= x1 + slack
        and obj["top"] >= top - slack and obj["bottom"] <= bottom + slack
        for x0, top, x1, bottom in boxes
    )  # fmt: skip
