"""The evaluation report: sections run in order, a failing one is reported in its place."""

from __future__ import annotations

from pathlib import Path

import evaluation.__main__ as cli
import pytest
from evaluation.report import Section, markdown_table, render_report


def test_markdown_tables_show_ratios_as_percentages() -> None:
    table = markdown_table(["format", "recall", "pages/s"], [["a|b", 0.987, 12.5], ["c", 1.0, 3]])
    assert table.splitlines() == [
        "| format | recall | pages/s |",
        "|---|---|---|",
        r"| a\|b | 98.7 % | 12.5 |",
        "| c | 100.0 % | 3 |",
    ]


def good() -> Section:
    return Section(title="Good", markdown="all fine", figures={"x": 1.0})


def bad() -> Section:
    raise RuntimeError("corpus missing")


def test_every_section_is_written_and_a_failure_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "SECTIONS", {"bad": f"{__name__}:bad", "good": f"{__name__}:good"})
    out = tmp_path / "evaluation.md"
    assert cli.main(["--out", str(out)]) == 0
    text = out.read_text()
    assert text.index("## bad") < text.index("## Good")
    assert "RuntimeError: corpus missing" in text and "all fine" in text
    with pytest.raises(SystemExit, match="unknown sections"):
        cli.main(["--only", "nope"])


def test_the_report_has_a_title_and_the_preamble() -> None:
    text = render_report([good()], preamble="How it was made.")
    assert text.startswith("# Evaluation\n\nHow it was made.\n\n## Good\n\nall fine\n")
