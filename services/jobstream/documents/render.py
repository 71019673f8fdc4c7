"""A Document as the text parse returns: one string per page, tables inline in a chosen format.

Pure. A page is its blocks in reading order, separated by blank lines: text blocks line by line,
headings as Markdown `#` headings (their level, 1-6) so a reader or a model sees the outline,
and tables where they stand, in `table_parsing_format`:

- `html`: `<table>` with `<thead>` for header rows and `colspan`/`rowspan` where cells span;
- `markdown`: a GitHub table (the first row is its header; `|` escaped, newlines as `<br>`);
- `json` / `yaml`: a list of records keyed by the header row's cells when the table has a header
  row of distinct, non-empty names, else a list of rows (lists of cell texts).

The document's text is its pages joined by blank lines.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any, Final, Literal, get_args

import yaml

from jobstream.documents.model import Cell, Document, Page, Table, TextBlock

TableFormat = Literal["html", "markdown", "json", "yaml"]
TABLE_FORMATS: Final[tuple[str, ...]] = get_args(TableFormat)
PAGE_SEPARATOR: Final = "\n\n"


def render_document(document: Document, *, table_format: TableFormat) -> tuple[list[str], str]:
    """(pages, text): each page rendered, and all of them joined."""
    pages = [render_page(page, table_format=table_format) for page in document.pages]
    return pages, PAGE_SEPARATOR.join(pages)


def render_page(page: Page, *, table_format: TableFormat) -> str:
    """One page's blocks in reading order, separated by blank lines."""
    parts = [
        render_text_block(block)
        if isinstance(block, TextBlock)
        else render_table(block, table_format=table_format)
        for block in page.blocks
    ]
    return "\n\n".join(part for part in parts if part.strip())


def render_text_block(block: TextBlock) -> str:
    if block.kind == "heading":
        level = min(max(block.level, 1), 6)
        return "#" * level + " " + " ".join(line.text for line in block.lines)
    return block.text


def render_table(table: Table, *, table_format: TableFormat) -> str:
    """A table in one of the formats of TABLE_FORMATS."""
    if not table.rows:
        return ""
    if table_format == "html":
        return _html(table)
    rows = _padded(table.texts())
    if table_format == "markdown":
        return _markdown(rows)
    value = _records(rows, header_rows=table.header_rows)
    if table_format == "json":
        return json.dumps(value, ensure_ascii=False, indent=1)
    if table_format == "yaml":
        dumped: str = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=10_000)
        return dumped.rstrip("\n")
    raise ValueError(f"unknown table format {table_format!r}; one of {', '.join(TABLE_FORMATS)}")


def _padded(rows: list[list[str]]) -> list[list[str]]:
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows]


def _html(table: Table) -> str:
    def row_html(cells: Sequence[Cell], tag: str) -> str:
        out = []
        for cell in cells:
            spans = (("colspan", cell.col_span), ("rowspan", cell.row_span))
            attributes = "".join(f' {name}="{n}"' for name, n in spans if n > 1)
            text = html.escape(cell.text).replace("\n", "<br>")
            out.append(f"<{tag}{attributes}>{text}</{tag}>")
        return "<tr>" + "".join(out) + "</tr>"

    head, body = table.rows[: table.header_rows], table.rows[table.header_rows :]
    lines = ["<table>"]
    if head:
        lines += ["<thead>", *(row_html(row, "th") for row in head), "</thead>"]
    if body:
        lines += ["<tbody>", *(row_html(row, "td") for row in body), "</tbody>"]
    lines.append("</table>")
    return "\n".join(lines)


def _markdown(rows: list[list[str]]) -> str:
    def line(row: list[str]) -> str:
        cells = ("<br>".join(c.replace("|", r"\|").splitlines()) for c in row)
        return "| " + " | ".join(cells) + " |"

    separator = "| " + " | ".join("---" for _ in rows[0]) + " |"
    return "\n".join([line(rows[0]), separator, *(line(row) for row in rows[1:])])


def _records(rows: list[list[str]], *, header_rows: int) -> list[Any]:
    header = rows[0]
    if header_rows == 1 and all(header) and len(set(header)) == len(header):
        return [dict(zip(header, row, strict=True)) for row in rows[1:]]
    return rows
