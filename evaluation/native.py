"""Scores for native formats (office files, email, text formats): line recall, table fidelity and
hidden-text leaks of a loaded Document against a corpus sample's truth, and the report section.

Lines are compared whitespace-collapsed and case-folded, each truth line counted once per
occurrence on its page; a truth table counts as found when a table on the same page has exactly
its rows (normalized the same way); an `absent` text found anywhere on its page is a leak.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from evaluation.corpus.labeled import NativePage, NativeSample
from evaluation.report import Section, markdown_table
from jobstream.documents.model import Document, Page


def normalized(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class NativeScore:
    """Counts for one sample (or a sum of samples)."""

    lines_found: int = 0
    lines_expected: int = 0
    tables_found: int = 0
    tables_expected: int = 0
    leaks: int = 0
    pages_wrong: int = 0  # pages missing, extra, or with the wrong label

    def __add__(self, other: NativeScore) -> NativeScore:
        return NativeScore(*(a + b for a, b in zip(self.counts(), other.counts(), strict=True)))

    def counts(self) -> tuple[int, ...]:
        return (self.lines_found, self.lines_expected, self.tables_found, self.tables_expected,
                self.leaks, self.pages_wrong)  # fmt: skip

    @property
    def line_recall(self) -> float:
        return self.lines_found / self.lines_expected if self.lines_expected else 1.0

    @property
    def table_recall(self) -> float:
        return self.tables_found / self.tables_expected if self.tables_expected else 1.0


def _rows(rows: tuple[tuple[str, ...], ...] | list[list[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalized(cell) for cell in row) for row in rows)


def page_score(page: Page | None, truth: NativePage) -> NativeScore:
    if page is None:
        return NativeScore(lines_expected=len(truth.lines), tables_expected=len(truth.tables),
                           pages_wrong=1)  # fmt: skip
    got = Counter(normalized(line.text) for line in page.lines)
    want = Counter(normalized(line) for line in truth.lines)
    tables = [_rows(table.texts()) for table in page.tables]
    text = normalized(page.plain_text)
    return NativeScore(
        lines_found=sum(min(count, got[line]) for line, count in want.items()),
        lines_expected=sum(want.values()),
        tables_found=sum(1 for table in truth.tables if _rows(table) in tables),
        tables_expected=len(truth.tables),
        leaks=sum(1 for junk in truth.absent if normalized(junk) in text),
        pages_wrong=int(truth.label is not None and page.label != truth.label),
    )


def score(document: Document, sample: NativeSample) -> NativeScore:
    total = NativeScore(pages_wrong=abs(len(document.pages) - len(sample.pages)))
    for index, truth in enumerate(sample.pages):
        page = document.pages[index] if index < len(document.pages) else None
        total += page_score(page, truth)
    return total


def office_section() -> Section:
    """Line recall and table fidelity per native sample, loaded through load_document."""
    from evaluation.corpus.office import corpus
    from jobstream.documents.loaders import LoadOptions, load_document

    rows: list[list[object]] = []
    total = NativeScore()
    for sample in corpus():
        started = time.perf_counter()
        document = load_document(sample.data, filename=sample.filename,
                                 mime_type=sample.mime_type, options=LoadOptions())  # fmt: skip
        elapsed_ms = (time.perf_counter() - started) * 1000
        result = score(document, sample)
        total += result
        rows.append([sample.name, document.format, len(document.pages), result.line_recall,
                     result.table_recall, result.leaks, result.pages_wrong,
                     f"{elapsed_ms:.0f}"])  # fmt: skip
    rows.append(["**all**", "", "", total.line_recall, total.table_recall, total.leaks,
                 total.pages_wrong, ""])  # fmt: skip
    table = markdown_table(
        ["sample", "sniffed", "pages", "line recall", "tables exact", "hidden text leaked",
         "pages wrong", "load ms"], rows,
    )  # fmt: skip
    intro = (
        "Office files, email and text formats from `evaluation/corpus/office.py` and `texts.py`, "
        "loaded by `load_document` (format sniffed from the bytes). Line recall is whitespace- "
        "and case-normalized; a table counts when a table on its page has exactly its rows."
    )
    return Section(
        title="Office, email and text formats", markdown=f"{intro}\n\n{table}",
        figures={"line_recall": total.line_recall, "table_recall": total.table_recall},
    )  # fmt: skip
