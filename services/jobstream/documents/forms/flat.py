"""Fillable places of a flat form (no AcroForm), found over a page's words and drawn geometry.

In order of trust: empty cells of a label/value table, small drawn squares (checkboxes), empty
drawn boxes, runs of underscores or dotted leaders in the text, and horizontal rules with blank
space above them. Each needs a label (left of it, above it, a caption inside a box's top or
under a rule, right of a checkbox); a place nobody named is not reported. A place that overlaps
one already found is the same place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from jobstream.documents.forms.labels import (
    Piece,
    Rect,
    clean_label,
    label_above,
    label_below,
    label_left,
    label_right,
    pieces_inside,
)
from jobstream.documents.forms.model import PageGeometry, WidgetKind

BLANK_IN_WORD = re.compile(r"_{3,}|\.{4,}|…{2,}")
SQUARE_MIN, SQUARE_MAX = 5.0, 20.0  # points: a checkbox's side
BOX_MIN_WIDTH, BOX_MIN_HEIGHT = 30.0, 10.0
MULTILINE_HEIGHT = 28.0  # a box taller than this takes several lines
FIELD_HEIGHT = 14.0  # the writing space assumed above a rule


@dataclass(frozen=True, slots=True)
class FlatPlace:
    """A fillable place in points with its label."""

    rect: Rect
    label: str
    kind: WidgetKind


def find_flat_places(geometry: PageGeometry, pieces: Sequence[Piece]) -> list[FlatPlace]:
    """Every fillable place of one page, deduplicated, in reading order."""
    scale = {"page_width": geometry.width, "page_height": geometry.height}
    tables = [[[Rect.of(c, **scale) for c in row] for row in t] for t in geometry.tables]
    rects = [Rect.of(r, **scale) for r in geometry.rects]
    rules = [Rect.of(r, **scale) for r in geometry.rules]
    squares = [r for r in rects if _is_square(r)]
    found: list[FlatPlace] = []
    for place in (
        *_table_places(tables, pieces),
        *_checkbox_places(squares, pieces, geometry.width),
        *_box_places([r for r in rects if r not in squares], pieces, geometry),
        *_blank_word_places(pieces, geometry.width),
        *_rule_places(rules, pieces, geometry.width),
    ):
        if place.label and not any(_same_place(place.rect, f.rect) for f in found):
            found.append(place)
    return reading_order(found)


def reading_order(places: list[FlatPlace]) -> list[FlatPlace]:
    rows: list[list[FlatPlace]] = []
    for place in sorted(places, key=lambda p: p.rect.center[1]):
        if rows and abs(rows[-1][0].rect.center[1] - place.rect.center[1]) < 6:
            rows[-1].append(place)
        else:
            rows.append([place])
    return [p for row in rows for p in sorted(row, key=lambda p: p.rect.x0)]


def _same_place(a: Rect, b: Rect) -> bool:
    smaller = min(a.width * a.height, b.width * b.height)
    return smaller > 0 and a.overlap_area(b) > 0.5 * smaller


def _is_square(r: Rect) -> bool:
    side = max(r.width, r.height)
    return (
        min(r.width, r.height) >= SQUARE_MIN
        and side <= SQUARE_MAX
        and (abs(r.width - r.height) <= 0.25 * side)
    )


def _text_of(pieces: Sequence[Piece]) -> str:
    return clean_label(
        " ".join(p.text for p in sorted(pieces, key=lambda p: (p.rect.y0, p.rect.x0)))
    )


def _inset(r: Rect, by: float = 1.5) -> Rect:
    return Rect(r.x0 + by, r.y0 + by, r.x1 - by, r.y1 - by)


def _table_places(tables: list[list[list[Rect]]], pieces: Sequence[Piece]) -> Iterator[FlatPlace]:
    """Empty cells, labeled by the nearest filled cell left of them, else by their column head."""
    for rows in tables:
        texts = [[_text_of(pieces_inside(cell, pieces)) for cell in row] for row in rows]
        header = rows[0] if rows and all(texts[0]) else None
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if texts[r][c]:
                    continue
                label = next((texts[r][i] for i in range(c - 1, -1, -1) if texts[r][i]), "")
                if not label and header is not None and r > 0:
                    label = _column_head(cell, header, texts[0])
                    label = f"{label} {r}" if label and len(rows) > 2 else label
                kind: WidgetKind = "multiline" if cell.height > MULTILINE_HEIGHT else "text"
                yield FlatPlace(_inset(cell), label, kind)


def _column_head(cell: Rect, header: list[Rect], texts: list[str]) -> str:
    for head, text in zip(header, texts, strict=True):
        if head.x0 - 1 <= cell.center[0] <= head.x1 + 1:
            return text
    return ""


def _checkbox_places(
    squares: list[Rect], pieces: Sequence[Piece], page_width: float
) -> Iterator[FlatPlace]:
    for square in squares:
        area = square.width * square.height
        covered = [
            p for p in pieces
            if p.exact and p.rect.overlap_area(square) > 0.3 * area
            and not _is_the_square(p, square)
        ]  # fmt: skip
        if covered:  # text over it: a square drawn in a glyph or a filled-in box, not a blank
            continue
        label = label_right(square, pieces, stops=squares) or label_left(
            square, pieces, page_width=page_width
        )
        yield FlatPlace(square, label, "checkbox")


def _is_the_square(piece: Piece, square: Rect) -> bool:
    """OCR reading a drawn square as a glyph ("C1", "LJ", "O"): a short word over the square."""
    area = piece.rect.width * piece.rect.height
    return len(piece.text) <= 3 and area > 0 and piece.rect.overlap_area(square) > 0.5 * area


def _box_places(
    rects: list[Rect], pieces: Sequence[Piece], geometry: PageGeometry
) -> Iterator[FlatPlace]:
    for rect in rects:
        if rect.width < BOX_MIN_WIDTH or rect.height < BOX_MIN_HEIGHT:
            continue
        if rect.width > 0.9 * geometry.width or rect.height > 0.4 * geometry.height:
            continue  # a frame around the page or a section, not a field
        inside = pieces_inside(rect, pieces)
        if not inside:
            label = label_left(rect, pieces, page_width=geometry.width) or label_above(rect, pieces)
            kind: WidgetKind = "multiline" if rect.height > MULTILINE_HEIGHT else "text"
            yield FlatPlace(_inset(rect), label, kind)
            continue
        caption_bottom = max(p.rect.y1 for p in inside)
        if caption_bottom - rect.y0 < 0.45 * rect.height and rect.y1 - caption_bottom >= 10:
            space = Rect(rect.x0, caption_bottom + 1, rect.x1, rect.y1)
            kind = "multiline" if space.height > MULTILINE_HEIGHT else "text"
            yield FlatPlace(_inset(space), _text_of(inside), kind)


def _blank_word_places(pieces: Sequence[Piece], page_width: float) -> Iterator[FlatPlace]:
    """Runs of underscores or dots in a word; the text before them in the word is the label."""
    for piece in pieces:
        for match in BLANK_IN_WORD.finditer(piece.text):
            chars = max(len(piece.text), 1)
            r = piece.rect
            x0 = r.x0 + r.width * match.start() / chars
            x1 = r.x0 + r.width * match.end() / chars
            if match.group().startswith(".") and _is_leader(piece, match.end(), pieces):
                continue
            rect = Rect(x0, r.y0 - 0.3 * r.height, x1, r.y1)
            prefix = clean_label(piece.text[: match.start()])
            label = prefix if match.start() > 0 else label_left(rect, pieces, page_width=page_width)
            yield FlatPlace(rect, label or label_above(rect, pieces), "text")


def _is_leader(piece: Piece, end: int, pieces: Sequence[Piece]) -> bool:
    """Dots followed by a number on the same line are a table of contents' leader."""
    if piece.text[end:].strip().isdigit():
        return True
    after = [
        p for p in pieces
        if 0 <= p.rect.x0 - piece.rect.x1 < 12 and abs(p.rect.y0 - piece.rect.y0) < 3
    ]  # fmt: skip
    return any(p.text.strip().isdigit() for p in after)


def _rule_places(
    rules: list[Rect], pieces: Sequence[Piece], page_width: float
) -> Iterator[FlatPlace]:
    """A rule with blank space above it; text sitting on its left part (`Name:`) is the label."""
    for rule in rules:
        space = Rect(rule.x0, rule.y0 - FIELD_HEIGHT, rule.x1, rule.y0)
        on = [p for p in pieces if p.rect.overlap_area(space) > 0.3 * p.rect.width * p.rect.height]
        label = ""
        if on:
            right = max(p.rect.x1 for p in on)
            text = _text_of(on)
            if not on[0].text or not " ".join(p.text for p in on).rstrip().endswith(":"):
                continue  # text written on the rule: an underline or a section heading
            if rule.x1 - right < BOX_MIN_WIDTH:
                continue
            space = Rect(right + 3, space.y0, rule.x1, space.y1)
            label = text
        label = label or label_left(space, pieces, page_width=page_width)
        label = label or label_below(rule, pieces) or label_above(space, pieces)
        yield FlatPlace(space, label, "text")
