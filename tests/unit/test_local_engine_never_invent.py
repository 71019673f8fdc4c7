"""The local engine never invents: a table header or a label is never a value, and the issuer's
name at the top of an invoice fills the vendor field even in body type; item-table headers in
abbreviations with dots and accents (`Q.tà`, `Qté`, `Anz.`) are read."""

from __future__ import annotations

from typing import Any

import pytest
from evaluation.corpus.business import INVOICE_SCHEMA, invoices
from evaluation.corpus.sheet import Grid, Sheet, to_document
from evaluation.understanding import score_extraction

from jobstream.engines.local.extract import extract_document
from jobstream.engines.local.labels import LabelIndex
from jobstream.engines.local.letterhead import is_label_text
from jobstream.engines.local.text import tokens

HEADERS = ("Description", "Qty", "Unit price", "Amount")


def plain_invoice(
    *, company: str | None = "Northwind Trading Ltd", customer: str | None = "Contoso GmbH",
    headers: tuple[str, ...] = HEADERS, header_size: float = 9.0, title: str = "Invoice",
) -> Sheet:  # fmt: skip
    """A word processor's invoice: everything in 10 pt, the company name (if any) first."""
    sheet = Sheet()
    if company is not None:
        sheet.text(50, 50, company)
        sheet.text(50, 63, "12 Harbour Road, Bristol BS1 4DJ")
    sheet.text(50, 90, title, size=16 if company is None else 10)
    sheet.text(50, 110, "Invoice No: INV-2026-0107")
    sheet.text(50, 124, "Invoice date: 03/11/2026")
    sheet.text(50, 150, "Bill to:")
    if customer is not None:
        sheet.text(50, 164, customer)
    for x, header in zip((54, 304, 364, 474), headers, strict=True):
        sheet.text(x, 190, header, size=header_size, bold=True)
    rows = (("Consulting hours", "10", "95.00", "950.00"), ("Travel", "1", "120.00", "120.00"))
    sheet.grid(Grid(50, 206, (250, 60, 110, 105), rows, header_rows=0, ruled=False))
    sheet.text(330, 260, "Subtotal: 1,070.00")
    sheet.text(330, 274, "VAT 20%: 214.00")
    sheet.text(330, 288, "Total: 1,284.00 GBP")
    return sheet


def extract(sheet: Sheet, schema: dict[str, Any] = INVOICE_SCHEMA) -> tuple[Any, Any, Any]:
    result = extract_document(to_document([sheet]), schema)
    return result.data, result.likelihoods, result.evidence


def test_the_company_name_on_the_first_line_in_body_type_is_the_vendor() -> None:
    data, likelihoods, evidence = extract(plain_invoice())
    assert data["vendor_name"] == "Northwind Trading Ltd"
    assert 0 < likelihoods["vendor_name"] < 0.5  # read from the layout, not from a label
    assert evidence["vendor_name"].label == "letterhead"
    assert data["customer_name"] == "Contoso GmbH"


@pytest.mark.parametrize(
    "properties",
    [
        {"issuer": {"type": "string"}},
        {"seller_name": {"type": "string"}},
        {"company_name": {"type": "string"}},
        {"supplier": {"type": "string"}},
        {"issuer": {"type": "object", "properties": {"name": {"type": "string"}}}},
        {"vendor": {"type": "object", "properties": {"name": {"type": "string"}}}},
    ],
)
def test_the_top_company_name_fills_issuer_like_fields(properties: dict[str, Any]) -> None:
    schema = {"type": "object", "properties": {**properties, "total": {"type": "number"}}}
    data, _, _ = extract(plain_invoice(), schema)
    (name,) = properties
    value = data[name]["name"] if isinstance(data[name], dict) else data[name]
    assert value == "Northwind Trading Ltd"


def test_a_header_printed_larger_than_the_body_is_no_vendor() -> None:
    """OCR boxes make a header cell (`Qty`, `Description`) look taller than the body: with no
    company name printed, the vendor stays null rather than a column header."""
    data, likelihoods, _ = extract(plain_invoice(company=None, header_size=16.0))
    assert data["vendor_name"] is None
    assert likelihoods["vendor_name"] == 0.0
    assert data["line_items"] is not None  # the table was still read as items


@pytest.mark.parametrize("title", ["INVOICE", "FACTU RA", "FA TT U RA", "Original"])
def test_a_title_at_the_top_is_no_vendor(title: str) -> None:
    """A large title (its letters spaced out by OCR, or a copy mark) is not the issuer."""
    data, _, _ = extract(plain_invoice(company=None, title=title))
    assert data["vendor_name"] is None


def test_a_label_with_a_table_header_under_it_stays_null() -> None:
    data, _, _ = extract(plain_invoice(customer=None))
    assert data["customer_name"] is None
    assert data["vendor_name"] == "Northwind Trading Ltd"


@pytest.mark.parametrize(
    "text", ["Description", "Qty", "Unit price", "Amount", "Q.tà", "Total", "Invoice No"]
)
def test_header_and_label_words_are_label_text(text: str) -> None:
    assert is_label_text(tokens(text), LabelIndex.standard(), LabelIndex.items())


@pytest.mark.parametrize("text", ["Northwind Trading Ltd", "Consulting hours", "Contoso GmbH"])
def test_names_are_not_label_text(text: str) -> None:
    assert not is_label_text(tokens(text), LabelIndex.standard(), LabelIndex.items())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q.tà", ["qta"]),
        ("Qté", ["qte"]),
        ("Q.ty", ["qty"]),
        ("P.U. HT", ["pu", "ht"]),
        ("Anz.", ["anz"]),
        ("S.r.l.", ["srl"]),
        ("Art.-Nr.", ["art", "no"]),  # longer pieces stay apart
        ("Rechnungs-Nr.:", ["rechnungs", "no"]),
        ("03.11.2026", ["03", "11", "2026"]),  # dates are not abbreviations
        ("n.º 42", ["no", "42"]),
    ],
)
def test_dotted_abbreviations_are_one_token(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    "headers",
    [
        ("Descrizione", "Q.tà", "Prezzo", "Totale"),
        ("Descrizione", "Q.tà", "Prezzo unit.", "Importo"),
        ("Désignation", "Qté", "P.U. HT", "Montant HT"),
        ("Bezeichnung", "Anz.", "Einzelpr.", "Betrag"),
        ("Artikel", "Menge", "E-Preis", "Gesamt"),
        ("Item", "Q.ty", "Unit price", "Amount"),
        ("Concepto", "Cant.", "Precio", "Importe"),
        ("Omschrijving", "Hoeveelheid", "Stukprijs", "Totaal"),
    ],
)
def test_item_headers_with_dots_and_accents_are_read(headers: tuple[str, ...]) -> None:
    data, _, _ = extract(plain_invoice(headers=headers))
    assert data["line_items"] == [
        {"description": "Consulting hours", "quantity": 10.0, "unit_price": 95.0, "amount": 950.0},
        {"description": "Travel", "quantity": 1.0, "unit_price": 120.0, "amount": 120.0},
    ]


def test_no_value_extracted_from_the_development_invoices_is_label_text() -> None:
    """Over the whole development corpus (every layout and language), no string the engine
    returns, line-item descriptions included, is made only of labels or header words."""
    score = score_extraction([doc for doc in invoices(1) if not doc.held_out])
    assert score.label_values == []
    assert score.wrong_values <= 0.02 * score.overall.total, score.misses[:5]
