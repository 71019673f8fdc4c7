"""Running one job: restore its request, start it, run the handler within its deadline,
retry transient errors with backoff, and report exactly one outcome for the attempt."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import random
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind

from jobstream.adapters import tracing
from jobstream.adapters.blobs import BlobStore, fetch_refs
from jobstream.adapters.kafka import KafkaEventPublisher, message_for
from jobstream.adapters.metrics import WORKER_RETRIES, WORKER_TIMEOUTS
from jobstream.core.artifacts import ArtifactError, ArtifactRef, restore_strings
from jobstream.core.errors import PermanentError, TransientError
from jobstream.settings import WorkerSettings
from jobstream.workers.context import Handler, JobContext
from jobstream_schemas.api import JobError, JobResponse
from jobstream_schemas.events import (
    ArtifactRefModel,
    Envelope,
    JobCancelled,
    JobCompleted,
    JobCompletedPayload,
    JobFailed,
    JobFailedPayload,
    JobProgressed,
    JobProgressPayload,
    JobRequested,
    JobStarted,
    JobStartedPayload,
    RetryRequested,
)

if TYPE_CHECKING:
    from jobstream.workers.runtime import Running

log = logging.getLogger(__name__)
Command = JobRequested | RetryRequested


@dataclass
class Execution:
    settings: WorkerSettings
    publisher: KafkaEventPublisher
    blobs: BlobStore
    handler: Handler
    worker_id: str
    pool_factory: Callable[[], concurrent.futures.ProcessPoolExecutor] | None = None
    pool: concurrent.futures.ProcessPoolExecutor | None = None

    def __post_init__(self) -> None:
        if self.pool is None and self.pool_factory is not None:
            self.pool = self.pool_factory()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    async def _emit(self, event: Envelope) -> None:
        await self.publisher.publish([message_for(self.settings.events_topic, event)])

    def _ids(self, command: Command) -> dict[str, Any]:
        return {
            "job_id": command.job_id,
            "organization_id": command.organization_id,
            "attempt": command.attempt,
        }

    async def report_cancelled(self, command: Command) -> None:
        await asyncio.shield(self._emit(JobCancelled(**self._ids(command))))

    async def execute(self, command: Command, running: Running) -> None:
        # `running` may be a bare stand-in (tests); a real one has the command's topic and headers.
        topic = str(getattr(getattr(running, "tp", None), "topic", ""))
        attributes = {
            "jobstream.job_id": command.job_id,
            "jobstream.attempt": command.attempt,
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
        }
        parent = tracing.context_from_headers(getattr(running, "headers", ()))
        with tracing.span(f"process {topic}", kind=SpanKind.CONSUMER, parent=parent,
                          attributes=attributes):  # fmt: skip
            outcome = await self._run_tries(command)
            running.finishing = True  # from here on a revoke lets us finish instead of cancelling
            await asyncio.shield(self._emit(outcome))

    async def _run_tries(self, command: Command) -> JobCompleted | JobFailed:
        last_error: JobError | None = None
        for try_number in range(1, self.settings.max_tries + 1):
            started = JobStartedPayload(
                try_number=try_number, worker_id=self.worker_id, retry_of=last_error
            )
            await self._emit(JobStarted(**self._ids(command), payload=started))
            try:
                return await self._run_once(command, try_number)
            except TransientError as exc:
                last_error = JobError(code=_code(exc, "transient_error"), message=str(exc))
                if try_number == self.settings.max_tries:
                    break
                WORKER_RETRIES.labels(self.settings.slug).inc()
                await asyncio.sleep(self._backoff(try_number, getattr(exc, "retry_after", None)))
        assert last_error is not None  # noqa: S101 - the loop ran at least once
        return self._failed(command, last_error, self.settings.max_tries)

    def _backoff(self, try_number: int, retry_after: float | None = None) -> float:
        """Full-jitter exponential backoff; at least a provider's `Retry-After` (capped)."""
        cap = min(
            self.settings.backoff_max_seconds,
            self.settings.backoff_base_seconds * 2 ** (try_number - 1),
        )
        delay = random.uniform(0, cap)  # noqa: S311 - jitter, not security
        if retry_after:
            delay = max(delay, min(retry_after, self.settings.backoff_max_seconds))
        return delay

    def _failed(self, command: Command, error: JobError, try_number: int) -> JobFailed:
        payload = JobFailedPayload(error=error, try_number=try_number)
        return JobFailed(**self._ids(command), payload=payload)

    async def _run_once(self, command: Command, try_number: int) -> JobCompleted | JobFailed:
        loop = asyncio.get_running_loop()
        timeout = self.settings.job_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                ctx = JobContext(
                    job_id=command.job_id, organization_id=command.organization_id,
                    attempt=command.attempt, try_number=try_number,
                    endpoint=command.payload.endpoint,
                    request=await self._restore(command), deadline=loop.time() + timeout,
                    blobs=self.blobs, report_progress=self._progress_reporter(command),
                    run_cpu=self._run_cpu, settings=self.settings,
                )  # fmt: skip
                with tracing.span(f"handle {self.settings.slug}",
                                  attributes={"jobstream.try_number": try_number}):  # fmt: skip
                    response = await self.handler(ctx)
        except TimeoutError:
            WORKER_TIMEOUTS.labels(self.settings.slug).inc()
            error = JobError(code="timeout", message=f"The job exceeded its {timeout:g}s timeout.")
            return self._failed(command, error, try_number)
        except PermanentError as exc:
            error = JobError(code=exc.code, message=exc.message, details=exc.details)
            return self._failed(command, error, try_number)
        except (TransientError, asyncio.CancelledError):
            raise
        except Exception as exc:
            log.exception("handler crashed", extra={"job_id": command.job_id})
            error = JobError(code="internal_error", message=f"{type(exc).__name__}: {exc}"[:500])
            return self._failed(command, error, try_number)
        return await self._completed(command, response)

    async def _restore(self, command: Command) -> dict[str, Any]:
        refs = [ArtifactRef(**r.model_dump()) for r in command.payload.artifacts]
        if not refs:
            return command.payload.request
        try:
            contents = await fetch_refs(self.blobs, refs)
            return restore_strings(command.payload.request, refs, contents)
        except ArtifactError as exc:
            raise PermanentError(
                "artifact_missing", f"Request artifact unavailable: {exc}"
            ) from exc

    async def _completed(self, command: Command, response: JobResponse) -> JobCompleted:
        raw = response.model_dump_json().encode()
        if len(raw) <= self.settings.response_inline_bytes:
            payload = JobCompletedPayload(response=response)
        else:
            key = f"jobs/{command.job_id}/response/{command.attempt}"
            await self.blobs.put(key=key, data=raw, content_type="application/json")
            ref = ArtifactRefModel(key=key, pointer="", size=len(raw), sha256="")
            payload = JobCompletedPayload(response_artifact=ref)
        return JobCompleted(**self._ids(command), payload=payload)

    def _progress_reporter(self, command: Command) -> Callable[..., Any]:
        async def report(
            completed: float, total: float | None = None, message: str | None = None
        ) -> None:
            payload = JobProgressPayload(completed=completed, total=total, message=message)
            await self._emit(JobProgressed(**self._ids(command), payload=payload))

        return report

    async def _run_cpu(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run CPU-heavy work in the process pool so heartbeats, cancels and polls stay live.

        Cancelled (a cancel, a timeout, a revoke): the pool's processes are killed so abandoned
        work stops using the CPU; other jobs whose work was in that pool run again on a new one.
        """
        loop = asyncio.get_running_loop()
        for _ in range(3):
            pool = self.pool
            try:
                return await loop.run_in_executor(pool, fn, *args)
            except asyncio.CancelledError:
                self._kill_pool(pool)
                raise
            except BrokenProcessPool:
                continue  # another job's cancel killed the pool under this one
        raise TransientError("the CPU process pool keeps breaking")

    def _kill_pool(self, pool: concurrent.futures.ProcessPoolExecutor | None) -> None:
        if pool is None or pool is not self.pool or self.pool_factory is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self.pool_factory()


def _code(exc: BaseException, default: str) -> str:
    return str(getattr(exc, "code", default))
