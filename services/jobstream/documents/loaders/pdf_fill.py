"""Writing values into a PDF form as an incremental update: the original bytes stay a prefix.

AcroForm fields get their value (`/V`) and an appearance stream drawn here (font size fitted to
the widget, multi-line fields wrapped, comb fields spaced), so that viewers which ignore
`NeedAppearances` show the same thing; checkboxes and radio buttons are switched to their
on-state names. Flat forms get the text drawn inside each field's box (reportlab overlay merged
into the page). A value that does not fit its box at a legible size is not written: it comes back
as a warning, and the caller reports the field as empty.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from jobstream.documents.forms.text_fit import ASCENT, FittedText, fit_text
from jobstream.documents.forms.values import AcceptedValue, FieldWarning
from jobstream.documents.loaders.pdf_fonts import FLAT_FONT, pick_font
from jobstream.documents.loaders.pdf_forms import open_form_pdf, qualified_name, terminal_field

RGB = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class _Draw:
    """A value to draw in a flat field: the box in points (PDF space) and its fitted lines."""

    page: int
    x: float
    y: float
    fitted: FittedText
    font: str


def fill_pdf(
    data: bytes, *, values: list[AcceptedValue], color: RGB
) -> tuple[bytes, list[FieldWarning]]:
    """The filled PDF and the values that could not be shown (their fields stay empty)."""
    reader = open_form_pdf(data)
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    given = [v for v in values if v.value is not None]
    acro = {v.field.widget: v for v in given if v.field.source == "acroform" and v.field.widget}
    warnings = _fill_acroform(writer, acro, color)
    draws, flat_warnings = _flat_draws(reader, [v for v in given if v.field.source == "flat"])
    _draw_flat(writer, reader, draws, color)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), warnings + flat_warnings


# --- AcroForm ---------------------------------------------------------------------------------


def _widgets(writer: PdfWriter) -> Iterator[tuple[DictionaryObject, DictionaryObject]]:
    """(widget annotation, its terminal field) for every widget of the document."""
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if not isinstance(annotation, DictionaryObject):
                continue
            if annotation.get("/Subtype") != "/Widget":
                continue
            yield annotation, terminal_field(annotation)


def _fill_acroform(
    writer: PdfWriter, values: dict[str, AcceptedValue], color: RGB
) -> list[FieldWarning]:
    warnings: list[FieldWarning] = []
    refused: set[str] = set()
    for annotation, field in _widgets(writer):
        name = qualified_name(field)
        accepted = values.get(name)
        if accepted is None or name in refused:
            continue
        if isinstance(accepted.value, bool) or accepted.field.kind == "radio":
            _set_state(annotation, field, accepted)
            continue
        stream = _appearance(annotation, accepted, color)
        if stream is None:
            refused.add(name)
            warnings.append(_no_fit(accepted))
            continue
        field[NameObject("/V")] = TextStringObject(str(accepted.value))
        annotation[NameObject("/AP")] = DictionaryObject(
            {NameObject("/N"): writer._add_object(stream)}
        )
    return warnings


def _set_state(annotation: DictionaryObject, field: DictionaryObject, value: AcceptedValue) -> None:
    states = value.field.states
    if value.field.kind == "radio":
        chosen = states[value.field.spec.options.index(str(value.value))]
    else:
        chosen = states[0] if value.value and states else "/Off"
    field[NameObject("/V")] = NameObject(chosen)
    appearance: Any = annotation.get("/AP")
    normal: Any = appearance.get_object().get("/N") if appearance is not None else None
    own = [str(k) for k in normal.get_object()] if normal is not None else []
    annotation[NameObject("/AS")] = NameObject(chosen if chosen in own else "/Off")


def _appearance(
    annotation: DictionaryObject, value: AcceptedValue, color: RGB
) -> DecodedStreamObject | None:
    rect: Any = annotation["/Rect"]
    x0, y0, x1, y1 = (float(v) for v in rect)
    width, height = abs(x1 - x0), abs(y1 - y0)
    text = str(value.value)
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return None  # the form's standard font cannot show these characters
    limit = value.field.spec.max_length
    comb = bool(limit) and _is_comb(annotation)
    fitted = fit_text(
        text, width=width, height=height, multiline=value.field.kind == "multiline",
        measure=_measure("Helvetica"),
    )  # fmt: skip
    if fitted is None:
        return None
    ops = _comb_ops(text, fitted, width, limit or 1) if comb else _line_ops(fitted)
    red, green, blue = color
    content = _frame(annotation, width, height) + (
        f"/Tx BMC q BT /Helv {fitted.size:.2f} Tf {red:.3f} {green:.3f} {blue:.3f} rg "
        f"{' '.join(ops)} ET Q EMC"
    )
    stream = DecodedStreamObject()
    stream.set_data(content.encode("cp1252"))
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })  # fmt: skip
    stream.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([NumberObject(0), NumberObject(0),
                                          FloatObject(width), FloatObject(height)]),
        NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/Helv"): font})}),
    })  # fmt: skip
    return stream


def _color_ops(values: Any, operator: str) -> str | None:
    """`/MK` colors: 1 (gray), 3 (RGB) or 4 (CMYK) numbers; none means transparent."""
    numbers = [float(v) for v in values or []]
    ops = {1: "g", 3: "rg", 4: "k"}
    if len(numbers) not in ops:
        return None
    name = ops[len(numbers)]
    return " ".join(f"{n:.3f}" for n in numbers) + " " + (name.upper() if operator == "S" else name)


def _frame(annotation: DictionaryObject, width: float, height: float) -> str:
    """The widget's own background and border (its `/MK`), as viewers draw an empty field."""
    look: Any = annotation.get("/MK")
    look = look.get_object() if look is not None else {}
    style: Any = annotation.get("/BS")
    border = float(style.get_object().get("/W", 1)) if style is not None else 1.0
    parts = []
    background = _color_ops(look.get("/BG"), "f")
    if background:
        parts.append(f"q {background} 0 0 {width:.2f} {height:.2f} re f Q")
    stroke = _color_ops(look.get("/BC"), "S")
    if stroke and border > 0:
        half = border / 2
        parts.append(
            f"q {stroke} {border:.2f} w {half:.2f} {half:.2f} {width - border:.2f} "
            f"{height - border:.2f} re S Q"
        )
    return " ".join(parts) + " " if parts else ""


def _is_comb(annotation: DictionaryObject) -> bool:
    node: DictionaryObject | None = annotation
    while node is not None:
        if "/Ff" in node:
            flags: Any = node["/Ff"]
            return bool(int(flags) & (1 << 24))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return False


def _pdf_string(text: str) -> str:
    escaped = text.encode("cp1252").decode("latin-1")
    return "(" + escaped.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _line_ops(fitted: FittedText) -> list[str]:
    return [
        f"1 0 0 1 {x:.2f} {y:.2f} Tm {_pdf_string(line)} Tj"
        for line, (x, y) in zip(fitted.lines, fitted.origins, strict=True)
    ]


def _comb_ops(text: str, fitted: FittedText, width: float, cells: int) -> list[str]:
    cell = width / cells
    baseline = fitted.origins[0][1]
    ops = []
    for i, char in enumerate(text):
        x = i * cell + (cell - stringWidth(char, "Helvetica", fitted.size)) / 2
        ops.append(f"1 0 0 1 {x:.2f} {baseline:.2f} Tm {_pdf_string(char)} Tj")
    return ops


def _no_fit(value: AcceptedValue) -> FieldWarning:
    key = value.field.spec.key
    return FieldWarning(
        key, "does_not_fit",
        f"{key}: the value cannot be shown in the field's box (too long, or characters the font "
        "lacks); left empty.",
    )  # fmt: skip


# --- flat forms -------------------------------------------------------------------------------


def _flat_draws(
    reader: PdfReader, values: list[AcceptedValue]
) -> tuple[list[_Draw], list[FieldWarning]]:
    draws: list[_Draw] = []
    warnings: list[FieldWarning] = []
    for value in values:
        spec = value.field.spec
        crop = reader.pages[spec.page - 1].cropbox
        page_w, page_h = float(crop.width), float(crop.height)
        width, height = spec.box.width * page_w, spec.box.height * page_h
        text = ("X" if value.value else "") if isinstance(value.value, bool) else str(value.value)
        if not text:
            continue
        font = pick_font(text)
        fitted = _tick(width, height) if isinstance(value.value, bool) else fit_text(
            text, width=width, height=height, multiline=value.field.kind == "multiline",
            measure=_measure(font or FLAT_FONT),
        )  # fmt: skip
        if fitted is None or font is None:
            warnings.append(_no_fit(value))
            continue
        x = float(crop.left) + spec.box.left * page_w
        y = float(crop.top) - spec.box.bottom * page_h
        draws.append(_Draw(spec.page, x, y, fitted, font))
    return draws, warnings


def _tick(width: float, height: float) -> FittedText:
    """An X filling most of a checkbox's square, centered."""
    size = 0.95 * min(width, height) / ASCENT
    x = (width - stringWidth("X", FLAT_FONT, size)) / 2
    return FittedText(size, ("X",), ((x, (height - size * ASCENT) / 2),))


def _measure(font: str) -> Callable[[str, float], float]:
    def width(text: str, size: float) -> float:
        return float(stringWidth(text, font, size))

    return width


def _draw_flat(writer: PdfWriter, reader: PdfReader, draws: list[_Draw], color: RGB) -> None:
    for number in sorted({d.page for d in draws}):
        media = reader.pages[number - 1].mediabox
        buffer = io.BytesIO()
        overlay = canvas.Canvas(buffer, pagesize=(float(media.right), float(media.top)))
        overlay.setFillColorRGB(*color)
        for draw in (d for d in draws if d.page == number):
            overlay.setFont(draw.font, draw.fitted.size)
            for line, (dx, dy) in zip(draw.fitted.lines, draw.fitted.origins, strict=True):
                overlay.drawString(draw.x + dx, draw.y + dy, line)
        overlay.save()
        writer.pages[number - 1].merge_page(PdfReader(buffer).pages[0])
