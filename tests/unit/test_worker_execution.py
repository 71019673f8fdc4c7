"""One job's execution with fakes: outcomes, timeouts, transient retries, response offload."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from jobstream.adapters.blobs import InMemoryBlobStore
from jobstream.adapters.mongo import OutboxMessage
from jobstream.core.errors import PermanentError, TransientError
from jobstream.settings import WorkerSettings
from jobstream.workers.context import JobContext
from jobstream.workers.execution import Execution
from jobstream.workers.runtime import Running
from jobstream_schemas.api import JobResponse
from jobstream_schemas.events import JobEvent, JobRequested, RunPayload, decode_event


class RecordingPublisher:
    """Captures what would go to Kafka, decoded."""

    def __init__(self) -> None:
        self.events: list[JobEvent] = []

    async def publish(
        self, messages: Sequence[OutboxMessage], *, timeout: float | None = None
    ) -> None:
        self.events += [decode_event(m.value) for m in messages]


def command(request: dict[str, Any] | None = None) -> JobRequested:
    payload = RunPayload(endpoint="/v1/diagnostics/noop", request=request or {})
    return JobRequested(job_id="job_x", organization_id="org", attempt=1, payload=payload)


def execution(
    handler: Any, **settings: Any
) -> tuple[Execution, RecordingPublisher, InMemoryBlobStore]:
    publisher, blobs = RecordingPublisher(), InMemoryBlobStore()
    worker_settings = WorkerSettings(slug="noop", backoff_base_seconds=0.001, **settings)
    return Execution(worker_settings, publisher, blobs, handler, "w-1"), publisher, blobs  # type: ignore[arg-type]


async def run(ex: Execution) -> None:
    await ex.execute(command(), Running(tp=None, offset=0))  # type: ignore[arg-type]


async def test_completion() -> None:
    async def handler(ctx: JobContext) -> JobResponse:
        await ctx.report_progress(1, 2, "half")
        return JobResponse(status_code=200, body={"ok": True})

    ex, pub, _ = execution(handler)
    await run(ex)
    assert [e.type for e in pub.events] == ["job.started.v1", "job.progress.v1", "job.completed.v1"]
    assert pub.events[-1].payload.response.body == {"ok": True}  # type: ignore[union-attr]


async def test_a_slow_handler_fails_with_timeout() -> None:
    async def handler(ctx: JobContext) -> JobResponse:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    ex, pub, _ = execution(handler, job_timeout_seconds=0.05)
    await run(ex)
    assert pub.events[-1].type == "job.failed.v1"
    assert pub.events[-1].payload.error.code == "timeout"  # type: ignore[union-attr]


async def test_transient_errors_are_retried_then_fail_with_their_code() -> None:
    calls = 0

    class ThrottledError(TransientError):
        code = "rate_limited"

    async def handler(ctx: JobContext) -> JobResponse:
        nonlocal calls
        calls += 1
        raise ThrottledError("slow down")

    ex, pub, _ = execution(handler, max_tries=3)
    await run(ex)
    started = [e for e in pub.events if e.type == "job.started.v1"]
    assert calls == 3
    assert [e.payload.try_number for e in started] == [1, 2, 3]  # type: ignore[union-attr]
    assert started[0].payload.retry_of is None  # type: ignore[union-attr]
    assert started[1].payload.retry_of.code == "rate_limited"  # type: ignore[union-attr]
    assert pub.events[-1].payload.error.code == "rate_limited"  # type: ignore[union-attr]


async def test_a_transient_error_then_success_completes() -> None:
    outcomes = iter([TransientError("blip"), None])

    async def handler(ctx: JobContext) -> JobResponse:
        if (exc := next(outcomes)) is not None:
            raise exc
        return JobResponse(status_code=200, body={"try": ctx.try_number})

    ex, pub, _ = execution(handler)
    await run(ex)
    assert pub.events[-1].type == "job.completed.v1"
    assert pub.events[-1].payload.response.body == {"try": 2}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("exc", "code"),
    [(PermanentError("bad_input", "no"), "bad_input"), (ZeroDivisionError("x"), "internal_error")],
)
async def test_permanent_and_unexpected_errors_fail_at_once(exc: Exception, code: str) -> None:
    async def handler(ctx: JobContext) -> JobResponse:
        raise exc

    ex, pub, _ = execution(handler, max_tries=5)
    await run(ex)
    assert [e.type for e in pub.events] == ["job.started.v1", "job.failed.v1"]
    assert pub.events[-1].payload.error.code == code  # type: ignore[union-attr]


async def test_a_large_response_goes_to_the_blob_store() -> None:
    async def handler(ctx: JobContext) -> JobResponse:
        return JobResponse(status_code=200, body={"text": "x" * 5000})

    ex, pub, blobs = execution(handler, response_inline_bytes=1000)
    await run(ex)
    done = pub.events[-1]
    assert done.payload.response is None  # type: ignore[union-attr]
    key = done.payload.response_artifact.key  # type: ignore[union-attr]
    assert JobResponse.model_validate_json(await blobs.get(key=key)).body == {"text": "x" * 5000}


async def test_cancelling_cpu_work_kills_its_process_and_the_pool_recovers() -> None:
    import concurrent.futures
    import multiprocessing
    import time

    def new_pool() -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("forkserver")
        )

    async def handler(ctx: JobContext) -> JobResponse:
        await ctx.run_cpu(time.sleep, 60)
        raise AssertionError("unreachable")

    ex, _, _ = execution(handler)
    ex.pool_factory = new_pool
    ex.pool = new_pool()
    first_pool = ex.pool
    task = asyncio.create_task(run(ex))

    async def busy_process() -> Any:
        processes = list(getattr(first_pool, "_processes", {}).values())
        return processes[0] if processes and processes[0].is_alive() else None

    deadline = asyncio.get_running_loop().time() + 30
    while (process := await busy_process()) is None:
        assert asyncio.get_running_loop().time() < deadline, "the pool never started"
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    deadline = asyncio.get_running_loop().time() + 10
    while process.is_alive():
        assert asyncio.get_running_loop().time() < deadline, "the abandoned work kept running"
        await asyncio.sleep(0.01)
    assert ex.pool is not first_pool
    assert await ex._run_cpu(pow, 2, 10) == 1024  # the new pool works
    ex.close()
