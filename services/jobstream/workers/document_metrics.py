"""Document metrics and trace attributes, recorded in the worker process once a request's
document is loaded.

Loaders run in the CPU pool (another process), so they cannot touch this process's registry:
what they measure travels in the Document. A loader that OCRs pages reports its total Tesseract
time as `Document.metadata["ocr_seconds"]` (a decimal string); it is spread evenly over the pages
whose source is `ocr`.
"""

from __future__ import annotations

import contextlib

from jobstream.adapters.metrics import DOCUMENT_LOAD, DOCUMENT_PAGES, OCR_SECONDS
from jobstream.documents.model import Document

OCR_SECONDS_KEY = "ocr_seconds"


def observe_loaded(document: Document, *, seconds: float) -> None:
    """Pages by format and source, the load's duration and, when reported, OCR time per page."""
    DOCUMENT_LOAD.labels(document.format).observe(seconds)
    ocr_pages = 0
    for page in document.pages:
        DOCUMENT_PAGES.labels(document.format, page.source).inc()
        ocr_pages += page.source == "ocr"
    reported = (document.metadata or {}).get(OCR_SECONDS_KEY)
    if ocr_pages and reported is not None:
        try:
            per_page = max(0.0, float(reported)) / ocr_pages
        except ValueError:
            return
        for _ in range(ocr_pages):
            OCR_SECONDS.observe(per_page)


def document_attributes(document: Document) -> dict[str, str | int | float]:
    """For the `document.load` span: format, pages, pages OCR'd and OCR time (when reported)."""
    ocr_pages = sum(page.source == "ocr" for page in document.pages)
    attributes: dict[str, str | int | float] = {
        "jobstream.document.format": document.format,
        "jobstream.document.pages": len(document.pages),
        "jobstream.document.ocr_pages": ocr_pages,
    }
    reported = (document.metadata or {}).get(OCR_SECONDS_KEY)
    if reported is not None:
        with contextlib.suppress(ValueError):
            attributes["jobstream.document.ocr_seconds"] = float(reported)
    return attributes
