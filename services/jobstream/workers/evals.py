"""Scoring for the eval endpoints: an answer against the request's labeled `expected` value.

Pure. Extraction: every leaf of `expected` (nested keys and list indexes, `a.b.0.c`) is one
field; it matches when the predicted value is equal after normalization (text case and spaces,
numbers as numbers). Classification: the category names match (case and spaces aside). Split:
each expected part matches when a predicted part has its name and exactly its pages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from jobstream_schemas.results import Evaluation, FieldScore

_SPACES = re.compile(r"\s+")


def leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, leaf) pairs of a JSON value; an empty object or list is a leaf itself."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, value


def lookup(value: Any, path: str) -> Any:
    """The value at `path` (as `leaves` writes it), None when absent."""
    for part in path.split(".") if path else []:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def same_value(expected: Any, predicted: Any) -> bool:
    if isinstance(expected, bool) or isinstance(predicted, bool):
        return expected is predicted
    if isinstance(expected, int | float) and isinstance(predicted, int | float):
        return math.isclose(expected, predicted, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(expected, str) and isinstance(predicted, str):
        return normalize_text(expected) == normalize_text(predicted)
    return bool(expected == predicted)


def normalize_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def score_fields(expected: dict[str, Any], predicted: dict[str, Any]) -> Evaluation:
    fields = {
        path: FieldScore(
            expected=value,
            predicted=lookup(predicted, path),
            match=same_value(value, lookup(predicted, path)),
        )
        for path, value in leaves(expected)
    }
    matched = sum(score.match for score in fields.values())
    return Evaluation(score=matched / len(fields) if fields else 1.0, fields=fields)


def score_category(expected: str, predicted: str) -> Evaluation:
    match = normalize_text(expected) == normalize_text(predicted)
    score = FieldScore(expected=expected, predicted=predicted, match=match)
    return Evaluation(score=1.0 if match else 0.0, fields={"category": score})


def score_splits(
    expected: list[tuple[str, list[int]]], predicted: list[tuple[str, list[int]]]
) -> Evaluation:
    """Per expected part (keyed `name[i]` for its i-th occurrence): found with exact pages?"""
    fields: dict[str, FieldScore] = {}
    seen: dict[str, int] = {}
    remaining = [(normalize_text(name), sorted(pages)) for name, pages in predicted]
    for name, pages in expected:
        index = seen.get(name, 0)
        seen[name] = index + 1
        wanted = (normalize_text(name), sorted(pages))
        match = wanted in remaining
        if match:
            remaining.remove(wanted)
        found = next((p for n, p in remaining if n == wanted[0]), None) if not match else pages
        fields[f"{name}[{index}]"] = FieldScore(expected=pages, predicted=found, match=match)
    matched = sum(score.match for score in fields.values())
    return Evaluation(score=matched / len(fields) if fields else 1.0, fields=fields)
