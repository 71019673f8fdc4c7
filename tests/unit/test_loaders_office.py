"""Unit tests for the DOCX, XLSX, PPTX and email loaders: structure, page rules, and every bad
input (ZIP bombs, damaged packages, encrypted and legacy files, too many pages) with its error."""

from __future__ import annotations

import io
import zipfile
import zlib
from email import message_from_bytes, policy
from email.message import EmailMessage

import docx
import openpyxl
import pytest
from evaluation.corpus.labeled import deterministic_zip
from evaluation.corpus.office import deck_pptx, ledger_xlsx, report_docx

from jobstream.documents.errors import (
    DocumentCorruptError,
    DocumentEncryptedError,
    DocumentError,
    DocumentTooLargeError,
    UnsupportedDocumentTypeError,
)
from jobstream.documents.loaders import LoadOptions, load_document, page_count
from jobstream.documents.model import Document, TextBlock
from tests.unit.test_loaders_sniff import cfb_bytes


def load(data: bytes, filename: str = "upload", **options: int) -> Document:
    return load_document(data, filename=filename, mime_type=None, options=LoadOptions(**options))  # type: ignore[arg-type]


def kinds(document: Document, page: int) -> list[tuple[str, int, str]]:
    blocks = document.pages[page - 1].blocks
    return [(b.kind, b.level, b.text) for b in blocks if isinstance(b, TextBlock)]


def test_docx_headings_lists_margins_and_explicit_page_break() -> None:
    document = load(report_docx().data)
    page_one = kinds(document, 1)
    assert page_one[0] == ("header", 0, "Northwind Traders — Quarterly Report")
    assert page_one[1] == ("heading", 1, "Quarterly Report Q3 2026")
    assert ("heading", 2, "Outlook") in page_one
    assert ("list_item", 0, "Open a second warehouse in Rotterdam") in page_one
    assert ("list_item", 0, "Renegotiate the freight rates for 2027") in page_one
    assert page_one[-1] == ("footer", 0, "Confidential: for internal use only")
    assert [k for k, _, _ in kinds(document, 2)] == ["header", "heading", "paragraph", "footer"]
    table = document.pages[0].tables[0]
    assert table.rows[1][1].text == "1.234.567 €"
    blocks = document.pages[0].blocks
    assert (
        blocks.index(table)
        < [b for b in blocks if isinstance(b, TextBlock)].index(
            next(b for b in blocks if isinstance(b, TextBlock) and b.text == "Outlook")
        )
        + 1
    )  # the table stands where it was, before the "Outlook" heading
    assert page_count(report_docx().data, filename="r.docx", mime_type=None) == 2


def test_docx_page_break_before_and_text_inside_runs() -> None:
    document = docx.Document()
    document.add_paragraph("first page")
    second = document.add_paragraph("second ")
    second.paragraph_format.page_break_before = True
    second.add_run("page").add_tab()
    second.add_run("tabbed")
    buffer = io.BytesIO()
    document.save(buffer)
    loaded = load(buffer.getvalue())
    assert [page.plain_text for page in loaded.pages] == ["first page", "second page tabbed"]


def test_xlsx_formula_cached_value_and_display_formats() -> None:
    document = load(ledger_xlsx().data)
    assert [page.label for page in document.pages] == ["Invoices", "Customers"]
    invoices = document.pages[0].tables[0].texts()
    assert invoices[-1] == ["Total", "", "3,734.49", ""]  # the cached value of =SUM(C2:C4)
    assert invoices[1] == ["A-101", "13.10.2026", "1,234.50", "21%"]
    assert document.pages[1].tables[0].texts()[0] == ["Customer", "Country"]  # from B2, trimmed
    assert page_count(ledger_xlsx().data, filename="l.xlsx", mime_type=None) == 2


def test_xlsx_formula_without_cached_value_is_empty_not_the_formula() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["a", 1])
    workbook.active.append(["b", "=B1*2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    texts = load(buffer.getvalue()).pages[0].tables[0].texts()
    assert texts == [["a", "1"], ["b", ""]]


def test_pptx_slides_are_pages_with_boxes_and_title_first() -> None:
    document = load(deck_pptx().data)
    assert [page.label for page in document.pages] == ["slide 1", "slide 2", "slide 3"]
    assert (document.pages[0].width, document.pages[0].height) == (720.0, 540.0)
    first = document.pages[2].blocks[0]
    assert isinstance(first, TextBlock)
    assert (first.kind, first.text) == ("heading", "Costs by year")
    table = document.pages[2].tables[0]
    assert table.box is not None
    assert 0 < table.box.left < table.box.right <= 1
    assert page_count(deck_pptx().data, filename="d.pptx", mime_type=None) == 3


def email_with(*attachments: tuple[bytes, str, str]) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "Hi"
    message.set_content("<html><body><p>Only <b>HTML</b> here</p><script>x()</script>",
                        subtype="html")  # fmt: skip
    for data, name, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_email_html_only_body_and_a_failing_attachment_becomes_a_page() -> None:
    data = email_with((b"\x00\x01binary\x02" * 20, "blob.bin", "application/octet-stream"),
                      (b"x,y\n1,2\n", "t.csv", "text/csv"))  # fmt: skip
    document = load(data, "m.eml")
    assert document.pages[0].plain_text.endswith("Only HTML here")
    assert "x()" not in document.plain_text
    assert document.pages[1].label == "attachment: blob.bin"
    assert "could not be read (unsupported_document_type)" in document.pages[1].plain_text
    assert document.pages[2].tables[0].texts() == [["x", "y"], ["1", "2"]]
    assert page_count(data, filename="m.eml", mime_type=None) == 3


def test_email_nested_too_deep_is_a_page_not_a_failure() -> None:
    data = email_with()
    for _ in range(5):
        outer = EmailMessage()
        outer["From"], outer["Subject"] = "x@example.com", "Fwd"
        outer.set_content("see attached")
        outer.add_attachment(message_from_bytes(data, policy=policy.default), filename="fwd.eml")
        data = outer.as_bytes()
    document = load(data, "fwd.eml")
    assert "nested more than 3 levels" in document.plain_text


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_zip_bomb_is_refused_before_the_library_inflates_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("python-docx was asked to open a ZIP bomb")

    report = report_docx().data
    bomb = members_of(report) | {"word/media/bomb.bin": bytes(64 * 1024 * 1024)}
    monkeypatch.setattr("jobstream.documents.loaders.docx.docx.Document", never)
    data = zip_with(bomb)
    assert len(data) < 1024 * 1024
    with pytest.raises(DocumentTooLargeError, match="compressed"):
        load(data, "bomb.docx")
    with pytest.raises(DocumentTooLargeError, match="unpacks to"):
        load(report, "r.docx", max_unpacked_bytes=10_000)


@pytest.mark.parametrize(
    ("make", "part"),
    [
        (report_docx, "word/document.xml"),
        (ledger_xlsx, "xl/workbook.xml"),
        (deck_pptx, "ppt/presentation.xml"),
    ],
)
def test_damaged_xml_in_an_office_file_is_corrupt(make: object, part: str) -> None:
    members = members_of(make().data)  # type: ignore[operator]
    members[part] = members[part][: len(members[part]) // 2]
    with pytest.raises(DocumentCorruptError, match="corrupt"):
        load(zip_with(members))


def test_missing_main_part_and_truncated_zip_are_corrupt() -> None:
    members = members_of(ledger_xlsx().data)
    del members["xl/workbook.xml"]
    with pytest.raises(DocumentCorruptError):
        load(zip_with(members))
    data = report_docx().data
    with pytest.raises(DocumentCorruptError):
        load(data[: len(data) - 2000])


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (cfb_bytes("EncryptionInfo", "EncryptedPackage"), DocumentEncryptedError, "password"),
        (cfb_bytes("WordDocument"), UnsupportedDocumentTypeError, "legacy Word"),
        (cfb_bytes("Workbook"), UnsupportedDocumentTypeError, "legacy Excel"),
        (cfb_bytes("PowerPoint Document"), UnsupportedDocumentTypeError, "legacy PowerPoint"),
    ],
)
def test_encrypted_and_legacy_office_files(
    data: bytes, error: type[DocumentError], words: str
) -> None:
    with pytest.raises(error, match=words):
        load(data, "file.docx")


@pytest.mark.parametrize(
    ("data", "max_pages", "words"),
    [
        (report_docx().data, 1, "pages"),
        (ledger_xlsx().data, 1, "2 sheets"),
        (deck_pptx().data, 2, "3 slides"),
    ],
)
def test_more_pages_sheets_or_slides_than_allowed_is_too_large(
    data: bytes, max_pages: int, words: str
) -> None:
    with pytest.raises(DocumentTooLargeError, match=words):
        load(data, max_pages=max_pages)


def test_deterministic_zip_rejects_a_patch_that_does_not_apply() -> None:
    with pytest.raises(ValueError, match="not found"):
        deterministic_zip(zip_with({"a.xml": b"<a/>"}), patches={"a.xml": [(b"<b/>", b"")]})
    assert zlib.crc32(deterministic_zip(zip_with({"a.xml": b"<a/>"}))) == zlib.crc32(
        deterministic_zip(zip_with({"a.xml": b"<a/>"}))
    )


def test_email_page_count_and_ranges_load_only_the_attachments_they_need(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from evaluation.corpus.office import mail_eml

    sample = mail_eml()

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the PDF attachment was loaded")

    monkeypatch.setattr("jobstream.documents.loaders.pdf.load_pdf", never)
    assert page_count(sample.data, filename="m.eml", mime_type=None) == len(sample.pages) == 5
    ranged = load_document(sample.data, filename="m.eml", mime_type=None,
                           options=LoadOptions(first_page=2, last_page=3))  # fmt: skip
    assert [(p.number, p.label) for p in ranged.pages] == [
        (2, "attachment: report.docx"), (3, "attachment: report.docx"),
    ]  # fmt: skip
    last = load_document(sample.data, filename="m.eml", mime_type=None,
                         options=LoadOptions(first_page=5))  # fmt: skip
    assert [(p.number, p.label) for p in last.pages] == [(5, "attachment: pallets.csv")]
    with pytest.raises(DocumentTooLargeError, match="5 pages with its attachments"):
        load_document(sample.data, filename="m.eml", mime_type=None,
                      options=LoadOptions(max_pages=4))  # fmt: skip


def test_sheet_and_slide_ranges_keep_their_numbers() -> None:
    sheets = load_document(ledger_xlsx().data, filename="l.xlsx", mime_type=None,
                           options=LoadOptions(first_page=2))  # fmt: skip
    assert [(p.number, p.label) for p in sheets.pages] == [(2, "Customers")]
    slides = load_document(deck_pptx().data, filename="d.pptx", mime_type=None,
                           options=LoadOptions(first_page=2, last_page=2))  # fmt: skip
    assert [(p.number, p.label) for p in slides.pages] == [(2, "slide 2")]


def test_docx_content_controls_are_read_and_tracked_deletions_are_not() -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("visible")
    body = document.element.body
    body.insert(0, parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtPr><w:alias w:val='Customer'/></w:sdtPr><w:sdtContent>"
        "<w:p><w:r><w:t>Inside a content control</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    ))  # fmt: skip
    body.insert(1, parse_xml(
        f"<w:p {nsdecls('w')}><w:r><w:t>kept </w:t></w:r><w:del w:id='1' w:author='x'><w:r>"
        "<w:delText>deleted</w:delText></w:r></w:del><w:ins w:id='2' w:author='x'><w:r>"
        "<w:t>inserted</w:t></w:r></w:ins></w:p>"
    ))  # fmt: skip
    buffer = io.BytesIO()
    document.save(buffer)
    text = load(buffer.getvalue()).plain_text
    assert text.splitlines() == ["Inside a content control", "kept inserted", "visible"]


FOOTNOTES_XML = (
    b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    b'<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> '
    b"Source: annual report 2025.</w:t></w:r></w:p></w:footnote></w:footnotes>"
)


def test_docx_footnotes_follow_the_text() -> None:
    document = docx.Document()
    document.add_paragraph("Revenue rose by 12 %.")
    buffer = io.BytesIO()
    document.save(buffer)
    members = members_of(buffer.getvalue())
    members["word/footnotes.xml"] = FOOTNOTES_XML
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/footnotes.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
    )
    members["word/_rels/document.xml.rels"] = members["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
    )
    text = load(zip_with(members)).plain_text
    assert text.splitlines() == ["Revenue rose by 12 %.", "1 Source: annual report 2025."]


def test_docx_section_breaks_start_pages_with_their_own_headers() -> None:
    from docx.enum.section import WD_SECTION

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Part A header"
    document.add_paragraph("part A text")
    continuous = document.add_section(WD_SECTION.CONTINUOUS)
    continuous.header.is_linked_to_previous = True
    document.add_paragraph("still on the first page")
    second = document.add_section(WD_SECTION.NEW_PAGE)
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = "Part B header"
    document.add_paragraph("part B text")
    buffer = io.BytesIO()
    document.save(buffer)
    pages = [page.plain_text.splitlines() for page in load(buffer.getvalue()).pages]
    assert pages == [
        ["Part A header", "part A text", "still on the first page"],
        ["Part B header", "part B text"],
    ]
