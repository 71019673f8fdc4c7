"""Checking the values an engine proposes against the fields that must hold them.

A checkbox takes yes/no words (in the languages the documents come in); a radio group or a
closed choice list takes one of its options (matched by normalized text); a text field takes
text no longer than its `max_length`. A value a field cannot take becomes None with a warning:
the form is never filled with something it cannot show.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from jobstream.documents.forms.model import DetectedField

TRUE_WORDS = frozenset(
    [
        "yes",
        "y",
        "true",
        "x",
        "checked",
        "check",
        "ticked",
        "on",
        "1",
        "ja",
        "oui",
        "si",
        "sí",
        "tak",
        "sim",
        "vero",
        "wahr",
        "waar",
    ]
)
FALSE_WORDS = frozenset(
    [
        "no",
        "n",
        "false",
        "unchecked",
        "off",
        "0",
        "nein",
        "non",
        "nee",
        "nie",
        "não",
        "falso",
        "niet",
    ]
)


@dataclass(frozen=True, slots=True)
class FieldWarning:
    """A value that did not go into its field, and why."""

    key: str
    reason: str  # "not_a_checkbox_value" | "not_an_option" | "too_long" | "does_not_fit" | ...
    message: str


@dataclass(frozen=True, slots=True)
class AcceptedValue:
    """What a field gets: `value` for the PDF (bool for checkboxes), `text` for the API."""

    field: DetectedField
    value: str | bool | None

    @property
    def text(self) -> str | None:
        if self.value is None:
            return None
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return self.value


def normalized(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^\w]+", " ", stripped).strip()


def accept_values(
    fields: list[DetectedField], values: dict[str, Any]
) -> tuple[list[AcceptedValue], list[FieldWarning]]:
    """Every field with the value it takes (None when none was given or it could not take it)."""
    accepted: list[AcceptedValue] = []
    warnings: list[FieldWarning] = []
    for field in fields:
        raw = values.get(field.spec.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            accepted.append(AcceptedValue(field, None))
            continue
        value, warning = _coerce(field, raw)
        accepted.append(AcceptedValue(field, value))
        if warning is not None:
            warnings.append(warning)
    return accepted, warnings


def _coerce(field: DetectedField, raw: Any) -> tuple[str | bool | None, FieldWarning | None]:
    key = field.spec.key
    if field.spec.type == "checkbox":
        flag = checkbox_value(raw)
        if flag is None:
            return None, FieldWarning(
                key, "not_a_checkbox_value",
                f"{key}: {str(raw)[:60]!r} is not a yes/no value for a checkbox; left empty.",
            )  # fmt: skip
        return flag, None
    text = _as_text(raw)
    if field.spec.options:
        option = match_option(text, field.spec.options)
        if option is None:
            choices = ", ".join(field.spec.options)
            return None, FieldWarning(
                key, "not_an_option", f"{key}: {text[:60]!r} is not one of {choices}; left empty."
            )
        text = option
    limit = field.spec.max_length
    if limit is not None and len(text) > limit:
        return None, FieldWarning(
            key,
            "too_long",
            f"{key}: the value has {len(text)} characters, the field takes {limit}.",
        )
    return text, None


def _as_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "Yes" if raw else "No"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def checkbox_value(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        return bool(raw) if raw in (0, 1) else None
    words = normalized(str(raw))
    if words in TRUE_WORDS or str(raw).strip() in ("✓", "✔", "☑", "☒"):
        return True
    if words in FALSE_WORDS or str(raw).strip() == "☐":
        return False
    return None


def match_option(text: str, options: tuple[str, ...]) -> str | None:
    """The option `text` names: equal when normalized, else the one option it starts or is in."""
    wanted = normalized(text)
    if not wanted:
        return None
    for option in options:
        if normalized(option) == wanted:
            return option
    near = [o for o in options if normalized(o).startswith(wanted) or wanted in normalized(o)]
    return near[0] if len(near) == 1 else None
