"""Extraction driven by the JSON Schema: every property found through its labels, read as its type.

The schema is walked once to learn every field (so all their labels compete on the page), then
again to fill the object: scalars from labels (`scalars.py`), arrays of objects from tables,
nested objects recursively. Nothing is guessed: a field without support is None with likelihood 0.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from jobstream.documents.model import Document
from jobstream.engines.local.dates import date_order
from jobstream.engines.local.fields import FieldSpec, field_spec, schema_type
from jobstream.engines.local.labels import LabelIndex, occurrences
from jobstream.engines.local.layout import PageView, page_view
from jobstream.engines.local.numbers import currency_in, decimal_separator_of
from jobstream.engines.local.scalars import ScalarFinder
from jobstream.engines.local.schemas import check_schema, resolve
from jobstream.engines.local.tables import read_items, table_rows
from jobstream.engines.local.text import detect_language, tokens
from jobstream.engines.local.values import DocumentContext
from jobstream.engines.port import Evidence, ExtractResult, Usage

_SCALARS = ("string", "number", "integer", "boolean")


def read_document(document: Document) -> tuple[list[PageView], DocumentContext]:
    """The page views and what the whole document says about its numbers, dates and language."""
    views = [page_view(page) for page in document.pages]
    text = document.plain_text
    currencies = Counter(
        code for view in views for seg in view.segments() if (code := currency_in(seg.text))
    )
    currency = min(currencies, key=lambda c: (-currencies[c], c)) if currencies else None
    language = detect_language(tokens(text))
    order = date_order(text, language=language, currency=currency)
    ctx = DocumentContext(decimal_separator_of(text), order, currency, language)
    return views, ctx


class _Extraction:
    def __init__(self, document: Document, schema: dict[str, Any]) -> None:
        self.root = schema
        self.views, self.ctx = read_document(document)
        self.scalars: dict[str, FieldSpec] = {}
        self.arrays: dict[str, list[FieldSpec]] = {}
        self.lists: dict[str, FieldSpec] = {}  # arrays of scalars
        self._collect(schema, "", ())
        specs = [*self.scalars.values(), *self.lists.values()]
        labels = [label for spec in specs for label in spec.labels]
        self.index = LabelIndex.standard(labels)
        item_labels = [lb for specs in self.arrays.values() for spec in specs for lb in spec.labels]
        self.item_index = LabelIndex.items(item_labels)
        self.finder = ScalarFinder(
            self.views, self.ctx, self.index, occurrences(self.views, self.index),
            header_index=LabelIndex.items(),
        )  # fmt: skip
        self.evidence: dict[str, Evidence] = {}

    def _properties(self, node: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        props = node.get("properties") or {}
        return [(name, resolve(sub, self.root)) for name, sub in props.items()]

    def _collect(self, node: dict[str, Any], prefix: str, parents: tuple[str, ...]) -> None:
        for name, sub in self._properties(node):
            path = f"{prefix}{name}"
            kind = schema_type(sub)
            if kind == "object":
                self._collect(sub, f"{path}.", (*parents, name))
            elif kind == "array":
                items = resolve(sub.get("items") or {}, self.root)
                if schema_type(items) == "object":
                    self.arrays[path] = [
                        field_spec(f"{path}[].{n}", n, s, parents=(name,), items=True)
                        for n, s in self._properties(items)
                    ]
                elif schema_type(items) in _SCALARS:
                    described = {**items, **{k: v for k, v in sub.items() if k != "items"}}
                    described["type"] = items.get("type")
                    self.lists[path] = field_spec(path, name, described, parents=parents)
            else:
                self.scalars[path] = field_spec(path, name, sub, parents=parents)

    def fill(self, node: dict[str, Any], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
        data: dict[str, Any] = {}
        likes: dict[str, Any] = {}
        for name, sub in self._properties(node):
            path = f"{prefix}{name}"
            if path in self.scalars:
                found = self.finder.find(self.scalars[path])
                data[name], likes[name] = found.value, found.likelihood
                if found.evidence is not None:
                    self.evidence[path] = found.evidence
            elif schema_type(sub) == "object":
                data[name], likes[name] = self.fill(sub, f"{path}.")
            elif path in self.arrays:
                data[name], likes[name] = self._array(path)
            elif path in self.lists:
                values, value_likes = self.finder.find_all(self.lists[path])
                data[name], likes[name] = (values, value_likes) if values else (None, 0.0)
            else:
                data[name], likes[name] = None, 0.0
        return data, likes

    def _array(self, path: str) -> tuple[Any, Any]:
        specs = self.arrays[path]
        owners = {spec.owner for spec in specs}
        rows = table_rows(self.views, self.item_index, self.index, owners)
        items, likes = read_items(rows, specs, self.ctx)
        for number, row in enumerate(rows[: len(items)]):
            for spec in specs:
                cell = row.cells.get(spec.owner)
                if cell is not None:
                    name = spec.path.rsplit(".", 1)[-1]
                    self.evidence[f"{path}.{number}.{name}"] = Evidence(
                        page=cell.page, box=cell.box, text=cell.text
                    )
        return (items, likes) if items else (None, 0.0)


def extract_document(document: Document, schema: dict[str, Any]) -> ExtractResult:
    """The object the schema asks for, with likelihoods of the same shape and per-path evidence."""
    check_schema(schema)
    extraction = _Extraction(document, schema)
    data, likelihoods = extraction.fill(schema, "")
    return ExtractResult(
        data=data,
        likelihoods=likelihoods,
        evidence=extraction.evidence,
        usage=Usage(credits=float(document.page_count)),
    )
