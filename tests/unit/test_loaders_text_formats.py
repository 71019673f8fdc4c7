"""Unit tests for the text-family loaders through load_document: plain text in several encodings,
Markdown, HTML (visible text only), CSV and JSON; page ranges, page limits and page_count."""

from __future__ import annotations

import pytest

from jobstream.documents.errors import DocumentCorruptError, DocumentTooLargeError
from jobstream.documents.loaders import LoadOptions, load_document, page_count
from jobstream.documents.model import Document, Table, TextBlock

OPTIONS = LoadOptions()


def load(data: bytes, filename: str = "upload", mime_type: str | None = None) -> Document:
    return load_document(data, filename=filename, mime_type=mime_type, options=OPTIONS)


def text_blocks(document: Document) -> list[TextBlock]:
    return [b for page in document.pages for b in page.blocks if isinstance(b, TextBlock)]


def tables(document: Document) -> list[Table]:
    return [t for page in document.pages for t in page.tables]


FRENCH = "Facture n° 12 — café crème à 3,50 € ; reçu le 13 octobre, payé « comptant »."
POLISH = (
    "Zażółć gęślą jaźń. Faktura za usługi transportowe, płatność w ciągu czternastu dni, "
    "łączna kwota do zapłaty wynosi dwieście złotych."
)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), "utf-8-sig"),
        (FRENCH.encode("utf-16"), "utf-16"),
        (FRENCH.encode("utf-16-le"), "utf-16-le"),
        (FRENCH.encode("utf-16-be"), "utf-16-be"),
        (FRENCH.encode("utf-32"), "utf-32"),
        (FRENCH.encode("cp1252"), "cp1252"),
    ],
)
def test_plain_text_reads_in_its_encoding(data: bytes, encoding: str) -> None:
    document = load(data, "note.txt")
    assert document.format == "text"
    assert document.metadata["encoding"] == encoding
    assert document.pages[0].plain_text == FRENCH
    assert document.pages[0].source == "native"


def test_iso_8859_15_euro_sign_is_read() -> None:
    text = "Facture n° 12345 : échéance le 13 octobre, montant 99,90 €. Merci, cœur."
    document = load(text.encode("iso8859-15"), "facture.txt")
    assert (document.plain_text, document.metadata["encoding"]) == (text, "iso8859-15")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (POLISH, "cp1250"),
        ("Счёт-фактура № 12345. Срок оплаты 13 октября 2026 года. Просим подтвердить.", "cp1251"),
        ("Τιμολόγιο αριθμός 12345. Προθεσμία πληρωμής είναι 13 Οκτωβρίου 2026.", "cp1253"),
        (
            "請求書番号 12345。お支払い期限は2026年10月13日です。ご確認をお願いいたします。",
            "shift_jis",
        ),
        ("发票号码 12345。付款期限为2026年10月13日。请确认并尽快付款。谢谢。", "gb18030"),
    ],
)
def test_other_code_pages_are_detected(text: str, encoding: str) -> None:
    assert load(text.encode(encoding), "faktura.txt").pages[0].plain_text == text


def test_bytes_no_code_page_explains_still_read_as_some_text() -> None:
    assert load(bytes(range(0xA1, 0x100)) + b" tail", "a.txt").plain_text.endswith("tail")


def test_text_paragraphs_lines_and_form_feed_pages() -> None:
    document = load(b"Line one\nLine two\n\nSecond paragraph\n\x0cPage two\n\x0c", "a.txt")
    assert [page.number for page in document.pages] == [1, 2]
    assert [b.text for b in text_blocks(document)] == [
        "Line one\nLine two", "Second paragraph", "Page two",
    ]  # fmt: skip
    assert page_count(b"one\x0ctwo\x0cthree", filename="a.txt", mime_type=None) == 3


def test_page_range_keeps_page_numbers_and_max_pages_refuses() -> None:
    data = b"one\x0ctwo\x0cthree\x0cfour"
    ranged = load_document(
        data, filename="a.txt", mime_type=None, options=LoadOptions(first_page=2, last_page=3)
    )
    assert [(p.number, p.plain_text) for p in ranged.pages] == [(2, "two"), (3, "three")]
    with pytest.raises(DocumentTooLargeError, match="4 pages"):
        load_document(data, filename="a.txt", mime_type=None, options=LoadOptions(max_pages=3))


MARKDOWN = b"""Quarterly report
================

## Revenue *by* region

Revenue grew **12 %** in [Europe](https://example.com) and `APAC`.
A second line of the same paragraph.

- first point
* second point
1. numbered point

> quoted remark

```
code stays verbatim
```

| Region | Revenue |
|:-------|--------:|
| Europe | 1.234,56 |
| APAC \\| Japan | 99 |

---
Closing words.
"""


def test_markdown_headings_paragraphs_lists_code_and_pipe_tables() -> None:
    document = load(MARKDOWN, "report.md")
    assert document.format == "markdown"
    blocks = [(b.kind, b.level, b.text) for b in text_blocks(document)]
    assert blocks == [
        ("heading", 1, "Quarterly report"),
        ("heading", 2, "Revenue by region"),
        (
            "paragraph",
            0,
            "Revenue grew 12 % in Europe and APAC.\nA second line of the same paragraph.",
        ),
        ("list_item", 0, "first point"),
        ("list_item", 0, "second point"),
        ("list_item", 0, "numbered point"),
        ("paragraph", 0, "quoted remark"),
        ("paragraph", 0, "code stays verbatim"),
        ("paragraph", 0, "Closing words."),
    ]
    (table,) = tables(document)
    assert table.texts() == [["Region", "Revenue"], ["Europe", "1.234,56"], ["APAC | Japan", "99"]]
    assert table.header_rows == 1


HTML = b"""<!DOCTYPE html>
<html><head><title>Invoice  A-17</title>
<style>body { color: red }</style><script>document.write("tracking")</script>
<meta charset="utf-8"></head>
<body>
<noscript>Enable JavaScript</noscript>
<header><nav>Home | Contact</nav></header>
<h1>Invoice <small>A-17</small></h1>
<p>Dear&nbsp;customer,<br>thank you for your <b>order</b>.
<p>Second paragraph &amp; more.
<div hidden>hidden by attribute</div>
<div style="display: none">hidden by style</div>
<span style="visibility:hidden">invisible</span>
<template><p>template text</p></template>
<ul><li>Widget<li>Gadget</ul>
<table>
  <caption>Items</caption>
  <thead><tr><th>Item<th>Qty</tr></thead>
  <tbody><tr><td>Widget<td>2<tr><td colspan="2">Nested: <table><tr><td>x</td><td>y</td></tr></table></td></tr></tbody>
</table>
<pre>  line one
  line two</pre>
<footer>Acme Ltd</footer>
<svg><text>svg text</text></svg>
</body></html>
"""


def test_html_keeps_visible_text_only_with_kinds_and_tables() -> None:
    document = load(HTML, "invoice.txt", "text/plain")
    assert document.format == "html"
    assert document.metadata["title"] == "Invoice A-17"
    blocks = [(b.kind, b.level, b.text) for b in text_blocks(document)]
    assert blocks == [
        ("header", 0, "Home | Contact"),
        ("heading", 1, "Invoice A-17"),
        ("paragraph", 0, "Dear customer,\nthank you for your order."),
        ("paragraph", 0, "Second paragraph & more."),
        ("list_item", 0, "Widget"),
        ("list_item", 0, "Gadget"),
        ("caption", 0, "Items"),
        ("paragraph", 0, "line one\nline two"),
        ("footer", 0, "Acme Ltd"),
    ]
    (table,) = tables(document)
    assert table.texts() == [["Item", "Qty"], ["Widget", "2"], ["Nested:\nx y"]]
    assert table.header_rows == 1
    assert table.rows[2][0].col_span == 2
    for junk in (
        "tracking",
        "color",
        "Enable JavaScript",
        "hidden by",
        "invisible",
        "template",
        "svg",
    ):
        assert junk not in document.plain_text


def test_csv_dialects_and_quoted_newlines() -> None:
    semicolons = load(b'Name;Amount\n"M\xc3\xbcller; Hans";"1.234,56"\n"Two\nlines";7\n', "a.csv")
    assert tables(semicolons)[0].texts() == [
        ["Name", "Amount"], ["Müller; Hans", "1.234,56"], ["Two\nlines", "7"],
    ]  # fmt: skip
    tabs = load(b"a\tb\tc\n1\t2\t3\n4\t5\t6\n", "a.tsv")
    assert tables(tabs)[0].texts() == [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"]]
    ragged = load(b"a,b,c\n1,2\n", "a.csv")
    assert tables(ragged)[0].texts() == [["a", "b", "c"], ["1", "2", ""]]


def test_csv_with_an_unclosed_quote_is_corrupt() -> None:
    with pytest.raises(DocumentCorruptError, match="malformed CSV"):
        load(b'a,b\n"open,2\nmore', "a.csv")


def test_json_records_become_a_table_and_other_values_pretty_text() -> None:
    records = load(b'[{"sku": "A", "qty": 2, "ok": true}, {"sku": "B", "price": 1.5, "qty": null}]')
    assert tables(records)[0].texts() == [
        ["sku", "qty", "ok", "price"], ["A", "2", "true", ""], ["B", "", "", "1.5"],
    ]  # fmt: skip
    nested = load(b'{"invoice": {"number": "A-1", "lines": [{"sku": "A"}]}}')
    assert nested.plain_text.splitlines() == [
        "{", '"invoice": {', '"number": "A-1",', '"lines": [', "{", '"sku": "A"', "}", "]", "}",
        "}",
    ]  # fmt: skip


def test_invalid_json_declared_as_json_is_corrupt() -> None:
    with pytest.raises(DocumentCorruptError, match="invalid JSON"):
        load(b'{"a": 1,', "a.json", "application/json")


def test_html_in_the_charset_its_meta_declares() -> None:
    polish = "Zażółć gęślą jaźń"
    markup = f'<html><head><meta charset="iso-8859-2"></head><body><p>{polish}</p></body></html>'
    document = load(markup.encode("iso-8859-2"), "p.html")
    assert document.plain_text == polish
    assert document.metadata["encoding"] == "iso8859-2"


def test_json_lines_are_records() -> None:
    data = b'{"sku": "A", "qty": 1}\n{"sku": "B", "qty": 2}\n\n{"sku": "C", "qty": 3}\n'
    document = load(data, "export.txt", "text/plain")
    assert document.format == "json"
    assert tables(document)[0].texts() == [["sku", "qty"], ["A", "1"], ["B", "2"], ["C", "3"]]
