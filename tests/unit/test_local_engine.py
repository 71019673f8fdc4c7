"""The local engine on small Documents built in the test: extract, classify, split, schemas."""

from __future__ import annotations

from typing import Any

import pytest
from evaluation.corpus.business import INVOICE_SCHEMA as CORPUS_SCHEMA
from evaluation.corpus.sheet import Grid, Sheet, to_document

from jobstream.documents.model import Document
from jobstream.engines.local import LocalEngine
from jobstream.engines.port import (
    Category,
    ClassifyRequest,
    ExtractRequest,
    InvalidEngineRequestError,
    PartitionRequest,
    SchemaRequest,
    SplitRequest,
    Subdocument,
)

ENGINE = LocalEngine()

INVOICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string"},
        "invoice_date": {"type": "string", "format": "date"},
        "due_date": {"type": "string", "format": "date"},
        "vendor_name": {"type": "string"},
        "customer": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "address": {"type": "string"}},
        },
        "subtotal": {"type": "number"},
        "tax": {"type": "number"},
        "total": {"type": "number"},
        "currency": {"type": "string"},
        "iban": {"type": "string"},
        "line_items": CORPUS_SCHEMA["properties"]["line_items"],
    },
    "required": ["invoice_number", "total"],
}


def german_invoice(number: str = "RE-2026-0042") -> Sheet:
    sheet = Sheet()
    sheet.text(40, 40, "Nordlicht Beratung GmbH", size=16, bold=True)
    sheet.text(40, 60, "Hauptstraße 5, 10115 Berlin")
    sheet.text(400, 40, "RECHNUNG", size=18, bold=True)
    for y, label, value in (
        (90, "Rechnungsnummer:", number),
        (105, "Rechnungsdatum:", "03.10.2026"),
        (120, "Fällig am:", "17.10.2026"),
    ):
        sheet.text(330, y, label)
        sheet.text(450, y, value)
    sheet.text(40, 120, "Rechnung an:", bold=True)
    sheet.text(40, 135, "Müller & Söhne KG")
    sheet.text(40, 150, "Bahnhofstr. 1")
    sheet.text(40, 165, "80331 München")
    rows = (
        ("Beschreibung", "Menge", "Einzelpreis", "Betrag"),
        ("Beratung", "10", "120,00 €", "1.200,00 €"),
        ("Reisekosten", "1", "34,56 €", "34,56 €"),
    )
    sheet.grid(Grid(40, 220, (250, 60, 90, 90), rows, right_align_from=1))
    for y, label, value in (
        (300, "Zwischensumme", "1.234,56 €"),
        (315, "MwSt. 19 %", "234,57 €"),
        (330, "Gesamtbetrag", "1.469,13 €"),
    ):
        sheet.text(330, y, label)
        sheet.text(520, y, value, align="right")
    sheet.text(40, 400, "IBAN: DE89 3704 0044 0532 0130 00")
    return sheet


def english_letter() -> Sheet:
    sheet = Sheet()
    sheet.text(40, 60, "Dear Ms Jones,")
    sheet.text(40, 80, "thank you for your visit last week. We enjoyed meeting you.")
    sheet.text(40, 100, "Kind regards, Tom")
    return sheet


async def extract(document: Document, schema: dict[str, Any]) -> dict[str, Any]:
    return (await ENGINE.extract(document, ExtractRequest(json_schema=schema))).data


async def test_extracts_a_german_key_value_invoice_with_types_and_items() -> None:
    data = await extract(to_document([german_invoice()]), INVOICE_SCHEMA)
    assert data["invoice_number"] == "RE-2026-0042"
    assert (data["invoice_date"], data["due_date"]) == ("2026-10-03", "2026-10-17")
    assert data["vendor_name"] == "Nordlicht Beratung GmbH"
    assert data["customer"] == {
        "name": "Müller & Söhne KG",
        "address": "Bahnhofstr. 1, 80331 München",
    }
    assert (data["subtotal"], data["tax"], data["total"]) == (1234.56, 234.57, 1469.13)
    assert data["currency"] == "EUR"
    assert data["iban"] == "DE89 3704 0044 0532 0130 00"
    assert data["line_items"] == [
        {"description": "Beratung", "quantity": 10.0, "unit_price": 120.0, "amount": 1200.0},
        {"description": "Reisekosten", "quantity": 1.0, "unit_price": 34.56, "amount": 34.56},
    ]


async def test_likelihoods_and_evidence_follow_the_data() -> None:
    result = await ENGINE.extract(
        to_document([german_invoice()]), ExtractRequest(json_schema=INVOICE_SCHEMA)
    )
    assert set(result.likelihoods) == set(result.data)
    assert set(result.likelihoods["customer"]) == {"name", "address"}
    assert len(result.likelihoods["line_items"]) == 2
    assert result.evidence["total"].page == 1
    assert result.evidence["total"].text == "1.469,13 €"
    assert result.evidence["total"].label == "Gesamtbetrag"
    assert result.usage.credits == 1.0


async def test_a_document_with_none_of_the_fields_gives_nulls() -> None:
    result = await ENGINE.extract(
        to_document([english_letter()]), ExtractRequest(json_schema=INVOICE_SCHEMA)
    )
    assert result.data == {
        "invoice_number": None, "invoice_date": None, "due_date": None, "vendor_name": None,
        "customer": {"name": None, "address": None}, "subtotal": None, "tax": None,
        "total": None, "currency": None, "iban": None, "line_items": None,
    }  # fmt: skip
    assert result.likelihoods["total"] == 0.0


@pytest.mark.parametrize(
    ("schema", "keyword"),
    [
        ({"type": "object", "properties": {"a": {"type": "strin"}}}, "type"),
        ({"type": "object", "properties": {"a": {"minLength": -1}}}, "minLength"),
        ({"type": "object", "required": "a"}, "required"),
        ({"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}, "$ref"),
        (["not", "an", "object"], "type"),
    ],
)
async def test_an_invalid_schema_is_a_validation_error_naming_the_keyword(
    schema: Any, keyword: str
) -> None:
    with pytest.raises(InvalidEngineRequestError) as caught:
        await extract(to_document([german_invoice()]), schema)
    assert caught.value.code == "validation_error"
    assert caught.value.details is not None
    assert caught.value.details["keyword"] == keyword
    assert keyword in caught.value.message


async def test_same_input_same_output() -> None:
    document = to_document([german_invoice(), english_letter()])
    first = await ENGINE.extract(document, ExtractRequest(json_schema=INVOICE_SCHEMA))
    second = await ENGINE.extract(document, ExtractRequest(json_schema=INVOICE_SCHEMA))
    assert first == second


CATEGORIES = (
    Category("Invoice", "A bill from a supplier"),
    Category("Receipt", "Proof of a payment at a till"),
    Category("Contract"),
    Category("Other", "Anything else"),
)


async def test_classifies_an_invoice_and_names_the_evidence() -> None:
    result = await ENGINE.classify(
        to_document([german_invoice()]), ClassifyRequest(categories=CATEGORIES)
    )
    assert result.category == "Invoice"
    assert "rechnung" in result.reasoning
    assert "page 1" in result.reasoning


async def test_a_document_nothing_fits_goes_to_the_catch_all() -> None:
    result = await ENGINE.classify(
        to_document([english_letter()]), ClassifyRequest(categories=CATEGORIES)
    )
    assert result.category == "Other"


async def test_split_finds_two_invoices_and_a_letter() -> None:
    document = to_document([german_invoice("A-1"), german_invoice("A-2"), english_letter()])
    request = SplitRequest(
        subdocuments=(Subdocument("invoice", "an invoice"), Subdocument("letter", "a letter"))
    )
    result = await ENGINE.split(document, request)
    assert [(part.name, part.pages) for part in result.splits] == [
        ("invoice", (1,)),
        ("invoice", (2,)),
        ("letter", (3,)),
    ]


async def test_partition_groups_pages_by_invoice_number() -> None:
    document = to_document([german_invoice("A-1"), german_invoice("B-7"), german_invoice("A-1")])
    result = await ENGINE.partition(document, PartitionRequest(key="invoice number"))
    assert [(p.key, p.pages) for p in result.partitions] == [("A-1", (1, 3)), ("B-7", (2,))]


async def test_generated_schema_extracts_the_same_values() -> None:
    document = to_document([german_invoice()])
    schema = (await ENGINE.generate_schema((document,), SchemaRequest())).json_schema
    properties = schema["properties"]
    assert properties["invoice_date"] == {
        "type": "string", "format": "date", "description": properties["invoice_date"]["description"],
    }  # fmt: skip
    assert properties["total_amount"]["type"] == "number"
    assert properties["line_items"]["type"] == "array"
    data = await extract(document, schema)
    assert data["invoice_number"] == "RE-2026-0042"
    assert data["total_amount"] == 1469.13
    assert data["line_items"][0]["amount"] == 1200.0
