"""The diagnostic no-op worker, for benchmarks and fault tests."""

from __future__ import annotations

import asyncio
import os
import time

from jobstream.core.errors import PermanentError, TransientError
from jobstream.workers.context import JobContext
from jobstream_schemas.api import JobResponse


def spin(seconds: float) -> int:
    """Busy CPU work for `seconds`, in a pool process; returns that process's id."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sum(range(10_000))
    return os.getpid()


async def handle_noop(ctx: JobContext) -> JobResponse:
    """The diagnostic no-op endpoint (enabled only by setting): passes through the whole pipeline
    and does no work, unless asked to, for fault tests: `sleep_seconds` (≤ 600) waits first;
    `fail` = "permanent" | "transient" raises that kind of error; `progress` reports steps;
    `cpu_seconds` (≤ 600) spins that long in the CPU process pool (the orphan test)."""
    request = ctx.request
    steps = int(request.get("progress") or 0)
    for step in range(1, steps + 1):
        await ctx.report_progress(step, steps, f"step {step}")
    cpu_seconds = min(float(request.get("cpu_seconds") or 0), 600.0)
    if cpu_seconds > 0:
        await ctx.run_cpu(spin, cpu_seconds)
    sleep = min(float(request.get("sleep_seconds") or 0), 600.0)
    if sleep > 0:
        await asyncio.sleep(sleep)
    if request.get("fail") == "permanent":
        raise PermanentError("diagnostic_failure", "Failed on request (fail=permanent).")
    if request.get("fail") == "transient":
        raise TransientError("Failed on request (fail=transient).")
    return JobResponse(status_code=200, body={"ok": True, "job_id": ctx.job_id})
