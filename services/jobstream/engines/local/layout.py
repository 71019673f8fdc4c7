"""A page as the local engine reads it: visual rows of segments, and table cells on a grid.

Loaders group words into lines and blocks in different ways (a text layer, Tesseract, a DOCX), so
the engine regroups the words itself: words whose vertical centres meet form a visual row, and a
row breaks into segments where the horizontal gap is wider than about a character's height (the
gap between a label and its value, or between columns). Table cells are segments too, with
their row and column. Neighbours — the segment right of a label, the one below it — come from
this geometry, or from the grid for cells, or from reading order when a format has no boxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from jobstream.documents.model import Box, Page, Table, TextBlock, Word
from jobstream.engines.local.ocr_tolerance import corrected
from jobstream.engines.local.text import tokens

_DEFAULT_ASPECT = 842.0 / 595.0  # A4 height / width when a format has no page size


@dataclass(slots=True)
class Segment:
    """A run of words read as one unit: a label, a value, a cell."""

    words: tuple[Word, ...]
    page: int
    row: int  # visual row index on the page (cells: -1)
    box: Box | None
    cell: tuple[int, int, int] | None = None  # (table index, row, column)
    header: bool = False  # a table header cell
    gridded: bool = False  # from a flattened layout grid: word boxes are the cells' boxes
    folded: list[str] = field(default_factory=list)  # tokens of the text

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words).strip()


@dataclass(slots=True)
class PageView:
    number: int
    rows: list[list[Segment]]
    tables: list[list[list[Segment]]]  # table -> row -> cell segments
    aspect: float

    def segments(self) -> list[Segment]:
        text = [seg for row in self.rows for seg in row]
        cells = [seg for table in self.tables for row in table for seg in row]
        return text + cells


def _make_segment(words: list[Word], page: int, row: int, *, ocr: bool = False) -> Segment:
    boxes = [w.box for w in words if w.box is not None]
    segment = Segment(words=tuple(words), page=page, row=row, box=Box.enclosing(boxes))
    segment.folded = _folded(segment.text, ocr=ocr)
    return segment


def _folded(text: str, *, ocr: bool) -> list[str]:
    found = tokens(text)
    return [corrected(tok) for tok in found] if ocr else found


def _visual_rows(words: list[Word], aspect: float) -> list[list[Word]]:
    """Words on one line form a row: they share most of their height with the row's typical
    word, or they stand on its baseline (bottoms within a descender's allowance). Word boxes are
    tight around the glyphs, so an accented capital reaches higher and a descender lower."""
    rows: list[list[Word]] = []
    typical: list[Box] = []  # each row's median-height word box
    boxed = [w for w in words if w.box is not None]
    for word in sorted(boxed, key=lambda w: w.box.bottom if w.box else 0.0):
        box = word.box
        if box is None:
            continue
        best, best_fit = -1, 0.0
        for index in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            fit = _same_line(box, typical[index])
            if fit > best_fit:
                best, best_fit = index, fit
        if best >= 0:
            rows[best].append(word)
            boxes = sorted((w.box for w in rows[best] if w.box), key=lambda b: b.height)
            typical[best] = boxes[len(boxes) // 2]
        else:
            rows.append([word])
            typical.append(box)
    return [sorted(row, key=lambda w: w.box.left if w.box else 0.0) for row in rows]


def _same_line(box: Box, row: Box) -> float:
    """How surely a word box sits on a row (0: not at all)."""
    overlap = min(box.bottom, row.bottom) - max(box.top, row.top)
    fraction = overlap / max(1e-9, box.height, row.height)
    low, high = sorted((box.height, row.height))
    baseline = abs(box.bottom - row.bottom) / max(1e-9, low)
    if fraction > 0.5 or (baseline <= 0.4 and high <= 1.6 * low):  # same size, same baseline
        return max(fraction, 1.0 - baseline)
    return 0.0


_SEPARATORS = frozenset(["|", "\u00b7", "\u2022", "\u00a6", "\u2016", "\u2013", "\u2014", ";"])


def _split_row(row: list[Word], aspect: float, space: float | None) -> list[list[Word]]:
    """Segments of a row: a new one after a wide gap or at a separator word (`|`, `·`, `•`),
    which is dropped (`Invoice No. 12 · Date 13.10.2026` is two label-value pairs)."""
    parts: list[list[Word]] = [[]]
    previous: Word | None = None
    for word in row:
        if word.text.strip() in _SEPARATORS:
            parts.append([])
            previous = None
            continue
        if previous is not None and _wide_gap(previous, word, aspect, space):
            parts.append([])
        parts[-1].append(word)
        previous = word
    return [part for part in parts if part]


def _split_separators(words: list[Word]) -> list[list[Word]]:
    """A line without boxes splits only at separator words."""
    parts: list[list[Word]] = [[]]
    for word in words:
        if word.text.strip() in _SEPARATORS:
            parts.append([])
        else:
            parts[-1].append(word)
    return [part for part in parts if part] or [words]


_WIDE = 0.85  # a gap wider than this share of the words' height always breaks a row
_SPACES_APART = 1.7  # on a text layer, a gap this many word spaces wide breaks it too
_MIN_BREAK = 0.35  # ... when it is at least this share of the height (two spaces, not kerning)


def _gap_ratio(previous: Word, word: Word, aspect: float) -> float | None:
    """The gap between two words in units of their height (None without boxes)."""
    if previous.box is None or word.box is None:
        return None
    gap = (word.box.left - previous.box.right) / aspect  # in page-height units
    return gap / max(1e-9, previous.box.height, word.box.height)


def _wide_gap(previous: Word, word: Word, aspect: float, space: float | None) -> bool:
    ratio = _gap_ratio(previous, word, aspect)
    if ratio is None:
        return True
    if space is not None and ratio > max(_MIN_BREAK, _SPACES_APART * space):
        return True  # `Invoice INV-2041  Total: 1,250.00`: two spaces set the pairs apart
    return ratio > _WIDE


def word_space(rows: list[list[Word]], aspect: float) -> float | None:
    """A text layer's typical space between words (the median gap narrower than a column
    break, in units of the words' height), or None when the page has too few to tell."""
    gaps = sorted(
        ratio
        for row in rows
        for previous, word in pairwise(row)
        if (ratio := _gap_ratio(previous, word, aspect)) is not None and 0.0 < ratio <= _WIDE
    )
    return gaps[len(gaps) // 2] if len(gaps) >= 3 else None


def _table_segments(table: Table, index: int, page: int, *, ocr: bool) -> list[list[Segment]]:
    grid: list[list[Segment]] = []
    for r, row in enumerate(table.rows):
        cells: list[Segment] = []
        for c, cell in enumerate(row):
            words = tuple(Word(text=part, box=cell.box) for part in cell.text.split())
            segment = Segment(words=words, page=page, row=-1, box=cell.box, cell=(index, r, c))
            segment.header = r < table.header_rows
            segment.folded = _folded(cell.text, ocr=ocr)
            cells.append(segment)
        grid.append(cells)
    return grid


def _sparse(table: Table) -> bool:
    """A layout grid rather than a data table: mostly empty cells (OCR's line detection turns
    frames and rules into such grids)."""
    cells = [cell for row in table.rows for cell in row]
    empty = sum(1 for cell in cells if not cell.text.strip())
    return len(table.rows[0]) >= 4 and empty > 0.6 * len(cells) if table.rows else False


def _flattened(table: Table) -> list[list[list[Word]]]:
    """A sparse grid's rows as text rows: cells that touch (no wide empty cell between) form one
    segment, each word carrying its cell's box."""
    rows: list[list[list[Word]]] = []
    for row in table.rows:
        parts: list[list[Word]] = [[]]
        for cell in row:
            if not cell.text.strip():
                if cell.box is None or cell.box.width > 0.03:
                    parts.append([])
                continue
            parts[-1].extend(Word(text=part, box=cell.box) for part in cell.text.split())
        parts = [part for part in parts if part]
        if parts:
            rows.append(parts)
    return rows


def _segments(
    parts: list[list[Word]], page: int, index: int, *, ocr: bool, gridded: bool
) -> list[Segment]:
    segments = [_make_segment(part, page, index, ocr=ocr) for part in parts]
    for segment in segments:
        segment.gridded = gridded
    return segments


def page_view(page: Page) -> PageView:
    """Regroup a page's words into rows of segments; tables keep their grid."""
    aspect = page.height / page.width if page.width and page.height else _DEFAULT_ASPECT
    ocr = page.source == "ocr"
    boxed: list[Word] = []
    unboxed: list[list[list[Word]]] = []
    placed: list[tuple[float, list[list[Word]], bool]] = []  # (top, segments' words, gridded)
    tables: list[list[list[Segment]]] = []
    for block in page.blocks:
        if isinstance(block, TextBlock):
            for line in block.lines:
                if line.words and all(w.box is not None for w in line.words):
                    boxed.extend(line.words)
                elif line.words:
                    unboxed.append(_split_separators(list(line.words)))
        elif ocr and _sparse(block):
            placed += [(_top(parts), parts, True) for parts in _flattened(block)]
        else:
            tables.append(_table_segments(block, len(tables), page.number, ocr=ocr))
    visual = _visual_rows(boxed, aspect)
    space = None if ocr else word_space(visual, aspect)  # OCR's word gaps are too uneven
    placed += [(_top([row]), _split_row(row, aspect, space), False) for row in visual]
    ordered = [(parts, False) for parts in unboxed]
    ordered += [(parts, gridded) for _, parts, gridded in sorted(placed, key=lambda p: p[0])]
    rows = [
        _segments(parts, page.number, index, ocr=ocr, gridded=gridded)
        for index, (parts, gridded) in enumerate(ordered)
    ]
    return PageView(number=page.number, rows=rows, tables=tables, aspect=aspect)


def _top(parts: list[list[Word]]) -> float:
    return min((w.box.top for part in parts for w in part if w.box), default=0.0)


def right_of(view: PageView, segment: Segment) -> Segment | None:
    """The next segment on the same visual row (or the next non-empty cell of the row)."""
    if segment.cell is not None:
        t, r, c = segment.cell
        for cell in view.tables[t][r][c + 1 :]:
            if cell.text:
                return cell
        return None
    if segment.row < 0 or segment.row >= len(view.rows):
        return None
    row = view.rows[segment.row]
    position = row.index(segment) if segment in row else -1
    return row[position + 1] if 0 <= position < len(row) - 1 else None


def _overlaps(a: Box, b: Box) -> bool:
    return min(a.right, b.right) - max(a.left, b.left) > -0.01


def below(view: PageView, segment: Segment, *, max_rows: int = 2) -> list[Segment]:
    """Segments under this one (same column), nearest first, up to `max_rows` visual rows."""
    if segment.cell is not None:
        t, r, c = segment.cell
        cells: list[Segment] = []
        for row in view.tables[t][r + 1 : r + 1 + max_rows]:
            if c < len(row) and row[c].text:
                cells.append(row[c])
        return cells
    found: list[Segment] = []
    bottom = segment.box.bottom if segment.box else 0.0
    for row in view.rows[segment.row + 1 : segment.row + 1 + max_rows]:
        for candidate in row:
            if segment.box is None or candidate.box is None:
                found.append(row[0])
                break
            if candidate.box.top - bottom > 3.0 * segment.box.height:
                return found
            if _overlaps(segment.box, candidate.box):
                found.append(candidate)
                bottom = candidate.box.bottom
                break
    return found
