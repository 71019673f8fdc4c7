"""PDF → Document: the text layer where a page has one, OCR where it does not.

Opened with PDFium (pypdfium2). Each page in the requested range is read from its text layer
(loaders/pdf_text.py: words with boxes) and laid out (documents/layout.py: columns, reading order,
paragraphs, headings), with the ruled tables its vector paths draw placed where they stand
(loaders/pdf_rulings.py). A page whose text layer is missing, nearly empty or
garbage, or that is a page-sized image under a few words of real text (a stamp on a scan), is
rendered at `image_resolution_dpi` and OCR'd (page.source = "ocr"); the Tesseract time of those
pages is `metadata["ocr_seconds"]` (absent when no page was OCR'd).

Refused: bytes that are not a PDF, or truncated (no `%%EOF`, or objects after the last one), or
that PDFium cannot open → `DocumentCorruptError`; a PDF needing a password →
`DocumentEncryptedError` (one encrypted with an empty user password opens without asking, as in
every viewer, and is read); more pages than `max_pages` (the whole document's count) →
`DocumentTooLargeError`, as is a page that would render to more than `max_image_pixels`.
"""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from jobstream.documents.errors import (
    DocumentCorruptError,
    DocumentEncryptedError,
    DocumentTooLargeError,
)
from jobstream.documents.layout import page_blocks
from jobstream.documents.loaders.ocr import OcrLanguages
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.pdf_rulings import find_tables
from jobstream.documents.loaders.pdf_text import PageText, read_page_text
from jobstream.documents.loaders.picture import ocr_picture
from jobstream.documents.model import Document, Page

MIME_TYPE = "application/pdf"
STAMP_MAX_CHARS = 200  # a text layer this small over a page-sized image is a stamp on a scan
_METADATA_KEYS = {"Title": "title", "Author": "author", "Subject": "subject"}
_METADATA_KEYS |= {"Keywords": "keywords", "Creator": "creator", "Producer": "producer"}


def _truncated(data: bytes) -> bool:
    """No end-of-file marker, or PDF objects after the last one (an update cut off). Junk after
    the marker (padding, a signature blob) is tolerated, as viewers do."""
    end = data.rfind(b"%%EOF")
    return end < 0 or re.search(rb"\d+\s+\d+\s+obj\b", data[end:]) is not None


def _open(data: bytes) -> pdfium.PdfDocument:
    if b"%PDF-" not in data[:1024]:
        raise DocumentCorruptError("not a PDF: the %PDF- header is missing")
    if _truncated(data):
        raise DocumentCorruptError("truncated PDF: the end-of-file marker is missing")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentEncryptedError(
                "encrypted PDF: it cannot be opened without its password"
            ) from exc
        raise DocumentCorruptError(f"corrupt PDF: PDFium cannot open it ({exc})") from exc


def page_count(data: bytes) -> int:
    """The PDF's page count (its page tree only, no page parsed); refuses what load_pdf refuses."""
    pdf = _open(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def page_range(total: int, options: LoadOptions) -> range:
    """The 1-based page numbers to load: the options' range clamped to the document."""
    if total > options.max_pages:
        raise DocumentTooLargeError(
            f"too many pages: the document has {total} pages, the limit is {options.max_pages}"
        )
    first = max(1, options.first_page)
    last = min(total, options.last_page if options.last_page is not None else total)
    return range(first, last + 1)


def _render_for_ocr(
    page: pdfium.PdfPage, width: float, height: float, options: LoadOptions
) -> Image.Image:
    dpi = max(96, min(300, options.image_resolution_dpi))
    scale = dpi / 72
    pixels = round(width * scale) * round(height * scale)
    if pixels > options.max_image_pixels:
        raise DocumentTooLargeError(
            f"page too large: rendering it at {dpi} dpi takes {pixels} pixels, "
            f"the limit is {options.max_image_pixels}"
        )
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        picture: Image.Image = bitmap.to_pil().copy()  # owns its pixels: the bitmap can go
        return picture
    finally:
        bitmap.close()


def _load_page(
    pdf: pdfium.PdfDocument, number: int, options: LoadOptions, languages: OcrLanguages,
) -> Page:  # fmt: skip
    page = pdf[number - 1]
    try:
        text = read_page_text(page)
        if (text.usable and not _scan_with_stamp(page, text)) or not options.ocr:
            found = (
                find_tables(page, text.words, width=text.width, height=text.height)
                if text.usable
                else []
            )
            blocks = page_blocks(text.words, width=text.width, height=text.height, tables=found)
            return Page(number, "text_layer", blocks, width=text.width, height=text.height)
        picture = _render_for_ocr(page, text.width, text.height, options)
        dpi = max(96, min(300, options.image_resolution_dpi))
        blocks, _, _ = ocr_picture(picture, languages=languages, dpi=dpi)
        return Page(number, "ocr", blocks, width=text.width, height=text.height)
    finally:
        page.close()


def _scan_with_stamp(page: pdfium.PdfPage, text: PageText) -> bool:
    """A little text over an image covering most of the page: a scan with a stamp, header or
    Bates number in real text, whose body is in the picture."""
    if text.visible_chars >= STAMP_MAX_CHARS:
        return False
    page_area = max(text.width * text.height, 1.0)
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = image.get_bounds()
        if (right - left) * (top - bottom) >= 0.5 * page_area:
            return True
    return False


def load_pdf(data: bytes, *, options: LoadOptions) -> Document:
    """Every page in the options' range, from its text layer or by OCR."""
    pdf = _open(data)
    try:
        numbers = page_range(len(pdf), options)
        languages = OcrLanguages(options.ocr_languages)
        try:
            pages = tuple(_load_page(pdf, n, options, languages) for n in numbers)
        except pdfium.PdfiumError as exc:
            raise DocumentCorruptError(f"corrupt PDF: a page cannot be read ({exc})") from exc
        metadata = {
            name: str(value).strip()
            for key, name in _METADATA_KEYS.items()
            if (value := pdf.get_metadata_value(key)) and str(value).strip()
        } | languages.ocr_metadata()
    finally:
        pdf.close()
    return Document(
        pages=pages, mime_type=MIME_TYPE, filename="document.pdf", format="pdf",
        languages=languages.used, metadata=metadata,
    )  # fmt: skip
