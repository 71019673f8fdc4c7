"""Gateway latency under fixed offered load: create and status-poll, p50 / p99, per rate.

For each rate: `POST /v1/jobs` (no-op jobs) open loop for `seconds`, then wait until the
pipeline has drained them (so the next phase is not measured against a backlog), then
`GET /v1/jobs/{id}/status` of those jobs, open loop at the same rate for the same time. The
gateway's own timing of the creates' phases (`jobstream_gateway_create_phase_seconds`: queued,
store, events, commands) is read before and after each rate's creates.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from typing import Any

import aiohttp

from bench.jobstream_e2e import EndedInReadModel, HttpStatusError, submit_open_loop
from bench.loadgen import open_loop, poll_until
from bench.stack import BenchStack


async def poll_status_open_loop(
    bench: BenchStack, job_ids: list[str], *, rate: float, count: int, connections: int = 256
) -> dict[str, Any]:
    rng = random.Random(7)
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=120)
    headers = {"Api-Key": bench.api_key}
    async with aiohttp.ClientSession(
        bench.url, headers=headers, connector=connector, timeout=timeout
    ) as session:

        async def poll(i: int, intended_at: float) -> None:
            async with session.get(f"/v1/jobs/{rng.choice(job_ids)}/status") as resp:
                await resp.read()
                if resp.status != 200:
                    raise HttpStatusError(resp.status)
            latencies.append(time.time() - intended_at)

        result = await open_loop(rate, count, poll)
        result.latencies = latencies
    return result.summary()


def phase_summary(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]
) -> dict[str, dict[str, float | None]]:
    """Per create phase, between two readings of the histogram: how many were timed, their mean
    in ms, and the bound (ms) of the bucket holding the 99th percentile (None: past the last)."""
    summary: dict[str, dict[str, float | None]] = {}
    for phase, now in after.items():
        then = before.get(phase, {})
        count = now.get("count", 0.0) - then.get("count", 0.0)
        if count <= 0:
            continue
        mean_ms = (now.get("sum", 0.0) - then.get("sum", 0.0)) / count * 1000
        buckets = sorted(
            (float(key.removeprefix("le=")), value - then.get(key, 0.0))
            for key, value in now.items()
            if key.startswith("le=")
        )
        bound = next((le for le, seen in buckets if seen >= 0.99 * count), math.inf)
        summary[phase] = {
            "count": count,
            "mean_ms": round(mean_ms, 2),
            "p99_at_most_ms": None if math.isinf(bound) else round(bound * 1000, 1),
        }
    return summary


async def run_gateway_latency(
    bench: BenchStack, *, rates: list[float], seconds: float, request: dict[str, Any]
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for rate in rates:
        count = int(rate * seconds)
        batch = uuid.uuid4().hex
        phases_before = await bench.create_phases()
        created, intended = await submit_open_loop(
            bench, jobs=count, rate=rate, request=request, batch=batch
        )
        phases = phase_summary(phases_before, await bench.create_phases())

        drained = EndedInReadModel(bench.mongo_url, intended)
        await poll_until(
            drained.all_ended, timeout=1800, interval=1.0, what="the rate's jobs to end"
        )
        polled = await poll_status_open_loop(bench, list(intended), rate=rate, count=count)
        results[str(int(rate))] = {
            "create": created.summary(),
            "create_phases": phases,
            "status_poll": polled,
        }
    return results
