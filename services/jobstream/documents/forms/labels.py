"""Finding the visible label of a place on a page: the nearest text left of it, above it, right of
it (checkboxes) or below it (a caption under a signature line), read from the Document's words.

Work happens in points (`Rect`), so that gaps and heights mean the same on every page size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jobstream.documents.model import Box, Page

BLANK = re.compile(r"^(?:_{3,}|\.{4,}|…{2,}|-{4,})$")
WORD_GAP = 1.1  # words further apart than this many text heights are not one label
MAX_LABEL_GAP = 0.35  # of the page width: a label further left than this is not this field's


@dataclass(frozen=True, slots=True)
class Rect:
    """A box in points, origin top left."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def center(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def contains_point(self, x: float, y: float, slack: float = 0.0) -> bool:
        return self.x0 - slack <= x <= self.x1 + slack and self.y0 - slack <= y <= self.y1 + slack

    def overlap_area(self, other: Rect) -> float:
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return w * h if w > 0 and h > 0 else 0.0

    def to_box(self, *, page_width: float, page_height: float) -> Box:
        return Box(
            left=self.x0 / page_width, top=self.y0 / page_height,
            width=self.width / page_width, height=self.height / page_height,
        )  # fmt: skip

    @staticmethod
    def of(box: Box, *, page_width: float, page_height: float) -> Rect:
        return Rect(
            box.left * page_width, box.top * page_height,
            box.right * page_width, box.bottom * page_height,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Piece:
    """A word (or a table cell's text) placed on the page, in points."""

    text: str
    rect: Rect
    exact: bool = True  # False: a table cell's text, placed at the whole cell's box

    @property
    def is_blank(self) -> bool:
        return bool(BLANK.match(self.text))


def page_pieces(page: Page, *, width: float, height: float) -> list[Piece]:
    """Every positioned word of a page, table cells included (a cell's text at the cell's box)."""
    scale = {"page_width": width, "page_height": height}
    pieces = [
        Piece(w.text, Rect.of(w.box, **scale)) for w in page.words() if w.box and w.text.strip()
    ]
    for table in page.tables:
        pieces += [
            Piece(c.text, Rect.of(c.box, **scale), exact=False)
            for row in table.rows for c in row if c.box is not None and c.text.strip()
        ]  # fmt: skip
    return pieces


def clean_label(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(" :*").strip()


def _same_line(piece: Rect, target: Rect) -> bool:
    if target.height > 2.2 * piece.height:  # a tall box: its label sits by its first line
        return target.y0 - 0.6 * piece.height <= piece.center[1] <= target.y1
    overlap = min(piece.y1, target.y1) - max(piece.y0, target.y0)
    return overlap >= 0.5 * min(piece.height, target.height)


def _join(pieces: Sequence[Piece]) -> str:
    return clean_label(" ".join(p.text for p in sorted(pieces, key=lambda p: p.rect.x0)))


def _run(start: Piece, rest: Iterable[Piece], *, leftward: bool) -> list[Piece]:
    """`start` and the words that continue it on its line, without a wide gap or a blank."""
    run = [start]
    ordered = sorted(rest, key=lambda p: -p.rect.x1 if leftward else p.rect.x0)
    for piece in ordered:
        edge = run[-1].rect
        gap = edge.x0 - piece.rect.x1 if leftward else piece.rect.x0 - edge.x1
        if gap < -1 or not _same_line(piece.rect, start.rect):
            continue
        if gap > WORD_GAP * max(start.rect.height, 1.0) or piece.is_blank:
            break
        run.append(piece)
    return run


def label_left(target: Rect, pieces: Sequence[Piece], *, page_width: float) -> str:
    """The words ending left of `target` on its first text line, nearest first."""
    candidates = [
        p for p in pieces
        if p.rect.x1 <= target.x0 + 2 and _same_line(p.rect, target)
        and target.x0 - p.rect.x1 <= MAX_LABEL_GAP * page_width
    ]  # fmt: skip
    if not candidates:
        return ""
    top_line = min(p.rect.y0 for p in candidates)
    line = [p for p in candidates if abs(p.rect.y0 - top_line) < 0.5 * p.rect.height]
    nearest = max(line, key=lambda p: p.rect.x1)
    if nearest.is_blank:
        return ""
    return _join(_run(nearest, [p for p in line if p is not nearest], leftward=True))


def label_right(target: Rect, pieces: Sequence[Piece], *, stops: Sequence[Rect] = ()) -> str:
    """The words starting right of `target` on its line (a checkbox's label), up to a stop."""
    limit = min((s.x0 for s in stops if s.x0 > target.x1 and _same_line(s, target)), default=1e9)
    line = [
        p for p in pieces
        if p.rect.x0 >= target.x1 - 1 and p.rect.x1 <= limit and _same_line(p.rect, target)
    ]  # fmt: skip
    if not line:
        return ""
    nearest = min(line, key=lambda p: p.rect.x0)
    if (
        nearest.rect.x0 - target.x1 > 3 * max(target.height, nearest.rect.height)
        or nearest.is_blank
    ):
        return ""
    return _join(_run(nearest, [p for p in line if p is not nearest], leftward=False))


def label_above(target: Rect, pieces: Sequence[Piece]) -> str:
    """The nearest text line just above `target`, starting over its left part."""
    reach = max(1.6 * min(target.height, 20.0), 14.0)
    above = [
        p for p in pieces
        if p.rect.y1 <= target.y0 + 2 and target.y0 - p.rect.y1 <= reach and not p.is_blank
    ]  # fmt: skip
    starts = [p for p in above if target.x0 - 12 <= p.rect.x0 < target.x0 + 0.5 * target.width]
    if not starts:
        return ""
    bottom = max(p.rect.y1 for p in starts)
    line = [p for p in above if abs(p.rect.y1 - bottom) < 0.5 * p.rect.height]
    first = min((p for p in line if p in starts), key=lambda p: p.rect.x0)
    rest = [p for p in line if p is not first and p.rect.x0 > first.rect.x0]
    return _join(_run(first, rest, leftward=False))


def label_below(target: Rect, pieces: Sequence[Piece]) -> str:
    """A caption just under `target` (a rule), over its left part."""
    below = [
        p for p in pieces
        if p.rect.y0 >= target.y1 - 1 and p.rect.y0 - target.y1 <= 10
        and target.x0 - 6 <= p.rect.x0 < target.x0 + 0.5 * target.width and not p.is_blank
    ]  # fmt: skip
    if not below:
        return ""
    top = min(p.rect.y0 for p in below)
    line = [p for p in below if abs(p.rect.y0 - top) < 0.5 * p.rect.height]
    first = min(line, key=lambda p: p.rect.x0)
    return _join(_run(first, [p for p in line if p is not first], leftward=False))


def pieces_inside(target: Rect, pieces: Sequence[Piece]) -> list[Piece]:
    return [p for p in pieces if target.contains_point(*p.rect.center)]
