"""The documents phase: what the parse worker's CPU does per page, beside the bare tools.

- text PDFs: jobstream's `load_document` + `render_document` (what a parse job runs in the
  worker's CPU pool) on generated text PDFs, beside `pdftotext` (poppler-utils, its default
  reading-order mode) on the same files;
- OCR: jobstream parsing the same pages as PNG images (the image loader's OCR path) beside the
  `tesseract` CLI on the same PNG files with the same language, both single-threaded
  (`OMP_THREAD_LIMIT=1`, as the worker runs Tesseract).

Both sides run in this process, one document after another, in alternating runs until each has
run `--documents-seconds` after a warm-up (so a changing host load weighs on both alike);
pages/s = pages read / time spent. No stack is needed.

Other measurements join the phase by adding a function to `MEASUREMENTS` that takes the phase
options and returns a `Comparison` (e.g. extract or classify jobs/s, with or without a baseline).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.corpus.pdfs import form, prose, two_column
from evaluation.corpus.scans import render_pages

from jobstream.documents.loaders import load_document
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.render import render_document


@dataclass(frozen=True)
class DocumentsOptions:
    seconds: float = 10.0  # per side, after a warm-up
    ocr_languages: tuple[str, ...] = ("eng",)
    dpi: int = 192


@dataclass(frozen=True)
class Comparison:
    """One workload measured on jobstream, and (when there is one) on a baseline tool."""

    label: str
    unit: str
    jobstream: float
    baseline_label: str | None = None
    baseline: float | None = None
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return round(self.jobstream / self.baseline, 3) if self.baseline else None

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "ratio": self.ratio}


def side_by_side(
    ours: Callable[[], int], tool: Callable[[], int], *, seconds: float
) -> tuple[tuple[float, int], tuple[float, int]]:
    """((units/s, units) of `ours`, the same of `tool`): one warm-up run each, then runs taken
    in turn (ours, tool, ours, ...) until each side has run `seconds`, so a host whose load
    changes during the measurement weighs on both sides alike."""
    ours(), tool()
    done = [0, 0]
    spent = [0.0, 0.0]
    while True:
        for side, work in enumerate((ours, tool)):
            started = time.perf_counter()
            done[side] += work()
            spent[side] += time.perf_counter() - started
        if min(spent) >= seconds:
            break
    return (round(done[0] / spent[0], 2), done[0]), (round(done[1] / spent[1], 2), done[1])


def text_pdf_pages(options: DocumentsOptions) -> Comparison:
    """Text-layer parse pages/s beside pdftotext, on the three corpus layouts (12 pages)."""
    documents = [prose(11, "eng", pages=10).data, two_column(12).data, form(13).data]
    pages = 12
    load = LoadOptions(image_resolution_dpi=options.dpi, ocr_languages=options.ocr_languages)

    def ours() -> int:
        for data in documents:
            document = load_document(
                data, filename="bench.pdf", mime_type="application/pdf", options=load
            )
            render_document(document, table_format="html")
        return pages

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        paths = [Path(tmp) / f"{i}.pdf" for i in range(len(documents))]
        for path, data in zip(paths, documents, strict=True):
            path.write_bytes(data)

        def poppler() -> int:
            for path in paths:
                subprocess.run(
                    ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True
                )
            return pages

        (ours_rate, ours_pages), (tool_rate, tool_pages) = side_by_side(
            ours, poppler, seconds=options.seconds
        )
    return Comparison(
        label="text PDF parse", unit="pages/s", jobstream=ours_rate,
        baseline_label="pdftotext", baseline=tool_rate,
        detail={"pages_per_run": pages, "pages_read": [ours_pages, tool_pages]},
    )  # fmt: skip


def ocr_pages(options: DocumentsOptions) -> Comparison:
    """OCR pages/s on page images, beside the tesseract CLI on the same PNG files."""
    sources = [prose(21, "eng").data, two_column(22).data, form(23).data]
    images = [image for data in sources for image in render_pages(data, dpi=options.dpi)]
    load = LoadOptions(image_resolution_dpi=options.dpi, ocr_languages=options.ocr_languages)
    languages = "+".join(options.ocr_languages)
    # As the worker runs it: one thread per Tesseract (OpenMP threads only fight on a busy host).
    single_threaded = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        paths = [Path(tmp) / f"{i}.png" for i in range(len(images))]
        for path, image in zip(paths, images, strict=True):
            image.save(path, "PNG", dpi=(options.dpi, options.dpi))
        pngs = [path.read_bytes() for path in paths]

        def ours() -> int:
            for data in pngs:
                document = load_document(
                    data, filename="page.png", mime_type="image/png", options=load
                )
                render_document(document, table_format="html")
            return len(pngs)

        def tesseract() -> int:
            for path in paths:
                subprocess.run(
                    ["tesseract", str(path), "-", "-l", languages, "--dpi", str(options.dpi)],
                    check=True, capture_output=True, env=single_threaded,
                )  # fmt: skip
            return len(paths)

        (ours_rate, ours_pages), (tool_rate, tool_pages) = side_by_side(
            ours, tesseract, seconds=options.seconds
        )
    return Comparison(
        label=f"OCR ({languages}, {options.dpi} dpi PNG pages)", unit="pages/s",
        jobstream=ours_rate, baseline_label="tesseract CLI", baseline=tool_rate,
        detail={"pages_per_run": len(pngs), "pages_read": [ours_pages, tool_pages]},
    )  # fmt: skip


def extract_jobs(options: DocumentsOptions) -> Comparison:
    from bench.understanding import extract_jobs as measure  # it imports this module

    return measure(options)


def classify_jobs(options: DocumentsOptions) -> Comparison:
    from bench.understanding import classify_jobs as measure

    return measure(options)


MEASUREMENTS: dict[str, Callable[[DocumentsOptions], Comparison]] = {
    "text_pdf": text_pdf_pages,
    "ocr": ocr_pages,
    "extract": extract_jobs,
    "classify": classify_jobs,
}


def run_documents(options: DocumentsOptions, *, say: Callable[[str], None]) -> dict[str, Any]:
    """Every measurement; one that fails is recorded as an error and the others still run."""
    results: dict[str, Any] = {}
    for name, measure in MEASUREMENTS.items():
        say(f"documents: {name}")
        try:
            comparison = measure(options)
        except Exception as exc:  # noqa: BLE001 - recorded in the results, the phase goes on
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        results[name] = comparison.as_dict()
        say(
            f"documents: {name}: {comparison.jobstream} {comparison.unit}"
            + (
                f" vs {comparison.baseline} ({comparison.baseline_label})"
                if comparison.baseline
                else ""
            )
        )
    return results


def tool_versions() -> str:
    """The baseline tools' versions, for the record."""
    versions = []
    for argv in (["pdftotext", "-v"], ["tesseract", "--version"]):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, check=False)
        except OSError:
            versions.append(f"{argv[0]} missing")
            continue
        first = (out.stdout or out.stderr).strip().splitlines()
        versions.append(first[0] if first else argv[0])
    return "; ".join(versions)
