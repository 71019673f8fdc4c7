"""Line recall of a loaded Document against a labeled one: the share of ground-truth lines that
appear as a line of the loaded page (whitespace collapsed, case folded), page by page.

A ground-truth line counts once per occurrence. Table cells are scored apart (`cell_recall`), as
are reading-order checks (`column_order_ok`). No format library here: the Document is loaded by
the caller, so the same functions score every loader.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from evaluation.corpus.pdfs import LabeledDocument
from jobstream.documents.model import Document, Page


def normalize(text: str) -> str:
    """Whitespace collapsed to single spaces, case folded."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class Recall:
    found: int
    expected: int

    @property
    def ratio(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    def __add__(self, other: Recall) -> Recall:
        return Recall(self.found + other.found, self.expected + other.expected)


def page_line_recall(page: Page, expected: tuple[str, ...]) -> Recall:
    got = Counter(normalize(line.text) for line in page.lines)
    want = Counter(normalize(line) for line in expected)
    return Recall(sum(min(n, got[line]) for line, n in want.items()), sum(want.values()))


def line_recall(document: Document, labeled: LabeledDocument) -> Recall:
    """Recall over every labeled page (a page the loader did not return finds nothing)."""
    total = Recall(0, 0)
    for index, truth in enumerate(labeled.pages):
        if index < len(document.pages):
            total += page_line_recall(document.pages[index], truth.lines)
        else:
            total += Recall(0, len(truth.lines))
    return total


def cell_recall(document: Document, labeled: LabeledDocument) -> Recall:
    """Share of labeled table cells found, as text, in a table of the same page."""
    total = Recall(0, 0)
    for page, truth in zip(document.pages, labeled.pages, strict=False):
        got = Counter(normalize(c.text) for table in page.tables for row in table.rows for c in row)
        want = Counter(normalize(c) for table in truth.tables for row in table for c in row)
        total += Recall(sum(min(n, got[c]) for c, n in want.items()), sum(want.values()))
    return total


def column_order_ok(page: Page, columns: tuple[tuple[str, ...], ...]) -> bool:
    """Whether the lines found of column k all come before those of column k+1 in the page, and
    at least 80 % of each column's lines are found (OCR may misread a few)."""
    order = {normalize(line.text): i for i, line in enumerate(page.lines)}
    positions = [
        [order[key] for line in column if (key := normalize(line)) in order] for column in columns
    ]
    if any(len(got) < 0.8 * len(want) for got, want in zip(positions, columns, strict=True)):
        return False
    return all(max(a) < min(b) for a, b in pairwise(positions))
