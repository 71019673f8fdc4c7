"""Finding labels on pages: every label of every concept competes, the longest match wins.

`Total excl. VAT` is a subtotal label even though it starts with `Total`, `Sub total` is not a
total: at each position of a segment the longest known label is taken, and a field only sees the
occurrences of its own concept (or of its own custom labels, from the schema). A one-word label
counts only at the start of a segment (or after a value when it is specific, or printed with
its colon: `INV-2041 Total: 1,250.00`); longer labels count anywhere in it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from jobstream.engines.local.layout import PageView, Segment
from jobstream.engines.local.lexicon_fields import CONCEPTS, ITEM_CONCEPTS, FieldConcept
from jobstream.engines.local.text import tokens

_GENERIC = frozenset({"date", "datum", "data", "fecha", "total", "due", "net", "to", "from", "de",
                      "da", "von", "van", "an", "name", "nom", "nome", "suma", "summe", "gesamt",
                      "tax", "vat", "po", "bank", "code", "ref", "price", "item"})  # fmt: skip


_MODIFIERS = frozenset(
    {"zzgl", "inkl", "incl", "excl", "plus", "add", "hors", "dont", "davon", "including",
     "excluding", "sin", "con", "met", "of", "which", "total"}
)  # fmt: skip


def _only_modifiers(before: list[str]) -> bool:
    """`zzgl. 19 % MwSt.`: a one-word label may follow a rate and words like `zzgl`, `incl`."""
    return all(tok.isdigit() or tok in _MODIFIERS for tok in before)


@dataclass(frozen=True, slots=True)
class Label:
    owner: str  # a concept key, or "prop:<path>" for a schema's own label
    tokens: tuple[str, ...]
    weight: float  # 1.0 for a specific label, less for generic words like "date"


@dataclass(frozen=True, slots=True)
class Occurrence:
    label: Label
    segment: Segment
    start: int  # token positions of the label in the segment
    end: int


def concept_labels(concept: FieldConcept, owner: str | None = None) -> list[Label]:
    return list(_concept_labels(concept, owner))


@functools.lru_cache(maxsize=1024)
def _concept_labels(concept: FieldConcept, owner: str | None) -> tuple[Label, ...]:
    found: list[Label] = []
    for variant in dict.fromkeys(concept.labels.split("|")):
        toks = tuple(tokens(variant))
        if toks:
            generic = len(toks) == 1 and toks[0] in _GENERIC
            found.append(Label(owner or concept.key, toks, 0.7 if generic else 1.0))
    return tuple(found)


class LabelIndex:
    """All labels a request can meet, keyed by their first token for a fast scan."""

    def __init__(self, labels: Iterable[Label]) -> None:
        unique: dict[tuple[str, tuple[str, ...]], Label] = {}
        for label in labels:
            known = unique.get((label.owner, label.tokens))
            if known is None or label.weight > known.weight:
                unique[(label.owner, label.tokens)] = label
        self._by_first: dict[str, list[Label]] = {}
        for label in unique.values():
            self._by_first.setdefault(label.tokens[0], []).append(label)
        for group in self._by_first.values():
            group.sort(key=lambda lb: (-len(lb.tokens), lb.owner))

    @classmethod
    def standard(cls, extra: Iterable[Label] = ()) -> LabelIndex:
        labels = [label for concept in CONCEPTS for label in concept_labels(concept)]
        return cls([*labels, *extra])

    @classmethod
    def items(cls, extra: Iterable[Label] = ()) -> LabelIndex:
        labels = [label for concept in ITEM_CONCEPTS for label in concept_labels(concept)]
        return cls([*labels, *extra])

    def scan(self, segment: Segment) -> list[Occurrence]:
        """The labels in a segment, longest first at each position, without overlaps; labels of
        several owners with the same words all count."""
        found: list[Occurrence] = []
        toks = segment.folded
        colons = _colon_ends(segment)
        position = 0
        while position < len(toks):
            matches = self._longest_at(toks, position, colons=colons)
            if not matches:
                position += 1
                continue
            size = len(matches[0].tokens)
            found += [Occurrence(m, segment, position, position + size) for m in matches]
            position += size
        return found

    def _longest_at(
        self, toks: list[str], position: int, *, anywhere: bool = False,
        colons: frozenset[int] = frozenset(),
    ) -> list[Label]:  # fmt: skip
        best: list[Label] = []
        for label in self._by_first.get(toks[position], ()):
            size = len(label.tokens)
            if best and size < len(best[0].tokens):
                break
            late = size == 1 and position > 0 and not anywhere
            after_value = any(ch.isdigit() for ch in toks[position - 1]) if position else False
            if late and after_value and position in colons:
                pass  # `INV-2041 Total: 1,250.00`: a word and its colon after a value is a label
            elif late and (
                label.weight < 1.0 or not (after_value or _only_modifiers(toks[:position]))
            ):
                continue
            if tuple(toks[position : position + size]) == label.tokens:
                best.append(label)
        return best

    def cover(self, toks: list[str]) -> list[tuple[int, int, Label]] | None:
        """Labels that together make up every token (a header run like `Menge Einzelpreis
        Betrag` read as one segment), as (start, end, label); None when some token is no label."""
        found: list[tuple[int, int, Label]] = []
        position = 0
        while position < len(toks):
            matches = self._longest_at(toks, position, anywhere=True)
            if not matches:
                return None
            size = len(matches[0].tokens)
            found.append((position, position + size, matches[0]))
            position += size
        return found

    def whole(self, segment: Segment) -> Label | None:
        """The label the segment consists of entirely (a column header), if any."""
        matches = self._longest_at(segment.folded, 0) if segment.folded else []
        if matches and len(matches[0].tokens) == len(segment.folded):
            return matches[0]
        return None


def _colon_ends(segment: Segment) -> frozenset[int]:
    """Token positions that end a word printed with a colon (`Total:`)."""
    ends: list[int] = []
    consumed = 0
    for word in segment.words:
        consumed += len(tokens(word.text))
        if word.text.endswith(":") and consumed:
            ends.append(consumed - 1)
    return frozenset(ends)


def occurrences(views: list[PageView], index: LabelIndex) -> dict[str, list[Occurrence]]:
    """Every label occurrence of a document, grouped by owner, in reading order."""
    grouped: dict[str, list[Occurrence]] = {}
    for view in views:
        for segment in view.segments():
            for occurrence in index.scan(segment):
                grouped.setdefault(occurrence.label.owner, []).append(occurrence)
    return grouped
