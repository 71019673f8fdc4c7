"""Tables on PDF pages: pdfplumber's ruling-line table finder, run only where it can find one.

pdfplumber (pdfminer) is an order of magnitude slower than PDFium on text, so it never reads the
words; it is opened lazily, once per document, and asked only about pages that draw vector paths
(PDFium counts them in microseconds): a ruled table is made of paths, a page of plain text has
none. A found table needs two rows and two columns (a single box around a paragraph is not a
table); merged cells become one cell with a column span. Pages with `/Rotate` are skipped
(pdfplumber's coordinates are unrotated). Any error in the finder means "no table on that page":
tables are a refinement, never a reason to fail a document.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from jobstream.documents.layout import PlacedTable
from jobstream.documents.model import Box, Cell, Table

log = logging.getLogger(__name__)
_MIN_PATHS = 4


class TableFinder:
    """Finds ruled tables on the pages of one PDF (pdfplumber opened on first need)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._plumber: Any = None

    def close(self) -> None:
        if self._plumber is not None:
            self._plumber.close()
            self._plumber = None

    @staticmethod
    def _has_rulings(page: pdfium.PdfPage) -> bool:
        if page.get_rotation() % 360:
            return False
        objects = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2)
        return sum(1 for _ in zip(range(_MIN_PATHS), objects, strict=False)) >= _MIN_PATHS

    def find(
        self, page: pdfium.PdfPage, number: int, width: float, height: float
    ) -> list[PlacedTable]:
        """The tables on `page` (number `number`, 1-based), in its points (origin top left)."""
        try:
            if not self._has_rulings(page):
                return []
            if self._plumber is None:
                self._plumber = pdfplumber.open(io.BytesIO(self._data))
            page = self._plumber.pages[number - 1]
            placed = (_placed(table, page, width, height) for table in page.find_tables())
            return [table for table in placed if table is not None]
        except Exception:  # noqa: BLE001 - a table finder failure must not fail the page
            log.warning("table finder failed on page %d", number, exc_info=True)
            return []


def _placed(table: Any, page: Any, width: float, height: float) -> PlacedTable | None:
    x_offset, y_offset = float(page.bbox[0]), float(page.bbox[1])

    def box(x0: float, top: float, x1: float, bottom: float) -> Box:
        left, upper = (x0 - x_offset) / width, (top - y_offset) / height
        return Box(left=left, top=upper, width=(x1 - x0) / width, height=(bottom - top) / height)

    texts = table.extract()
    rows: list[tuple[Cell, ...]] = []
    for row, row_texts in zip(table.rows, texts, strict=False):
        cells: list[Cell] = []
        for bbox, text in zip(row.cells, row_texts, strict=False):
            if bbox is None:
                if cells:
                    last = cells[-1]
                    cells[-1] = Cell(text=last.text, box=last.box, col_span=last.col_span + 1)
                continue
            cells.append(Cell(text=" ".join((text or "").split()), box=box(*bbox)))
        rows.append(tuple(cells))
    if len(rows) < 2 or max(len(r) for r in rows) < 2:
        return None
    x0, top, x1, bottom = (float(v) for v in table.bbox)
    placed = Table(rows=tuple(rows), box=box(x0, top, x1, bottom))
    return PlacedTable(placed, x0 - x_offset, top - y_offset, x1 - x_offset, bottom - y_offset)
