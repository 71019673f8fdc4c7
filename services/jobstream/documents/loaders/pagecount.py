"""Page counts of PDFs and images, for `page_count` while the PDF and image loaders do not offer
their own: a PDF's page tree (pypdfium2, no page parsed) and a multi-frame image's frames."""

from __future__ import annotations

import io

import pypdfium2
from PIL import Image, UnidentifiedImageError

from jobstream.documents.errors import DocumentCorruptError, DocumentEncryptedError


def pdf_pages(data: bytes) -> int:
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise DocumentEncryptedError("the PDF is password-protected") from exc
        raise DocumentCorruptError(f"corrupt or truncated PDF: {exc}") from exc
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
