"""Consensus voting over several answers to the same question (`n_consensus` > 1). Pure.

`vote` merges JSON answers field by field: objects key by key, lists item by item (among the
answers whose list has the most common length), scalars by majority after normalization (text
case and spaces aside; the first answer's spelling of the winner is kept). Each leaf's likelihood
is the share of answers that agree with the winner; a null winner has likelihood 0 (no value was
found, so none is vouched for). One answer is its own consensus: every value 1, every null 0.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)
_SPACES = re.compile(r"\s+")


def vote(answers: Sequence[Any]) -> tuple[Any, Any]:
    """The merged answer and its likelihood tree (same shape, leaves in 0-1)."""
    if not answers:
        return None, 0.0
    if all(isinstance(a, dict) for a in answers):
        return _vote_objects(answers)
    if all(isinstance(a, list) for a in answers):
        return _vote_lists(answers)
    return _vote_scalars(answers)


def _vote_objects(answers: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys: list[str] = []
    for answer in answers:
        keys.extend(k for k in answer if k not in keys)
    value: dict[str, Any] = {}
    likelihood: dict[str, Any] = {}
    for key in keys:
        value[key], likelihood[key] = vote([a.get(key) for a in answers])
    return value, likelihood


def _vote_lists(answers: Sequence[list[Any]]) -> tuple[list[Any], Any]:
    length, count = Counter(len(a) for a in answers).most_common(1)[0]
    if length == 0:
        return [], count / len(answers)
    agreeing = [a for a in answers if len(a) == length]
    share = len(agreeing) / len(answers)
    value: list[Any] = []
    likelihood: list[Any] = []
    for index in range(length):
        item, item_likelihood = vote([a[index] for a in agreeing])
        value.append(item)
        likelihood.append(_scale(item_likelihood, share))
    return value, likelihood


def _scale(tree: Any, factor: float) -> Any:
    if isinstance(tree, dict):
        return {k: _scale(v, factor) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_scale(v, factor) for v in tree]
    return round(float(tree) * factor, 6)


def _vote_scalars(answers: Sequence[Any]) -> tuple[Any, float]:
    winner, count = majority([normalized(a) for a in answers])
    original = next(a for a in answers if normalized(a) == winner)
    if original is None:
        return None, 0.0
    return original, round(count / len(answers), 6)


def majority(keys: Sequence[K]) -> tuple[K, int]:
    """The most common key (ties go to the one seen first) and its count."""
    counts = Counter(keys)
    best = max(counts.values())
    winner = next(k for k in keys if counts[k] == best)
    return winner, best


def normalized(value: Any) -> Hashable:
    """A comparable form: text without case and extra spaces, numbers as floats, else JSON."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return _SPACES.sub(" ", value).strip().casefold()
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
