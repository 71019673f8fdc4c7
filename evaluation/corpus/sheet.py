"""A page drawn once, output twice: as a PDF (reportlab) and directly as a Document page.

The Document form gives each word the box reportlab's font metrics give it, as a text-layer
loader would read it back, so unit tests run in milliseconds without a PDF in between; the PDF
form goes through the real loaders (text layer, or a rendered scan through Tesseract).
Coordinates are points from the top left of an A4 page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from jobstream.documents.model import Box, Cell, Document, Line, Page, Table, TextBlock, Word

WIDTH, HEIGHT = 595.0, 842.0
_FONT_FILES = {
    "Sans": ("DejaVuSans.ttf", "Vera.ttf"),
    "Sans-Bold": ("DejaVuSans-Bold.ttf", "VeraBd.ttf"),
}
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def _register_fonts() -> None:
    import reportlab

    bundled = Path(reportlab.__file__).parent / "fonts"
    for name, (preferred, fallback) in _FONT_FILES.items():
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        path = next((d / preferred for d in _FONT_DIRS if (d / preferred).exists()), None)
        pdfmetrics.registerFont(TTFont(name, str(path or bundled / fallback)))


_register_fonts()


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float  # top of the text
    text: str
    size: float = 10.0
    bold: bool = False
    align: str = "left"  # "right": x is the right edge; "center": x is the middle


@dataclass(frozen=True, slots=True)
class Grid:
    x: float
    y: float
    widths: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]
    size: float = 9.0
    row_height: float = 16.0
    header_rows: int = 1
    ruled: bool = True  # drawn with lines (a loader may detect it as a table)
    right_align_from: int = 99  # columns from this index are right-aligned (numbers)
    right_align_headers: bool = False  # their header cells too


@dataclass(slots=True)
class Sheet:
    items: list[Text | Grid] = field(default_factory=list)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # drawn frames

    def text(self, x: float, y: float, text: str, **kwargs: object) -> None:
        self.items.append(Text(x, y, text, **kwargs))  # type: ignore[arg-type]

    def grid(self, grid: Grid) -> None:
        self.items.append(grid)

    def frame(self, x: float, y: float, w: float, h: float) -> None:
        self.boxes.append((x, y, w, h))


def _font(bold: bool) -> str:
    return "Sans-Bold" if bold else "Sans"


def _words(item: Text) -> list[Word]:
    font = _font(item.bold)
    total = pdfmetrics.stringWidth(item.text, font, item.size)
    x = item.x - total if item.align == "right" else item.x
    if item.align == "center":
        x = item.x - total / 2
    space = pdfmetrics.stringWidth(" ", font, item.size)
    words: list[Word] = []
    for part in item.text.split():
        width = pdfmetrics.stringWidth(part, font, item.size)
        box = Box(x / WIDTH, item.y / HEIGHT, width / WIDTH, item.size * 1.15 / HEIGHT)
        words.append(Word(part, box))
        x += width + space
    return words


def _cell_texts(grid: Grid) -> list[list[tuple[Text, float]]]:
    out: list[list[tuple[Text, float]]] = []
    for r, row in enumerate(grid.rows):
        cells: list[tuple[Text, float]] = []
        x = grid.x
        for c, (text, width) in enumerate(zip(row, grid.widths, strict=False)):
            y = grid.y + r * grid.row_height + (grid.row_height - grid.size) / 2
            bold = r < grid.header_rows
            header = r < grid.header_rows
            if c >= grid.right_align_from and (not header or grid.right_align_headers):
                cells.append((Text(x + width - 4, y, text, grid.size, bold, "right"), x))
            else:
                cells.append((Text(x + 4, y, text, grid.size, bold), x))
            x += width
        out.append(cells)
    return out


def to_page(sheet: Sheet, number: int, *, tables_as_grids: bool = True) -> Page:
    """The page a text-layer loader would give for this sheet."""
    blocks: list[TextBlock | Table] = []
    for item in sheet.items:
        if isinstance(item, Text):
            words = tuple(_words(item))
            if words:
                blocks.append(
                    TextBlock(lines=(Line(words, Box.enclosing([w.box for w in words if w.box])),))
                )
            continue
        cells = _cell_texts(item)
        if tables_as_grids and item.ruled:
            rows = tuple(
                tuple(
                    Cell(
                        text.text,
                        Box(
                            x / WIDTH,
                            item.y / HEIGHT + r * item.row_height / HEIGHT,
                            w / WIDTH,
                            item.row_height / HEIGHT,
                        ),
                    )
                    for (text, x), w in zip(row, item.widths, strict=False)
                )
                for r, row in enumerate(cells)
            )
            blocks.append(Table(rows=rows, header_rows=item.header_rows))
        else:
            for row in cells:
                words = tuple(w for text, _ in row for w in _words(text))
                if words:
                    blocks.append(TextBlock(lines=(Line(words),)))
    return Page(
        number=number, source="text_layer", blocks=tuple(blocks), width=WIDTH, height=HEIGHT
    )


def to_document(sheets: list[Sheet], *, filename: str = "document.pdf") -> Document:
    pages = tuple(to_page(sheet, number) for number, sheet in enumerate(sheets, start=1))
    return Document(pages=pages, mime_type="application/pdf", filename=filename, format="pdf")


def _draw_text(pdf: canvas.Canvas, item: Text) -> None:
    pdf.setFont(_font(item.bold), item.size)
    baseline = HEIGHT - item.y - item.size * 0.9
    if item.align == "right":
        pdf.drawRightString(item.x, baseline, item.text)
    elif item.align == "center":
        pdf.drawCentredString(item.x, baseline, item.text)
    else:
        pdf.drawString(item.x, baseline, item.text)


def to_pdf(sheets: list[Sheet]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=1)
    for sheet in sheets:
        for x, y, w, h in sheet.boxes:
            pdf.rect(x, HEIGHT - y - h, w, h)
        for item in sheet.items:
            if isinstance(item, Text):
                _draw_text(pdf, item)
                continue
            for row in _cell_texts(item):
                for text, _ in row:
                    _draw_text(pdf, text)
            if item.ruled:
                total = sum(item.widths)
                for r in range(len(item.rows) + 1):
                    y = HEIGHT - item.y - r * item.row_height
                    pdf.line(item.x, y, item.x + total, y)
                x = item.x
                for width in (0.0, *item.widths):
                    x += width
                    pdf.line(
                        x, HEIGHT - item.y, x, HEIGHT - item.y - len(item.rows) * item.row_height
                    )
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
