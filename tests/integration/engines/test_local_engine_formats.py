"""The local engine on an invoice written as a DOCX (python-docx) and read by the real loader:
lines without boxes and a table, so labels, values and items come from reading order."""

from __future__ import annotations

import io

from docx import Document as Docx
from evaluation.corpus.business import INVOICE_SCHEMA

from jobstream.documents.loaders import load_document
from jobstream.documents.loaders.options import LoadOptions
from jobstream.engines.local.classify import classify_document
from jobstream.engines.local.extract import extract_document


def docx_invoice() -> bytes:
    document = Docx()
    document.add_heading("Invoice", 1)
    for line in ("Acme Supplies Ltd", "Invoice number: INV-77", "Invoice date: 13 October 2026",
                 "Due date: 27 October 2026", "Bill to: Contoso GmbH"):  # fmt: skip
        document.add_paragraph(line)
    rows = [("Description", "Qty", "Unit price", "Amount"), ("Widgets", "3", "10.00", "30.00"),
            ("Gadgets", "2", "5.50", "11.00")]  # fmt: skip
    table = document.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for line in ("Subtotal: €41.00", "VAT 20%: €8.20", "Total: €49.20",
                 "IBAN: GB29 NWBK 6016 1331 9268 19"):  # fmt: skip
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_docx_invoice_is_extracted_and_classified() -> None:
    loaded = load_document(docx_invoice(), filename="invoice.docx", mime_type=None,
                           options=LoadOptions())  # fmt: skip
    data = extract_document(loaded, INVOICE_SCHEMA).data
    assert data == {
        "invoice_number": "INV-77", "invoice_date": "2026-10-13", "due_date": "2026-10-27",
        "vendor_name": "Acme Supplies Ltd", "customer_name": "Contoso GmbH", "po_number": None,
        "subtotal": 41.0, "tax_amount": 8.2, "total_amount": 49.2, "currency": "EUR",
        "iban": "GB29 NWBK 6016 1331 9268 19",
        "line_items": [
            {"description": "Widgets", "quantity": 3.0, "unit_price": 10.0, "amount": 30.0},
            {"description": "Gadgets", "quantity": 2.0, "unit_price": 5.5, "amount": 11.0},
        ],
    }  # fmt: skip
    categories = [("Invoice", ""), ("Receipt", ""), ("Other", "")]
    assert classify_document(loaded, categories, first_n_pages=None, context=None).index == 0
