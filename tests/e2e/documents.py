"""Documents the end-to-end tests send, generated with the formats' own libraries: good ones a
new user would try (a text PDF, a scan, a phone photo, a DOCX, an XLSX) and bad ones (encrypted,
truncated, garbage, unknown, too many pages, decompression bombs)."""

from __future__ import annotations

import base64
import io
import zipfile

import docx
import openpyxl
import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

LINES = (
    "Invoice INV-2026-0042",
    "Bill to: Northwind Traders",
    "Delivery within fourteen days",
    "Total due: 1,234.56 EUR",
)


def data_url(data: bytes, mime_type: str) -> str:
    return f"data:{mime_type};base64," + base64.b64encode(data).decode()


def text_pdf(lines: tuple[str, ...] = LINES, *, pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    for number in range(pages):
        canvas.setFont("Helvetica", 18)
        for i, line in enumerate(lines):
            canvas.drawString(
                72, A4[1] - 100 - 36 * i, line if number == 0 else f"{line} p{number + 1}"
            )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def page_images(pdf: bytes, *, dpi: int = 200) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in document]
    finally:
        document.close()


def scanned_pdf(lines: tuple[str, ...] = LINES, *, pages: int = 1, dpi: int = 200) -> bytes:
    """An image-only PDF: the text PDF's pages as pictures, no text layer."""
    images = [image.convert("L") for image in page_images(text_pdf(lines, pages=pages), dpi=dpi)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return buffer.getvalue()


def phone_photo(lines: tuple[str, ...] = LINES) -> bytes:
    """The page photographed: turned 2 degrees, grey background, blurred, noisy, JPEG."""
    page = page_images(text_pdf(lines), dpi=200)[0].convert("L")
    turned = page.rotate(2.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=200)
    soft = turned.filter(ImageFilter.GaussianBlur(0.6))
    noisy = Image.blend(soft, Image.effect_noise(soft.size, 40), 0.08)  # deterministic noise
    buffer = io.BytesIO()
    noisy.convert("RGB").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def docx_file(lines: tuple[str, ...] = LINES) -> bytes:
    document = docx.Document()
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


XLSX_ROWS = (("Item", "Qty", "Price"), ("Widget", 2, 3.5), ("Gadget", 1, 10))


def xlsx_file() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Invoice"
    for row in XLSX_ROWS:
        sheet.append(list(row))
    sheet.append(["Total", "=SUM(B2:B3)", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="secret")
    return bytes(pdf.output())


def many_pages_pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(pages):
        pdf.add_page()
        pdf.cell(text=f"page {number + 1}")
    return bytes(pdf.output())


def pixel_bomb_png(side: int) -> bytes:
    """A blank `side`x`side` PNG: a few kilobytes that decode to side² pixels."""
    buffer = io.BytesIO()
    Image.new("1", (side, side), 1).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def zip_bomb_docx(unpacked_bytes: int) -> bytes:
    """A DOCX whose main part inflates to `unpacked_bytes` (of spaces) from a small file."""
    buffer = io.BytesIO()
    good = zipfile.ZipFile(io.BytesIO(docx_file()))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in good.infolist():
            body = good.read(item)
            if item.filename == "word/document.xml":
                head, _, tail = body.partition(b"<w:body>")
                body = head + b"<w:body>" + b" " * unpacked_bytes + tail
            bomb.writestr(item.filename, body)
    return buffer.getvalue()
