"""Amounts as documents print them: `1.234,56 €`, `$1,234.56`, `1 234,56`, `(12.00)`, `CHF 1'200`.

The decimal separator of an ambiguous number (`1,234`) is decided by the document's evidence
(`decimal_separator_of`), not guessed per number.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_NUMBER = re.compile(
    r"(?P<neg>[-\u2212(])?\s?"
    r"(?P<num>\d{1,3}(?:[.,'\u00a0\u202f]\d{3})+(?:[.,]\d+)?"
    r"|\d{1,3}(?: \d{3})+[.,]\d{2}(?!\d)"
    r"|\d+(?:[.,]\d+)?)"
)
_CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "zł": "PLN", "₹": "INR"}
_CURRENCY_CODES = (
    "EUR",
    "USD",
    "GBP",
    "PLN",
    "CHF",
    "JPY",
    "CAD",
    "AUD",
    "SEK",
    "NOK",
    "DKK",
    "CZK",
)
_CODE = re.compile(r"\b(" + "|".join(_CURRENCY_CODES) + r")\b")
_OCR_ZLOTY = re.compile(r"\d\s?zt\b")
_TWO_DECIMALS = re.compile(r"\d([.,])\d{2}(?!\d)")


@dataclass(frozen=True, slots=True)
class Amount:
    value: float
    currency: str | None
    text: str  # the matched number as printed


def currency_in(text: str) -> str | None:
    """The ISO code a text names by sign or code (`1.234,56 €` -> EUR), or None. `zt` after an
    amount is how OCR commonly reads `zł`."""
    match = _CODE.search(text.upper())
    if match:
        return match.group(1)
    if _OCR_ZLOTY.search(text):
        return "PLN"
    for sign, code in _CURRENCY_SIGNS.items():
        if sign in text.lower():
            return code
    return None


def decimal_separator_of(text: str) -> str | None:
    """`,` or `.`: which separator a document's two-decimal amounts use, by majority."""
    counts = Counter(match.group(1) for match in _TWO_DECIMALS.finditer(text))
    if not counts:
        return None
    return "," if counts[","] > counts["."] else "."


def _interpret(number: str, decimal: str | None) -> float:
    digits = number.replace("'", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    has_dot, has_comma = "." in digits, "," in digits
    if has_dot and has_comma:
        dec = "." if digits.rfind(".") > digits.rfind(",") else ","
    elif has_dot or has_comma:
        sep = "." if has_dot else ","
        tail = digits.rsplit(sep, 1)[1]
        if digits.count(sep) > 1:
            dec = "," if sep == "." else "."
        elif len(tail) == 3:
            dec = sep if decimal == sep else ("," if sep == "." else ".")
        else:
            dec = sep
    else:
        return float(digits)
    thousands = "," if dec == "." else "."
    return float(digits.replace(thousands, "").replace(dec, "."))


def parse_amount(text: str, *, decimal: str | None = None) -> Amount | None:
    """The first amount in `text`, with its currency when the text names one; None without digits.

    A text that is mostly letters around a number (`Invoice 2026-001`) is not an amount.
    """
    match = _NUMBER.search(text)
    if match is None:
        return None
    rest = (text[: match.start()] + text[match.end() :]).strip()
    currency = currency_in(text)
    letters = sum(ch.isalpha() for ch in rest)
    if letters > (len(currency) if currency and currency.isalpha() else 3) + 1:
        return None
    if re.search(r"\d[-/]\d", text):
        return None  # a date or an identifier
    value = _interpret(match.group("num"), decimal)
    if match.group("neg"):
        value = -value
    return Amount(value=value, currency=currency, text=match.group(0).strip())


def amounts_in(text: str, *, decimal: str | None = None) -> list[Amount]:
    """Every amount-looking number in a line of text, left to right."""
    found: list[Amount] = []
    for match in _NUMBER.finditer(text):
        value = _interpret(match.group("num"), decimal)
        if match.group("neg") in ("-", "\u2212", "("):
            value = -value
        found.append(Amount(value=value, currency=currency_in(text), text=match.group(0)))
    return found
