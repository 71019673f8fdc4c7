"""The parse evaluation's scoring: rendered pages split into lines and table cells, matched
against a page's truth; a document that fails to parse scores nothing."""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.parse_quality import category, normalize, rendered_lines, score_document

from jobstream.documents.loaders.options import LoadOptions

PAGE = "# Site  Visit\n\nDock doors OK\n\n| Area | Status |\n| --- | --- |\n| Dock \\| A | OK |"


@dataclass(frozen=True)
class Truth:
    lines: tuple[str, ...]
    tables: tuple[tuple[tuple[str, ...], ...], ...] = ()
    absent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    mime_type: str | None
    pages: tuple[Truth, ...]
    format: str = "markdown"
    filename: str = "notes.md"


def test_rendered_pages_give_lines_and_cells() -> None:
    lines, cells = rendered_lines(PAGE)
    assert lines["site visit"] == 1 and lines["dock doors ok"] == 1
    assert cells["dock | a"] == 1 and cells["status"] == 1 and "---" not in cells
    assert normalize("## Findings  here") == "findings here"


def test_a_document_is_scored_page_by_page() -> None:
    truth = Truth(
        lines=("Site visit", "Dock doors OK", "Missing line"),
        tables=((("Area", "Status"), ("Dock | A", "OK")),),
        absent=("<script>", "| Area"),
    )
    sample = Sample("notes", PAGE.encode(), "text/markdown", (truth,))
    score = score_document(sample, options=LoadOptions())
    assert score.lines == (2, 3) and score.cells == (4, 4) and score.leaked == 0
    assert category(sample) == "markdown"


def test_a_document_that_fails_scores_nothing() -> None:
    sample = Sample("junk", b"\x00\x01" * 100, "application/octet-stream", (Truth(("a", "b")),))
    score = score_document(sample, options=LoadOptions())
    assert score.lines == (0, 2) and score.failures and score.failures[0].startswith("junk:")
