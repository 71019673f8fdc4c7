"""The text PDFs of evaluation/corpus/pdfs.py as pictures: image-only ("scanned") PDFs, mixed
PDFs (one page scanned, with a line of real text stamped over the scan), "phone photos" and
multi-page TIFFs, each labeled with the lines of the page it shows. Deterministic: pages are
rendered with pypdfium2, noise comes from a seeded NumPy generator, and the JPEG, PNG and TIFF
encoders give the same bytes for the same pixels.

Photos: rotated 1-3 degrees (either way) on a slightly grey background, blurred a little,
Gaussian noise, JPEG quality 80. One photo is stored sideways with its EXIF orientation tag set
(6: "rotate 90 clockwise to view"), as a phone does; a loader must honour the tag.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from evaluation.corpus.pdfs import LabeledDocument, LabeledPage, form, prose, text_pdfs, two_column

EXIF_ORIENTATION = 0x0112


def render_pages(pdf: bytes, *, dpi: int) -> list[Image.Image]:
    """Every page of `pdf` as a greyscale image at `dpi`."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in document]
    finally:
        document.close()


def _image_pdf(images: list[Image.Image], *, dpi: int) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return buffer.getvalue()


def _as_scan(document: LabeledDocument) -> tuple[LabeledPage, ...]:
    return tuple(replace(page, source="ocr") for page in document.pages)


def scanned_pdf(document: LabeledDocument, *, dpi: int = 150) -> LabeledDocument:
    """`document`'s pages as an image-only PDF (no text layer at all)."""
    data = _image_pdf(render_pages(document.data, dpi=dpi), dpi=dpi)
    return replace(document, name=f"scan-{document.name}", data=data, pages=_as_scan(document))


def _stamped_scan(image: Image.Image, stamp: str) -> bytes:
    """A one-page PDF: `image` over the whole page and a line of real text on top (a scanner's
    or archive's stamp): a text layer, but not the page's text."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
    canvas.setFont("Helvetica", 8)
    canvas.drawString(20, A4[1] - 16, stamp)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def mixed_pdf(seed: int = 21, *, dpi: int = 150) -> LabeledDocument:
    """Three pages: text layer, a scan carrying a one-line text stamp, text layer."""
    text = prose(seed, "eng", pages=3)
    stamp = f"Scanned by the records office on 13 October 2026 batch {seed}"
    scan_page = _stamped_scan(render_pages(text.data, dpi=dpi)[1], stamp)
    source, scanned = pdfium.PdfDocument(text.data), pdfium.PdfDocument(scan_page)
    mixed = pdfium.PdfDocument.new()
    try:
        mixed.import_pages(source, [0])
        mixed.import_pages(scanned, [0])
        mixed.import_pages(source, [2])
        buffer = io.BytesIO()
        mixed.save(buffer)
    finally:
        for pdf in (mixed, source, scanned):
            pdf.close()
    middle = LabeledPage(lines=(stamp, *text.pages[1].lines), source="ocr")
    pages = (text.pages[0], middle, text.pages[2])
    return replace(text, name=f"mixed-{seed}", data=buffer.getvalue(), pages=pages)


def _photo_pixels(image: Image.Image, rng: random.Random, seed: int) -> Image.Image:
    angle = rng.uniform(1.0, 3.0) * rng.choice((-1, 1))
    background = rng.randint(200, 225)
    tilted = image.convert("L").rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=background
    )
    blurred = tilted.filter(ImageFilter.GaussianBlur(radius=0.6))
    pixels = np.asarray(blurred, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0.0, 10.0, pixels.shape)
    noisy = np.clip(pixels * 0.92 + 12 + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(noisy, mode="L").convert("RGB")


def photo(
    document: LabeledDocument, *, seed: int, dpi: int = 200, sideways: bool = False
) -> LabeledDocument:
    """The first page of `document` as a phone photo (JPEG), optionally stored sideways + EXIF."""
    rng = random.Random(seed)
    picture = _photo_pixels(render_pages(document.data, dpi=dpi)[0], rng, seed)
    exif = Image.Exif()
    if sideways:
        picture = picture.rotate(90, expand=True)  # counter-clockwise: stored as a phone would
        exif[EXIF_ORIENTATION] = 6
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80, exif=exif.tobytes())
    name = f"photo{'-sideways' if sideways else ''}-{document.name}"
    pages = (replace(document.pages[0], source="ocr"),)
    return replace(document, name=name, data=buffer.getvalue(), mime_type="image/jpeg", pages=pages)


def tiff(document: LabeledDocument, *, dpi: int = 150) -> LabeledDocument:
    """`document`'s pages as one multi-page TIFF (deflate-compressed greyscale)."""
    images = render_pages(document.data, dpi=dpi)
    buffer = io.BytesIO()
    images[0].save(
        buffer, "TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate",
        dpi=(dpi, dpi),
    )  # fmt: skip
    return replace(
        document, name=f"tiff-{document.name}", data=buffer.getvalue(), mime_type="image/tiff",
        pages=_as_scan(document),
    )  # fmt: skip


def ocr_corpus(seed: int = 7) -> list[LabeledDocument]:
    """The OCR corpus: a scan of each layout, a mixed PDF, photos (one sideways), a 2-page TIFF."""
    prose_doc, two_col, invoice = prose(seed, "eng"), two_column(seed + 3), form(seed + 4)
    return [
        scanned_pdf(prose_doc), scanned_pdf(two_col), scanned_pdf(invoice),
        mixed_pdf(seed + 14),
        photo(prose(seed + 5, "eng"), seed=seed), photo(invoice, seed=seed + 1, sideways=True),
        tiff(prose(seed + 6, "eng", pages=2)),
    ]  # fmt: skip


def full_corpus(seed: int = 7) -> list[LabeledDocument]:
    """Text PDFs and their pictures: what `make eval` scores."""
    return [*text_pdfs(seed), *ocr_corpus(seed)]
