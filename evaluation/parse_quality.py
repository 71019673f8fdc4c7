"""The parse section of `docs/evaluation.md`: line and cell recall per format, scored on what
parse returns (the loaders, then the renderer), for every labeled document of the corpora:
text PDFs per layout, scanned and mixed PDFs, photos and TIFFs (`evaluation/corpus/pdfs.py`,
`scans.py`), office files, email and text formats (`evaluation/corpus/office.py`). `METHOD`
says how a page is scored."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from evaluation.corpus.office import corpus as office_corpus
from evaluation.corpus.scans import full_corpus as pdf_corpus
from evaluation.report import Section, markdown_table
from jobstream.documents.loaders import load_document
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.render import render_document

METHOD = """Each labeled document goes through the parse worker's path (`load_document`, then
`render_document` with Markdown tables; default options: 192 dpi, languages detected; the PDF,
scan and photo corpus drawn with seeds 7, which the tests use, and 31, which nothing was tuned
on) and each page's output is scored against the page's truth. *Line recall*: a labeled line is
found when a line of the rendered page equals it, whitespace collapsed and case folded (a
heading's `#` marks dropped; each occurrence counts once). *Cell recall*: a labeled table cell is
found when a cell of a rendered table row on that page equals it. *Leaked*: text that must not
appear (scripts, hidden elements, markup) found on the page outside its tables. *Time / page*:
load and render, one process."""
# The PDF corpus is drawn twice: the seed the tests use, and one no test or loader was tuned on.
PDF_SEEDS = (7, 31)
_HEADING = re.compile(r"^#{1,6}\s+")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+$")


class LabeledPage(Protocol):
    @property
    def lines(self) -> tuple[str, ...]: ...
    @property
    def tables(self) -> tuple[tuple[tuple[str, ...], ...], ...]: ...


class Labeled(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def mime_type(self) -> str | None: ...
    @property
    def pages(self) -> Sequence[LabeledPage]: ...


def normalize(text: str) -> str:
    return " ".join(_HEADING.sub("", text.strip()).split()).casefold()


def rendered_lines(page: str) -> tuple[Counter[str], Counter[str]]:
    """(text lines, table cells) of a rendered page, normalized."""
    lines: Counter[str] = Counter()
    cells: Counter[str] = Counter()
    for raw in page.splitlines():
        stripped = raw.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            if not _SEPARATOR.match(stripped.replace(" ", "")):
                parts = _CELL_SPLIT.split(stripped[1:-1])
                parts = [p.replace(r"\|", "|").replace("<br>", " ") for p in parts]
                cells.update(normalize(p) for p in parts)
                lines[normalize(" ".join(p.strip() for p in parts))] += 1
            continue
        lines[normalize(raw)] += 1
    return lines, cells


@dataclass
class Score:
    documents: int = 0
    pages: int = 0
    lines: tuple[int, int] = (0, 0)  # found, expected
    cells: tuple[int, int] = (0, 0)
    leaked: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.documents += other.documents
        self.pages += other.pages
        self.lines = (self.lines[0] + other.lines[0], self.lines[1] + other.lines[1])
        self.cells = (self.cells[0] + other.cells[0], self.cells[1] + other.cells[1])
        self.leaked += other.leaked
        self.seconds += other.seconds
        self.failures += other.failures


def _found(want: Iterable[str], got: Counter[str]) -> tuple[int, int]:
    wanted = Counter(normalize(text) for text in want if normalize(text))
    return sum(min(n, got[text]) for text, n in wanted.items()), sum(wanted.values())


def score_document(labeled: Labeled, *, options: LoadOptions) -> Score:
    """Parse one labeled document as the worker does, and score each page."""
    filename = getattr(labeled, "filename", None) or labeled.name
    started = time.perf_counter()
    try:
        document = load_document(
            labeled.data, filename=filename, mime_type=labeled.mime_type, options=options
        )
        pages, _ = render_document(document, table_format="markdown")
    except Exception as exc:  # noqa: BLE001 - a failure is part of the figures
        expected = sum(len(p.lines) for p in labeled.pages)
        return Score(1, len(labeled.pages), (0, expected), failures=[f"{labeled.name}: {exc}"])
    score = Score(documents=1, pages=len(labeled.pages), seconds=time.perf_counter() - started)
    for index, truth in enumerate(labeled.pages):
        lines, cells = (
            rendered_lines(pages[index]) if index < len(pages) else (Counter(), Counter())
        )
        found = _found(truth.lines, lines)
        cell_found = _found((c for table in truth.tables for row in table for c in row), cells)
        score.lines = (score.lines[0] + found[0], score.lines[1] + found[1])
        score.cells = (score.cells[0] + cell_found[0], score.cells[1] + cell_found[1])
        outside_tables = (pages[index] if index < len(pages) else "").splitlines()
        text = normalize(" ".join(ln for ln in outside_tables if not ln.lstrip().startswith("|")))
        score.leaked += sum(1 for a in getattr(truth, "absent", ()) if normalize(a) in text)
    return score


def category(labeled: Labeled) -> str:
    """The row of the report a document belongs to."""
    native_format = getattr(labeled, "format", None)
    if isinstance(native_format, str):
        return native_format.upper() if len(native_format) <= 4 else native_format
    name = labeled.name
    for prefix, label in (("scan-", "scanned PDF"), ("photo-", "phone photo"), ("tiff-", "TIFF")):
        if name.startswith(prefix):
            return f"{label} ({getattr(labeled, 'layout', '')})".replace(" ()", "")
    if name.startswith("mixed"):
        return "mixed PDF (text + scanned pages)"
    return f"text PDF ({getattr(labeled, 'layout', 'other')})"


def _ratio(pair: tuple[int, int]) -> float | str:
    return pair[0] / pair[1] if pair[1] else "n/a"


def parse_section() -> Section:
    options = LoadOptions()
    scores: dict[str, Score] = {}
    pdfs = [labeled for seed in PDF_SEEDS for labeled in pdf_corpus(seed)]
    labeled_documents: list[Labeled] = [*pdfs, *office_corpus()]
    for labeled in labeled_documents:
        scores.setdefault(category(labeled), Score()).add(score_document(labeled, options=options))
    total = Score()
    rows = []
    for name, score in scores.items():
        total.add(score)
        per_page = score.seconds / score.pages if score.pages else 0.0
        rows.append(
            [name, score.documents, score.pages, _ratio(score.lines), _ratio(score.cells),
             score.leaked, f"{per_page * 1000:.0f} ms"]
        )  # fmt: skip
    rows.append(["**all**", total.documents, total.pages, _ratio(total.lines), _ratio(total.cells),
                 total.leaked, ""])  # fmt: skip
    table = markdown_table(
        ["format", "documents", "pages", "line recall", "cell recall", "leaked", "time / page"],
        rows,
    )
    failures = "\n".join(f"- `{f}`" for f in total.failures) or "none."
    body = f"{METHOD}\n\n{table}\n\nDocuments that failed to parse:\n\n{failures}"
    figures = {
        f"line_recall.{k}": v for k, s in scores.items() if isinstance(v := _ratio(s.lines), float)
    }
    return Section(title="Parse: line recall per format", markdown=body, figures=figures)
