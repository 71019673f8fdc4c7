"""Document metrics and trace attributes, recorded in the worker process once a request's
document is loaded.

Loaders run in the CPU pool (another process), so they cannot touch this process's registry:
what they measure travels in the Document. The PDF and image loaders report their total
Tesseract time as `Document.metadata["ocr_seconds"]` (a decimal string, loaders/ocr.py); it is
spread evenly over the pages whose source is `ocr`.
"""

from __future__ import annotations

from jobstream.adapters.metrics import DOCUMENT_LOAD, DOCUMENT_PAGES, OCR_SECONDS
from jobstream.documents.loaders.ocr import OCR_SECONDS_KEY
from jobstream.documents.model import Document


def reported_ocr_seconds(document: Document) -> float | None:
    """The loader's Tesseract time for the document, None when it reported none (or garbage)."""
    reported = (document.metadata or {}).get(OCR_SECONDS_KEY)
    try:
        return None if reported is None else max(0.0, float(reported))
    except ValueError:
        return None


def observe_loaded(document: Document, *, seconds: float) -> None:
    """Pages by format and source, the load's duration and, when reported, OCR time per page."""
    DOCUMENT_LOAD.labels(document.format).observe(seconds)
    ocr_pages = 0
    for page in document.pages:
        DOCUMENT_PAGES.labels(document.format, page.source).inc()
        ocr_pages += page.source == "ocr"
    reported = reported_ocr_seconds(document)
    if ocr_pages and reported is not None:
        for _ in range(ocr_pages):
            OCR_SECONDS.observe(reported / ocr_pages)


def document_attributes(document: Document) -> dict[str, str | int | float]:
    """For the `document.load` span: format, pages, pages OCR'd and OCR time (when reported)."""
    ocr_pages = sum(page.source == "ocr" for page in document.pages)
    attributes: dict[str, str | int | float] = {
        "jobstream.document.format": document.format,
        "jobstream.document.pages": len(document.pages),
        "jobstream.document.ocr_pages": ocr_pages,
    }
    reported = reported_ocr_seconds(document)
    if reported is not None:
        attributes["jobstream.document.ocr_seconds"] = reported
    return attributes


def merged_ocr_metadata(chunks: list[Document]) -> dict[str, str]:
    """The first chunk's metadata with every chunk's OCR seconds added up (a document loaded in
    chunks of pages has each chunk's Tesseract time in that chunk)."""
    metadata = {k: v for k, v in chunks[0].metadata.items() if k != OCR_SECONDS_KEY}
    reported = [s for chunk in chunks if (s := reported_ocr_seconds(chunk)) is not None]
    if reported:
        metadata[OCR_SECONDS_KEY] = f"{sum(reported):.3f}"
    return metadata
