"""XLSX (openpyxl, read-only): each worksheet a page labelled with its name, its rows one Table.

Formulas give their cached values (`data_only=True`: openpyxl never computes a formula, so a
workbook saved by a program that did not compute them shows empty cells, as Excel's own viewer
would before recalculating). Values are rendered through their number formats (numfmt.py), so
dates, percentages and currency read as Excel shows them. Empty rows and the empty columns around
the data are dropped; the first row is the header. Hidden sheets are read too (their data is part
of the workbook); chart sheets have no cells and make no page.
"""

from __future__ import annotations

import io
import warnings
from typing import Any, Final

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from jobstream.documents.loaders.blocks import in_range, native_page, table_of
from jobstream.documents.loaders.numfmt import display_text
from jobstream.documents.loaders.ooxml import check_package, reading, refuse_over
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Document, Page

MIME_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _open(data: bytes, *, options: LoadOptions) -> Any:
    check_package(data, options=options, kind="XLSX")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)


def _rows(sheet: Any) -> list[list[str]]:
    """The sheet's non-empty rows as display text, without the empty columns around them."""
    sheet.reset_dimensions()  # the stored dimension may be wrong; read every row there is
    rows: list[list[str]] = []
    for row in sheet.iter_rows():
        texts = [display_text(cell.value, getattr(cell, "number_format", None)) for cell in row]
        if any(text.strip() for text in texts):
            rows.append(texts)
    if not rows:
        return []
    used = [i for row in rows for i, text in enumerate(row) if text.strip()]
    first, last = min(used), max(used)
    return [row[first : last + 1] for row in rows]


def _sheet_page(sheet: Any, *, number: int) -> Page:
    return native_page(number, [table_of(_rows(sheet), header_rows=1)], label=sheet.title)


def load_xlsx(data: bytes, *, filename: str, options: LoadOptions) -> Document:
    """An XLSX workbook: a page per worksheet."""
    with reading("XLSX", InvalidFileException):
        workbook = _open(data, options=options)
        try:
            sheets = list(workbook.worksheets)
            refuse_over(len(sheets), options=options, what="sheets")
            pages = tuple(
                _sheet_page(sheet, number=number)
                for number, sheet in enumerate(sheets, start=1)
                if in_range(number, options)
            )
            title = workbook.properties.title
        finally:
            workbook.close()
    metadata = {"title": title} if title else {}
    return Document(
        pages=pages, mime_type=MIME_TYPE, filename=filename, format="xlsx", metadata=metadata
    )


def page_count(data: bytes) -> int:
    """The number of worksheets, read from the workbook part alone."""
    with reading("XLSX", InvalidFileException):
        workbook = _open(data, options=LoadOptions())
        try:
            return len(workbook.worksheets)
        finally:
            workbook.close()
