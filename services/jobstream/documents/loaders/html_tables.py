"""HTML tables: cells collected as the parser meets them, rows and header rows counted, into a
Table block (html.py drives it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jobstream.documents.model import Cell, Table


@dataclass
class TableBuilder:
    """The rows of one HTML table as its cells open and close; spans and header rows kept."""

    rows: list[list[Cell]] = field(default_factory=list)
    header_rows: int = 0
    cell: list[str] | None = None  # text pieces of the open cell
    cell_spans: tuple[int, int] = (1, 1)
    row_is_header: bool = True

    def start_row(self) -> None:
        self.end_row()
        self.rows.append([])
        self.row_is_header = True

    def end_row(self) -> None:
        self.end_cell()
        if (
            self.rows
            and self.rows[-1]
            and self.row_is_header
            and self.header_rows == len(self.rows) - 1
        ):
            self.header_rows += 1

    def start_cell(self, *, header: bool, row_span: int, col_span: int) -> None:
        self.end_cell()
        if not self.rows:
            self.rows.append([])
        self.row_is_header = self.row_is_header and header
        self.cell, self.cell_spans = [], (row_span, col_span)

    def end_cell(self) -> None:
        if self.cell is None:
            return
        lines = (" ".join(line.split()) for line in "".join(self.cell).split("\n"))
        text = "\n".join(line for line in lines if line)
        row_span, col_span = self.cell_spans
        self.rows[-1].append(Cell(text=text, row_span=row_span, col_span=col_span))
        self.cell = None

    def table(self) -> Table | None:
        self.end_row()
        rows = tuple(tuple(row) for row in self.rows if row)
        if not any(cell.text for row in rows for cell in row):
            return None
        return Table(rows=rows, header_rows=min(self.header_rows or 1, len(rows)))

    def text(self) -> str:
        self.end_row()
        return "\n".join(" ".join(cell.text for cell in row) for row in self.rows if row)


def cell_span(value: str | None) -> int:
    """A rowspan/colspan attribute as a count: 1 when absent or invalid, at most 1000."""
    try:
        return max(1, min(int(value or "1"), 1000))
    except ValueError:
        return 1
