"""A JSON Schema of the fields some documents share, usable as is by extract.

Each document is read for every known concept (a labelled value that reads as the concept's kind,
found through a specific label), for its own `Label: value` pairs the lexicon does not know, and
for item tables. Properties are snake_case (a concept's key, or the label's words) with a
description, a type and a format inferred from the values; `required` lists the fields present in
every document. A property that came from an unknown label keeps it as its `title`, which is what
extract searches for.
"""

from __future__ import annotations

from typing import Any

from jobstream.documents.model import Document
from jobstream.engines.local.dates import parse_date
from jobstream.engines.local.extract import read_document
from jobstream.engines.local.fields import field_spec
from jobstream.engines.local.labels import LabelIndex, occurrences
from jobstream.engines.local.lexicon_fields import CONCEPTS, ITEM_CONCEPTS
from jobstream.engines.local.numbers import parse_amount
from jobstream.engines.local.scalars import ScalarFinder
from jobstream.engines.local.tables import table_rows
from jobstream.engines.local.text import snake_case, tokens

_TYPES = {"amount": {"type": "number"}, "percent": {"type": "number"},
          "date": {"type": "string", "format": "date"}}  # fmt: skip
_SKIP = frozenset({"tax_rate", "surname", "given_names", "bank_name", "statement_period"})


def _concept_schema(kind: str, description: str) -> dict[str, Any]:
    return {**_TYPES.get(kind, {"type": "string"}), "description": description}


def _known_fields(document: Document) -> dict[str, dict[str, Any]]:
    views, ctx = read_document(document)
    specs = [
        field_spec(c.key, c.key, _concept_schema(c.kind, c.description), parents=())
        for c in CONCEPTS
        if c.key not in _SKIP
    ]
    index = LabelIndex.standard([label for spec in specs for label in spec.labels])
    finder = ScalarFinder(
        views, ctx, index, occurrences(views, index), header_index=LabelIndex.items()
    )
    fields: dict[str, dict[str, Any]] = {}
    for spec in specs:
        found = finder.find(spec)
        if found.value is not None and found.likelihood >= 0.6:
            fields[spec.path] = dict(spec.schema)
    fields.update(_unknown_fields(views, index, fields))
    items = _item_fields(views, ctx, index)
    if items:
        fields["line_items"] = items
    return fields


def _unknown_fields(views: list[Any], index: LabelIndex, known: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, dict[str, Any]] = {}
    for view in views:
        for row in view.rows:
            for segment in row:
                text = segment.text
                if ":" not in text or index.scan(segment):
                    continue
                label, _, value = text.partition(":")
                words = tokens(label)
                if not (1 <= len(words) <= 4) or any(w.isdigit() for w in words):
                    continue
                if not value.strip():
                    right = next(
                        (s for s in row if s.box and segment.box and s.box.left > segment.box.left),
                        None,
                    )
                    value = right.text if right is not None else ""
                if not value.strip():
                    continue
                name = snake_case(label)
                if name not in known and name not in fields:
                    title = label.strip()
                    fields[name] = {
                        **_infer(value),
                        "title": title,
                        "description": f"The value printed after '{title}'.",
                    }
    return fields


def _infer(value: str) -> dict[str, Any]:
    if parse_date(value):
        return {"type": "string", "format": "date"}
    if parse_amount(value) is not None:
        return {"type": "number"}
    return {"type": "string"}


def _item_fields(views: list[Any], ctx: Any, index: LabelIndex) -> dict[str, Any] | None:
    item_index = LabelIndex.items()
    owners = {concept.key for concept in ITEM_CONCEPTS}
    rows = table_rows(views, item_index, index, owners)
    if not rows:
        return None
    present = {key for row in rows for key in row.cells}
    properties = {
        c.key: _concept_schema(c.kind, c.description) for c in ITEM_CONCEPTS if c.key in present
    }
    return {
        "type": "array",
        "description": "The line items of the document's table, one object per row.",
        "items": {"type": "object", "properties": properties},
    }


def generate_schema(documents: list[Document], *, instructions: str | None) -> dict[str, Any]:
    per_document = [_known_fields(document) for document in documents]
    order: list[str] = []
    for fields in per_document:
        order += [name for name in fields if name not in order]
    properties = {name: next(f[name] for f in per_document if name in f) for name in order}
    required = [name for name in order if all(name in f for f in per_document)]
    description = f"Fields found in {len(documents)} document(s)"
    if instructions:
        description += f"; instructions: {instructions}"
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
    }
