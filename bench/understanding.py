"""Extract and classify on one-page invoices with the local engine, beside the parse alone.

Joins the documents phase (bench/documents.py `MEASUREMENTS`). A job here is what the worker's
CPU does for one request: load the PDF (as every operation does) and then either run the local
engine (extract with the evaluation corpus's invoice schema, or classify into its six
categories) or, on the baseline side, render the parse text. The ratio is the engine's cost
beside the parse alone. Invoices: four layouts in English, German and French, one page each.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any

from evaluation.corpus.business import CATEGORIES, INVOICE_SCHEMA, invoice

from bench.documents import Comparison, DocumentsOptions, side_by_side
from jobstream.documents.loaders import load_document
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Document
from jobstream.documents.render import render_document
from jobstream.engines.local import LocalEngine
from jobstream.engines.port import Category, ClassifyRequest, ExtractRequest

LAYOUTS = ("classic", "stacked", "grid", "tabular")
LANGUAGES = ("en", "de", "fr")


def one_page_invoices() -> list[bytes]:
    return [
        invoice(index, language, layout).pdf()
        for index, (language, layout) in enumerate(
            (language, layout) for language in LANGUAGES for layout in LAYOUTS
        )
    ]


def _measure(
    label: str, operation: Callable[[Document], object], options: DocumentsOptions
) -> Comparison:
    pdfs = one_page_invoices()
    load = LoadOptions(image_resolution_dpi=options.dpi, ocr_languages=options.ocr_languages)

    def loaded(data: bytes) -> Document:
        return load_document(
            data, filename="invoice.pdf", mime_type="application/pdf", options=load
        )

    def ours() -> int:
        for data in pdfs:
            operation(loaded(data))
        return len(pdfs)

    def parse_alone() -> int:
        for data in pdfs:
            render_document(loaded(data), table_format="html")
        return len(pdfs)

    (rate, jobs), (parse_rate, parse_jobs) = side_by_side(
        ours, parse_alone, seconds=options.seconds
    )
    return Comparison(
        label=label, unit="jobs/s", jobstream=rate,
        baseline_label="parse alone (load + render)", baseline=parse_rate,
        detail={"documents_per_run": len(pdfs), "jobs": [jobs, parse_jobs],
                "engine_ms_per_job": round(1000 / rate - 1000 / parse_rate, 2)},
    )  # fmt: skip


def _on_own_loop(call: Callable[[], Coroutine[Any, Any, object]]) -> object:
    """Run an engine coroutine to its end on a loop of its own thread (the bench itself runs
    inside an event loop; the pool process the worker uses has none running either)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, call()).result()


def extract_jobs(options: DocumentsOptions) -> Comparison:
    """Extraction (the invoice schema, local engine) jobs/s on one-page invoice PDFs."""
    engine = LocalEngine()
    request = ExtractRequest(json_schema=INVOICE_SCHEMA)
    return _measure(
        "extract, local engine (1-page invoices)",
        lambda document: _on_own_loop(lambda: engine.extract(document, request)),
        options,
    )


def classify_jobs(options: DocumentsOptions) -> Comparison:
    """Classification into six categories (local engine) jobs/s on one-page invoice PDFs."""
    engine = LocalEngine()
    request = ClassifyRequest(categories=tuple(Category(n, d) for n, d in CATEGORIES))
    return _measure(
        "classify into 6, local engine (1-page invoices)",
        lambda document: _on_own_loop(lambda: engine.classify(document, request)),
        options,
    )
