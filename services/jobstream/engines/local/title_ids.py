"""A document's number printed right after its title word: `Invoice INV-2041`, `Rechnung
2026-118`, `Facture F-2026-07`, with no `No.` / `Nr.` label between them.

Read only when no label gives the number, only at the start of a segment (the title word, then
the identifier), and only when the token looks like an identifier: it has a digit and is no date,
time, amount or rate. A document that prints two different such numbers (a statement listing
its invoices) has none: the field stays null rather than take one of them.
"""

from __future__ import annotations

import re

from jobstream.engines.local.dates import parse_date
from jobstream.engines.local.layout import PageView, Segment
from jobstream.engines.local.text import fold, word_set

# The title words of a document kind, by the field that carries its number.
TITLE_WORDS: dict[str, frozenset[str]] = {
    "invoice_number": word_set(
        "invoice rechnung facture factuur factura fattura faktura fatura proforma pro-forma"
    ),
}
_BEFORE = word_set("tax commercial final")  # `Tax Invoice INV-1`
_AFTER = word_set("vat")  # `Faktura VAT FV/12/2026`
_NOT_IDS = re.compile(
    r"\d{1,2}:\d{2}"  # a time
    r"|\d[\d.,' ]*[.,]\d{2}"  # an amount with cents
    r"|\d+(?:[.,]\d+)?%"  # a rate
    r"|\d{1,3}/\d{1,3}"  # `1/2`: a page count
)


def _identifier(text: str) -> str | None:
    """The token as an identifier, or None when it reads as something else."""
    token = text.strip(":,;()")
    if len(token) < 2 or not any(ch.isdigit() for ch in token):
        return None
    if _NOT_IDS.fullmatch(token) or parse_date(token) is not None:
        return None
    return token


def _word(text: str) -> str:
    return fold(text).strip(":.,;")


def titled_id(segment: Segment, key: str) -> str | None:
    """The identifier right after the segment's opening title word, if it prints one."""
    titles = TITLE_WORDS.get(key)
    words = [w.text for w in segment.words]
    if titles is None or segment.header or not words:
        return None
    position = 1 if _word(words[0]) in _BEFORE else 0
    if position >= len(words) or _word(words[position]) not in titles:
        return None
    position += 1
    if position < len(words) and _word(words[position]) in _AFTER:
        position += 1
    return _identifier(words[position]) if position < len(words) else None


def find_titled_id(views: list[PageView], key: str) -> tuple[str, Segment] | None:
    """The one identifier the document prints after its title word, with its segment."""
    found: dict[str, Segment] = {}
    for view in views:
        for segment in view.segments():
            value = titled_id(segment, key)
            if value is not None:
                found.setdefault(value, segment)
    if len(found) != 1:
        return None
    return next(iter(found.items()))
