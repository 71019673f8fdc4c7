"""Quality floors of the local engine through the real loaders: invoices as text PDFs (PDFium
text layer, pdfplumber tables) and as scans (Tesseract), packets as PDFs. No infrastructure;
OCR costs about a second a page, so the scan slice is one invoice per development layout and a
few languages. The held-out layout and language are reported by make eval, not tuned on here."""

from __future__ import annotations

import pytest
from evaluation.corpus.business import invoices, packets
from evaluation.understanding import score_extraction, score_split
from evaluation.understanding_report import scan, text_pdf

DEV = [doc for doc in invoices(1) if not doc.held_out]


def test_invoice_field_accuracy_on_text_pdfs_is_at_least_95_percent() -> None:
    score = score_extraction(DEV, text_pdf)
    assert score.overall.rate >= 0.95, score.misses[:5]
    assert score.by_field["vendor_name"].rate >= 0.95, score.misses[:5]
    assert score.label_values == []  # a header or label is never a value


@pytest.mark.parametrize("languages", [("en", "de"), ("fr", "pl")])
def test_invoice_field_accuracy_on_scans_is_at_least_80_percent(languages: tuple[str, ...]) -> None:
    slice_ = [doc for doc in DEV if doc.language in languages]
    score = score_extraction(slice_, scan)
    assert score.overall.rate >= 0.8, score.misses[:5]
    assert score.label_values == []  # OCR'd header cells (`Description`) are never values


def test_split_on_pdfs_gets_at_least_five_of_six_packets_exactly() -> None:
    tally, misses = score_split(packets()[:6], text_pdf)
    assert tally.right >= 5, misses
