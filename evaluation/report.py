"""The quality report's pieces: a section per operation, and the Markdown they are written in.

A section is a function with no arguments returning a `Section` (a title, Markdown and the
headline figures). `evaluation/sections.py` lists them by dotted path; `python -m evaluation`
runs each (a failing one is reported in its place) and writes `docs/evaluation.md`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """One operation's part of the report."""

    title: str
    markdown: str  # the body under the section's heading
    figures: dict[str, float] = field(default_factory=dict)  # headline numbers, e.g. recall


SectionFunction = Callable[[], Section]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table; floats in 0-1 are shown as percentages."""

    def cell(value: object) -> str:
        if isinstance(value, float) and 0.0 <= value <= 1.0:
            return f"{value * 100:.1f} %"
        if isinstance(value, float):
            return f"{value:.3g}"
        return str(value).replace("|", r"\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def render_report(sections: Sequence[Section], *, preamble: str) -> str:
    """The whole report: a title, the preamble, then each section under its own heading."""
    parts = ["# Evaluation", "", preamble.strip(), ""]
    for section in sections:
        parts += [f"## {section.title}", "", section.markdown.strip(), ""]
    return "\n".join(parts)
