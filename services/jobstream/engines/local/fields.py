"""What a schema property asks for: its concept in the lexicon, its labels, the kind of value.

A property is matched to a concept by its name (snake or camel case, with the names of the
objects it sits in), then its `title`, then its `description`; its own name, title and any
quoted phrase of its description become labels too, so a field the lexicon does not know is still
found by how the schema names it. The schema's type decides how the value is read.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from jobstream.engines.local.labels import Label, concept_labels
from jobstream.engines.local.lexicon_fields import CONCEPTS, ITEM_CONCEPTS, FieldConcept
from jobstream.engines.local.text import split_identifier, stem, tokens, word_set

_QUOTED = re.compile(
    "(?<!\\w)[\"'\u201c\u2018\u00ab]([^\"'\u201d\u2019\u00bb]{2,40})[\"'\u201d\u2019\u00bb]"
)
_FILLER = word_set("the a an of this document s its value field in on for as printed")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    path: str  # JSON path, "a.b"
    owner: str  # label owner key used in the label index
    concept: FieldConcept | None
    match: float  # how well the concept fits the property, 0-1
    kind: str  # reader kind
    labels: tuple[Label, ...]
    schema: dict[str, Any]


def _stems(words: list[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem(w) for w in words if w not in _FILLER)


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return len(a & b) / len(a | b)


@functools.lru_cache(maxsize=256)
def _phrases(concept: FieldConcept) -> tuple[tuple[str, ...], ...]:
    variants = [concept.key.replace("_", " "), *concept.aliases.split("|")]
    variants += concept.labels.split("|")
    return tuple(tuple(tokens(v)) for v in dict.fromkeys(variants) if v)


@functools.lru_cache(maxsize=256)
def _phrase_stems(concept: FieldConcept) -> tuple[frozenset[str], ...]:
    return tuple(_stems(phrase) for phrase in _phrases(concept))


def best_concept(words: list[str], *, items: bool = False) -> tuple[FieldConcept | None, float]:
    """The concept whose names fit these words best, with the fit (0 when none fits)."""
    return _best_concept(tuple(words), items)


@functools.lru_cache(maxsize=4096)
def _best_concept(words: tuple[str, ...], items: bool) -> tuple[FieldConcept | None, float]:
    best: tuple[FieldConcept | None, float] = (None, 0.0)
    wanted = _stems(words)
    for concept in ITEM_CONCEPTS if items else CONCEPTS:
        score = max(_similarity(wanted, phrase) for phrase in _phrase_stems(concept))
        if score > best[1]:
            best = (concept, score)
    return best


def _described_concept(description: str, *, items: bool) -> tuple[FieldConcept | None, float]:
    words = set(tokens(description))
    best: tuple[FieldConcept | None, float] = (None, 0.0)
    for concept in ITEM_CONCEPTS if items else CONCEPTS:
        for phrase in _phrases(concept):
            if len(phrase) >= 2 and set(phrase) <= words:
                score = min(0.9, 0.5 + 0.15 * len(phrase))
                if score > best[1]:
                    best = (concept, score)
    return best


def resolve_concept(
    name: str, schema: dict[str, Any], *, parents: tuple[str, ...] = (), items: bool = False
) -> tuple[FieldConcept | None, float]:
    own = split_identifier(name)
    pool = ITEM_CONCEPTS if items else CONCEPTS
    exact = next((c for c in pool if split_identifier(c.key) == own), None)
    if exact is not None and not parents:
        return exact, 1.0
    tries = [[*tok, *own] for tok in (split_identifier(p) for p in parents[-1:])] + [own]
    if schema.get("title"):
        tries.append(tokens(str(schema["title"])))
    best: tuple[FieldConcept | None, float] = (None, 0.0)
    for words in tries:
        concept, score = best_concept(words, items=items)
        if score > best[1] + 1e-9:
            best = (concept, score)
    if best[1] < 0.6 and schema.get("description"):
        described = _described_concept(str(schema["description"]), items=items)
        if described[1] > best[1]:
            best = described
    return best if best[1] >= 0.5 else (None, 0.0)


def value_kind(schema: dict[str, Any], concept: FieldConcept | None) -> str:
    kind = schema_type(schema)
    if kind in ("number", "integer"):
        return "percent" if concept is not None and concept.kind == "percent" else "amount"
    if kind == "boolean":
        return "boolean"
    fmt = schema.get("format")
    if fmt in ("date", "date-time"):
        return "date"
    if fmt == "email":
        return "email"
    if concept is not None and concept.kind not in ("amount", "percent", "date"):
        return concept.kind
    return "text"


def schema_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return str(kinds[0]) if kinds else None
    if kind is None and "properties" in schema:
        return "object"
    if kind is None and "enum" in schema:
        return "string"
    return None if kind is None else str(kind)


def own_labels(owner: str, name: str, schema: dict[str, Any]) -> list[Label]:
    phrases = [" ".join(split_identifier(name))]
    if schema.get("title"):
        phrases.append(str(schema["title"]))
    phrases += _QUOTED.findall(str(schema.get("description", "")))
    labels: list[Label] = []
    for phrase in dict.fromkeys(phrases):
        toks = tuple(tokens(phrase))
        if toks:
            labels.append(Label(owner, toks, 0.9 if len(toks) > 1 else 0.75))
    return labels


def field_spec(
    path: str, name: str, schema: dict[str, Any], *, parents: tuple[str, ...], items: bool = False
) -> FieldSpec:
    concept, match = resolve_concept(name, schema, parents=parents, items=items)
    owner = f"prop:{path}"
    labels = own_labels(owner, name, schema)
    if concept is not None:
        labels += concept_labels(concept, owner)
    return FieldSpec(
        path, owner, concept, match, value_kind(schema, concept), tuple(labels), schema
    )
