"""Text normalization shared by the local engine: folding, tokens, stems, identifiers, languages.

Everything here is pure and deterministic. Labels and document words are compared as folded
tokens (lower case, accents removed, punctuation split off), so `Rechnungs-Nr.:` and `rechnungs nr`
meet, and `N°` reads as `no`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal list."""
    return frozenset(text.split())


_TOKEN = re.compile(r"[a-z0-9]+|#")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPECIAL = str.maketrans({"°": "o", "º": "o", "ß": "ss", "ł": "l", "Ł": "l", "ø": "o", "æ": "ae"})


def fold(text: str) -> str:
    """Lower case without accents (`Fälligkeit` -> `falligkeit`, `N°` -> `no`)."""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.lower()


_NUMBER_WORDS = frozenset(
    {"#", "no", "nr", "n", "num", "number", "numero", "nummer", "numer", "nro"}
)
_NUMBER_SIGN = re.compile(r"\bn\s?\.?\s?[o\u00ba\u00b0]\b|\bn\.(?=\s)")
# An abbreviation of one- and two-letter pieces joined by dots: `Q.tà`, `P.U.`, `Q.ty`, `S.r.l.`
_DOTTED = re.compile(r"(?<![a-z0-9.])[a-z]{1,2}(?:\.[a-z]{1,2})+\.?(?![a-z0-9])")


def tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens. Words for "number" (`#`, `No.`, `Nr.`, `N°`, `n.º`, `Nummer`,
    `numéro`, `numer`) all become the token `no`, so `Invoice #` meets `invoice number`; a dotted
    abbreviation of short pieces is one token (`Q.tà` -> `qta`, `P.U.` -> `pu`)."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=1 << 16)
def _tokens(text: str) -> tuple[str, ...]:
    folded = fold(_NUMBER_SIGN.sub(" no ", text.lower()))
    joined = _DOTTED.sub(lambda match: match.group(0).replace(".", ""), folded)
    return tuple("no" if tok in _NUMBER_WORDS else tok for tok in _TOKEN.findall(joined))


def split_identifier(name: str) -> list[str]:
    """`invoiceNumber`, `invoice_number`, `Invoice-Number` -> `["invoice", "number"]`."""
    spaced = _CAMEL.sub(" ", name)
    return tokens(spaced.replace("_", " "))


def snake_case(text: str) -> str:
    """A property name from a label: `Invoice No.` -> `invoice_no`."""
    return "_".join(tokens(text)) or "field"


_SUFFIXES = (
    "ations", "ation", "ments", "ment", "ungen", "ung", "ing", "ies", "ions", "ion", "en",
    "es", "er", "e", "s", "a", "i", "o", "y",
)  # fmt: skip


@functools.lru_cache(maxsize=1 << 16)
def stem(token: str) -> str:
    """A light multilingual stem: strip one common inflection suffix from words of 5+ letters."""
    if len(token) < 5 or token.isdigit():
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


def stems(text: str) -> list[str]:
    return [stem(tok) for tok in tokens(text)]


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": word_set("the and of to for with from date total amount invoice number due please"),
    "de": word_set("der die das und mit von für fur zu bitte rechnung datum betrag summe nr"),
    "fr": word_set("le la les et de du des pour avec facture date montant total numero"),
    "nl": word_set("de het een en van voor met factuur datum bedrag totaal nummer"),
    "es": word_set("el la los las y de del para con factura fecha importe total numero"),
    "it": word_set("il lo la gli le e di del della per con fattura data importo totale"),
    "pl": word_set("i w z na do od dla faktura data kwota razem numer sprzedawca nabywca"),
}
_STRONG: dict[str, frozenset[str]] = {
    "en": word_set("the and of to for with from date total amount invoice number due please"),
    "de": word_set("der die das und mit von für fur zu bitte rechnung datum betrag summe nr"),
    "fr": frozenset(["facture", "les", "pour", "avec", "numero"]),
    "nl": frozenset(["factuur", "het", "een", "voor", "totaal"]),
    "es": frozenset(["factura", "los", "las", "del", "importe"]),
    "it": frozenset(["fattura", "il", "della", "importo", "totale"]),
    "pl": frozenset(["faktura", "sprzedawca", "nabywca", "razem", "kwota"]),
}


def detect_language(words: Iterable[str]) -> str | None:
    """The most likely language (en, de, fr, nl, es, it, pl) from folded tokens, or None."""
    counts = dict.fromkeys(_STOPWORDS, 0.0)
    for word in words:
        for lang, vocabulary in _STOPWORDS.items():
            if word in vocabulary:
                counts[lang] += 2.0 if word in _STRONG[lang] else 1.0
    best = max(sorted(counts), key=lambda lang: counts[lang])
    return best if counts[best] >= 2.0 else None
