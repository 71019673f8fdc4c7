"""Ruled tables in a page picture (a scan, a photo): found from its rules, filled with OCR words.

Ink darker than the page's mid-grey is looked at (at half size) in runs: a horizontal run longer
than a twentieth of the page's width is part of a horizontal rule, a vertical run longer than a
fortieth of its height part of a vertical one (letters are far shorter). Rules that cross
(within a few pixels) are joined (documents/grids.py); a group with at least three horizontal and
three vertical rules is a grid: rows between consecutive horizontal rules, columns between
vertical ones. Each OCR word goes to the cell holding its centre; the words of a cell are read
top to bottom, left to right. Only fully ruled grids are found: tables drawn with whitespace
alone stay text.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from jobstream.documents.grids import Grid, Rule, grids_from_rules
from jobstream.documents.model import Box, Cell, Table, Word

_TOLERANCE = 2  # half-size pixels: rules closer than this cross, rows closer are one rule


def _long_runs(ink: np.ndarray, length: int) -> np.ndarray:
    """Where along axis 1 a run of `length` inked pixels starts (one column per window)."""
    sums = np.cumsum(ink, axis=1, dtype=np.int32)
    return np.asarray((sums[:, length:] - sums[:, :-length]) >= length)


def _covered(full: np.ndarray, length: int, width: int) -> np.ndarray:
    """The pixels the runs starting at `full` cover (to paint them out)."""
    starts = np.zeros((full.shape[0], width + 1), dtype=np.int32)
    starts[:, 1 : full.shape[1] + 1] = full
    counts = np.cumsum(starts, axis=1)
    shifted = np.zeros_like(counts)
    shifted[:, length:] = counts[:, :-length]
    return np.asarray((counts - shifted)[:, 1:] > 0)


def _thick(mask: np.ndarray, by: int = 2) -> np.ndarray:
    """`mask` grown by `by` pixels across its runs (rows above and below): a blurred rule's halo."""
    grown = mask.copy()
    for shift in range(1, by + 1):
        grown[shift:] |= mask[:-shift]
        grown[:-shift] |= mask[shift:]
    return grown


def _runs(full: np.ndarray, length: int) -> list[Rule]:
    """Rules along axis 1: rows holding a run of at least `length` inked pixels."""
    rows = np.flatnonzero(full.any(axis=1))
    rules: list[Rule] = []
    for row in rows:
        columns = np.flatnonzero(full[row])
        start, end = float(columns[0]), float(columns[-1] + length)
        last = rules[-1] if rules else None
        if last is not None and row - last.position <= _TOLERANCE and start <= last.end:
            rules[-1] = Rule(float(row), min(start, last.start), max(end, last.end))
        else:
            rules.append(Rule(float(row), start, end))
    return rules


def _ink_at_half_size(grey: np.ndarray) -> np.ndarray:
    """Dark pixels, 2x2 blocks pooled (a block is ink when any of its pixels is): a quarter of
    the work, and a 1-pixel rule survives."""
    ink = grey < min(128, int(grey[::4, ::4].mean()) - 40)
    height, width = (ink.shape[0] // 2) * 2, (ink.shape[1] // 2) * 2
    pooled = ink[:height, :width].reshape(height // 2, 2, width // 2, 2).any(axis=(1, 3))
    return np.asarray(pooled, dtype=np.uint8)


def _scaled(grid: Grid) -> Grid:
    rows, columns = grid
    return [2 * r + 1 for r in rows], [2 * c + 1 for c in columns]


def _painted_out(grey: np.ndarray, rules: np.ndarray) -> Image.Image:
    full = np.zeros(grey.shape, dtype=bool)
    grown = rules.repeat(2, axis=0).repeat(2, axis=1)
    full[: grown.shape[0], : grown.shape[1]] = grown
    cleaned = grey.copy()
    cleaned[full] = int(np.percentile(grey[::4, ::4], 90))
    return Image.fromarray(cleaned, mode="L")


def find_tables(image: Image.Image) -> tuple[list[Grid], Image.Image]:
    """The ruled grids in `image` ((row edges, column edges) in pixels, top to bottom), and the
    image with its rules painted out when there are grids (Tesseract drops text between rules).
    Searched at half size; no vertical search on a page without three horizontal rules."""
    grey = np.asarray(image if image.mode == "L" else image.convert("L"))
    ink = _ink_at_half_size(grey)
    height, width = ink.shape
    across, down = max(20, width // 20), max(20, height // 40)
    horizontal_runs = _long_runs(ink, across)
    horizontal = _runs(horizontal_runs, across)
    if len(horizontal) < 3:
        return [], image
    vertical_runs = _long_runs(ink.T, down)
    grids = grids_from_rules(horizontal, _runs(vertical_runs, down), tolerance=_TOLERANCE)
    if not grids:
        return [], image
    rules = (
        _thick(_covered(horizontal_runs, across, width), by=1)
        | _thick(_covered(vertical_runs, down, height), by=1).T
    )
    return [_scaled(g) for g in grids], _painted_out(grey, rules)


def _cell_text(words: list[Word]) -> str:
    def position(word: Word) -> tuple[int, float]:
        box = word.box or Box(0, 0, 0, 0)
        return round(box.top * 200), box.left  # lines of a cell to within half a percent

    return " ".join(w.text for w in sorted(words, key=position))


def _grid_box(rows: list[float], columns: list[float], width: int, height: int) -> Box:
    return Box(
        left=columns[0] / width, top=rows[0] / height,
        width=(columns[-1] - columns[0]) / width, height=(rows[-1] - rows[0]) / height,
    )  # fmt: skip


def fill_table(
    rows: list[float], columns: list[float], words: list[Word], *, width: int, height: int
) -> tuple[Table, set[int]]:
    """The grid as a Table of the words whose centres fall in its cells; and those words' ids."""
    cells: dict[tuple[int, int], list[Word]] = {}
    used: set[int] = set()
    for word in words:
        if word.box is None:
            continue
        x = (word.box.left + word.box.width / 2) * width
        y = (word.box.top + word.box.height / 2) * height
        row = int(np.searchsorted(rows, y)) - 1
        column = int(np.searchsorted(columns, x)) - 1
        if 0 <= row < len(rows) - 1 and 0 <= column < len(columns) - 1:
            cells.setdefault((row, column), []).append(word)
            used.add(id(word))
    table_rows = tuple(
        tuple(
            Cell(
                text=_cell_text(cells.get((r, c), [])),
                box=_grid_box(rows[r : r + 2], columns[c : c + 2], width, height),
            )
            for c in range(len(columns) - 1)
        )
        for r in range(len(rows) - 1)
    )
    return Table(rows=table_rows, box=_grid_box(rows, columns, width, height)), used
