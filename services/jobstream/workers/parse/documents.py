"""Document parsing: a decoded document's bytes into per-page text. Pure functions, no network.

PDFs are read page by page with pypdf; plain text, Markdown, HTML, CSV and JSON make one page each.
Failures are typed: `UnsupportedDocumentError` (code `unsupported_document`) for formats or sizes
this parser does not handle, `CorruptDocumentError` (code `corrupt_document`) for documents that
claim a supported format but cannot be read (truncated or encrypted PDF, malformed CSV or JSON).
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import ClassVar, Final

from pypdf import PasswordType, PdfReader

from jobstream.core.documents import DecodedDocument

PDF_MIME_TYPE: Final = "application/pdf"
DEFAULT_MAX_PAGES: Final = 2000
_TEXT_TYPES: Final = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
_HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
_CSV_TYPES: Final = frozenset({"text/csv", "application/csv"})
_JSON_TYPES: Final = frozenset({"application/json"})
# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DocumentParseError(Exception):
    """A document that could not be parsed; `code` is the error code reported to the client."""

    code: ClassVar[str] = "parse_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedDocumentError(DocumentParseError):
    """A format (or size) this parser does not handle."""

    code: ClassVar[str] = "unsupported_document"


class CorruptDocumentError(DocumentParseError):
    """A document in a supported format that cannot be read."""

    code: ClassVar[str] = "corrupt_document"


@dataclass(frozen=True)
class ParsedDocument:
    """The text of a document: one string per page, and all pages joined by blank lines."""

    pages: list[str]
    text: str
    mime_type: str


def parse_document(
    doc: DecodedDocument,
    *,
    table_parsing_format: str = "html",
    max_pages: int = DEFAULT_MAX_PAGES,
) -> ParsedDocument:
    """Parse `doc` into pages of text.

    `table_parsing_format` ("html", "markdown", anything else for raw text) shapes CSV output;
    PDFs with more than `max_pages` pages are refused as unsupported.
    """
    mime_type = doc.mime_type.split(";", 1)[0].strip().lower()
    if mime_type == PDF_MIME_TYPE or doc.data[:1024].lstrip().startswith(b"%PDF-"):
        pages = _parse_pdf(doc.data, max_pages=max_pages)
        return ParsedDocument(pages=pages, text="\n\n".join(pages), mime_type=PDF_MIME_TYPE)
    if mime_type in _TEXT_TYPES:
        page = decode_text(doc.data)
    elif mime_type in _HTML_TYPES:
        page = html_to_text(decode_text(doc.data))
    elif mime_type in _CSV_TYPES:
        page = _render_csv(decode_text(doc.data), table_parsing_format)
    elif mime_type in _JSON_TYPES:
        page = _pretty_json(doc.data)
    else:
        raise UnsupportedDocumentError(
            f"unsupported document type {mime_type or '(none)'!r} for {doc.filename!r}; "
            "supported: PDF, plain text, Markdown, HTML, CSV and JSON"
        )
    return ParsedDocument(pages=[page], text=page, mime_type=mime_type)


# --- PDF -------------------------------------------------------------------------------------


def _parse_pdf(data: bytes, *, max_pages: int) -> list[str]:
    """One string per page. pypdf raises many exception types, so every one becomes corrupt."""
    reader, page_count = _open_pdf(data)
    if page_count > max_pages:
        raise UnsupportedDocumentError(
            f"too many pages: the PDF has {page_count} pages, the limit is {max_pages}"
        )
    pages: list[str] = []
    try:
        for page in reader.pages:
            pages.append(page.extract_text())
    except Exception as exc:
        raise CorruptDocumentError(
            f"corrupt PDF: cannot read page {len(pages) + 1} ({type(exc).__name__}: {exc})"
        ) from exc
    return pages


def _open_pdf(data: bytes) -> tuple[PdfReader, int]:
    """A reader for `data` (decrypted with the empty password if need be) and its page count."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise CorruptDocumentError("encrypted PDF: it cannot be opened without a password")
        return reader, len(reader.pages)
    except CorruptDocumentError:
        raise
    except Exception as exc:
        raise CorruptDocumentError(
            f"corrupt or truncated PDF: cannot open it ({type(exc).__name__}: {exc})"
        ) from exc


# --- text ------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Text bytes as a string: by their byte-order mark, else UTF-8, else Latin-1 (never fails)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --- HTML ------------------------------------------------------------------------------------

_SKIPPED_TAGS: Final = frozenset({"script", "style", "noscript", "template"})
# Elements set apart by a blank line, and elements that only start a new line.
_PARAGRAPH_TAGS: Final = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "ul", "ol", "dl"}
    | {"section", "article", "header", "footer", "nav", "aside", "main", "figure", "form"}
    | {"fieldset", "address", "hr", "title", "details"}
)
_LINE_TAGS: Final = frozenset(
    {"div", "li", "tr", "dt", "dd", "caption", "figcaption", "summary", "legend", "option"}
    | {"thead", "tbody", "tfoot", "body", "html"}
)
_CELL_TAGS: Final = frozenset({"td", "th"})
_SPACES: Final = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML document, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._newlines = 2  # trailing newlines written so far; the start counts as a break
        self._skipping = 0
        self._preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif self._skipping:
            return
        elif tag == "br":
            self._write_raw("\n")
        elif tag in _CELL_TAGS:
            self._write_inline(" ")
        else:
            self._break(tag)
            if tag == "pre":
                self._preformatted += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif not self._skipping:
            self._break(tag)
            if tag == "pre":
                self._preformatted = max(0, self._preformatted - 1)

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._preformatted:
            self._write_raw(data)
        else:
            self._write_inline(data)

    def text(self) -> str:
        self.close()
        text = re.sub(r"[ \t]+\n", "\n", "".join(self._parts))
        return re.sub(r"\n{3,}", "\n\n", text).strip()

    def _break(self, tag: str) -> None:
        wanted = 2 if tag in _PARAGRAPH_TAGS else 1 if tag in _LINE_TAGS else 0
        if wanted > self._newlines:
            self._write_raw("\n" * (wanted - self._newlines))

    def _write_inline(self, data: str) -> None:
        text = _SPACES.sub(" ", data)
        if self._newlines:
            text = text.lstrip(" ")
        if text:
            self._parts.append(text)
            self._newlines = 0

    def _write_raw(self, text: str) -> None:
        if not text:
            return
        self._parts.append(text)
        body = text.rstrip("\n")
        self._newlines = len(text) - len(body) + (self._newlines if not body else 0)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML document: no scripts or styles, block elements on new lines."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    return extractor.text()


# --- CSV and JSON ----------------------------------------------------------------------------


def _render_csv(text: str, table_parsing_format: str) -> str:
    """CSV as an HTML table, a Markdown table, or (any other format) the CSV text itself."""
    rows = _csv_rows(text)
    if table_parsing_format == "html":
        return _html_table(rows)
    if table_parsing_format == "markdown":
        return _markdown_table(rows)
    return text


def _csv_rows(text: str) -> list[list[str]]:
    """The non-blank rows of a CSV text, all padded to the same width."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = [row for row in reader if row]
    except csv.Error as exc:
        raise CorruptDocumentError(f"malformed CSV at line {reader.line_num}: {exc}") from exc
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def _html_table(rows: list[list[str]]) -> str:
    if not rows:
        return ""

    def cells(row: list[str], tag: str) -> str:
        return "".join(f"<{tag}>{html.escape(cell)}</{tag}>" for cell in row)

    lines = ["<table>", "<thead>", f"<tr>{cells(rows[0], 'th')}</tr>", "</thead>"]
    if len(rows) > 1:
        lines += ["<tbody>", *(f"<tr>{cells(row, 'td')}</tr>" for row in rows[1:]), "</tbody>"]
    lines.append("</table>")
    return "\n".join(lines)


def _markdown_table(rows: list[list[str]]) -> str:
    if not rows:
        return ""

    def line(row: list[str]) -> str:
        escaped = (re.sub(r"\r\n|\r|\n", "<br>", cell.replace("|", r"\|")) for cell in row)
        return "| " + " | ".join(escaped) + " |"

    separator = "| " + " | ".join("---" for _ in rows[0]) + " |"
    return "\n".join([line(rows[0]), separator, *(line(row) for row in rows[1:])])


def _pretty_json(data: bytes) -> str:
    try:
        value = json.loads(decode_text(data))
    except (ValueError, RecursionError) as exc:
        raise CorruptDocumentError(f"invalid JSON: {exc}") from exc
    return json.dumps(value, indent=2, ensure_ascii=False)
