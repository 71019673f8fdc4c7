"""Rendering a Document as parse text: reading order, headings, tables in every format."""

from __future__ import annotations

import json

import pytest
import yaml

from jobstream.documents.model import Cell, Document, Line, Page, Table, TextBlock, Word
from jobstream.documents.render import TABLE_FORMATS, render_document, render_page, render_table


def block(*lines: str, kind: str = "paragraph", level: int = 0) -> TextBlock:
    return TextBlock(
        lines=tuple(Line(words=tuple(Word(text=w) for w in line.split())) for line in lines),
        kind=kind,  # type: ignore[arg-type]
        level=level,
    )


def table(*rows: tuple[str, ...], header_rows: int = 1) -> Table:
    return Table(
        rows=tuple(tuple(Cell(text=c) for c in row) for row in rows), header_rows=header_rows
    )


INVOICE = table(("Item", "Qty", "Price"), ("Widget", "2", "3.50"), ("Gadget | XL", "1", "10.00"))
PAGE = Page(
    number=1,
    source="text_layer",
    blocks=(
        block("Invoice 42", kind="heading", level=1),
        block("Bill to: ACME GmbH", "Berlin"),
        INVOICE,
        block("Total due: 17.00", kind="paragraph"),
    ),
)


def test_blocks_in_order_headings_as_markdown_tables_inline() -> None:
    text = render_page(PAGE, table_format="markdown")
    assert text.split("\n\n") == [
        "# Invoice 42",
        "Bill to: ACME GmbH\nBerlin",
        "| Item | Qty | Price |\n| --- | --- | --- |\n| Widget | 2 | 3.50 |\n| Gadget \\| XL | 1 | 10.00 |",
        "Total due: 17.00",
    ]


def test_heading_levels_are_clamped() -> None:
    assert (
        render_page(
            Page(1, "native", (block("Deep", kind="heading", level=9),)), table_format="html"
        )
        == "###### Deep"
    )
    assert (
        render_page(Page(1, "native", (block("Top", kind="heading"),)), table_format="html")
        == "# Top"
    )


def test_html_tables_escape_and_keep_spans() -> None:
    spanning = Table(
        rows=((Cell("A & B", col_span=2),), (Cell("<x>"), Cell("line1\nline2", row_span=2))),
        header_rows=1,
    )
    assert render_table(spanning, table_format="html").splitlines() == [
        "<table>",
        "<thead>",
        '<tr><th colspan="2">A &amp; B</th></tr>',
        "</thead>",
        "<tbody>",
        '<tr><td>&lt;x&gt;</td><td rowspan="2">line1<br>line2</td></tr>',
        "</tbody>",
        "</table>",
    ]


def test_json_and_yaml_give_records_under_a_distinct_header() -> None:
    records = [
        {"Item": "Widget", "Qty": "2", "Price": "3.50"},
        {"Item": "Gadget | XL", "Qty": "1", "Price": "10.00"},
    ]
    assert json.loads(render_table(INVOICE, table_format="json")) == records
    assert yaml.safe_load(render_table(INVOICE, table_format="yaml")) == records


def test_without_a_usable_header_json_and_yaml_give_rows() -> None:
    for headerless in (
        table(("a", "b"), ("c", "d"), header_rows=0),
        table(("x", "x"), ("1", "2")),  # duplicate names
        table(("x", ""), ("1", "2")),  # an empty name
    ):
        rows = [[c.text for c in row] for row in headerless.rows]
        assert json.loads(render_table(headerless, table_format="json")) == rows
        assert yaml.safe_load(render_table(headerless, table_format="yaml")) == rows
    ragged = table(("a", "b", "c"), ("d",))  # short rows are padded
    assert json.loads(render_table(ragged, table_format="json")) == [{"a": "d", "b": "", "c": ""}]


def test_yaml_keeps_strings_that_look_like_other_types() -> None:
    tricky = table(("key", "value"), ("yes", "0012"), ("null", "1e3"))
    assert yaml.safe_load(render_table(tricky, table_format="yaml")) == [
        {"key": "yes", "value": "0012"},
        {"key": "null", "value": "1e3"},
    ]


def test_the_document_text_is_the_pages_joined() -> None:
    second = Page(number=2, source="ocr", blocks=(block("Page two"),))
    empty = Page(number=3, source="ocr")
    doc = Document(pages=(PAGE, second, empty), mime_type="application/pdf")
    pages, text = render_document(doc, table_format="html")
    assert len(pages) == 3 and pages[1] == "Page two" and pages[2] == ""
    assert text == "\n\n".join(pages)
    assert "<td>Widget</td>" in pages[0]


def test_every_format_renders_and_an_unknown_one_is_refused() -> None:
    assert TABLE_FORMATS == ("html", "markdown", "json", "yaml")
    for fmt in TABLE_FORMATS:
        assert "Widget" in render_table(INVOICE, table_format=fmt)  # type: ignore[arg-type]
    assert render_table(Table(rows=()), table_format="html") == ""
    with pytest.raises(ValueError, match="unknown table format"):
        render_table(INVOICE, table_format="csv")  # type: ignore[arg-type]
