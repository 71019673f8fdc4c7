"""Ruled grids from rules: which horizontal and vertical rules cross, and the rows and columns
they fence. Pure geometry shared by the scan table finder (rules from ink runs in a picture) and
the PDF table finder (rules from vector paths).

Rules that cross within `tolerance` are joined (union-find); a joined group with at least three
horizontal and three vertical rules is a grid: rows between consecutive horizontal rules,
columns between consecutive vertical ones (rules closer than twice the tolerance are one edge).
"""

from __future__ import annotations

from dataclasses import dataclass

Grid = tuple[list[float], list[float]]  # (row edges top to bottom, column edges left to right)


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal rule at y = position from x = start to end, or a vertical one at x."""

    position: float
    start: float
    end: float


def merge_rules(rules: list[Rule], *, tolerance: float) -> list[Rule]:
    """Collinear rules that touch or overlap (within `tolerance`) as one rule each."""
    merged: list[Rule] = []
    for rule in sorted(rules, key=lambda r: (round(r.position / tolerance), r.start)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and abs(rule.position - last.position) <= tolerance
            and rule.start <= last.end + tolerance
        ):
            merged[-1] = Rule(last.position, last.start, max(last.end, rule.end))
        else:
            merged.append(rule)
    return merged


def _edges(values: list[float], tolerance: float) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > 2 * tolerance:
            edges.append(value)
    return edges


def grids_from_rules(
    horizontal: list[Rule], vertical: list[Rule], *, tolerance: float
) -> list[Grid]:
    """Every connected group of crossing rules that forms a grid, top to bottom."""
    parent = list(range(len(horizontal) + len(vertical)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for h, hr in enumerate(horizontal):
        for v, vr in enumerate(vertical):
            crosses_h = hr.start - tolerance <= vr.position <= hr.end + tolerance
            crosses_v = vr.start - tolerance <= hr.position <= vr.end + tolerance
            if crosses_h and crosses_v:
                parent[root(h)] = root(len(horizontal) + v)
    groups: dict[int, tuple[list[float], list[float]]] = {}
    for h, hr in enumerate(horizontal):
        groups.setdefault(root(h), ([], []))[0].append(hr.position)
    for v, vr in enumerate(vertical):
        groups.setdefault(root(len(horizontal) + v), ([], []))[1].append(vr.position)
    grids = [(_edges(rows, tolerance), _edges(cols, tolerance)) for rows, cols in groups.values()]
    found = [(rows, cols) for rows, cols in grids if len(rows) >= 3 and len(cols) >= 3]
    return sorted(found, key=lambda grid: grid[0][0])


def has_rule(
    rules: list[Rule], *, at: float, between: tuple[float, float], tolerance: float
) -> bool:
    """Whether a rule at `at` (within tolerance) covers the middle of `between`."""
    middle = (between[0] + between[1]) / 2
    return any(abs(r.position - at) <= tolerance and r.start <= middle <= r.end for r in rules)
