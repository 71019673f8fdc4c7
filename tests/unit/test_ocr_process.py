"""How a Tesseract process that fails is classified: killed by a signal (the out-of-memory killer,
an operator's kill) is an interrupted read the worker retries; an error exit is a document the
OCR could not read. Fake `tesseract` executables stand in for the real one."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from jobstream.documents.errors import DocumentCorruptError, DocumentReadInterruptedError
from jobstream.documents.loaders import ocr


def fake_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    script = tmp_path / "tesseract"
    script.write_text(f"#!/bin/sh\ncat > /dev/null\n{body}\n")
    script.chmod(0o755)
    monkeypatch.setattr(ocr, "TESSERACT", str(script))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGSEGV])
def test_a_tesseract_killed_by_a_signal_is_an_interrupted_read(
    sig: signal.Signals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tesseract(tmp_path, monkeypatch, f"kill -{sig.value} $$")
    with pytest.raises(DocumentReadInterruptedError) as caught:
        ocr.run_tesseract(b"\x89PNG fake", languages=("eng",))
    assert caught.value.code == "ocr_interrupted"
    assert sig.name in caught.value.message
    assert not isinstance(caught.value, DocumentCorruptError)


def test_a_tesseract_that_exits_with_an_error_is_a_corrupt_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tesseract(tmp_path, monkeypatch, "echo 'Error in pixReadMem: unknown format' >&2; exit 1")
    with pytest.raises(DocumentCorruptError) as caught:
        ocr.run_tesseract(b"not an image", languages=("eng",))
    assert caught.value.code == "document_corrupt"
    assert "unknown format" in caught.value.message


def test_a_tesseract_that_succeeds_gives_its_tsv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tesseract(tmp_path, monkeypatch, "printf 'level\\tpage_num\\n'")
    assert ocr.run_tesseract(b"image", languages=("eng",)) == "level\tpage_num\n"
