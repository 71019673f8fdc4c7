"""Office files and email made with their own libraries (python-docx, openpyxl, python-pptx,
stdlib email, reportlab for a PDF attachment), each with the lines and cells a reader sees.

Deterministic: fixed content, fixed ZIP member times and document dates, fixed MIME boundaries.
openpyxl never computes formulas and writes them without a cached value, so the workbook's
formula cell gets the value Excel would have cached patched into the sheet XML (`<v>`); the XLSX
loader must show that value, as Excel does on opening.
"""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage

import docx
import openpyxl
import pptx
from docx.enum.text import WD_BREAK
from pptx.util import Inches
from reportlab.pdfgen import canvas

from evaluation.corpus.labeled import NativePage, NativeSample, deterministic_zip
from evaluation.corpus.texts import text_samples

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

REPORT_HEADER = "Northwind Traders — Quarterly Report"
REPORT_FOOTER = "Confidential: for internal use only"
REGIONS = (("Region", "Revenue", "Growth"), ("Europe", "1.234.567 €", "+12 %"),
           ("Americas", "$2,345,678", "+8 %"), ("Asia-Pacific", "987.654 €", "-3 %"))  # fmt: skip


def report_docx() -> NativeSample:
    """Two pages (an explicit page break): title, headings, paragraphs, list, table, margins."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = REPORT_HEADER
    section.footer.paragraphs[0].text = REPORT_FOOTER
    document.add_heading("Quarterly Report Q3 2026", 0)
    document.add_heading("Summary", 1)
    document.add_paragraph("Revenue grew in every region except Asia-Pacific.")
    document.add_paragraph("Shipping costs fell by a fifth after the new contract.")
    document.add_paragraph("Open a second warehouse in Rotterdam", style="List Bullet")
    document.add_paragraph("Renegotiate the freight rates for 2027", style="List Number")
    table = document.add_table(rows=len(REGIONS), cols=3)
    for row, values in zip(table.rows, REGIONS, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_heading("Outlook", 2)
    closing = document.add_paragraph("The board approved the budget on 13 October 2026.")
    closing.add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("Appendix", 1)
    document.add_paragraph("Figures are unaudited and rounded to whole units.")
    buffer = io.BytesIO()
    document.save(buffer)
    margins = (REPORT_HEADER, REPORT_FOOTER)
    page_one = (
        "Quarterly Report Q3 2026", "Summary", "Revenue grew in every region except Asia-Pacific.",
        "Shipping costs fell by a fifth after the new contract.",
        "Open a second warehouse in Rotterdam", "Renegotiate the freight rates for 2027", "Outlook",
        "The board approved the budget on 13 October 2026.",
    )  # fmt: skip
    page_two = ("Appendix", "Figures are unaudited and rounded to whole units.")
    return NativeSample(
        name="docx-report", format="docx", filename="report.docx", mime_type=DOCX_MIME,
        data=deterministic_zip(buffer.getvalue()),
        pages=(
            NativePage(lines=(margins[0], *page_one, margins[1]), tables=(REGIONS,)),
            NativePage(lines=(margins[0], *page_two, margins[1])),
        ),
    )  # fmt: skip


def ledger_xlsx() -> NativeSample:
    """Two sheets: invoices with dates, amounts, a percentage and a SUM formula; customers."""
    workbook = openpyxl.Workbook()
    workbook.properties.created = workbook.properties.modified = dt.datetime(2026, 1, 1)
    invoices = workbook.active
    invoices.title = "Invoices"
    invoices.append(["Invoice", "Date", "Amount", "VAT rate"])
    for number, day, amount in (("A-101", 13, 1234.5), ("A-102", 14, 99.99), ("A-103", 15, 2400)):
        invoices.append([number, dt.date(2026, 10, day), amount, 0.21])
    invoices.append(["Total", None, "=SUM(C2:C4)", None])
    for row in range(2, 6):
        invoices[f"B{row}"].number_format = "dd.mm.yyyy"
        invoices[f"C{row}"].number_format = "#,##0.00"
        invoices[f"D{row}"].number_format = "0%"
    customers = workbook.create_sheet("Customers")
    customers["B2"], customers["C2"] = "Customer", "Country"  # data away from A1
    customers["B3"], customers["C3"] = "Müller GmbH", "Deutschland"
    customers["B4"], customers["C4"] = "Łódź Logistics", "Polska"
    buffer = io.BytesIO()
    workbook.save(buffer)
    cached = [(b"<f>SUM(C2:C4)</f><v></v>", b"<f>SUM(C2:C4)</f><v>3734.49</v>")]
    invoice_rows = (
        ("Invoice", "Date", "Amount", "VAT rate"), ("A-101", "13.10.2026", "1,234.50", "21%"),
        ("A-102", "14.10.2026", "99.99", "21%"), ("A-103", "15.10.2026", "2,400.00", "21%"),
        ("Total", "", "3,734.49", ""),
    )  # fmt: skip
    customer_rows = (
        ("Customer", "Country"), ("Müller GmbH", "Deutschland"), ("Łódź Logistics", "Polska"),
    )  # fmt: skip
    return NativeSample(
        name="xlsx-ledger", format="xlsx", filename="ledger.xlsx", mime_type=XLSX_MIME,
        data=deterministic_zip(buffer.getvalue(), patches={"xl/worksheets/sheet1.xml": cached}),
        pages=(
            NativePage(lines=(), tables=(invoice_rows,), label="Invoices"),
            NativePage(lines=(), tables=(customer_rows,), label="Customers"),
        ),
    )  # fmt: skip


def deck_pptx() -> NativeSample:
    """Three slides: a title slide, bullets, and a table with a note box."""
    presentation = pptx.Presentation()
    first = presentation.slides.add_slide(presentation.slide_layouts[0])
    first.shapes.title.text = "Fleet Renewal 2027"
    first.placeholders[1].text = "Board meeting, 13 October 2026"
    second = presentation.slides.add_slide(presentation.slide_layouts[1])
    second.shapes.title.text = "Why now"
    second.placeholders[1].text = "Fuel costs up 18 %\nMaintenance backlog of 42 trucks"
    third = presentation.slides.add_slide(presentation.slide_layouts[5])
    third.shapes.title.text = "Costs by year"
    rows = (("Year", "Trucks", "Cost"), ("2027", "40", "6.2 M€"), ("2028", "35", "5.1 M€"))
    shape = third.shapes.add_table(3, 3, Inches(1), Inches(2), Inches(6), Inches(1.5))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            shape.table.cell(r, c).text = value
    note = third.shapes.add_textbox(Inches(1), Inches(5), Inches(6), Inches(0.5))
    note.text_frame.text = "Prices exclude VAT"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return NativeSample(
        name="pptx-deck", format="pptx", filename="deck.pptx", mime_type=PPTX_MIME,
        data=deterministic_zip(buffer.getvalue()),
        pages=(
            NativePage(lines=("Fleet Renewal 2027", "Board meeting, 13 October 2026"),
                       label="slide 1"),
            NativePage(lines=("Why now", "Fuel costs up 18 %", "Maintenance backlog of 42 trucks"),
                       label="slide 2"),
            NativePage(lines=("Costs by year", "Prices exclude VAT"), tables=(rows,),
                       label="slide 3"),
        ),
    )  # fmt: skip


def attachment_pdf() -> bytes:
    """A one-page text PDF (reportlab, invariant mode: the same bytes every run)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    page.setFont("Helvetica", 12)
    page.drawString(72, 760, "Delivery note DN-5521")
    page.drawString(72, 740, "Delivered 12 pallets to Rotterdam")
    page.save()
    return buffer.getvalue()


def mail_eml() -> NativeSample:
    """An email with a text and HTML body and DOCX, PDF and CSV attachments."""
    message = EmailMessage()
    message["From"] = "Anna Kowalska <anna@example.com>"
    message["To"] = "orders@example.com"
    message["Subject"] = "Delivery for order 4711"
    message["Date"] = "Tue, 13 Oct 2026 09:30:00 +0200"
    message["Message-ID"] = "<order-4711@example.com>"
    message.set_content("Hello,\n\nthe delivery for order 4711 left today.\nBest regards,\nAnna\n")
    message.add_alternative("<p>Hello,</p><p>the delivery for order <b>4711</b> left today.</p>",
                            subtype="html")  # fmt: skip
    letter = report_docx()
    message.add_attachment(letter.data, maintype="application", subtype=DOCX_MIME.split("/")[1],
                           filename="report.docx")  # fmt: skip
    message.add_attachment(attachment_pdf(), maintype="application", subtype="pdf",
                           filename="delivery-note.pdf")  # fmt: skip
    message.add_attachment("Pallet;Weight\nP-1;480 kg\nP-2;515 kg\n", subtype="csv",
                           filename="pallets.csv")  # fmt: skip
    for number, part in enumerate(part for part in message.walk() if part.is_multipart()):
        part.set_boundary(f"==jobstream-corpus-{number}==")
    headers = (
        "From: Anna Kowalska <anna@example.com>", "To: orders@example.com",
        "Subject: Delivery for order 4711", "Date: Tue, 13 Oct 2026 09:30:00 +0200",
    )  # fmt: skip
    body = ("Hello,", "the delivery for order 4711 left today.", "Best regards,", "Anna")
    docx_pages = tuple(
        NativePage(lines=page.lines, tables=page.tables, label="attachment: report.docx")
        for page in letter.pages
    )
    pdf_page = NativePage(lines=("Delivery note DN-5521", "Delivered 12 pallets to Rotterdam"),
                          label="attachment: delivery-note.pdf")  # fmt: skip
    pallets = (("Pallet", "Weight"), ("P-1", "480 kg"), ("P-2", "515 kg"))
    csv_page = NativePage(lines=(), tables=(pallets,), label="attachment: pallets.csv")
    return NativeSample(
        name="eml-with-attachments", format="eml", filename="delivery.eml",
        mime_type="message/rfc822", data=message.as_bytes(),
        pages=(NativePage(lines=(*headers, *body), label="email"), *docx_pages, pdf_page, csv_page),
    )  # fmt: skip


def office_samples() -> list[NativeSample]:
    return [report_docx(), ledger_xlsx(), deck_pptx(), mail_eml()]


def corpus() -> list[NativeSample]:
    """Every native-format sample: office files, email, and the text formats (texts.py)."""
    from evaluation.corpus.office_variants import variant_samples  # it imports this module

    return [*office_samples(), *variant_samples(), *text_samples()]
