"""From a label to its value: the rest of the label's segment, the segment right of it, or the
one below it; each candidate is read as the kind the field expects and the first that reads wins.

A candidate that does not read as the kind (a `19 %` where an amount is expected, a name that is
only digits) is skipped, so the value right of `VAT 19 %` is the VAT amount, not the rate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobstream.engines.local.dates import parse_date
from jobstream.engines.local.labels import LabelIndex, Occurrence
from jobstream.engines.local.layout import PageView, Segment, below, right_of
from jobstream.engines.local.numbers import currency_in, parse_amount
from jobstream.engines.local.text import fold, tokens, word_set

_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b")
_BIC = re.compile(r"\b([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s?%")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TRUE = word_set("yes true x ja oui si sim tak vero waar 1 ☑ ☒ ✓ ✔")
_FALSE = word_set("no false nein non nee falso nie 0 ☐")


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """What the whole document says about reading values: decimal separator, date order."""

    decimal: str | None
    date_order: str
    currency: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    value: Any
    text: str
    segment: Segment
    position: float  # 1.0 same segment, 0.95 right, 0.85 / 0.7 below


Reader = Callable[[str, DocumentContext], Any]


def _read_amount(text: str, ctx: DocumentContext) -> Any:
    """An amount; a rate in the same text (`20%: €8.20`, `19 %`) is not one and is skipped."""
    if "%" in text:
        text = _PERCENT.sub(" ", text).strip(" :()")
        if not text:
            return None
    amount = parse_amount(text, decimal=ctx.decimal)
    return None if amount is None else amount.value


def _read_code(text: str, ctx: DocumentContext) -> Any:
    words = text.strip(" :#.-").split()
    if not words or not any(ch.isdigit() for ch in words[0]) or len(words) > 3:
        return None
    return words[0].strip(",;")


def _read_name(text: str, ctx: DocumentContext) -> Any:
    cleaned = text.strip(" :-")
    if not cleaned or sum(ch.isalpha() for ch in cleaned) < 2:
        return None
    if parse_date(cleaned) or parse_amount(cleaned, decimal=ctx.decimal):
        return None
    return cleaned


def _read_text(text: str, ctx: DocumentContext) -> Any:
    cleaned = text.strip(" :-")
    return cleaned or None


def _read_iban(text: str, ctx: DocumentContext) -> Any:
    match = _IBAN.search(text.upper())
    return match.group(1) if match else None


def _read_bic(text: str, ctx: DocumentContext) -> Any:
    match = _BIC.search(text.strip(" :").upper())
    return match.group(1) if match and not match.group(1).isdigit() else None


def _read_currency(text: str, ctx: DocumentContext) -> Any:
    return currency_in(text)


def _read_percent(text: str, ctx: DocumentContext) -> Any:
    match = _PERCENT.search(text)
    return float(match.group(1).replace(",", ".")) if match else None


def _read_bool(text: str, ctx: DocumentContext) -> Any:
    if re.search(r"\[\s*\]", text):
        return False  # an empty checkbox
    words = set(tokens(text)) | set(text.split())
    if words & _TRUE:
        return True
    if words & _FALSE:
        return False
    return None


def _read_email(text: str, ctx: DocumentContext) -> Any:
    match = _EMAIL.search(text)
    return match.group(0) if match else None


READERS: dict[str, Reader] = {
    "amount": _read_amount,
    "date": lambda text, ctx: parse_date(text, order=ctx.date_order),
    "code": _read_code,
    "name": _read_name,
    "address": _read_name,
    "text": _read_text,
    "iban": _read_iban,
    "bic": _read_bic,
    "currency": _read_currency,
    "percent": _read_percent,
    "boolean": _read_bool,
    "email": _read_email,
}


def _remainder(occurrence: Occurrence, index: LabelIndex) -> str:
    """The words after the label in its segment, up to the next label there."""
    segment = occurrence.segment
    consumed = 0
    after: list[str] = []
    stop = 1 << 30
    for other in index.scan(segment):
        if other.start >= occurrence.end:
            stop = min(stop, other.start)
    for word in segment.words:
        count = len(tokens(word.text))
        if consumed >= occurrence.end and consumed < stop:
            after.append(word.text)
        elif consumed < occurrence.end < consumed + count and consumed + count <= stop:
            after.append(word.text.split(":", 1)[-1] if ":" in word.text else "")
        consumed += count
    text = " ".join(after).strip()
    return text.lstrip(":#-.) ").strip()


def _is_parenthetical(text: str) -> bool:
    return bool(re.fullmatch(r"\(.*\)|[A-Z]{3}|[€$£]|%", text.strip()))


def candidates(
    view: PageView, occurrence: Occurrence, index: LabelIndex, *, allow_below: bool = True
) -> list[tuple[str, Segment, float]]:
    """Texts that may hold the label's value, in the order they are tried."""
    found: list[tuple[str, Segment, float]] = []
    rest = _remainder(occurrence, index)
    if rest and not _is_parenthetical(rest):
        found.append((rest, occurrence.segment, 1.0))
    right = right_of(view, occurrence.segment)
    if right is not None and index.whole(right) is None:
        found.append((right.text, right, 0.95))
    if allow_below:
        limit = right.box.left if right is not None and right.box is not None else None
        for distance, segment in enumerate(below(view, occurrence.segment)):
            if index.whole(segment) is not None:
                break
            text = _within(segment, occurrence.segment, limit)
            found.append((text, segment, 0.85 if distance == 0 else 0.7))
    return found


def _within(segment: Segment, label: Segment, limit: float | None) -> str:
    """The words of a segment under a label that lie in the label's column: from the label's
    left edge to the next label's, when the segment runs across several columns."""
    if segment.cell is not None or label.box is None:
        return segment.text
    start = label.box.left - 0.02
    end = (limit - 0.005) if limit is not None else 2.0
    words = [w.text for w in segment.words if w.box is None or start <= w.box.left < end]
    return " ".join(words) if words else segment.text


def read_first(
    view: PageView, occurrence: Occurrence, index: LabelIndex, reader: Reader,
    ctx: DocumentContext, *, allow_below: bool = True,
    skip: Callable[[str, Segment], bool] | None = None,
) -> Candidate | None:  # fmt: skip
    """The first candidate that reads as the kind; `skip` rules out texts that are no value
    whatever they read as (a table header's words), and nothing under such a text is one."""
    for text, segment, position in candidates(view, occurrence, index, allow_below=allow_below):
        if skip is not None and skip(text, segment):
            if position < 0.95:
                break  # below a header is its table, not the label's value
            continue
        value = reader(text, ctx)
        if value is not None:
            return Candidate(value=value, text=text, segment=segment, position=position)
    return None


def normalized(text: str) -> str:
    return " ".join(tokens(fold(text)))
