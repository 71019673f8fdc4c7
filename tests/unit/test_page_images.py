"""Page images for vision models: PDF pages rendered as PNG, images re-encoded, others none."""

from __future__ import annotations

import io

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from jobstream.documents.loaders.render import MAX_SIDE_PX, render_page_png, render_pages_png


def pdf(pages: int) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    for number in range(1, pages + 1):
        page.drawString(72, 720, f"Page {number}")
        page.showPage()
    page.save()
    return out.getvalue()


def size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.size


def test_pdf_pages_render_at_the_resolution_asked() -> None:
    data = pdf(3)
    width, height = size(render_page_png(data, page=2, dpi=72))
    assert (round(width / 2), height) == (298, 842)  # A4 is 595.3 x 841.9 points
    assert size(render_page_png(data, page=1, dpi=144))[1] == 1684


def test_the_first_pages_only_and_never_larger_than_the_cap() -> None:
    images = render_pages_png(pdf(3), 2, 300)
    assert len(images) == 2
    assert all(max(size(png)) <= MAX_SIDE_PX for png in images)


def test_images_are_re_encoded_as_png() -> None:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="JPEG")
    (png,) = render_pages_png(out.getvalue(), 5, 150)
    assert size(png) == (40, 30)


def test_formats_without_page_images_give_none() -> None:
    assert render_pages_png(b"plain text, not a picture", 3, 150) == ()
    assert render_pages_png(b"%PDF-1.7 truncated", 3, 150) == ()
    assert render_pages_png(pdf(1), 0, 150) == ()
