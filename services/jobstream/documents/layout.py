"""Page layout from positioned words: columns, reading order, lines, paragraphs and headings.

Pure geometry, no format library: the PDF text-layer loader hands in the words it read (boxes in
page units, origin top left) and the boxes of the tables it found; this returns the page's blocks
in reading order. Reading order comes from a recursive XY-cut: a region is split at the widest
vertical gutter that separates two columns (both sides running text, or running text beside a
sidebar of short lines that do not sit level with it; a form's "label   value" rows, level on
both sides, stay one line each), or else at a horizontal gap across its whole width; each leaf
is read top to bottom. Lines are words that overlap vertically; a new paragraph starts at a gap
taller than half a line or a change of font size; a line set clearly larger than the page's body
text is a heading.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from jobstream.documents.model import Block, Box, Line, Table, TextBlock, Word

_MAX_DEPTH = 24
_MIN_COLUMN_WORDS_PER_LINE = 3.0
_MIN_COLUMN_LINES = 3
_SIDEBAR_TEXT_WORDS_PER_LINE = 4.0
_FORM_ALIGNED_SHARE = 0.8  # a side of short lines this level with the other is a form's labels
HEADING_RATIO = 1.18  # a line this much larger than the body text is a heading


@dataclass(slots=True)  # not frozen: built once per word of every page, and frozen costs 2x
class RawWord:
    """A word as a loader read it: box in page units (points, pixels), origin top left."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    size: float = 0.0  # font size (0 = unknown: box height is used)
    confidence: float = 1.0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class PlacedTable:
    """A table found on the page, with its box in the same units as the words."""

    table: Table
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True, slots=True)
class _Frame:
    width: float
    height: float

    def box(self, left: float, top: float, right: float, bottom: float) -> Box:
        w, h = self.width or 1.0, self.height or 1.0
        left, top, right, bottom = left / w, top / h, right / w, bottom / h
        if not (0.0 <= left <= right <= 1.0 and 0.0 <= top <= bottom <= 1.0):  # off the page
            left, top = max(0.0, min(1.0, left)), max(0.0, min(1.0, top))
            right, bottom = max(left, min(1.0, right)), max(top, min(1.0, bottom))
        return Box(left, top, right - left, bottom - top)


def page_blocks(
    words: Sequence[RawWord],
    *,
    width: float,
    height: float,
    tables: Sequence[PlacedTable] = (),
) -> tuple[Block, ...]:
    """The page's text blocks and tables in reading order (words inside a table are dropped)."""
    frame = _Frame(width, height)
    free = [w for w in words if not any(_inside(w, t) for t in tables)]
    body_size = _body_size(free)
    items: list[RawWord | PlacedTable] = [*free, *tables]
    blocks: list[Block] = []
    for region in _xy_cut(items, _median_height(free), 0):
        blocks.extend(_region_blocks(region, frame, body_size))
    return tuple(blocks)


def group_lines(words: Sequence[RawWord]) -> list[list[RawWord]]:
    """Words that overlap vertically as lines, top to bottom, each left to right."""
    lines: list[list[RawWord]] = []
    spans: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: (w.top, w.left)):
        middle = (word.top + word.bottom) / 2
        for index in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = spans[index]
            if top <= middle <= bottom or (word.top <= (top + bottom) / 2 <= word.bottom):
                lines[index].append(word)
                if word.top < top or word.bottom > bottom:
                    spans[index] = (min(top, word.top), max(bottom, word.bottom))
                break
        else:
            lines.append([word])
            spans.append((word.top, word.bottom))
    return [sorted(line, key=lambda w: w.left) for line in lines]


def _inside(word: RawWord, table: PlacedTable) -> bool:
    x, y = (word.left + word.right) / 2, word.middle
    return table.left <= x <= table.right and table.top <= y <= table.bottom


def _median_height(words: Sequence[RawWord]) -> float:
    return statistics.median(w.height for w in words) if words else 10.0


def _body_size(words: Sequence[RawWord]) -> float:
    sizes = [round(w.size or w.height, 1) for w in words]
    return statistics.mode(sizes) if sizes else 0.0


def _gaps(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """(gap size, cut position) between the merged intervals of `spans`."""
    gaps: list[tuple[float, float]] = []
    spans.sort()
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach:
            gaps.append((start - reach, (start + reach) / 2))
        if end > reach:
            reach = end
    return gaps


def _xy_cut(
    items: list[RawWord | PlacedTable], line_height: float, depth: int
) -> list[list[RawWord | PlacedTable]]:
    if len(items) < 2 or depth > _MAX_DEPTH:
        return [items]
    vertical = sorted(_gaps([(i.left, i.right) for i in items]), reverse=True)
    for size, x in vertical:
        if size < line_height:
            break
        left = [i for i in items if i.right <= x]
        right = [i for i in items if i.left >= x]
        if _are_columns(left, right):
            return _xy_cut(left, line_height, depth + 1) + _xy_cut(right, line_height, depth + 1)
    horizontal = [g for g in _gaps([(i.top, i.bottom) for i in items]) if g[0] >= line_height]
    if not horizontal:
        return [items]
    _, y = max(horizontal)
    top = [i for i in items if i.bottom <= y]
    bottom = [i for i in items if i.top >= y]
    return _xy_cut(top, line_height, depth + 1) + _xy_cut(bottom, line_height, depth + 1)


def _shape(items: list[RawWord | PlacedTable]) -> tuple[bool, int, float, list[float]]:
    """(holds a table, line count, words per line, line bottoms) of one side of a gutter."""
    words = [i for i in items if isinstance(i, RawWord)]
    lines = group_lines(words)
    has_table = len(words) < len(items)
    per_line = len(words) / len(lines) if lines else 0.0
    return has_table, len(lines), per_line, [max(w.bottom for w in line) for line in lines]


def _aligned_share(fewer: list[float], other: list[float], tolerance: float) -> float:
    """Share of the `fewer` side's line bottoms that have a line of the other side level."""
    hits = sum(1 for y in fewer if any(abs(y - z) <= tolerance for z in other))
    return hits / len(fewer) if fewer else 1.0


def _are_columns(left: list[RawWord | PlacedTable], right: list[RawWord | PlacedTable]) -> bool:
    """Whether a gutter separates columns (read one after the other) rather than the labels and
    values of a form (read across). Columns: both sides running text (3+ lines of 3+ words) or
    tables; or one side running text (4+ words a line) beside a side of short lines
    (a sidebar) whose lines do not sit level with the text's, as a form's labels and values do."""
    (l_table, l_lines, l_words, l_bottoms) = _shape(left)
    (r_table, r_lines, r_words, r_bottoms) = _shape(right)

    def running_text(lines: int, per_line: float) -> bool:
        return lines >= _MIN_COLUMN_LINES and per_line >= _MIN_COLUMN_WORDS_PER_LINE

    if l_table or r_table:  # a table is a column; beside it, a table or running text
        return (l_table or running_text(l_lines, l_words)) and (
            r_table or running_text(r_lines, r_words)
        )
    if min(l_lines, r_lines) < _MIN_COLUMN_LINES:
        return False
    if min(l_words, r_words) >= _MIN_COLUMN_WORDS_PER_LINE:
        return True
    if max(l_words, r_words) < _SIDEBAR_TEXT_WORDS_PER_LINE:
        return False
    fewer, other = (l_bottoms, r_bottoms) if l_lines <= r_lines else (r_bottoms, l_bottoms)
    words = [i for i in (*left, *right) if isinstance(i, RawWord)]
    tolerance = 0.2 * _median_height(words)
    return _aligned_share(fewer, other, tolerance) < _FORM_ALIGNED_SHARE


def _region_blocks(
    items: list[RawWord | PlacedTable], frame: _Frame, body_size: float
) -> list[Block]:
    words = [i for i in items if isinstance(i, RawWord)]
    tables = sorted((i for i in items if isinstance(i, PlacedTable)), key=lambda t: t.top)
    blocks: list[tuple[float, Block]] = [(t.top, t.table) for t in tables]
    for group in _paragraphs(group_lines(words)):
        blocks.append((group[0][0].top, _text_block(group, frame, body_size)))
    blocks.sort(key=lambda pair: pair[0])
    return [block for _, block in blocks]


def _line_size(line: list[RawWord]) -> float:
    return statistics.median(w.size or w.height for w in line)


def _paragraphs(lines: list[list[RawWord]]) -> list[list[list[RawWord]]]:
    groups: list[list[list[RawWord]]] = []
    previous: list[RawWord] | None = None
    for line in lines:
        if previous is not None:
            gap = min(w.top for w in line) - max(w.bottom for w in previous)
            size, before = _line_size(line), _line_size(previous)
            if gap <= 0.5 * min(size, before) and abs(size - before) <= 0.1 * before:
                groups[-1].append(line)
                previous = line
                continue
        groups.append([line])
        previous = line
    return groups


def _text_block(group: list[list[RawWord]], frame: _Frame, body_size: float) -> TextBlock:
    lines = tuple(_line(line, frame) for line in group)
    size = statistics.median(_line_size(line) for line in group)
    is_heading = body_size > 0 and size >= HEADING_RATIO * body_size and len(group) <= 3
    level = 1 if size >= 1.6 * body_size else 2 if size >= 1.3 * body_size else 3
    return TextBlock(
        lines=lines,
        kind="heading" if is_heading else "paragraph",
        box=Box.enclosing([line.box for line in lines if line.box is not None]),
        level=level if is_heading else 0,
    )


def _line(words: list[RawWord], frame: _Frame) -> Line:
    box = frame.box
    placed = tuple(Word(w.text, box(w.left, w.top, w.right, w.bottom), w.confidence) for w in words)
    top, bottom = min(w.top for w in words), max(w.bottom for w in words)
    return Line(words=placed, box=box(words[0].left, top, words[-1].right, bottom))
