"""Unit tests for loaders/sniff.py: the bytes decide the format, the filename and MIME type only
break ties; what no loader reads is refused with a message naming what was found."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pptx
import pytest
from evaluation.corpus.compound import compound_file
from PIL import Image

from jobstream.documents.errors import (
    DocumentCorruptError,
    DocumentEncryptedError,
    DocumentError,
    UnsupportedDocumentTypeError,
)
from jobstream.documents.loaders import sniff
from jobstream.documents.loaders.cfb import MAGIC as CFB_MAGIC
from jobstream.documents.loaders.cfb import stream_names


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=fmt)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("hello")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "hello"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_bytes() -> bytes:
    presentation = pptx.Presentation()
    presentation.slides.add_slide(presentation.slide_layouts[0]).shapes.title.text = "hello"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def cfb_bytes(*streams: str) -> bytes:
    """A real compound file (MS-CFB structure) holding empty `streams`."""
    return compound_file(dict.fromkeys(streams, b""))


def damaged_cfb_bytes(*streams: str) -> bytes:
    """A compound-file magic with no usable header, then directory entries naming `streams`: the
    directory cannot be followed, so the names are searched for in the bytes."""
    header = CFB_MAGIC + b"\x00" * (512 - len(CFB_MAGIC))
    entries = b"".join(
        (name.encode("utf-16-le") + b"\x00\x00").ljust(64, b"\x00") + b"\x00" * 64
        for name in ("Root Entry", *streams)
    )
    return header + entries


EMAIL = (
    b"From: Ann <ann@example.com>\r\nTo: bob@example.com\r\nSubject: Invoice\r\n"
    b"Date: Tue, 13 Oct 2026 10:00:00 +0000\r\n\r\nPlease find the invoice.\r\n"
)
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><p>Hello</p></body></html>"
CSV = b"name,qty,price\nbolt,10,0.25\nnut,20,0.10\nscrew,5,0.40\n"
JSON = b'{"invoice": "A-1", "total": 12.5}'
MARKDOWN = b"# Report\n\nSome text.\n"
TEXT = b"Dear Bob,\nthe meeting moved to Friday.\nAnn\n"

# (bytes, misleading filename, misleading MIME type, sniffed format)
CASES = [
    (PDF, "report.txt", "text/plain", "pdf"),
    (b"\n\n" + PDF, "report", None, "pdf"),
    (image_bytes("PNG"), "scan.pdf", "application/pdf", "png"),
    (image_bytes("JPEG"), "photo.png", "image/png", "jpeg"),
    (image_bytes("TIFF"), "fax.jpg", "image/jpeg", "tiff"),
    (image_bytes("WEBP"), "photo.gif", "image/gif", "webp"),
    (image_bytes("BMP"), "scan.txt", "text/plain", "bmp"),
    (image_bytes("GIF"), "anim.webp", None, "gif"),
    (docx_bytes(), "letter.pdf", "application/pdf", "docx"),
    (xlsx_bytes(), "sheet.docx", "application/zip", "xlsx"),
    (pptx_bytes(), "deck.xlsx", "application/octet-stream", "pptx"),
    (EMAIL, "mail.txt", "text/plain", "eml"),
    (HTML, "page.txt", "text/plain", "html"),
    (CSV, "data.txt", "text/plain", "csv"),
    (JSON, "data.csv", "text/csv", "json"),
    (MARKDOWN, "notes.txt", "text/plain", "markdown"),
    (TEXT, "letter.csv", "text/csv", "text"),
    (TEXT, "letter.json", "application/json", "text"),
    (TEXT, "letter.html", "text/html", "text"),
    (TEXT, "letter.eml", "message/rfc822", "text"),
]


@pytest.mark.parametrize(
    ("data", "filename", "mime_type", "expected"), CASES, ids=[f"{c[3]}-as-{c[1]}" for c in CASES]
)
def test_content_wins_over_a_misleading_name_and_mime_type(
    data: bytes, filename: str, mime_type: str | None, expected: str
) -> None:
    assert sniff(data, filename=filename, mime_type=mime_type).format == expected


@pytest.mark.parametrize(
    ("data", "filename", "mime_type", "expected"),
    [
        (b"a,b\n1,2\n", "short.csv", None, "csv"),  # two rows: a CSV only because it is named so
        (b"a,b\n1,2\n", "short.txt", None, "text"),
        (b"a;b\n", "one.txt", "text/csv", "csv"),
        (b"Just a note.\nwith *some* emphasis\n", "n.md", None, "markdown"),
        (b"Just a note.\nwith *some* emphasis\n", "n.txt", None, "text"),
        (b"<p>fragment</p>", "frag.html", None, "html"),
        (b"Subject: hi\n\nbody\n", "one-header.eml", None, "eml"),
        (b"Subject: hi\n\nbody\n", "one-header.txt", None, "text"),
    ],
)
def test_hints_decide_what_the_content_leaves_open(
    data: bytes, filename: str, mime_type: str | None, expected: str
) -> None:
    assert sniff(data, filename=filename, mime_type=mime_type).format == expected


def test_sniffed_mime_type_is_the_formats_own() -> None:
    sniffed = sniff(docx_bytes(), filename="x.bin", mime_type="application/octet-stream")
    assert sniffed.mime_type.endswith("wordprocessingml.document")


def zip_of(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", UnsupportedDocumentTypeError, "empty"),
        (b"  \n ", UnsupportedDocumentTypeError, "empty"),
        (bytes(range(256)) * 8, UnsupportedDocumentTypeError, "binary"),
        (b"\x00\x01\x02garbage\x00" * 50, UnsupportedDocumentTypeError, "binary"),
        (zip_of(readme=b"hello"), UnsupportedDocumentTypeError, "ZIP archive"),
        (
            zip_of(mimetype=b"application/vnd.oasis.opendocument.text"),
            UnsupportedDocumentTypeError,
            "OpenDocument",
        ),
        (docx_bytes()[:200], DocumentCorruptError, "corrupt ZIP"),
        (b"PK\x03\x04" + b"\x00" * 100, DocumentCorruptError, "corrupt ZIP"),
        (cfb_bytes("EncryptionInfo", "EncryptedPackage"), DocumentEncryptedError, "password"),
        (cfb_bytes("WordDocument", "1Table"), UnsupportedDocumentTypeError, "convert it to DOCX"),
        (cfb_bytes("Workbook"), UnsupportedDocumentTypeError, "convert it to XLSX"),
        (cfb_bytes("PowerPoint Document"), UnsupportedDocumentTypeError, "convert it to PPTX"),
        (cfb_bytes("__substg1.0_0037001F"), UnsupportedDocumentTypeError, ".eml"),
        (cfb_bytes("Something"), UnsupportedDocumentTypeError, "OLE compound file"),
        (
            damaged_cfb_bytes("EncryptionInfo", "EncryptedPackage"),
            DocumentEncryptedError,
            "password",
        ),
        (damaged_cfb_bytes("Workbook"), UnsupportedDocumentTypeError, "convert it to XLSX"),
        (b"{\\rtf1\\ansi Hello}", UnsupportedDocumentTypeError, "RTF"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, UnsupportedDocumentTypeError, "gzip"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20, UnsupportedDocumentTypeError, "HEIC"),
    ],
)
def test_what_no_loader_reads_is_refused_naming_what_was_found(
    data: bytes, error: type[DocumentError], words: str
) -> None:
    with pytest.raises(error) as raised:
        sniff(data, filename="upload.docx", mime_type=None)
    assert type(raised.value) is error
    assert words.lower() in raised.value.message.lower()


def test_text_starting_with_bm_is_not_a_bitmap() -> None:
    assert sniff(b"BMW invoice\nTotal 12\n", filename="a", mime_type=None).format == "text"


def test_compound_file_directory_is_read_through_its_fat() -> None:
    data = compound_file({f"Stream{n}": bytes([n]) * 5000 for n in range(6)})
    assert stream_names(data) == ["Root Entry", *(f"Stream{n}" for n in range(6))]


def test_a_legacy_document_mentioning_the_encryption_streams_is_not_encrypted() -> None:
    text = "EncryptionInfo and EncryptedPackage are stream names".encode("utf-16-le")
    data = compound_file({"WordDocument": text, "1Table": b""})
    with pytest.raises(UnsupportedDocumentTypeError, match="legacy Word"):
        sniff(data, filename="notes.doc", mime_type=None)


def test_a_compound_file_whose_directory_chain_loops_is_still_refused_quickly() -> None:
    data = bytearray(compound_file({"Workbook": b"x"}))
    fat_entry_of_directory = 512 + 4 * 1  # the directory is sector 1: point it at itself
    data[fat_entry_of_directory : fat_entry_of_directory + 4] = (1).to_bytes(4, "little")
    with pytest.raises(UnsupportedDocumentTypeError, match="legacy Excel"):
        sniff(bytes(data), filename="book.xls", mime_type=None)  # by the names in the bytes
