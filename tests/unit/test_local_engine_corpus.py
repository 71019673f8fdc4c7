"""The local engine on the generated business corpus (Documents, no loader): accuracy floors on
the development set, value parsing, totals, schemas and determinism. The held-out layout and
language are not looked at here (make eval reports them)."""

from __future__ import annotations

from typing import Any

import pytest
from evaluation.corpus.business import (
    INVOICE_SCHEMA,
    classification_set,
    invoice,
    invoices,
    packets,
)
from evaluation.corpus.business_invoices import HELD_OUT_LAYOUT, LAYOUTS
from evaluation.corpus.sheet import Sheet, to_document
from evaluation.understanding import (
    score_classification,
    score_extraction,
    score_other_kinds,
    score_split,
)

from jobstream.engines.local.classify import classify_document
from jobstream.engines.local.dates import date_order, parse_date
from jobstream.engines.local.extract import extract_document
from jobstream.engines.local.numbers import decimal_separator_of, parse_amount
from jobstream.engines.local.schema_gen import generate_schema

DEV_INVOICES = [doc for doc in invoices(2) if not doc.held_out]


def test_invoice_field_accuracy_on_documents_is_at_least_98_percent() -> None:
    score = score_extraction(DEV_INVOICES)
    assert score.overall.rate >= 0.98, score.misses[:5]
    for layout in LAYOUTS:
        if layout != HELD_OUT_LAYOUT:
            assert score.by_layout[layout].rate >= 0.95, layout
    assert score.by_field["vendor_name"].rate >= 0.98, score.misses[:5]


def test_receipts_statements_and_identity_documents_fields_are_at_least_90_percent() -> None:
    tallies = score_other_kinds([d for d in classification_set() if not d.held_out])
    assert set(tallies) == {"receipt", "bank_statement", "identity_document"}
    for kind, tally in tallies.items():
        assert tally.rate >= 0.9, kind


def test_classification_accuracy_is_at_least_90_percent() -> None:
    tally, misses = score_classification([d for d in classification_set() if not d.held_out])
    assert tally.rate >= 0.9, misses


def test_split_gets_at_least_five_of_the_six_fixed_packets_exactly() -> None:
    tally, misses = score_split(packets()[:6])
    assert tally.right >= 5, misses


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("1.234,56 €", None, 1234.56),
        ("$1,234.56", None, 1234.56),
        ("1 234,56", None, 1234.56),
        ("1\u00a0234,56 zł", None, 1234.56),
        ("CHF 1'200.50", None, 1200.50),
        ("EUR 12", None, 12.0),
        ("(12.00)", None, -12.0),
        ("-7,5", None, -7.5),
        ("1,234", ".", 1234.0),
        ("1,234", ",", 1.234),
        ("1.234", ",", 1234.0),
    ],
)
def test_amounts_in_every_locale(text: str, decimal: str | None, value: float) -> None:
    amount = parse_amount(text, decimal=decimal)
    assert amount is not None
    assert amount.value == pytest.approx(value)


@pytest.mark.parametrize("text", ["INV-2026-001", "2026-10-13", "Invoice 12", "13/10/2026"])
def test_identifiers_and_dates_are_not_amounts(text: str) -> None:
    assert parse_amount(text) is None


def test_the_documents_decimal_separator_is_decided_by_majority() -> None:
    assert decimal_separator_of("12,50 3,99 1.200,00") == ","
    assert decimal_separator_of("$12.50 $3.99") == "."


@pytest.mark.parametrize(
    ("text", "order", "iso"),
    [
        ("13 October 2026", "DMY", "2026-10-13"),
        ("October 13, 2026", "DMY", "2026-10-13"),
        ("13. Oktober 2026", "DMY", "2026-10-13"),
        ("13 de octubre de 2026", "DMY", "2026-10-13"),
        ("13 października 2026", "DMY", "2026-10-13"),
        ("13 févr. 2026", "DMY", "2026-02-13"),
        ("13.10.2026", "DMY", "2026-10-13"),
        ("10/13/2026", "DMY", "2026-10-13"),  # a day over 12 decides
        ("03/04/2026", "MDY", "2026-03-04"),
        ("03/04/2026", "DMY", "2026-04-03"),
        ("2026-10-13", "MDY", "2026-10-13"),
        ("31/02/2026", "DMY", None),
    ],
)
def test_dates_to_iso(text: str, order: str, iso: str | None) -> None:
    assert parse_date(text, order=order) == iso


def test_date_order_follows_the_evidence() -> None:
    assert date_order("due 10/13/2026, issued 10/01/2026", language="en", currency="EUR") == "MDY"
    assert date_order("13/10/2026", language="en", currency="USD") == "DMY"
    assert date_order("03/04/2026", language="en", currency="USD") == "MDY"
    assert date_order("03/04/2026", language="fr", currency="EUR") == "DMY"


def _totals_sheet(labels: list[tuple[str, str]]) -> Sheet:
    sheet = Sheet()
    sheet.text(40, 40, "INVOICE", size=18, bold=True)
    sheet.text(40, 80, "Invoice number: 77-A")
    for row, (label, value) in enumerate(labels):
        sheet.text(330, 200 + row * 16, label)
        sheet.text(555, 200 + row * 16, value, align="right")
    return sheet


def test_total_is_told_apart_from_subtotal_and_tax() -> None:
    sheet = _totals_sheet([("Total excl. VAT", "$100.00"), ("Total VAT", "$20.00"),
                           ("Total", "$120.00")])  # fmt: skip
    schema = {"type": "object", "properties": {
        "total": {"type": "number"}, "subtotal": {"type": "number"}, "vat": {"type": "number"}}}  # fmt: skip
    data = extract_document(to_document([sheet]), schema).data
    assert data == {"total": 120.0, "subtotal": 100.0, "vat": 20.0}


def test_required_never_forces_a_guess() -> None:
    sheet = _totals_sheet([("Total", "$120.00")])
    schema = {"type": "object", "required": ["due_date", "iban"], "properties": {
        "due_date": {"type": "string", "format": "date"}, "iban": {"type": "string"},
        "total": {"type": "integer"}}}  # fmt: skip
    result = extract_document(to_document([sheet]), schema)
    assert result.data == {"due_date": None, "iban": None, "total": 120}
    assert result.likelihoods["due_date"] == 0.0


def test_enums_booleans_and_custom_labels_from_the_schema() -> None:
    sheet = Sheet()
    sheet.text(40, 40, "Status: Paid in full")
    sheet.text(40, 60, "Express delivery: yes")
    sheet.text(40, 80, "Ref. code: ZX-9")
    schema = {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["PAID_IN_FULL", "OPEN"]},
        "express_delivery": {"type": "boolean"},
        "reference": {"type": "string", "description": "printed after 'Ref. code'"}}}  # fmt: skip
    data = extract_document(to_document([sheet]), schema).data
    assert data == {"status": "PAID_IN_FULL", "express_delivery": True, "reference": "ZX-9"}


def test_camel_case_properties_and_refs_resolve() -> None:
    doc = invoice(0, "de", "classic")
    schema = {"type": "object", "$defs": {"money": {"type": "number"}}, "properties": {
        "invoiceNumber": {"type": "string"}, "totalAmount": {"$ref": "#/$defs/money"},
        "issueDate": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}}}  # fmt: skip
    data = extract_document(doc.document, schema).data
    assert data == {"invoiceNumber": doc.truth["invoice_number"],
                    "totalAmount": doc.truth["total_amount"], "issueDate": doc.truth["invoice_date"]}  # fmt: skip


def test_generated_schema_from_several_invoices_extracts_their_values() -> None:
    docs = [invoice(9, language, "classic") for language in ("en", "de", "fr")]
    schema = generate_schema([d.document for d in docs], instructions=None)
    for name in ("invoice_number", "invoice_date", "total_amount", "line_items"):
        assert name in schema["required"]
    assert schema["properties"]["invoice_date"]["format"] == "date"
    for doc in docs:
        data = extract_document(doc.document, schema).data
        assert data["invoice_number"] == doc.truth["invoice_number"]
        assert data["invoice_date"] == doc.truth["invoice_date"]
        assert data["total_amount"] == pytest.approx(doc.truth["total_amount"])
        assert len(data["line_items"]) == len(doc.truth["line_items"])


def test_classify_respects_first_n_pages_and_context() -> None:
    receipt, contract = classification_set()[1], classification_set()[3]
    assert (receipt.kind, contract.kind) == ("receipt", "contract")
    document = to_document([*receipt.sheets, *contract.sheets])
    categories = [("Receipt", ""), ("Contract", ""), ("Other", "")]
    first = classify_document(document, categories, first_n_pages=1, context=None)
    assert first.index == 0
    assert "page 1" in first.reasoning


def test_the_whole_corpus_is_deterministic() -> None:
    def answers() -> list[Any]:
        return [extract_document(d.document, INVOICE_SCHEMA).data for d in DEV_INVOICES[:30]]

    assert answers() == answers()
    assert invoice(3, "fr", "grid").pdf() == invoice(3, "fr", "grid").pdf()


def test_arrays_of_scalars_and_enum_options_printed_without_a_label() -> None:
    sheet = Sheet()
    sheet.text(40, 40, "Contact: sales@acme.example")
    sheet.text(40, 60, "Billing questions go to billing@acme.example")
    sheet.text(40, 80, "Paid by card on delivery")
    sheet.text(40, 100, "Newsletter: [ ]")
    schema = {"type": "object", "properties": {
        "emails": {"type": "array", "items": {"type": "string", "format": "email"}},
        "payment": {"type": "string", "enum": ["cash", "card", "transfer"]},
        "newsletter": {"type": "boolean"},
        "phones": {"type": "array", "items": {"type": "string"}}}}  # fmt: skip
    result = extract_document(to_document([sheet]), schema)
    assert result.data == {"emails": ["sales@acme.example", "billing@acme.example"],
                           "payment": "card", "newsletter": False, "phones": None}  # fmt: skip
    assert len(result.likelihoods["emails"]) == 2
