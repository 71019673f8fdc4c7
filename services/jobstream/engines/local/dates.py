"""Dates as documents print them, to ISO `YYYY-MM-DD`: `13 October 2026`, `13. Oktober 2026`,
`13 de octubre de 2026`, `13 października 2026`, `13.10.2026`, `10/13/2026`, `2026-10-13`.

A numeric date whose order is ambiguous (`03/04/2026`) is read with the document's date order,
decided by evidence (`date_order`): a day over 12 anywhere, the separator, the language and
the currency.
"""

from __future__ import annotations

import re
from datetime import date

from jobstream.engines.local.text import fold

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar janvier janv januari enero ene gennaio gen styczen stycznia janner",
        "february feb februar fevrier fevr februari febrero febbraio luty lutego",
        "march mar marz mrz mars maart mrt marzo marzec marca",
        "april apr avril avr abril aprile kwiecien kwietnia",
        "may mai mei mayo maggio mag maj maja",
        "june jun juni juin junio giugno giu czerwiec czerwca",
        "july jul juli juillet juil julio luglio lug lipiec lipca",
        "august aug aout augustus agosto ago sierpien sierpnia",
        "september sep sept septembre septiembre setiembre settembre set wrzesien wrzesnia",
        "october oct oktober okt octobre octubre ottobre ott pazdziernik pazdziernika",
        "november nov novembre noviembre listopad listopada",
        "december dec dezember dez decembre diciembre dic dicembre grudzien grudnia",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_DAY_MONTH = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s*(?:de\s+)?({_MONTH_RE})\b\.?,?\s*(?:de\s+)?(\d{{4}})"
)
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?[.,]?\s+(\d{{4}})")


def _iso(year: int, month: int, day: int) -> str | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def date_order(text: str, *, language: str | None, currency: str | None) -> str:
    """`DMY` or `MDY` for the document's ambiguous numeric dates."""
    day_first = month_first = 0
    for match in _NUMERIC.finditer(text):
        first, sep, second = int(match.group(1)), match.group(2), int(match.group(3))
        if first > 12 >= second or sep == ".":
            day_first += 1
        elif second > 12 >= first:
            month_first += 1
    if day_first != month_first:
        return "DMY" if day_first > month_first else "MDY"
    if language in (None, "en") and currency == "USD":
        return "MDY"
    return "DMY"


def parse_date(text: str, *, order: str = "DMY") -> str | None:
    """The first date in `text` as ISO, or None."""
    folded = fold(text)
    candidates: list[tuple[int, str]] = []
    if match := _ISO.search(folded):
        iso = _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if iso:
            candidates.append((match.start(), iso))
    if match := _NUMERIC.search(folded):
        a, b, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        day, month = (b, a) if (order == "MDY" and b <= 31) or a > 31 else (a, b)
        if month > 12 and day <= 12:
            day, month = month, day
        iso = _iso(year, month, day)
        if iso:
            candidates.append((match.start(), iso))
    if match := _DAY_MONTH.search(folded):
        iso = _iso(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        if iso:
            candidates.append((match.start(), iso))
    if match := _MONTH_DAY.search(folded):
        iso = _iso(int(match.group(3)), _MONTHS[match.group(1)], int(match.group(2)))
        if iso:
            candidates.append((match.start(), iso))
    return min(candidates)[1] if candidates else None


def looks_like_date(text: str) -> bool:
    return parse_date(text) is not None
