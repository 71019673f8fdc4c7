"""The annotated copy of a form: every field outlined and numbered (reportlab overlay merged by
pypdf), so a person can check at a glance what template generation found."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from jobstream.engines.port import FormFieldSpec

OUTLINE = (0.85, 0.1, 0.1)
TAG_SIZE = 6.5


def annotate_fields(data: bytes, *, fields: list[FormFieldSpec]) -> bytes:
    """`data` with each field's box outlined in red and its number (1-based) at its top left."""
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    for number in sorted({f.page for f in fields}):
        page = reader.pages[number - 1]
        crop, media = page.cropbox, page.mediabox
        width, height = float(crop.width), float(crop.height)
        buffer = io.BytesIO()
        overlay = canvas.Canvas(buffer, pagesize=(float(media.right), float(media.top)))
        overlay.setStrokeColorRGB(*OUTLINE)
        overlay.setFillColorRGB(*OUTLINE)
        overlay.setLineWidth(0.8)
        overlay.setFont("Helvetica-Bold", TAG_SIZE)
        for index, field in enumerate(fields, start=1):
            if field.page != number:
                continue
            x = float(crop.left) + field.box.left * width
            top = float(crop.top) - field.box.top * height
            box_height = field.box.height * height
            overlay.rect(x, top - box_height, field.box.width * width, box_height)
            overlay.drawString(x + 0.5, top + 1, str(index))
        overlay.save()
        writer.pages[number - 1].merge_page(PdfReader(buffer).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
