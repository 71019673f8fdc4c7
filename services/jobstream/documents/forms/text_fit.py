"""Fitting a value inside a field's box: the largest font size at which it fits, wrapped onto
several lines where the field takes them, or nothing when it cannot fit at a legible size.

Pure: the width of a string at a size is asked of `measure` (the loader passes its font's metrics).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Measure = Callable[[str, float], float]  # (text, font size) -> width in points
MAX_SIZE = 11.0
MIN_SIZE = 5.0
PADDING = 2.0
LEADING = 1.15  # line height as a multiple of the font size
ASCENT = 0.72  # the part of a size above the baseline, for Helvetica-like fonts


@dataclass(frozen=True, slots=True)
class FittedText:
    """Lines of a value and where their baselines go, relative to the box's bottom left."""

    size: float
    lines: tuple[str, ...]
    origins: tuple[tuple[float, float], ...]  # (x, baseline y) per line, in points


def fit_text(
    text: str, *, width: float, height: float, multiline: bool, measure: Measure
) -> FittedText | None:
    """The value laid out in a `width` x `height` box, or None when it cannot fit legibly."""
    text = " ".join(text.split()) if not multiline else text.strip()
    if not text:
        return None
    room_w, room_h = width - 2 * PADDING, height - 2 * PADDING
    size = min(MAX_SIZE, room_h / LEADING if multiline else room_h * 0.95)
    while size >= MIN_SIZE:
        lines = _wrap(text, room_w, size, measure) if multiline else [text]
        fits_width = all(measure(line, size) <= room_w for line in lines)
        if fits_width and len(lines) * size * LEADING <= room_h + 0.01 * size:
            return FittedText(size, tuple(lines), _origins(lines, size, height, multiline))
        size = round(size - 0.5, 2)
    return None


def _origins(
    lines: list[str], size: float, height: float, multiline: bool
) -> tuple[tuple[float, float], ...]:
    if not multiline:
        baseline = (height - size * ASCENT) / 2
        return ((PADDING, baseline),)
    first = height - PADDING - size * ASCENT - 0.1 * size
    return tuple((PADDING, first - i * size * LEADING) for i in range(len(lines)))


def _wrap(text: str, room: float, size: float, measure: Measure) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            for piece in _split_long(word, room, size, measure):
                trial = f"{current} {piece}" if current else piece
                if current and measure(trial, size) > room:
                    lines.append(current)
                    current = piece
                else:
                    current = trial
        lines.append(current)
    return lines


def _split_long(word: str, room: float, size: float, measure: Measure) -> list[str]:
    """A word wider than the box, cut into pieces that fit."""
    if measure(word, size) <= room:
        return [word]
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and measure(current + char, size) > room:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces
