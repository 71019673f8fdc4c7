"""Tolerance for OCR misreadings in labels: on OCR'd pages, a word one edit away from a label
word of the lexicon (`ptatnosci` for `platnosci`, `Ilosé` for `ilosc`) is read as that word.

Only words of five letters or more are corrected, and only when exactly one lexicon word is one
edit away, so a correction never guesses between two labels. Values are never corrected: the
text of a segment stays as the page shows it; only its folded tokens, used to find labels, are.
"""

from __future__ import annotations

import functools

from jobstream.engines.local.lexicon_fields import CONCEPTS, ITEM_CONCEPTS
from jobstream.engines.local.lexicon_kinds import KINDS
from jobstream.engines.local.text import tokens

_MIN_LENGTH = 5


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


@functools.cache
def _index() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    phrases = [c.labels for c in (*CONCEPTS, *ITEM_CONCEPTS)]
    phrases += [k.titles + "|" + k.cues for k in KINDS]
    vocabulary = {t for text in phrases for t in tokens(text.replace("|", " "))}
    neighbours: dict[str, set[str]] = {}
    for word in vocabulary:
        if len(word) >= _MIN_LENGTH and word.isalpha():
            for variant in _deletions(word):
                neighbours.setdefault(variant, set()).add(word)
    return frozenset(vocabulary), {k: frozenset(v) for k, v in neighbours.items()}


@functools.lru_cache(maxsize=1 << 14)
def corrected(token: str) -> str:
    """The lexicon word an OCR'd token most likely is, or the token itself."""
    vocabulary, neighbours = _index()
    if token in vocabulary or len(token) < _MIN_LENGTH or token.isdigit():
        return token
    found: set[str] = set()
    for variant in _deletions(token):
        found |= neighbours.get(variant, frozenset())
    close = {word for word in found if abs(len(word) - len(token)) <= 1}
    return next(iter(close)) if len(close) == 1 else token
