"""Unit tests for jobstream.workers.parse.documents, on real PDFs generated with fpdf2."""

from __future__ import annotations

import codecs
import json

import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstream.core.documents import DecodedDocument
from jobstream.workers.parse.documents import (
    CorruptDocumentError,
    DocumentParseError,
    ParsedDocument,
    UnsupportedDocumentError,
    html_to_text,
    parse_document,
)

PAGES = ["Invoice number 42", "Total due: 1234.56 EUR", "Thank you for your business"]


def make_pdf(pages: list[str], *, user_password: str | None = None) -> bytes:
    """A real PDF with one text line per page (an empty string makes a blank page)."""
    pdf = FPDF()
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(w=0, text=text)
    return bytes(pdf.output())


def doc(data: bytes, mime_type: str, filename: str = "document") -> DecodedDocument:
    return DecodedDocument(filename=filename, mime_type=mime_type, data=data)


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_pages_come_out_in_order() -> None:
    parsed = parse_document(doc(make_pdf(PAGES), "application/pdf", "invoice.pdf"))
    assert parsed == ParsedDocument(
        pages=PAGES, text="\n\n".join(PAGES), mime_type="application/pdf"
    )


def test_pdf_multiline_and_blank_pages() -> None:
    parsed = parse_document(
        doc(make_pdf(["first line\nsecond line", "", "last"]), "application/pdf")
    )
    assert parsed.pages == ["first line\nsecond line", "", "last"]
    assert parsed.text == "first line\nsecond line\n\n\n\nlast"


@pytest.mark.parametrize("mime_type", ["application/octet-stream", "text/plain", ""])
def test_pdf_is_recognised_by_its_magic_bytes(mime_type: str) -> None:
    parsed = parse_document(doc(make_pdf(PAGES[:2]), mime_type))
    assert parsed.pages == PAGES[:2]
    assert parsed.mime_type == "application/pdf"


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_pdf_is_corrupt(fraction: float) -> None:
    data = make_pdf(PAGES)
    with pytest.raises(CorruptDocumentError, match="corrupt or truncated PDF") as info:
        parse_document(doc(data[: int(len(data) * fraction)], "application/pdf"))
    assert info.value.code == "corrupt_document"


@pytest.mark.parametrize("data", [b"", b"not a pdf at all", b"%PDF-1.7\n" + b"\x00garbage" * 100])
def test_garbage_claiming_to_be_pdf_is_corrupt(data: bytes) -> None:
    with pytest.raises(CorruptDocumentError):
        parse_document(doc(data, "application/pdf"))


def test_pdf_with_a_user_password_is_corrupt() -> None:
    data = make_pdf(PAGES, user_password="secret")
    with pytest.raises(CorruptDocumentError, match="encrypted") as info:
        parse_document(doc(data, "application/pdf"))
    assert info.value.code == "corrupt_document"
    assert "password" in info.value.message


def test_pdf_encrypted_with_an_empty_user_password_is_read() -> None:
    data = make_pdf(PAGES, user_password="")
    assert parse_document(doc(data, "application/pdf")).pages == PAGES


def test_too_many_pages_is_unsupported() -> None:
    data = make_pdf(PAGES)
    assert parse_document(doc(data, "application/pdf"), max_pages=3).pages == PAGES
    with pytest.raises(UnsupportedDocumentError, match="too many pages") as info:
        parse_document(doc(data, "application/pdf"), max_pages=2)
    assert info.value.code == "unsupported_document"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_pdf_never_raises_anything_but_a_parse_error(data: st.DataObject) -> None:
    original = bytearray(make_pdf(PAGES))
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
        original[position] = data.draw(st.integers(min_value=0, max_value=255))
    try:
        parsed = parse_document(doc(bytes(original), "application/pdf"))
    except DocumentParseError:
        return
    assert all(isinstance(page, str) for page in parsed.pages)


# --- plain text and Markdown -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("héllo wörld\nsecond line\n".encode(), "héllo wörld\nsecond line\n"),
        (codecs.BOM_UTF8 + "with BOM é".encode(), "with BOM é"),
        ("utf-16 é".encode("utf-16"), "utf-16 é"),
        (codecs.BOM_UTF16_BE + "utf-16-be é".encode("utf-16-be"), "utf-16-be é"),
        ("utf-32 é".encode("utf-32"), "utf-32 é"),
        ("latin-1 café".encode("latin-1"), "latin-1 café"),
        (b"", ""),
    ],
)
def test_plain_text_is_decoded(data: bytes, expected: str) -> None:
    parsed = parse_document(doc(data, "text/plain"))
    assert parsed == ParsedDocument(pages=[expected], text=expected, mime_type="text/plain")


def test_markdown_is_kept_verbatim() -> None:
    source = "# Title\n\n- item *one*\n- item `two`\n"
    parsed = parse_document(doc(source.encode(), "text/markdown", "notes.md"))
    assert parsed.pages == [source]
    assert parsed.mime_type == "text/markdown"


def test_mime_type_parameters_are_ignored() -> None:
    parsed = parse_document(doc(b"hi", "Text/Plain; charset=utf-8"))
    assert parsed.text == "hi"
    assert parsed.mime_type == "text/plain"


# --- HTML ------------------------------------------------------------------------------------

HTML = """<!doctype html>
<html><head><style>p { color: red }</style>
<script>document.write("<p>hidden</p>")</script></head>
<body>
  <h1>Quarterly   report</h1>
  <p>Revenue grew by <b>12%</b>
     this quarter &amp; costs fell.</p>
  <ul><li>North</li><li>South</li></ul>
  <div>first line<br>second line</div>
  <table><tr><th>Region</th><th>Sales</th></tr><tr><td>North</td><td>10</td></tr></table>
  <pre>  indented
    code</pre>
  <noscript>enable JavaScript</noscript>
  <p>The end.</p>
</body></html>
"""


def test_html_visible_text() -> None:
    parsed = parse_document(doc(HTML.encode(), "text/html", "report.html"))
    assert parsed.pages == [
        "Quarterly report\n\n"
        "Revenue grew by 12% this quarter & costs fell.\n\n"
        "North\nSouth\n\n"
        "first line\nsecond line\n\n"
        "Region Sales\nNorth 10\n\n"
        "  indented\n    code\n\n"
        "The end."
    ]
    assert parsed.mime_type == "text/html"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("", ""),
        ("plain words", "plain words"),
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("<div>a</div><div>b</div>", "a\nb"),
        ("a<br><br>b", "a\n\nb"),
        ("<span>a</span> <span>b</span>", "a b"),
        ("<p>  lots   of\n\n  space  </p>", "lots of space"),
        ("caf&eacute; &lt;tag&gt; &#8364;", "café <tag> €"),
        ("<style>x{}</style><script>y()</script>visible", "visible"),
        ("<p>unclosed <b>tags", "unclosed tags"),
    ],
)
def test_html_to_text_cases(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected


# --- CSV -------------------------------------------------------------------------------------

CSV = b'name,note\n"Smith, J.","likes <b> & | pipes"\nDoe,"two\nlines"\n\nShort\n'


def test_csv_as_html_table() -> None:
    parsed = parse_document(doc(CSV, "text/csv", "people.csv"))
    assert parsed.pages == [
        "<table>\n<thead>\n<tr><th>name</th><th>note</th></tr>\n</thead>\n<tbody>\n"
        "<tr><td>Smith, J.</td><td>likes &lt;b&gt; &amp; | pipes</td></tr>\n"
        "<tr><td>Doe</td><td>two\nlines</td></tr>\n"
        "<tr><td>Short</td><td></td></tr>\n"
        "</tbody>\n</table>"
    ]
    assert parsed.mime_type == "text/csv"


def test_csv_as_markdown_table() -> None:
    parsed = parse_document(doc(CSV, "text/csv"), table_parsing_format="markdown")
    assert parsed.text == (
        "| name | note |\n"
        "| --- | --- |\n"
        "| Smith, J. | likes <b> & \\| pipes |\n"
        "| Doe | two<br>lines |\n"
        "| Short |  |"
    )


@pytest.mark.parametrize("table_format", ["text", "json", "yaml"])
def test_csv_as_text_is_unchanged(table_format: str) -> None:
    parsed = parse_document(doc(CSV, "text/csv"), table_parsing_format=table_format)
    assert parsed.text == CSV.decode()


def test_header_only_and_empty_csv() -> None:
    assert parse_document(doc(b"a,b\n", "text/csv")).text == (
        "<table>\n<thead>\n<tr><th>a</th><th>b</th></tr>\n</thead>\n</table>"
    )
    assert parse_document(doc(b"", "text/csv")).text == ""
    assert parse_document(doc(b"", "text/csv"), table_parsing_format="markdown").text == ""


@pytest.mark.parametrize("table_format", ["html", "markdown", "text"])
@pytest.mark.parametrize("data", [b'a,"b"c\n', b'a,"unterminated\n'])
def test_malformed_csv_is_corrupt(data: bytes, table_format: str) -> None:
    with pytest.raises(CorruptDocumentError, match="malformed CSV") as info:
        parse_document(doc(data, "text/csv"), table_parsing_format=table_format)
    assert info.value.code == "corrupt_document"


# --- JSON ------------------------------------------------------------------------------------


def test_json_is_pretty_printed() -> None:
    parsed = parse_document(
        doc(b'{"name":"Zo\\u00eb","items":[1,2],"ok":true}', "application/json")
    )
    assert parsed.text == '{\n  "name": "Zoë",\n  "items": [\n    1,\n    2\n  ],\n  "ok": true\n}'
    assert json.loads(parsed.text) == {"name": "Zoë", "items": [1, 2], "ok": True}
    assert parsed.pages == [parsed.text]


def test_json_with_bom_is_accepted() -> None:
    assert parse_document(doc(codecs.BOM_UTF8 + b"[1]", "application/json")).text == "[\n  1\n]"


@pytest.mark.parametrize("data", [b"", b"{", b"{'single': 'quotes'}", b"[1,]", b"[" * 100_000])
def test_invalid_json_is_corrupt(data: bytes) -> None:
    with pytest.raises(CorruptDocumentError, match="invalid JSON"):
        parse_document(doc(data, "application/json"))


# --- unsupported formats ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "mime_type",
    [
        "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/octet-stream",
        "",
    ],
)
def test_unsupported_formats_name_their_mime_type(mime_type: str) -> None:
    with pytest.raises(UnsupportedDocumentError) as info:
        parse_document(doc(b"\x89PNG\r\n\x1a\n", mime_type, "scan.bin"))
    assert info.value.code == "unsupported_document"
    assert repr(mime_type or "(none)") in info.value.message
    assert "scan.bin" in info.value.message
