"""Spreadsheet cell values as a person sees them in Excel: the cell's number format applied.

Covers what real workbooks use: General, fixed decimals, thousands separators, percentages,
currency symbols and literal text, positive;negative;zero sections, scientific notation, and date
and time formats (y m d h s, AM/PM, month names). The locale-dependent built-in short date
(`mm-dd-yy`, id 14, shown as the reader's own locale date) and short date-time (id 22) render as
ISO 8601, which no reader misreads. Anything unrecognised falls back to General.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Final

_LOCALE_DATES: Final = {"mm-dd-yy": "%Y-%m-%d", "m/d/yy h:mm": "%Y-%m-%d %H:%M"}
_BRACKETS: Final = re.compile(r"\[([^\]]*)\]")
_DATE_TOKENS: Final = re.compile(
    r'"[^"]*"|\\.|am/pm|a/p|yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|\.0+|.',
    re.IGNORECASE,
)
_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def display_text(value: object, number_format: str | None) -> str:
    """`value` (as openpyxl reads it with data_only=True) rendered by `number_format`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    fmt = (number_format or "General").strip()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return _date_text(value, fmt)
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, int | float):
        return _number_text(float(value), fmt, is_int=isinstance(value, int))
    return str(value)


def _general(number: float) -> str:
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.10g}".replace("e+", "E+").replace("e-", "E-")


@lru_cache(maxsize=512)
def _sections(fmt: str) -> tuple[str, ...]:
    sections: list[str] = []
    current: list[str] = []
    quoted = False
    for char in fmt:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
    return (*sections, "".join(current))


def _currency(match: re.Match[str]) -> str:
    """[$€-407] is the currency symbol €; other brackets ([Red], [>100]) show nothing."""
    inside = match.group(1)
    return inside[1:].split("-")[0] if inside.startswith("$") else ""


def _literal(part: str) -> str:
    """A format's literal text: quoted strings, escapes, currency in brackets; padding dropped."""
    part = _BRACKETS.sub(_currency, part)
    part = re.sub(r"_.", " ", part)
    part = re.sub(r"\*.", "", part)
    part = re.sub(r'"([^"]*)"', r"\1", part)
    return re.sub(r"\\(.)", r"\1", part)


def _number_text(number: float, fmt: str, *, is_int: bool) -> str:
    sections = _sections(fmt)
    if number < 0 and len(sections) > 1:
        section, number, signed = sections[1], -number, False
    elif number == 0 and len(sections) > 2:
        section, signed = sections[2], True
    else:
        section, signed = sections[0], True
    if section.strip().lower() in {"general", ""} or section.strip() == "@":
        return _general(number)
    visible = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", section)
    if "E+" in visible.upper():
        mantissa = visible.upper().split("E")[0]
        decimals = len(re.findall(r"[0#?]", mantissa.split(".")[1])) if "." in mantissa else 0
        return f"{number:.{decimals}E}"
    match = re.search(r"[0#?][0#?,]*(\.[0#?]*)?|\.[0#?]+", visible)
    if match is None:
        return _literal(section)
    number *= 100 ** visible.count("%")
    digits = _digits(abs(number) if not signed else number, match.group(0))
    start, end = _placeholder_span(section, match.group(0))
    return (_literal(section[:start]) + digits + _literal(section[end:])).strip()


def _placeholder_span(section: str, placeholder: str) -> tuple[int, int]:
    index = section.find(placeholder)
    return (index, index + len(placeholder)) if index >= 0 else (len(section), len(section))


def _digits(number: float, placeholder: str) -> str:
    integer, _, fraction = placeholder.partition(".")
    most = len(re.findall(r"[0#?]", fraction))
    least = fraction.count("0")
    grouped = "," in integer
    text = f"{number:{',' if grouped else ''}.{most}f}"
    if most > least:
        whole, _, decimals = text.partition(".")
        decimals = decimals.rstrip("0").ljust(least, "0")
        text = f"{whole}.{decimals}" if decimals else whole
    return text


def _date_text(value: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    section = _sections(fmt)[0]
    if section in _LOCALE_DATES and isinstance(value, dt.datetime | dt.date):
        pattern = _LOCALE_DATES[section]
        return value.strftime(pattern if isinstance(value, dt.datetime) else "%Y-%m-%d")
    if not re.search(r"[ymdhs]", re.sub(r'"[^"]*"|\\.', "", section), re.IGNORECASE):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return _render_date(value, _BRACKETS.sub("", section))


@lru_cache(maxsize=512)
def _date_tokens(section: str) -> tuple[str, ...]:
    return tuple(_DATE_TOKENS.findall(section))


def _render_date(value: dt.datetime | dt.date | dt.time, section: str) -> str:
    tokens = _date_tokens(section)
    twelve_hour = any(token.lower() in {"am/pm", "a/p"} for token in tokens)
    out: list[str] = []
    for index, token in enumerate(tokens):
        out.append(_date_token(value, token, tokens, index, twelve_hour=twelve_hour))
    return "".join(out)


def _is_minute(tokens: tuple[str, ...], index: int) -> bool:
    """An m/mm right after hours or right before seconds means minutes."""
    before = [t.lower() for t in tokens[:index] if t.strip() and t not in ":"][-1:]
    after = [t.lower() for t in tokens[index + 1 :] if t.strip() and t not in ":"][:1]
    return bool(before and before[0] in {"h", "hh"}) or bool(after and after[0] in {"s", "ss"})


def _date_token(
    value: dt.datetime | dt.date | dt.time,
    token: str,
    tokens: tuple[str, ...],
    index: int,
    *,
    twelve_hour: bool,
) -> str:
    lower = token.lower()
    date = value if isinstance(value, dt.date) else None
    clock = value if isinstance(value, dt.datetime | dt.time) else None
    if lower in {"m", "mm"} and clock is not None and _is_minute(tokens, index):
        return f"{clock.minute:0{len(lower)}d}"
    if date is not None and lower[0] in "ymd" and set(lower) <= set("ymd"):
        return _date_part(date, lower)
    if clock is not None and lower in {"h", "hh", "s", "ss"}:
        hour = clock.hour % 12 or 12 if twelve_hour else clock.hour
        number = hour if lower[0] == "h" else clock.second
        return f"{number:0{len(lower)}d}"
    if clock is not None and lower in {"am/pm", "a/p"}:
        return ("AM" if clock.hour < 12 else "PM")[: 1 if lower == "a/p" else 2]
    if lower.startswith(".0") and clock is not None:
        return "." + f"{clock.microsecond:06d}"[: len(token) - 1]
    if token.startswith('"'):
        return token[1:-1]
    return token[1:] if token.startswith("\\") else token


def _date_part(date: dt.date, token: str) -> str:
    if token[0] == "y":
        return f"{date.year:04d}" if len(token) > 2 else f"{date.year % 100:02d}"
    if token[0] == "m":
        month = _MONTHS[date.month - 1]
        return {1: str(date.month), 2: f"{date.month:02d}", 3: month[:3], 4: month}.get(
            len(token), month[0]
        )
    if token[0] == "d":
        day = _DAYS[date.weekday()]
        return {1: str(date.day), 2: f"{date.day:02d}", 3: day[:3]}.get(len(token), day)
    return token
