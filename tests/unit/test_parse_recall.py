"""Floors on what parse returns (loaders + renderer), on the generated corpora: every labeled
line of the text-layer PDFs (three layouts, three languages, seeds the corpus does not favour)
and of the office, email and text formats is a line of the parsed page, every table cell a cell
of a rendered table, and no hidden text shows. OCR floors live with the OCR tests
(tests/integration/documents/); `make eval` reports every format."""

from __future__ import annotations

import pytest
from evaluation.corpus.office import corpus as office_corpus
from evaluation.corpus.pdfs import text_pdfs
from evaluation.parse_quality import Score, category, score_document

from jobstream.documents.loaders.options import LoadOptions


@pytest.mark.parametrize("seed", [7, 40])
def test_text_layer_pdfs_parse_with_at_least_99_percent_line_recall(seed: int) -> None:
    total = Score()
    for labeled in text_pdfs(seed):
        total.add(score_document(labeled, options=LoadOptions(ocr=False)))
    found, expected = total.lines
    assert not total.failures and expected > 100
    assert found / expected >= 0.99, f"{found}/{expected} lines"
    assert total.cells[0] == total.cells[1] > 0


def test_office_email_and_text_formats_parse_with_every_line_and_cell() -> None:
    by_format: dict[str, Score] = {}
    for sample in office_corpus():
        by_format.setdefault(category(sample), Score()).add(
            score_document(sample, options=LoadOptions())
        )
    assert {"DOCX", "XLSX", "PPTX", "EML", "HTML"} <= set(by_format)
    for name, score in by_format.items():
        assert not score.failures, (name, score.failures)
        assert score.lines[0] == score.lines[1], (name, score.lines)
        assert score.cells[0] == score.cells[1], (name, score.cells)
        assert score.leaked == 0, name
