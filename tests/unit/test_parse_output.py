"""What parse returns for each format: the loaders and the renderer together, on real files
(PDFs made with fpdf2, text in several encodings, HTML, CSV, JSON). Replaces the tests of the
old pypdf-only parser; each bad input ends in its stable code."""

from __future__ import annotations

import codecs
import json

import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstream.documents.errors import DocumentError
from jobstream.documents.loaders import load_document
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.render import TableFormat, render_document

PAGES = ["Invoice number 42", "Total due: 1234.56 EUR", "Thank you for your business"]


def make_pdf(pages: list[str], *, user_password: str | None = None) -> bytes:
    """A real PDF with the given text per page (an empty string makes a blank page)."""
    pdf = FPDF()
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(w=0, text=text)
    return bytes(pdf.output())


def parse(
    data: bytes, mime_type: str | None, filename: str = "document",
    table_format: TableFormat = "html", **options: object,
) -> tuple[list[str], str, str]:  # fmt: skip
    document = load_document(
        data,
        filename=filename,
        mime_type=mime_type,
        options=LoadOptions(**options),  # type: ignore[arg-type]
    )
    pages, text = render_document(document, table_format=table_format)
    return pages, text, document.mime_type


def code_of(
    data: bytes, mime_type: str | None, filename: str = "document", **options: object
) -> str:
    with pytest.raises(DocumentError) as info:
        parse(data, mime_type, filename, **options)
    assert len(info.value.message) > 10  # a message a person can act on
    return info.value.code


def plain(page: str) -> str:
    """A page without Markdown heading marks, whitespace collapsed."""
    return " ".join(page.replace("#", " ").split())


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_pages_come_out_in_order() -> None:
    pages, text, mime_type = parse(make_pdf(PAGES), "application/pdf", "invoice.pdf")
    assert [plain(p) for p in pages] == PAGES
    assert text == "\n\n".join(pages) and mime_type == "application/pdf"


def test_pdf_multiline_and_blank_pages() -> None:
    pages, _, _ = parse(make_pdf(["first line\nsecond line", "", "last"]), "application/pdf")
    assert len(pages) == 3 and pages[1] == ""
    assert pages[0].replace("#", "").split() == ["first", "line", "second", "line"]
    assert "\n" in pages[0].strip() and plain(pages[2]) == "last"


@pytest.mark.parametrize("mime_type", ["application/octet-stream", "text/plain", None])
def test_pdf_is_recognised_by_its_magic_bytes(mime_type: str | None) -> None:
    pages, _, found = parse(make_pdf(PAGES[:2]), mime_type, "upload.bin")
    assert [plain(p) for p in pages] == PAGES[:2] and found == "application/pdf"


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_truncated_pdf_is_corrupt(fraction: float) -> None:
    data = make_pdf(PAGES)
    assert code_of(data[: int(len(data) * fraction)], "application/pdf") == "document_corrupt"


def test_garbage_claiming_to_be_pdf_is_corrupt() -> None:
    assert code_of(b"%PDF-1.7\n" + b"\x00garbage" * 100, "application/pdf") == "document_corrupt"


def test_pdf_with_a_user_password_is_encrypted() -> None:
    assert (
        code_of(make_pdf(PAGES, user_password="secret"), "application/pdf") == "document_encrypted"
    )


def test_pdf_encrypted_with_an_empty_user_password_is_read() -> None:
    pages, _, _ = parse(make_pdf(PAGES, user_password=""), "application/pdf")
    assert [plain(p) for p in pages] == PAGES


def test_too_many_pages_is_too_large() -> None:
    data = make_pdf(PAGES)
    assert len(parse(data, "application/pdf", max_pages=3)[0]) == 3
    assert code_of(data, "application/pdf", max_pages=2) == "document_too_large"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_damaged_pdf_never_raises_anything_but_a_document_error(data: st.DataObject) -> None:
    original = bytearray(make_pdf(PAGES))
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
        original[position] = data.draw(st.integers(min_value=0, max_value=255))
    try:
        pages, _, _ = parse(bytes(original), "application/pdf", ocr=False)
    except DocumentError:
        return
    assert all(isinstance(page, str) for page in pages)


# --- text, HTML, CSV, JSON -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("héllo wörld\nsecond line\n".encode(), "héllo wörld\nsecond line"),
        (codecs.BOM_UTF8 + "with BOM é".encode(), "with BOM é"),
        ("utf-16 é".encode("utf-16"), "utf-16 é"),
        ("latin-1 café crème".encode("latin-1"), "latin-1 café crème"),
    ],
)
def test_plain_text_is_decoded(data: bytes, expected: str) -> None:
    pages, text, _ = parse(data, "text/plain", "notes.txt")
    assert pages == [expected] and text == expected


HTML = """<!doctype html>
<html><head><style>p { color: red }</style>
<script>document.write("<p>hidden</p>")</script></head>
<body>
  <h1>Quarterly   report</h1>
  <p>Revenue grew by <b>12%</b>
     this quarter &amp; costs fell.</p>
  <table><tr><th>Region</th><th>Sales</th></tr><tr><td>North</td><td>10</td></tr></table>
  <noscript>enable JavaScript</noscript>
  <p>The end.</p>
</body></html>
"""


def test_html_gives_visible_text_a_heading_and_the_table_inline() -> None:
    pages, _, mime_type = parse(HTML.encode(), "text/html", "report.html", table_format="markdown")
    page = pages[0]
    assert mime_type == "text/html"
    assert page.startswith("# Quarterly report\n\nRevenue grew by 12% this quarter & costs fell.")
    assert "| Region | Sales |\n| --- | --- |\n| North | 10 |" in page
    assert page.endswith("The end.")
    assert "hidden" not in page and "color" not in page and "JavaScript" not in page


CSV = b'name,note\n"Smith, J.","likes <b> & | pipes"\nDoe,"two\nlines"\n'


def test_csv_as_an_html_table() -> None:
    pages, _, _ = parse(CSV, "text/csv", "people.csv")
    assert "<th>name</th><th>note</th>" in pages[0]
    assert "<td>Smith, J.</td><td>likes &lt;b&gt; &amp; | pipes</td>" in pages[0]
    assert "<td>Doe</td><td>two<br>lines</td>" in pages[0]


def test_csv_as_markdown_json_and_yaml() -> None:
    markdown = parse(CSV, "text/csv", "people.csv", table_format="markdown")[0][0]
    assert (
        "| Smith, J. | likes <b> & \\| pipes |" in markdown and "| Doe | two<br>lines |" in markdown
    )
    records = json.loads(parse(CSV, "text/csv", "people.csv", table_format="json")[0][0])
    assert records[0] == {"name": "Smith, J.", "note": "likes <b> & | pipes"}
    assert "name: Smith, J." in parse(CSV, "text/csv", "people.csv", table_format="yaml")[0][0]


def test_malformed_csv_is_corrupt() -> None:
    assert code_of(b'a,"unterminated\nb,c\n', "text/csv", "x.csv") == "document_corrupt"


def test_json_is_readable() -> None:
    pages, _, _ = parse(
        b'{"name":"Zo\\u00eb","items":[1,2],"ok":true}', "application/json", "x.json"
    )
    assert "Zoë" in pages[0] and "items" in pages[0]


def test_invalid_json_declared_as_json_is_corrupt() -> None:
    assert code_of(b"{'single': 'quotes'", "application/json", "x.json") == "document_corrupt"


@pytest.mark.parametrize(
    ("data", "mime_type"),
    [(bytes(range(256)) * 8, "application/octet-stream"), (b"\x00\x01\x02" * 500, None)],
)
def test_unknown_binary_is_unsupported(data: bytes, mime_type: str | None) -> None:
    assert code_of(data, mime_type, "blob.bin") == "unsupported_document_type"
