"""CSV and TSV: one page holding one Table, the first row its header.

The dialect (delimiter among `, ; TAB |`, quoting) is sniffed from the first rows; a file whose
rows never split is one column. Quoted fields may span lines. A quote left open to the end of the
file is corrupt.
"""

from __future__ import annotations

import csv
import io

from jobstream.documents.errors import DocumentCorruptError
from jobstream.documents.loaders.blocks import native_page, table_of
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.text import decode_text
from jobstream.documents.loaders.textshape import csv_delimiter
from jobstream.documents.model import Document


def csv_rows(text: str) -> list[list[str]]:
    """The non-blank rows of a delimited text."""
    delimiter = csv_delimiter(text, hinted=True) or ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise DocumentCorruptError(f"malformed CSV at line {reader.line_num}: {exc}") from exc


def load_csv(data: bytes, *, filename: str, options: LoadOptions) -> Document:
    """A CSV document: one page, one table."""
    text, encoding = decode_text(data)
    table = table_of(csv_rows(text.lstrip("\ufeff")), header_rows=1)
    return Document(
        pages=(native_page(1, [table]),), mime_type="text/csv", filename=filename, format="csv",
        metadata={"encoding": encoding},
    )  # fmt: skip
