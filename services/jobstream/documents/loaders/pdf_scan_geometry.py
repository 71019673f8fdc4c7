"""The drawn geometry of a scanned form page: its pixels (PDFium render at 100 dpi) read for
horizontal and vertical strokes, which `documents.forms.grid` turns into rules, boxes, checkbox
squares and table cells, as pdfplumber's vector lines and rectangles are for born-digital PDFs."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
from PIL import Image

from jobstream.documents.forms.grid import Segment, grid_from_segments
from jobstream.documents.forms.labels import Rect
from jobstream.documents.forms.model import PageGeometry
from jobstream.documents.model import Box

SCAN_DPI = 100
DARK = 140  # gray level below which a pixel is ink
MIN_STROKE_POINTS = 6.0  # a checkbox's side is about 10 points
MAX_THICKNESS_PX = 6  # thicker runs are filled areas or letters, not strokes
_INK = bytes(1 if value < DARK else 0 for value in range(256))


def scanned_page_geometry(
    document: pdfium.PdfDocument, *, number: int, width: float, height: float
) -> PageGeometry:
    """Rules, boxes and tables of page `number` (1-based), from its pixels."""
    image = document[number - 1].render(scale=SCAN_DPI / 72).to_pil().convert("L")
    minimum = int(MIN_STROKE_POINTS * SCAN_DPI / 72)
    horizontals = _strokes(image, minimum)
    verticals = _strokes(image.transpose(Image.Transpose.TRANSPOSE), minimum)
    grid = grid_from_segments(horizontals, verticals)

    def box(r: Rect) -> Box:
        return r.to_box(page_width=width, page_height=height)

    return PageGeometry(
        number=number, width=width, height=height,
        rules=tuple(box(r) for r in grid.rules), rects=tuple(box(r) for r in grid.rects),
        tables=tuple(tuple(tuple(box(c) for c in row) for row in t) for t in grid.tables),
    )  # fmt: skip


def _strokes(image: Image.Image, minimum: int) -> list[Segment]:
    """Runs of ink along the rows, merged across adjacent rows into strokes, in points."""
    raw = image.tobytes().translate(_INK)
    pattern = re.compile(rb"\x01{%d,}" % minimum)
    done: list[list[int]] = []  # [x0, x1, first_row, last_row]
    previous: list[list[int]] = []
    for y in range(image.height):
        row = raw[y * image.width : (y + 1) * image.width]
        current: list[list[int]] = []
        for match in pattern.finditer(row):
            x0, x1 = match.start(), match.end()
            run = next((r for r in previous if abs(r[0] - x0) <= 3 and abs(r[1] - x1) <= 3), None)
            if run is None:
                run = [x0, x1, y, y]
                done.append(run)
            run[3] = y
            current.append(run)
        previous = current
    points = 72 / SCAN_DPI
    return [
        Segment(a=x0 * points, b=x1 * points, at=(top + bottom + 1) / 2 * points)
        for x0, x1, top, bottom in done
        if bottom - top + 1 <= MAX_THICKNESS_PX
    ]
