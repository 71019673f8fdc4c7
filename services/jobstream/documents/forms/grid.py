"""Drawn geometry from line segments alone (what a scanned page's pixels give): the cells that
four segments enclose, grouped into tables when they share edges, single cells as boxes, and the
horizontal segments no cell uses as rules. Pure; points, origin top left."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from jobstream.documents.forms.labels import Rect

TOLERANCE = 2.5  # points: segments this close meet
MIN_CELL = 5.0
MAX_CELL_HEIGHT = 200.0
MIN_RULE = 24.0


@dataclass(frozen=True, slots=True)
class Segment:
    """A horizontal (`a`..`b` along x at `at` = y) or vertical (`a`..`b` along y at x) stroke."""

    a: float
    b: float
    at: float


@dataclass(frozen=True, slots=True)
class Grid:
    rules: tuple[Rect, ...]
    rects: tuple[Rect, ...]
    tables: tuple[tuple[tuple[Rect, ...], ...], ...]


def _covers(segment: Segment, lo: float, hi: float) -> bool:
    return segment.a <= lo + TOLERANCE and segment.b >= hi - TOLERANCE


def _cells_below(
    top: Segment, horizontals: Sequence[Segment], verticals: Sequence[Segment]
) -> list[Rect]:
    """The cells whose top edge lies on `top`: between consecutive verticals that cross it going
    down, closed by the nearest horizontal below that spans them."""
    down = sorted(
        (v for v in verticals if top.a - TOLERANCE <= v.at <= top.b + TOLERANCE
         and v.a <= top.at + TOLERANCE and v.b >= top.at + MIN_CELL),
        key=lambda v: v.at,
    )  # fmt: skip
    cells: list[Rect] = []
    for left, right in itertools.pairwise(down):
        if right.at - left.at < MIN_CELL:
            continue
        bottoms = [
            h for h in horizontals
            if MIN_CELL <= h.at - top.at <= MAX_CELL_HEIGHT and _covers(h, left.at, right.at)
            and left.b >= h.at - TOLERANCE and right.b >= h.at - TOLERANCE
        ]  # fmt: skip
        if bottoms:
            bottom = min(bottoms, key=lambda h: h.at)
            cells.append(Rect(left.at, top.at, right.at, bottom.at))
    return cells


def _tables(cells: list[Rect]) -> tuple[list[list[list[Rect]]], list[Rect]]:
    """Cells sharing an edge form a table (rows top to bottom); a lone cell is a box."""
    group = list(range(len(cells)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, a in enumerate(cells):
        for j in range(i + 1, len(cells)):
            b = cells[j]
            same_row = abs(a.y0 - b.y0) <= TOLERANCE and abs(a.y1 - b.y1) <= TOLERANCE
            side = abs(a.x1 - b.x0) <= TOLERANCE or abs(b.x1 - a.x0) <= TOLERANCE
            stacked = abs(a.y1 - b.y0) <= TOLERANCE or abs(b.y1 - a.y0) <= TOLERANCE
            overlap = min(a.x1, b.x1) - max(a.x0, b.x0) > MIN_CELL
            if (same_row and side) or (stacked and overlap):
                group[root(i)] = root(j)
    members: dict[int, list[Rect]] = {}
    for i, cell in enumerate(cells):
        members.setdefault(root(i), []).append(cell)
    tables: list[list[list[Rect]]] = []
    boxes: list[Rect] = []
    for found in members.values():
        if len(found) == 1:
            boxes.append(found[0])
            continue
        rows: dict[float, list[Rect]] = {}
        for cell in sorted(found, key=lambda c: (round(c.y0), c.x0)):
            rows.setdefault(round(cell.y0), []).append(cell)
        tables.append([sorted(r, key=lambda c: c.x0) for _, r in sorted(rows.items())])
    return tables, boxes


def grid_from_segments(horizontals: Sequence[Segment], verticals: Sequence[Segment]) -> Grid:
    cells = [c for top in horizontals for c in _cells_below(top, horizontals, verticals)]
    tables, boxes = _tables(cells)
    edges = [*cells]
    rules = [
        Rect(h.a, h.at, h.b, h.at) for h in horizontals
        if h.b - h.a >= MIN_RULE and not any(
            (abs(h.at - c.y0) <= TOLERANCE or abs(h.at - c.y1) <= TOLERANCE)
            and min(h.b, c.x1) - max(h.a, c.x0) > MIN_CELL for c in edges
        )
    ]  # fmt: skip
    return Grid(tuple(rules), tuple(boxes), tuple(tuple(tuple(r) for r in t) for t in tables))
