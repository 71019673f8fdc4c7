"""OCR with Tesseract (Debian's `tesseract-ocr`), run as its own CLI with TSV output.

One `tesseract stdin stdout tsv` process per page image: no temp files, no pytesseract layer (it
writes the image to a temp file and parses its output again), so the cost is the bare CLI's plus
piping the image in. Tesseract's own layout analysis gives block, paragraph and line numbers:
a paragraph becomes a TextBlock, its lines Lines, each word keeps its box and confidence (0-1).
`OMP_THREAD_LIMIT=1`: on a busy machine OpenMP threads cost more than they bring (see
docs/decisions.md), and parallelism comes from running pages or jobs side by side.

A Tesseract that exits with an error is `document_corrupt` (it could not read the image); one
killed by a signal (the out-of-memory killer, an operator) is `DocumentReadInterruptedError`, a
transient failure the worker retries.

The process dies with its parent: it is started with `PR_SET_PDEATHSIG = SIGKILL`, so when the
worker kills its CPU pool on cancel, a running Tesseract goes too; and any exception while waiting
for it (a timeout, an interrupt) kills it before the exception leaves.

Languages: `OcrLanguages` uses the configured ones, or detects: the first OCR'd page is read with
`eng`, its text scored by stop words (documents/languages.py); another language wins → that page
is read again with it, and the rest of the document uses it.

Time: `OcrLanguages` adds up the wall time of its Tesseract calls; the PDF and image loaders put
it in `Document.metadata["ocr_seconds"]` (`ocr_metadata()`) when a page was OCR'd, and the worker
observes it per OCR'd page (`jobstream_ocr_seconds`, workers/document_metrics.py): the loaders run
in the CPU pool, another process, so what they measure travels in the Document.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from jobstream.documents.errors import DocumentCorruptError, DocumentReadInterruptedError
from jobstream.documents.languages import detect_language
from jobstream.documents.model import Box, Line, TextBlock, Word

TESSERACT = os.environ.get("JOBSTREAM_TESSERACT", "tesseract")
OCR_TIMEOUT_SECONDS = 300.0
OCR_SECONDS_KEY = "ocr_seconds"  # in Document.metadata: Tesseract seconds, a decimal string
_PR_SET_PDEATHSIG = 1
try:
    _prctl: Callable[..., int] | None = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: no parent-death signal
    _prctl = None


class TesseractMissingError(RuntimeError):
    """The tesseract binary is not installed (deploy/local/provision.sh installs it)."""


@dataclass(frozen=True, slots=True)
class OcrResult:
    """One image's text as blocks (boxes normalized to the image) and its plain text."""

    blocks: tuple[TextBlock, ...]
    languages: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(block.text for block in self.blocks)


def _die_with_parent(parent: int) -> None:  # runs in the child between fork and exec
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def run_tesseract(image: bytes, *, languages: Sequence[str], dpi: int | None = None) -> str:
    """Tesseract's TSV for an encoded image (PNG, JPEG, TIFF, PNM...)."""
    command = [TESSERACT, "stdin", "stdout", "-l", "+".join(languages), "--psm", "3"]
    if dpi:
        command += ["--dpi", str(dpi)]
    command.append("tsv")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    parent = os.getpid()
    try:
        process = subprocess.Popen(  # fixed argv, no shell
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, preexec_fn=lambda: _die_with_parent(parent),
        )  # fmt: skip
    except FileNotFoundError as exc:
        raise TesseractMissingError(
            f"{TESSERACT!r} not found: install tesseract-ocr (deploy/local/provision.sh)"
        ) from exc
    try:
        out, err = process.communicate(image, timeout=OCR_TIMEOUT_SECONDS)
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
    if process.returncode < 0:  # killed by a signal: the image is not what failed
        raise DocumentReadInterruptedError(
            f"OCR was interrupted: Tesseract was killed by {_signal_name(-process.returncode)}"
            " (out of memory, or stopped by the system); the job is retried"
        )
    if process.returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise DocumentCorruptError(f"OCR could not read the image: {message[0][:200]}")
    return out.decode("utf-8", "replace")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def parse_tsv(tsv: str, *, width: int, height: int) -> tuple[TextBlock, ...]:
    """Tesseract TSV rows (level 5 = word) as paragraphs of lines of words."""
    paragraphs: dict[tuple[int, int], dict[int, list[Word]]] = {}
    w, h = max(width, 1), max(height, 1)
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, ww, hh = (int(c) for c in cols[6:10])
        box = Box(left=left / w, top=top / h, width=ww / w, height=hh / h)
        word = Word(text=cols[11].strip(), box=box, confidence=max(0.0, float(cols[10])) / 100)
        key = (int(cols[2]), int(cols[3]))
        paragraphs.setdefault(key, {}).setdefault(int(cols[4]), []).append(word)
    blocks: list[TextBlock] = []
    for lines_by_number in paragraphs.values():
        lines = tuple(
            Line(words=tuple(words), box=Box.enclosing([x.box for x in words if x.box]))
            for words in lines_by_number.values()
        )
        blocks.append(TextBlock(lines=lines, box=Box.enclosing([x.box for x in lines if x.box])))
    return tuple(blocks)


def ocr_image(
    image: bytes, *, width: int, height: int, languages: Sequence[str], dpi: int | None = None
) -> OcrResult:
    """OCR one encoded image of `width` x `height` pixels with the given languages."""
    tsv = run_tesseract(image, languages=languages, dpi=dpi)
    return OcrResult(blocks=parse_tsv(tsv, width=width, height=height), languages=tuple(languages))


@dataclass
class OcrLanguages:
    """The languages of one document's OCR: configured, or detected on its first OCR'd page;
    and the time its Tesseract calls took."""

    configured: tuple[str, ...] | None = None
    detected: tuple[str, ...] | None = field(default=None, init=False)
    seconds: float = field(default=0.0, init=False)
    calls: int = field(default=0, init=False)

    @property
    def used(self) -> tuple[str, ...]:
        return self.configured or self.detected or ()

    def ocr_metadata(self) -> dict[str, str]:
        """`{"ocr_seconds": "1.234"}` once a page went to Tesseract, else nothing."""
        return {OCR_SECONDS_KEY: f"{self.seconds:.3f}"} if self.calls else {}

    def ocr(self, image: bytes, *, width: int, height: int, dpi: int | None = None) -> OcrResult:
        if self.configured or self.detected:
            languages = self.configured or self.detected or ("eng",)
            return self._timed(image, width=width, height=height, languages=languages, dpi=dpi)
        first = self._timed(image, width=width, height=height, languages=("eng",), dpi=dpi)
        language = detect_language(first.text)
        if len(first.text.split()) >= 8:  # enough text to decide: keep it for the next pages
            self.detected = (language,)
        if language == "eng":
            return first
        return self._timed(image, width=width, height=height, languages=(language,), dpi=dpi)

    def _timed(
        self, image: bytes, *, width: int, height: int, languages: Sequence[str], dpi: int | None
    ) -> OcrResult:
        started = time.perf_counter()
        try:
            return ocr_image(image, width=width, height=height, languages=languages, dpi=dpi)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1
