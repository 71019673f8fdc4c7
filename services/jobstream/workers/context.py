"""What a handler gets: the job, its restored request, a deadline, progress reporting, the blob
store, the worker's settings, and a way to run CPU-heavy work off the event loop. Cancellation is
asyncio's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from jobstream.adapters.blobs import BlobStore
from jobstream.settings import WorkerSettings
from jobstream_schemas.api import JobResponse

T = TypeVar("T")


@dataclass(frozen=True)
class JobContext:
    job_id: str
    organization_id: str
    attempt: int
    try_number: int
    endpoint: str
    request: dict[str, Any]
    deadline: float  # loop.time() by which the handler must be done
    blobs: BlobStore
    report_progress: Callable[..., Awaitable[None]]
    run_cpu: Callable[..., Awaitable[Any]]
    settings: WorkerSettings = field(default_factory=WorkerSettings)  # limits, fetch policy


class Handler(Protocol):
    """Runs one job; raises TransientError to be retried, PermanentError to fail with a code."""

    async def __call__(self, ctx: JobContext) -> JobResponse: ...
