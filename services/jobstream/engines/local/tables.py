"""Arrays of objects from tables: invoice line items, statement transactions.

A header row is a row whose cells are labels of at least two of the item's properties (by the
item schema's names and the item lexicon: `Qty`, `Menge`, `Quantité`, ...). Rows under it become
objects, each cell read as its property's kind; totals rows (`Subtotal`, `Total`) end the table.
Loaders that found the table give its grid; otherwise the columns come from the header segments'
positions on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jobstream.documents.model import Box
from jobstream.engines.local.fields import FieldSpec
from jobstream.engines.local.labels import LabelIndex
from jobstream.engines.local.layout import PageView, Segment
from jobstream.engines.local.numbers import parse_amount
from jobstream.engines.local.text import tokens
from jobstream.engines.local.values import READERS, DocumentContext


@dataclass(frozen=True, slots=True)
class Row:
    cells: dict[str, Segment]  # item property path -> its cell


def _column_owner(segment: Segment, index: LabelIndex, owners: set[str]) -> str | None:
    for occurrence in index.scan(segment):
        if occurrence.label.owner in owners and occurrence.start == 0:
            return occurrence.label.owner
    return None


def header_columns(
    segments: list[Segment], index: LabelIndex, owners: set[str]
) -> dict[int, str] | None:
    """Which segment of a candidate header row labels which item property (≥ 2 of them)."""
    columns: dict[int, str] = {}
    for position, segment in enumerate(segments):
        owner = _column_owner(segment, index, owners)
        if owner is not None and owner not in columns.values():
            columns[position] = owner
    return columns if len(columns) >= 2 else None


def _grid_rows(view: PageView, index: LabelIndex, stop: LabelIndex, owners: set[str]) -> list[Row]:
    rows: list[Row] = []
    for table in view.tables:
        for number, header in enumerate(table):
            columns = header_columns(header, index, owners)
            if columns is None:
                continue
            for cells in table[number + 1 :]:
                picked = {columns[i]: c for i, c in enumerate(cells) if i in columns and c.text}
                if _is_totals(cells, stop):
                    break
                if picked:
                    rows.append(Row(picked))
            break
    return rows


def _is_totals(cells: list[Segment], stop: LabelIndex) -> bool:
    """A totals line: its first non-empty cell starts with a totals label."""
    first = next((c for c in cells if c.text), None)
    if first is None:
        return False
    return any(o.label.owner in _TOTALS and o.start == 0 for o in stop.scan(first))


_TOTALS = frozenset({"subtotal", "total_amount", "tax_amount"})


def _column_of(segment: Segment, header: list[Segment], columns: dict[int, str]) -> str | None:
    """The column whose span holds the segment. Spans run from one header's left edge to the
    next's; a number is placed by its right edge (numbers are right-aligned, often starting left
    of their header), text by its left edge."""
    if segment.box is None:
        return None
    lefts = sorted((cell.box.left, p) for p, cell in enumerate(header) if cell.box is not None)
    numeric = parse_amount(segment.text) is not None
    probe = segment.box.right - 0.002 if numeric else segment.box.left
    chosen: int | None = None
    for left, position in lefts:
        if probe >= left - 0.01:
            chosen = position
    return columns.get(chosen) if chosen is not None else None


_WHOLE_AMOUNT = re.compile(r"\d[.,]\d{2}\D*$")  # `1.234,56` (not the `1` of `1 234,56`)


def _split_words(segment: Segment, bounds: list[tuple[int, int]]) -> list[Segment]:
    """The segment cut into one segment per token range (ranges on word boundaries)."""
    pieces: list[Segment] = []
    consumed = 0
    words_by_start: list[tuple[int, int]] = []
    for position, word in enumerate(segment.words):
        words_by_start.append((consumed, position))
        consumed += len(tokens(word.text))
    for start, end in bounds:
        chosen = [segment.words[p] for s, p in words_by_start if start <= s < end]
        if not chosen:
            return [segment]
        box = Box.enclosing([w.box for w in chosen if w.box is not None])
        piece = Segment(words=tuple(chosen), page=segment.page, row=segment.row, box=box)
        piece.folded = segment.folded[start:end]
        pieces.append(piece)
    return pieces


def _unmerged(row: list[Segment], index: LabelIndex) -> list[Segment]:
    """A row with runs OCR merged split again: a run of several item labels into one segment per
    label, a run of several amounts into one per amount."""
    out: list[Segment] = []
    for segment in row:
        cover = index.cover(segment.folded) if len(segment.words) > 1 else None
        if cover and len(cover) > 1:
            out += _split_words(segment, [(start, end) for start, end, _ in cover])
        elif len(segment.words) > 1 and all(_WHOLE_AMOUNT.search(w.text) for w in segment.words):
            out += _split_words(segment, _word_ranges(segment))
        else:
            out.append(segment)
    return out


def _word_ranges(segment: Segment) -> list[tuple[int, int]]:
    ranges, consumed = [], 0
    for word in segment.words:
        count = len(tokens(word.text))
        ranges.append((consumed, consumed + count))
        consumed += count
    return ranges


def _text_rows(view: PageView, index: LabelIndex, stop: LabelIndex, owners: set[str]) -> list[Row]:
    for number, found in enumerate(view.rows):
        header = _unmerged(found, index)
        columns = header_columns(header, index, owners)
        if columns is None:
            continue
        rows: list[Row] = []
        bottom = max(s.box.bottom for s in header if s.box) if header[0].box else 0.0
        for line in view.rows[number + 1 :]:
            top = min((s.box.top for s in line if s.box), default=bottom)
            if _is_totals(line, stop) or top - bottom > 0.06:
                break
            picked: dict[str, Segment] = {}
            for segment in _unmerged(line, index):
                owner = _column_of(segment, header, columns)
                if owner is not None and owner not in picked:
                    picked[owner] = segment
            if not picked:
                break
            rows.append(Row(picked))
            bottom = max((s.box.bottom for s in line if s.box), default=bottom)
        return rows
    return []


def table_rows(
    views: list[PageView], index: LabelIndex, stop: LabelIndex, owners: set[str]
) -> list[Row]:
    """The item rows of every page, grid tables first, in page order."""
    rows: list[Row] = []
    for view in views:
        found = _grid_rows(view, index, stop, owners)
        rows += found or _text_rows(view, index, stop, owners)
    return rows


def read_items(
    rows: list[Row], specs: list[FieldSpec], ctx: DocumentContext
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The objects and their likelihoods; a row with no readable value is dropped."""
    items: list[dict[str, Any]] = []
    likelihoods: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = {}
        likes: dict[str, Any] = {}
        for spec in specs:
            name = spec.path.rsplit(".", 1)[-1]
            cell = row.cells.get(spec.owner)
            value = READERS[spec.kind](cell.text, ctx) if cell is not None else None
            item[name], likes[name] = value, (0.9 if value is not None else 0.0)
        if any(v is not None for v in item.values()):
            items.append(item)
            likelihoods.append(likes)
    return items, likelihoods
