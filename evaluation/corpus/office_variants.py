"""Second samples of each office format, built differently from office.py so no loader passes on
one document's shape: a German DOCX with merged and nested table cells, a first-page header
(whose page then has the empty first-page footer, as Word prints it) and a content control; a
workbook with currencies, negatives, a hidden sheet and a cached text formula; slides with a
group, side-by-side boxes and speaker notes; an HTML-only email with an embedded image and an
attached email carrying a workbook.
"""

from __future__ import annotations

import datetime as dt
import io
from email import message_from_bytes, policy
from email.message import EmailMessage

import docx
import openpyxl
import pptx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from pptx.util import Inches

from evaluation.corpus.labeled import NativePage, NativeSample, deterministic_zip
from evaluation.corpus.office import PPTX_MIME, XLSX_MIME


def invoice_docx() -> NativeSample:
    document = docx.Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Müller & Söhne GmbH · Hauptstraße 5 · Köln"
    section.header.paragraphs[0].text = "Rechnung RE-2026-0417 (Fortsetzung)"
    section.footer.paragraphs[0].text = "Bankverbindung: IBAN DE89 3704 0044 0532 0130 00"
    document.add_heading("Rechnung RE-2026-0417", 1)
    document.add_paragraph("Rechnungsdatum: 13.10.2026")
    table = document.add_table(rows=4, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Leistungen im Oktober"
    for row, values in enumerate((("Position", "Menge", "Betrag"),
                                  ("Beratung", "12 h", "1.440,00 €")), start=1):  # fmt: skip
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    table.cell(3, 0).text = "Reisekosten"
    nested = table.cell(3, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text, nested.cell(0, 1).text = "Bahn", "Hotel"
    table.cell(3, 2).text = "310,50 €"
    document.add_heading("Zahlungsbedingungen", 3)
    document.add_paragraph("Zahlbar innerhalb von 14 Tagen ohne Abzug.", style="List Number")
    document.element.body.insert(len(document.element.body) - 1, parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtPr><w:alias w:val='Gruss'/></w:sdtPr><w:sdtContent><w:p>"
        "<w:r><w:t>Mit freundlichen Grüßen</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    ))  # fmt: skip
    buffer = io.BytesIO()
    document.save(buffer)
    rows = (
        ("Leistungen im Oktober",), ("Position", "Menge", "Betrag"),
        ("Beratung", "12 h", "1.440,00 €"), ("Reisekosten", "Bahn Hotel", "310,50 €"),
    )  # fmt: skip
    lines = ("Müller & Söhne GmbH · Hauptstraße 5 · Köln", "Rechnung RE-2026-0417",
             "Rechnungsdatum: 13.10.2026", "Zahlungsbedingungen",
             "Zahlbar innerhalb von 14 Tagen ohne Abzug.", "Mit freundlichen Grüßen")  # fmt: skip
    return NativeSample(
        name="docx-invoice-de", format="docx", filename="rechnung.docx", mime_type=None,
        data=deterministic_zip(buffer.getvalue()),
        pages=(NativePage(lines=lines, tables=(rows,),
                          absent=("Fortsetzung", "Bankverbindung")),),
    )  # fmt: skip


def finance_xlsx() -> NativeSample:
    workbook = openpyxl.Workbook()
    workbook.properties.created = workbook.properties.modified = dt.datetime(2026, 1, 1)
    sheet = workbook.active
    sheet.title = "Q3 2026"
    sheet.append(["Account", "Balance", "Change", "Booked"])
    sheet.append(["Cash", 15230.5, 0.0425, dt.datetime(2026, 9, 30, 17, 45)])
    sheet.append(["Loans", -4800, -0.1, dt.datetime(2026, 9, 30, 9, 5)])
    sheet.append(["Status", '=IF(B2>0,"solvent","insolvent")', None, None])
    for row in (2, 3):
        sheet[f"B{row}"].number_format = '#,##0.00 "€";(#,##0.00 "€")'
        sheet[f"C{row}"].number_format = "0.00%"
        sheet[f"D{row}"].number_format = "d mmm yyyy hh:mm"
    hidden = workbook.create_sheet("Rates")
    hidden.sheet_state = "hidden"
    hidden.append(["Currency", "Rate"])
    hidden.append(["USD", 1.0925])
    buffer = io.BytesIO()
    workbook.save(buffer)
    formula = b'<f>IF(B2&gt;0,"solvent","insolvent")</f><v></v>'
    patch = [(b'<c r="B4">' + formula, b'<c r="B4" t="str">' + formula.replace(
        b"<v></v>", b"<v>solvent</v>"))]  # fmt: skip
    rows = (("Account", "Balance", "Change", "Booked"),
            ("Cash", "15,230.50 €", "4.25%", "30 Sep 2026 17:45"),
            ("Loans", "(4,800.00 €)", "-10.00%", "30 Sep 2026 09:05"),
            ("Status", "solvent", "", ""))  # fmt: skip
    return NativeSample(
        name="xlsx-finance", format="xlsx", filename="finance.xlsx", mime_type=XLSX_MIME,
        data=deterministic_zip(buffer.getvalue(), patches={"xl/worksheets/sheet1.xml": patch}),
        pages=(NativePage(lines=(), tables=(rows,), label="Q3 2026"),
               NativePage(lines=(), tables=((("Currency", "Rate"), ("USD", "1.0925")),),
                          label="Rates")),
    )  # fmt: skip


def columns_pptx() -> NativeSample:
    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank
    right = slide.shapes.add_textbox(Inches(5), Inches(2), Inches(4), Inches(1))
    right.text_frame.text = "Right column: risks"
    left = slide.shapes.add_textbox(Inches(0.5), Inches(2), Inches(4), Inches(1))
    left.text_frame.text = "Left column: benefits"
    group = slide.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(0.5), Inches(5), Inches(8), Inches(1))
    box.text_frame.text = "Grouped footnote\vsecond line"
    top = slide.shapes.add_textbox(Inches(0.5), Inches(0.5), Inches(8), Inches(1))
    top.text_frame.text = "Trade-offs"
    slide.notes_slide.notes_text_frame.text = "Speaker note: mention the budget"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return NativeSample(
        name="pptx-columns", format="pptx", filename="tradeoffs.pptx", mime_type=PPTX_MIME,
        data=deterministic_zip(buffer.getvalue()),
        pages=(NativePage(lines=("Trade-offs", "Left column: benefits", "Right column: risks",
                                 "Grouped footnote", "second line"),
                          label="slide 1", absent=("Speaker note",)),),
    )  # fmt: skip


def forwarded_eml() -> NativeSample:
    inner = EmailMessage()
    inner["From"], inner["To"] = "finance@example.com", "anna@example.com"
    inner["Subject"], inner["Date"] = "Q3 figures", "Mon, 12 Oct 2026 08:00:00 +0000"
    inner.set_content("Figures attached.\n")
    inner.add_attachment(finance_xlsx().data, maintype="application",
                         subtype=XLSX_MIME.split("/")[1], filename="finance.xlsx")  # fmt: skip
    outer = EmailMessage()
    outer["From"], outer["To"] = "anna@example.com", "board@example.com"
    outer["Subject"], outer["Date"] = "Fwd: Q3 figures", "Tue, 13 Oct 2026 10:00:00 +0000"
    body = '<html><body><p>See below.</p><img src="cid:logo@x"><p>Anna</p></body></html>'
    outer.set_content(body, subtype="html")
    outer.add_related(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, maintype="image", subtype="png",
                      cid="<logo@x>", disposition="inline")  # fmt: skip
    outer.add_attachment(message_from_bytes(inner.as_bytes(), policy=policy.default),
                         filename="q3.eml")  # fmt: skip
    for number, part in enumerate(part for part in outer.walk() if part.is_multipart()):
        part.set_boundary(f"==jobstream-forward-{number}==")
    finance = finance_xlsx()
    label = "attachment: q3.eml"
    return NativeSample(
        name="eml-forwarded", format="eml", filename="fwd.eml", mime_type=None,
        data=outer.as_bytes(),
        pages=(
            NativePage(lines=("From: anna@example.com", "Subject: Fwd: Q3 figures", "See below.",
                              "Anna"), label="email"),
            NativePage(lines=("From: finance@example.com", "Subject: Q3 figures",
                              "Figures attached."), label=label),
            *(NativePage(lines=(), tables=page.tables, label=label) for page in finance.pages),
        ),
    )  # fmt: skip


def variant_samples() -> list[NativeSample]:
    return [invoice_docx(), finance_xlsx(), columns_pptx(), forwarded_eml()]
