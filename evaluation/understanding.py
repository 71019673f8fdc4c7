"""Scoring the local engine on the business corpus: extraction field accuracy (per field, per
layout, per language), classification accuracy, split exact-range rate; dev and held-out apart.

Used by `make eval` (the `understanding` section) and by the tests' floors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from evaluation.corpus.business import (
    CATEGORIES,
    INVOICE_SCHEMA,
    KIND_SCHEMAS,
    SUBDOCUMENTS,
    Labeled,
    expected_category,
)
from jobstream.documents.model import Document
from jobstream.engines.local.classify import classify_document
from jobstream.engines.local.extract import extract_document
from jobstream.engines.local.labels import LabelIndex
from jobstream.engines.local.letterhead import is_label_text
from jobstream.engines.local.split import split_document
from jobstream.engines.local.text import tokens

SCALAR_FIELDS = (
    "invoice_number", "invoice_date", "due_date", "vendor_name", "customer_name", "po_number",
    "subtotal", "tax_amount", "total_amount", "currency", "iban",
)  # fmt: skip
FIELDS = (*SCALAR_FIELDS, "line_items")


def _same_number(a: Any, b: Any) -> bool:
    return isinstance(b, (int, float)) and not isinstance(b, bool) and abs(float(a) - b) < 0.011


def _same_text(a: Any, b: Any) -> bool:
    return isinstance(b, str) and tokens(str(a)) == tokens(b)


def field_correct(name: str, expected: Any, got: Any) -> bool:
    if expected is None:
        return got is None
    if name == "line_items":
        if not isinstance(got, list) or len(got) != len(expected):
            return False
        return all(
            _same_text(e["description"], g.get("description"))
            and all(_same_number(e[k], g.get(k)) for k in ("quantity", "unit_price", "amount"))
            for e, g in zip(expected, got, strict=True)
        )
    if isinstance(expected, float):
        return _same_number(expected, got)
    return _same_text(expected, got)


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += int(ok)
        self.total += 1

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class ExtractionScore:
    overall: Tally = field(default_factory=Tally)
    by_field: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_layout: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    wrong_values: int = 0  # misses where the engine answered something (not null)
    label_values: list[tuple[str, str, str]] = field(default_factory=list)  # labels as values


_LABELS, _ITEM_LABELS = LabelIndex.standard(), LabelIndex.items()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _tally_misses(score: ExtractionScore, doc: Labeled, data: dict[str, Any]) -> None:
    """What kind of wrong: an answer where the truth differs, a label or header as a value."""
    for name in FIELDS:
        got = data.get(name)
        if got is not None and not field_correct(name, doc.truth[name], got):
            score.wrong_values += 1
        for text in _strings(got):
            if is_label_text(tokens(text), _LABELS, _ITEM_LABELS):
                score.label_values.append((doc.doc_id, name, text))


Loader = Callable[[Labeled], Document]


def score_extraction(docs: Iterable[Labeled], load: Loader | None = None) -> ExtractionScore:
    score = ExtractionScore()
    for doc in docs:
        document = load(doc) if load else doc.document
        data = extract_document(document, INVOICE_SCHEMA).data
        for name in FIELDS:
            ok = field_correct(name, doc.truth[name], data.get(name))
            for tally in (score.overall, score.by_field[name], score.by_layout[doc.layout],
                          score.by_language[doc.language]):  # fmt: skip
                tally.add(ok)
            if not ok:
                score.misses.append((doc.doc_id, name, doc.truth[name], data.get(name)))
        _tally_misses(score, doc, data)
    return score


def score_other_kinds(docs: Iterable[Labeled]) -> dict[str, Tally]:
    """Field accuracy on receipts, bank statements and identity documents, per kind."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for doc in docs:
        if doc.kind not in KIND_SCHEMAS:
            continue
        schema, truth_keys = KIND_SCHEMAS[doc.kind]
        data = extract_document(doc.document, schema).data
        for name in schema["properties"]:
            key = truth_keys.get(name, name)
            tallies[doc.kind].add(field_correct(key, doc.truth[key], data.get(name)))
    return tallies


def score_classification(
    docs: Iterable[Labeled], load: Loader | None = None
) -> tuple[Tally, list[tuple[str, str, str]]]:
    tally, misses = Tally(), []
    names = [name for name, _ in CATEGORIES]
    for doc in docs:
        document = load(doc) if load else doc.document
        decision = classify_document(document, list(CATEGORIES), first_n_pages=None, context=None)
        got, expected = names[decision.index], expected_category(doc)
        tally.add(got == expected)
        if got != expected:
            misses.append((doc.doc_id, expected, got))
    return tally, misses


def score_split(
    packets: Iterable[Labeled], load: Loader | None = None
) -> tuple[Tally, list[tuple[str, Any, Any]]]:
    tally, misses = Tally(), []
    for doc in packets:
        document = load(doc) if load else doc.document
        parts = split_document(document, list(SUBDOCUMENTS), context=None)
        got = tuple((name, tuple(pages)) for name, pages, _ in parts)
        tally.add(got == doc.parts)
        if got != doc.parts:
            misses.append((doc.doc_id, doc.parts, got))
    return tally, misses
