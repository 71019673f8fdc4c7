"""The PDF and image loaders (and the email loader, for its attachments) report their Tesseract
time as `metadata["ocr_seconds"]`, and the worker adds up the chunks of a document and reads the
value defensively. Tesseract is replaced by
a fake that answers a fixed TSV and advances a fake clock by a known amount per call."""

from __future__ import annotations

import io
from collections.abc import Sequence
from email.message import EmailMessage

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from jobstream.documents.loaders import load_document, ocr
from jobstream.documents.loaders.images import load_image
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.pdf import load_pdf
from jobstream.documents.model import Document, Page
from jobstream.workers.document_metrics import (
    document_attributes,
    merged_ocr_metadata,
    reported_ocr_seconds,
)

SECONDS_PER_CALL = 1.25
WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "again"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


@pytest.fixture
def tesseract_calls(monkeypatch: pytest.MonkeyPatch) -> list[Sequence[str]]:
    """Every fake Tesseract call's languages; each call takes SECONDS_PER_CALL on the clock."""
    clock, calls = FakeClock(), []

    def fake_tesseract(image: bytes, *, languages: Sequence[str], dpi: int | None = None) -> str:
        calls.append(languages)
        clock.now += SECONDS_PER_CALL
        rows = ["level\tpage\tblock\tpar\tline\tword\tleft\ttop\twidth\theight\tconf\ttext"]
        rows += [f"5\t1\t1\t1\t1\t{i}\t{10 + 60 * i}\t10\t50\t20\t95\t{w}"
                 for i, w in enumerate(WORDS, start=1)]  # fmt: skip
        return "\n".join(rows) + "\n"

    monkeypatch.setattr(ocr, "run_tesseract", fake_tesseract)
    monkeypatch.setattr(ocr, "time", clock)
    return calls


def png(size: tuple[int, int] = (800, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def tiff(frames: int) -> bytes:
    buffer = io.BytesIO()
    pictures = [Image.new("L", (400, 200), 255) for _ in range(frames)]
    pictures[0].save(buffer, format="TIFF", save_all=True, append_images=pictures[1:])
    return buffer.getvalue()


def pdf(*texts: str) -> bytes:
    """One page per text; an empty text makes a page without a text layer (OCR'd)."""
    buffer = io.BytesIO()
    pdf_canvas = canvas.Canvas(buffer, pagesize=(400, 300))
    for text in texts:
        if text:
            pdf_canvas.drawString(40, 200, text)
        pdf_canvas.showPage()
    pdf_canvas.save()
    return buffer.getvalue()


def test_an_image_reports_the_time_of_its_tesseract_call(tesseract_calls: list[object]) -> None:
    document = load_image(png(), options=LoadOptions())
    assert len(tesseract_calls) == 1
    assert document.metadata["ocr_seconds"] == f"{SECONDS_PER_CALL:.3f}"
    assert [page.source for page in document.pages] == ["ocr"]


def test_a_tiff_reports_the_time_of_every_frame(tesseract_calls: list[object]) -> None:
    document = load_image(tiff(3), options=LoadOptions())
    assert len(document.pages) == len(tesseract_calls) == 3
    assert document.metadata["ocr_seconds"] == f"{3 * SECONDS_PER_CALL:.3f}"


def test_no_ocr_no_ocr_seconds(tesseract_calls: list[object]) -> None:
    assert "ocr_seconds" not in load_image(png(), options=LoadOptions(ocr=False)).metadata
    assert "ocr_seconds" not in load_pdf(pdf("A text layer page"), options=LoadOptions()).metadata
    assert tesseract_calls == []


def test_a_pdf_reports_the_time_of_its_ocr_pages_only(tesseract_calls: list[object]) -> None:
    document = load_pdf(pdf("Page one has a text layer", "", ""), options=LoadOptions())
    assert [page.source for page in document.pages] == ["text_layer", "ocr", "ocr"]
    assert len(tesseract_calls) == 2
    assert document.metadata["ocr_seconds"] == f"{2 * SECONDS_PER_CALL:.3f}"


def test_language_detection_reads_twice_and_both_calls_count(
    tesseract_calls: list[Sequence[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "detect_language", lambda text: "deu")
    document = load_image(png(), options=LoadOptions())
    assert [tuple(call) for call in tesseract_calls] == [("eng",), ("deu",)]
    assert document.metadata["ocr_seconds"] == f"{2 * SECONDS_PER_CALL:.3f}"


def email_with(*attachments: tuple[str, str, bytes]) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "Scans"
    message.set_content("Two scans attached.")
    for name, subtype, data in attachments:
        main, _, sub = subtype.partition("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


def test_an_email_reports_its_attachments_ocr_time(tesseract_calls: list[object]) -> None:
    data = email_with(("one.png", "image/png", png()), ("two.pdf", "application/pdf", pdf("")))
    document = load_document(data, filename="m.eml", mime_type=None, options=LoadOptions())
    assert [page.source for page in document.pages][1:] == ["ocr", "ocr"]
    assert document.metadata["ocr_seconds"] == f"{2 * SECONDS_PER_CALL:.3f}"
    assert document.metadata["subject"] == "Scans"
    text_only = email_with(("notes.txt", "text/plain", b"plain notes"))
    assert (
        "ocr_seconds"
        not in load_document(
            text_only, filename="n.eml", mime_type=None, options=LoadOptions()
        ).metadata
    )


def chunk(**metadata: str) -> Document:
    return Document(pages=(Page(number=1, source="ocr"),), mime_type="application/pdf",
                    filename="a.pdf", format="pdf", metadata=metadata)  # fmt: skip


def test_chunks_add_up_their_ocr_seconds_and_keep_the_first_chunks_metadata() -> None:
    chunks = [chunk(title="T", ocr_seconds="1.000"), chunk(), chunk(ocr_seconds="0.500")]
    assert merged_ocr_metadata(chunks) == {"title": "T", "ocr_seconds": "1.500"}
    assert merged_ocr_metadata([chunk(title="T")]) == {"title": "T"}


def test_a_garbled_or_negative_report_is_ignored_or_clamped() -> None:
    assert reported_ocr_seconds(chunk(ocr_seconds="soon")) is None
    assert reported_ocr_seconds(chunk(ocr_seconds="-2")) == 0.0
    assert "jobstream.document.ocr_seconds" not in document_attributes(chunk(ocr_seconds="x"))
    assert document_attributes(chunk(ocr_seconds="2.5"))["jobstream.document.ocr_seconds"] == 2.5
