"""The business corpus: labeled invoices, receipts, bank statements, contracts, identity documents,
letters, payslips, purchase orders and multi-document packets, generated deterministically.

Every item renders both as a Document (`document()`, for fast unit tests) and as PDF bytes
(`pdf()`, for the real loaders and scans). The invoice layout `banner` and the language `it` are
held out from development: tune on the rest, report them separately (`held_out`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from evaluation.corpus import business_others as others
from evaluation.corpus.business_invoices import HELD_OUT_LAYOUT, LAYOUTS, invoice_data, render
from evaluation.corpus.business_locale import HELD_OUT_LANGUAGE, LANGUAGES
from evaluation.corpus.business_others import Made
from evaluation.corpus.sheet import Sheet, to_document, to_pdf
from jobstream.documents.model import Document

SEED = 20261013


@dataclass(frozen=True)
class Labeled:
    """One generated document (or packet) and its truth."""

    doc_id: str
    kind: str
    language: str
    layout: str
    sheets: tuple[Sheet, ...]
    truth: dict[str, Any] = field(default_factory=dict)
    parts: tuple[tuple[str, tuple[int, ...]], ...] = ()  # packets: (subdocument, pages)

    @property
    def held_out(self) -> bool:
        return self.language == HELD_OUT_LANGUAGE or self.layout == HELD_OUT_LAYOUT

    @cached_property
    def document(self) -> Document:
        return to_document(list(self.sheets), filename=f"{self.doc_id}.pdf")

    def pdf(self) -> bytes:
        return to_pdf(list(self.sheets))


INVOICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "The invoice number"},
        "invoice_date": {"type": "string", "format": "date"},
        "due_date": {"type": "string", "format": "date"},
        "vendor_name": {"type": "string", "description": "Who issued the invoice"},
        "customer_name": {"type": "string", "description": "Who is billed"},
        "po_number": {"type": ["string", "null"], "description": "Purchase order number"},
        "subtotal": {"type": "number"},
        "tax_amount": {"type": "number", "description": "VAT amount"},
        "total_amount": {"type": "number", "description": "Grand total, tax included"},
        "currency": {"type": "string", "description": "ISO 4217 code"},
        "iban": {"type": "string"},
        "line_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "quantity": {"type": "number"},
                    "unit_price": {"type": "number"},
                    "amount": {"type": "number"},
                },
            },
        },
    },
    "required": ["invoice_number", "invoice_date", "total_amount"],
}

# Schemas for the other kinds, and which truth key each property is scored against.
KIND_SCHEMAS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "receipt": (
        {"type": "object", "properties": {
            "merchant": {"type": "string"}, "date": {"type": "string", "format": "date"},
            "total": {"type": "number"}, "currency": {"type": "string"}}},
        {"merchant": "vendor_name", "date": "date", "total": "total_amount", "currency": "currency"},
    ),
    "bank_statement": (
        {"type": "object", "properties": {
            "bank_name": {"type": "string"}, "account_holder": {"type": "string"},
            "iban": {"type": "string"}, "opening_balance": {"type": "number"},
            "closing_balance": {"type": "number"}}},
        {},
    ),
    "identity_document": (
        {"type": "object", "properties": {
            "surname": {"type": "string"}, "given_names": {"type": "string"},
            "date_of_birth": {"type": "string", "format": "date"},
            "document_number": {"type": "string"},
            "expiry_date": {"type": "string", "format": "date"}}},
        {},
    ),
}  # fmt: skip

CATEGORY_OF = {"invoice": "Invoice", "receipt": "Receipt", "bank_statement": "Bank statement",
               "contract": "Contract", "identity_document": "Identity document"}  # fmt: skip
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("Invoice", "A supplier's bill asking for payment"),
    ("Receipt", "Proof of a purchase paid at a shop or restaurant"),
    ("Bank statement", "A bank's list of account transactions"),
    ("Contract", "An agreement between parties"),
    ("Identity document", "Passport or national identity card"),
    ("Other", "Anything else"),
)
SUBDOCUMENTS: tuple[tuple[str, str], ...] = (
    ("invoice", "An invoice"),
    ("receipt", "A till receipt"),
    ("bank_statement", "A bank account statement"),
    ("contract", "A contract or agreement"),
    ("identity_document", "A passport or ID card"),
    ("other", "Any other page"),
)


def invoice(index: int, language: str, layout: str) -> Labeled:
    rng = random.Random(f"{SEED}-invoice-{language}-{layout}-{index}")
    data = invoice_data(rng, language, item_count=(6, 8) if layout == "continued" else (1, 5))
    sheets = render(layout, data, rng)
    return Labeled(f"invoice-{language}-{layout}-{index}", "invoice", language, layout,
                   tuple(sheets), data.truth)  # fmt: skip


def invoices(per_combination: int = 4) -> list[Labeled]:
    return [
        invoice(index, language, layout)
        for language in LANGUAGES
        for layout in LAYOUTS
        for index in range(per_combination)
    ]


_MAKERS: dict[str, Callable[[random.Random, str], Made]] = {
    "receipt": others.receipt, "bank_statement": others.bank_statement, "contract": others.contract,
    "identity_document": others.identity_document, "letter": others.letter,
    "payslip": others.payslip, "purchase_order": others.purchase_order,
}  # fmt: skip


def other(kind: str, index: int, language: str) -> Labeled:
    rng = random.Random(f"{SEED}-{kind}-{language}-{index}")
    sheets, truth = _MAKERS[kind](rng, language)
    return Labeled(f"{kind}-{language}-{index}", kind, language, "-", tuple(sheets), truth)


def classification_set(per_language: int = 2) -> list[Labeled]:
    """Every kind in every language (invoices in every layout), with its expected category."""
    docs: list[Labeled] = []
    for language in LANGUAGES:
        for index in range(per_language):
            docs.append(invoice(100 + index, language, LAYOUTS[index % len(LAYOUTS)]))
            docs += [other(kind, index, language) for kind in _MAKERS]
    return docs


def expected_category(doc: Labeled) -> str:
    return CATEGORY_OF.get(doc.kind, "Other")


def _subdocument(doc: Labeled) -> str:
    return doc.kind if doc.kind in CATEGORY_OF else "other"


def packet(packet_id: str, members: list[Labeled]) -> Labeled:
    sheets: list[Sheet] = []
    parts: list[tuple[str, tuple[int, ...]]] = []
    for member in members:
        start = len(sheets) + 1
        sheets += member.sheets
        parts.append((_subdocument(member), tuple(range(start, len(sheets) + 1))))
    language = members[0].language
    layouts = {m.layout for m in members}
    layout = HELD_OUT_LAYOUT if HELD_OUT_LAYOUT in layouts else "packet"
    return Labeled(packet_id, "packet", language, layout, tuple(sheets), parts=tuple(parts))


def packets() -> list[Labeled]:
    """Six fixed packets (the test floor's), then mixed ones per language."""
    fixed = [
        [invoice(200, "de", "classic"), invoice(201, "de", "classic"), other("receipt", 200, "de")],
        [other("bank_statement", 200, "en"), invoice(202, "en", "stacked")],
        [other("contract", 200, "fr"), other("identity_document", 200, "fr"), invoice(203, "fr", "grid")],
        [invoice(204, "nl", "continued"), other("letter", 200, "nl"), invoice(205, "nl", "tabular")],
        [other("receipt", 201, "es"), other("receipt", 202, "es"), other("bank_statement", 201, "es")],
        [other("identity_document", 201, "pl"), other("contract", 201, "pl"), invoice(206, "pl", "stacked")],
    ]  # fmt: skip
    result = [packet(f"packet-{n}", members) for n, members in enumerate(fixed)]
    kinds = ("receipt", "bank_statement", "contract", "identity_document", "letter", "payslip")
    for language in LANGUAGES:
        rng = random.Random(f"{SEED}-packets-{language}")
        for n in range(3):
            members = [invoice(300 + n, language, rng.choice(LAYOUTS[:6]))]
            members += [other(rng.choice(kinds), 300 + n * 3 + k, language) for k in range(2)]
            members.insert(rng.randrange(3), invoice(310 + n, language, rng.choice(LAYOUTS[:6])))
            result.append(packet(f"packet-{language}-{n}", members))
    return result
