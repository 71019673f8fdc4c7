"""Reading fill instructions: a JSON object, `Label: value` lines, or free sentences.

`split_instructions` returns the explicit (label, value) pairs and the free text left over;
`find_date`, `find_email` and `find_phone` pick typed values out of free text, and `format_date`
writes a date the way a field's label asks (`DD/MM/YYYY`, `TT.MM.JJJJ`, ISO...).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "january jan januar janvier enero gennaio januari janeiro stycznia styczeń",
            "february feb februar février fevrier febrero febbraio februari fevereiro lutego",
            "march mar märz maerz mars marzo maart março marca",
            "april apr avril abril aprile kwietnia",
            "may mai mayo maggio mei maio maja",
            "june jun juni juin junio giugno junho czerwca",
            "july jul juli juillet julio luglio julho lipca",
            "august aug août aout agosto augustus sierpnia",
            "september sep sept septembre septiembre settembre setembro września wrzesnia",
            "october oct oktober octobre octubre ottobre outubro października pazdziernika",
            "november nov novembre noviembre novembro listopada",
            "december dec dezember décembre decembre diciembre dicembre dezembro grudnia",
        ],
        start=1,
    )
    for name in names.split()
}
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
DATE_PATTERNS = (
    re.compile(
        rf"\b(?P<d>\d{{1,2}})\.?\s+(?:de\s+)?(?P<m>{_MONTH})\.?,?\s+(?:de\s+)?(?P<y>\d{{4}})\b",
        re.I,
    ),
    re.compile(
        rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I
    ),
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\b"),
    re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})\b"),
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w/.-])\+?\(?\d[\d ()./-]{5,}\d(?![\w/-])")
PAIR = re.compile(r"^\s*(?P<label>[^:=\n]{1,80}?)\s*[:=]\s*(?P<value>.*\S)\s*$")


@dataclass(frozen=True, slots=True)
class Instructions:
    """Explicit (label or key, value) pairs in their order, and the free text around them."""

    pairs: tuple[tuple[str, Any], ...]
    free_text: str
    structured: bool  # a JSON object: its keys are field keys or labels, nothing else is read


def split_instructions(text: str) -> Instructions:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return Instructions(tuple(_flatten(value)), "", structured=True)
    pairs: list[tuple[str, Any]] = []
    free: list[str] = []
    for line in re.split(r"\n|;\s+(?=[^:;]{1,40}:)", stripped):
        match = PAIR.match(line)
        if match and not _looks_like_sentence(match.group("label")):
            pairs.append((match.group("label"), match.group("value")))
        elif line.strip():
            free.append(line.strip())
    return Instructions(tuple(pairs), "\n".join(free), structured=False)


def _looks_like_sentence(label: str) -> bool:
    return len(label.split()) > 6 or bool(re.search(r"https?$|\d{1,2}$", label))


def _flatten(value: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            items += [(name, item)] if not item else _flatten(item, f"{name}.")
        else:
            items.append((name, item))
    return items


@dataclass(frozen=True, slots=True)
class FoundDate:
    date: dt.date
    start: int
    end: int


def find_date(text: str, *, day_first: bool = True) -> FoundDate | None:
    """The first date written in `text`, with where it is."""
    hits: list[FoundDate] = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            date = _to_date(match.groupdict(), day_first=day_first)
            if date is not None:
                hits.append(FoundDate(date, match.start(), match.end()))
    return min(hits, key=lambda h: h.start) if hits else None


def _to_date(parts: dict[str, str | None], *, day_first: bool) -> dt.date | None:
    year = int(parts["y"] or 0)
    if parts.get("a") is not None:
        a, b = int(parts["a"] or 0), int(parts["b"] or 0)
        if b > 12:  # 10/13/2026: only month/day makes sense
            day, month = b, a
        elif a > 12:
            day, month = a, b
        else:
            day, month = (a, b) if day_first else (b, a)
    else:
        raw_month = (parts.get("m") or "").lower()
        month = int(raw_month) if raw_month.isdigit() else MONTHS.get(raw_month.rstrip("."), 0)
        day = int(parts.get("d") or 0)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


DATE_HINTS = (
    (re.compile(r"\b(?:dd|tt|jj|gg)\s*([./-])\s*mm\s*\1\s*(?:yyyy|jjjj|aaaa|rrrr)\b", re.I), "dmy"),
    (re.compile(r"\bmm\s*([./-])\s*dd\s*\1\s*yyyy\b", re.I), "mdy"),
    (re.compile(r"\byyyy\s*-\s*mm\s*-\s*dd\b", re.I), "iso"),
)


def format_date(date: dt.date, *, label: str, max_length: int | None) -> str | None:
    """`date` as the label's format hint says; ISO without a hint; None if it cannot fit."""
    for pattern, order in DATE_HINTS:
        match = pattern.search(label)
        if match:
            sep = match.group(1) if order != "iso" else "-"
            if order == "dmy":
                return f"{date.day:02d}{sep}{date.month:02d}{sep}{date.year}"
            if order == "mdy":
                return f"{date.month:02d}{sep}{date.day:02d}{sep}{date.year}"
    text = date.isoformat()
    return text if max_length is None or len(text) <= max_length else None


def find_email(text: str) -> str | None:
    match = EMAIL.search(text)
    return match.group().rstrip(".") if match else None


def find_phone(text: str) -> str | None:
    for match in PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 7 <= len(digits) <= 15 and find_date(match.group()) is None:
            return match.group().strip()
    return None
