"""Ruled tables on PDF pages from their vector paths, read with PDFium: no second PDF parser.

Every top-level path object on the page is turned into rules: a thin one (a line, or a filled
hairline rectangle, as Word and LibreOffice draw borders) by its bounds; a rectangle by its four
sides; any other path by its straight horizontal and vertical segments (through the object's
matrix). Curves and slanted segments are ignored, as are rectangles covering most of the page (a
page background). Rules are joined into grids (documents/grids.py); a cell whose right-hand rule
is missing in its row spans into the next column. Each text-layer word goes to the cell holding
its centre, and a cell's words are read as lines. Pages with `/Rotate` are left alone.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from jobstream.documents.grids import Grid, Rule, grids_from_rules, has_rule, merge_rules
from jobstream.documents.layout import PlacedTable, RawWord, group_lines
from jobstream.documents.model import Box, Cell, Table

TOLERANCE = 2.0  # points
_THIN = 3.0  # a path this thin (points) is a rule
_MIN_RULE = 5.0


class _Rules:
    def __init__(self, top: float, left: float) -> None:
        self.horizontal: list[Rule] = []
        self.vertical: list[Rule] = []
        self._top, self._left = top, left

    def segment(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """A segment in PDF space (origin bottom left), kept when horizontal or vertical."""
        if abs(y1 - y0) <= 0.5 and abs(x1 - x0) >= _MIN_RULE:
            y = self._top - y0
            self.horizontal.append(Rule(y, min(x0, x1) - self._left, max(x0, x1) - self._left))
        elif abs(x1 - x0) <= 0.5 and abs(y1 - y0) >= _MIN_RULE:
            x = x0 - self._left
            self.vertical.append(Rule(x, self._top - max(y0, y1), self._top - min(y0, y1)))

    def rectangle(self, left: float, bottom: float, right: float, top: float) -> None:
        if top - bottom <= _THIN:
            self.segment(left, (top + bottom) / 2, right, (top + bottom) / 2)
        elif right - left <= _THIN:
            self.segment((left + right) / 2, bottom, (left + right) / 2, top)
        else:
            for x0, y0, x1, y1 in (
                (left, bottom, right, bottom), (left, top, right, top),
                (left, bottom, left, top), (right, bottom, right, top),
            ):  # fmt: skip
                self.segment(x0, y0, x1, y1)


def _path_segments(path: pdfium.PdfObject, rules: _Rules) -> None:
    raw = path.raw
    matrix = path.get_matrix()
    x, y = ctypes.c_float(), ctypes.c_float()
    start = current = None
    for index in range(pdfium_c.FPDFPath_CountSegments(raw)):
        segment = pdfium_c.FPDFPath_GetPathSegment(raw, index)
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
            continue
        point = matrix.on_point(x.value, y.value)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and current is not None:
            rules.segment(*current, *point)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            rules.segment(*point, *start)
        current = point


def _page_rules(page: pdfium.PdfPage) -> _Rules | None:
    left, bottom, right, top = page.get_bbox()  # crop box within the media box, inherited too
    rules = _Rules(top, left)
    page_area = (right - left) * (top - bottom)
    paths = 0
    for path in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1):
        paths += 1
        x0, y0, x1, y1 = path.get_bounds()
        if (x1 - x0) * (y1 - y0) >= 0.8 * page_area:
            continue  # a page background
        if y1 - y0 <= _THIN or x1 - x0 <= _THIN or pdfium_c.FPDFPath_CountSegments(path.raw) <= 5:
            rules.rectangle(x0, y0, x1, y1)
        else:
            _path_segments(path, rules)
    return rules if paths >= 4 else None


def _cell_text(words: list[RawWord]) -> str:
    return " ".join(w.text for line in group_lines(words) for w in line)


def _table(
    grid: Grid, vertical: list[Rule], words: Sequence[RawWord], size: tuple[float, float]
) -> PlacedTable | None:
    rows, columns = grid
    width, height = size

    def box(x0: float, y0: float, x1: float, y1: float) -> Box:
        return Box(x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height)

    table_rows: list[tuple[Cell, ...]] = []
    for r in range(len(rows) - 1):
        cells: list[Cell] = []
        c = 0
        while c < len(columns) - 1:
            end = c + 1
            while end < len(columns) - 1 and not has_rule(
                vertical, at=columns[end], between=(rows[r], rows[r + 1]), tolerance=TOLERANCE
            ):
                end += 1
            x0, x1, y0, y1 = columns[c], columns[end], rows[r], rows[r + 1]
            inside = [
                w for w in words if x0 <= (w.left + w.right) / 2 <= x1 and y0 <= w.middle <= y1
            ]
            cells.append(Cell(text=_cell_text(inside), box=box(x0, y0, x1, y1), col_span=end - c))
            c = end
        table_rows.append(tuple(cells))
    if sum(1 for row in table_rows for cell in row if cell.text) < 2:
        return None
    table = Table(rows=tuple(table_rows), box=box(columns[0], rows[0], columns[-1], rows[-1]))
    return PlacedTable(table, columns[0], rows[0], columns[-1], rows[-1])


def find_tables(
    page: pdfium.PdfPage, words: Sequence[RawWord], *, width: float, height: float
) -> list[PlacedTable]:
    """The ruled tables on `page`, filled with `words` (points, origin top left)."""
    if page.get_rotation() % 360:
        return []
    rules = _page_rules(page)
    if rules is None or len(rules.horizontal) < 3:
        return []
    horizontal = merge_rules(rules.horizontal, tolerance=TOLERANCE)
    vertical = merge_rules(rules.vertical, tolerance=TOLERANCE)
    grids = grids_from_rules(horizontal, vertical, tolerance=TOLERANCE)
    placed = (_table(grid, vertical, words, (width, height)) for grid in grids)
    return [table for table in placed if table is not None]
