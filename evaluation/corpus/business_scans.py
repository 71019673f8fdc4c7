"""Business documents as scans: each PDF page rendered to a greyscale image (pypdfium2, through
`scans.render_pages`) and stored as an image-only PDF, so the loader has to OCR it."""

from __future__ import annotations

import io

from evaluation.corpus.scans import render_pages

SCAN_DPI = 200


def scanned(pdf: bytes, *, dpi: int = SCAN_DPI) -> bytes:
    """`pdf`'s pages as an image-only PDF at `dpi` (no text layer)."""
    images = render_pages(pdf, dpi=dpi)
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return buffer.getvalue()
