"""Reading a filled form back, to check what a viewer will show: AcroForm field values (pypdf)
and the text drawn in a given color inside a box (pdfplumber), for tests and `make eval`."""

from __future__ import annotations

import io
from typing import Any

import pdfplumber
from pypdf import PdfReader

from jobstream.documents.model import Box


def acroform_values(data: bytes) -> dict[str, str]:
    """Every field's value: text as written, checkboxes and radios as their state name."""
    fields = PdfReader(io.BytesIO(data)).get_fields() or {}
    values: dict[str, str] = {}
    for name, field in fields.items():
        value: Any = field.get("/V")
        if value is not None:
            values[name] = str(value).removeprefix("/")
    return values


def _same_color(char: dict[str, Any], color: tuple[float, float, float]) -> bool:
    seen = char.get("non_stroking_color")
    if not isinstance(seen, tuple | list) or len(seen) != 3:
        return False
    return all(abs(float(a) - b) < 0.02 for a, b in zip(seen, color, strict=True))


def colored_text_in(data: bytes, *, page: int, box: Box, color: tuple[float, float, float]) -> str:
    """The characters drawn in `color` whose centers lie inside `box`, as lines of text."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sheet = pdf.pages[page - 1]
        w, h = float(sheet.width), float(sheet.height)
        x0, top, x1, bottom = box.left * w, box.top * h, box.right * w, box.bottom * h
        chars = [
            c for c in sheet.chars
            if _same_color(c, color) and x0 <= (c["x0"] + c["x1"]) / 2 <= x1
            and top <= (c["top"] + c["bottom"]) / 2 <= bottom
        ]  # fmt: skip
        lines: dict[int, list[dict[str, Any]]] = {}
        for char in chars:
            lines.setdefault(round(char["top"]), []).append(char)
        texts = []
        for _, row in sorted(lines.items()):
            row.sort(key=lambda c: c["x0"])
            text = ""
            for prev, char in zip([None, *row], row, strict=False):
                gap = char["x0"] - prev["x1"] if prev is not None else 0.0
                text += (" " if gap > 0.2 * float(char["size"]) else "") + char["text"]
            texts.append(text)
        return "\n".join(texts)
