"""Page images for vision models: PDF pages rendered with pypdfium2, images re-encoded as PNG.

Runs in the worker's CPU pool (plain bytes in, bytes out). Formats that have no page image
(office files, text, HTML) give none: their text goes to the model alone.
"""

from __future__ import annotations

import io

import pypdfium2
from PIL import Image, UnidentifiedImageError

MAX_SIDE_PX = 2048  # what vision models downscale to anyway


def render_page_png(data: bytes, *, page: int, dpi: int) -> bytes:
    """One page (1-based) of a PDF as PNG at `dpi`, its longer side at most MAX_SIDE_PX."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        pdf_page = pdf[page - 1]
        width, height = pdf_page.get_size()  # points
        scale = min(dpi / 72, MAX_SIDE_PX / max(width, height, 1))
        image = pdf_page.render(scale=scale).to_pil()
        return _png(image)
    finally:
        pdf.close()


def render_pages_png(data: bytes, count: int, dpi: int) -> tuple[bytes, ...]:
    """The first `count` pages as PNG: PDF pages rendered, an image (every frame of a TIFF)
    re-encoded; () for anything else or for bytes that cannot be read."""
    if count <= 0:
        return ()
    if data[:1024].lstrip().startswith(b"%PDF-"):
        try:
            pages = len(pypdfium2.PdfDocument(data))
        except pypdfium2.PdfiumError:
            return ()
        return tuple(
            render_page_png(data, page=n, dpi=dpi) for n in range(1, min(count, pages) + 1)
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = []
            for index in range(min(count, getattr(image, "n_frames", 1))):
                image.seek(index)
                frames.append(_png(image.convert("RGB")))
            return tuple(frames)
    except (UnidentifiedImageError, OSError, ValueError):
        return ()


def _png(image: Image.Image) -> bytes:
    if max(image.size) > MAX_SIDE_PX:
        image = image.copy()
        image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
