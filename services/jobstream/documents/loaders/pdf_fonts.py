"""Fonts for text drawn into PDFs: Helvetica (no embedding) for what Windows-1252 covers, else an
embedded DejaVu Sans when the machine has it (Polish, Czech, Greek, Cyrillic names...)."""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FLAT_FONT = "Helvetica"
WIDE_FONT = "DejaVuSans"
WIDE_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)


@functools.cache
def _wide_font() -> str | None:
    for path in WIDE_FONT_PATHS:
        if path.is_file():
            pdfmetrics.registerFont(TTFont(WIDE_FONT, str(path)))
            return WIDE_FONT
    return None


def pick_font(text: str) -> str | None:
    """The font that can show `text`, or None when no available font can."""
    try:
        text.encode("cp1252")
        return FLAT_FONT
    except UnicodeEncodeError:
        return _wide_font()
