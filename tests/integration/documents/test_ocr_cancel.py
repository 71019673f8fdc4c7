"""Cancel stops OCR: when the worker kills its CPU pool (execution.py `_kill_pool`), the Tesseract
process the pool was waiting on dies with it (PR_SET_PDEATHSIG), within a second. Real pool
(forkserver, as workers/app.py builds it), real Tesseract, fakes only for Kafka and S3."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import io
import multiprocessing
import os
from pathlib import Path

import pytest
from evaluation.corpus.pdfs import prose
from evaluation.corpus.scans import render_pages
from PIL import Image

from jobstream.documents.loaders.images import load_image
from jobstream.documents.loaders.options import LoadOptions
from jobstream.workers.context import JobContext
from jobstream_schemas.api import JobResponse
from tests.unit.test_worker_execution import execution, run


def _tesseracts() -> dict[int, tuple[int, float]]:
    """Running (not zombie) tesseract processes: pid → (parent pid, CPU seconds used)."""
    found: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        if name == "tesseract" and fields[0] != "Z":
            cpu = (int(fields[11]) + int(fields[12])) / tick
            found[int(stat.parent.name)] = (int(fields[1]), cpu)
    return found


def _poster() -> bytes:
    """Six pages side by side in one 300 dpi image: a single Tesseract run of many seconds."""
    pages = render_pages(prose(5, "eng", pages=6).data, dpi=300)
    width, height = pages[0].size
    poster = Image.new("L", (width * 3, height * 2), 255)
    for index, page in enumerate(pages):
        poster.paste(page, ((index % 3) * width, (index // 3) * height))
    buffer = io.BytesIO()
    poster.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


async def test_cancelling_a_job_kills_its_running_tesseract_within_a_second() -> None:
    def new_pool() -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("forkserver")
        )

    work = functools.partial(load_image, options=LoadOptions(ocr_languages=("eng",)))
    image = _poster()

    async def handler(ctx: JobContext) -> JobResponse:
        await ctx.run_cpu(work, image)
        raise AssertionError("cancelled before the OCR could finish")

    ex, _, _ = execution(handler)
    ex.pool_factory = new_pool
    ex.pool = new_pool()
    pool = ex.pool
    task = asyncio.create_task(run(ex))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while True:
        workers = {p.pid for p in getattr(pool, "_processes", {}).values()}
        # Recognizing, not still reading its input (cut short, it would just fail on EOF).
        ours = [pid for pid, (parent, cpu) in _tesseracts().items() if parent in workers]
        if ours and _tesseracts()[ours[0]][1] >= 1.0:
            break
        assert loop.time() < deadline and not task.done(), "tesseract never got to work"
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    killed_at = loop.time()
    print("ours", ours, _tesseracts())
    await asyncio.sleep(0.5)
    print("later", _tesseracts())
    while any(pid in _tesseracts() for pid in ours):
        assert loop.time() < killed_at + 1.0, "tesseract outlived the cancelled job by 1 s"
        await asyncio.sleep(0.01)
    assert ex.pool is not pool
    ex.close()
    assert all(parent != os.getpid() for parent, _ in _tesseracts().values())
