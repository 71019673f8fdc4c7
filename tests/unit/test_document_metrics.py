"""Pages by format and source, and OCR time per OCR'd page, reach the worker's registry."""

from __future__ import annotations

from prometheus_client import REGISTRY

from jobstream.documents.model import Document, Page
from jobstream.workers.document_metrics import observe_loaded


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_pages_count_per_format_and_source_and_ocr_time_is_spread_over_ocr_pages() -> None:
    pages = (Page(number=1, source="text_layer"), Page(number=2, source="ocr"),
             Page(number=3, source="ocr"))  # fmt: skip
    doc = Document(
        pages=pages, mime_type="application/pdf", filename="a.pdf", format="pdf",
        metadata={"ocr_seconds": "3.0"},
    )  # fmt: skip
    before_ocr = sample("jobstream_document_pages_total", format="pdf", source="ocr")
    before_text = sample("jobstream_document_pages_total", format="pdf", source="text_layer")
    before_count = sample("jobstream_ocr_seconds_count")
    before_sum = sample("jobstream_ocr_seconds_sum")
    observe_loaded(doc, seconds=0.5)
    assert sample("jobstream_document_pages_total", format="pdf", source="ocr") == before_ocr + 2
    assert (
        sample("jobstream_document_pages_total", format="pdf", source="text_layer")
        == before_text + 1
    )
    assert sample("jobstream_ocr_seconds_count") == before_count + 2
    assert sample("jobstream_ocr_seconds_sum") == before_sum + 3.0
    assert sample("jobstream_document_load_duration_seconds_count", format="pdf") >= 1


def test_no_reported_ocr_time_records_no_ocr_observation() -> None:
    doc = Document(pages=(Page(number=1, source="ocr"),), mime_type="image/png", filename="a.png",
                   format="png", metadata={})  # fmt: skip
    before = sample("jobstream_ocr_seconds_count")
    observe_loaded(doc, seconds=0.1)
    assert sample("jobstream_ocr_seconds_count") == before
    assert sample("jobstream_document_pages_total", format="png", source="ocr") >= 1
