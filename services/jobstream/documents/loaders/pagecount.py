"""Page counts of PDFs and images, for `page_count` while the PDF and image loaders do not offer
their own: a PDF's page tree (pypdfium2, no page parsed) and a multi-frame image's frames."""

from __future__ import annotations

import io

import pypdfium2
import pypdfium2.raw as pypdfium2_raw
from PIL import Image, UnidentifiedImageError

from jobstream.documents.errors import DocumentCorruptError, DocumentEncryptedError


def pdf_pages(data: bytes) -> int:
    """The page count, refusing what `pdf.load_pdf` refuses: truncated, encrypted, unreadable."""
    if b"%%EOF" not in data[-4096:]:
        raise DocumentCorruptError("truncated PDF: the end-of-file marker is missing")
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if exc.err_code == pypdfium2_raw.FPDF_ERR_PASSWORD:
            raise DocumentEncryptedError(
                "encrypted PDF: it cannot be opened without its password"
            ) from exc
        raise DocumentCorruptError(f"corrupt PDF: PDFium cannot open it ({exc})") from exc
    try:
        return len(document)
    finally:
        document.close()


def images_pages(data: bytes) -> int:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(getattr(image, "n_frames", 1)) if image.format == "TIFF" else 1
    except (UnidentifiedImageError, OSError) as exc:
        raise DocumentCorruptError(f"corrupt image: {exc}") from exc
