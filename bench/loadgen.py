"""Open-loop load: requests leave on a fixed schedule whatever the answers do.

Latency is measured from each request's *intended* start, so a stalled server shows up as latency
(no coordinated omission). `percentiles` summarises samples the same way for every benchmark.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field


def percentiles(values: Sequence[float], *, scale: float = 1000.0) -> dict[str, float]:
    """p50/p95/p99/max/mean of `values` (seconds), reported in milliseconds by default."""
    if not values:
        return {"count": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        # nearest-rank: the smallest value with at least q of the samples at or below it
        rank = max(1, math.ceil(q * len(ordered)))
        return round(ordered[rank - 1] * scale, 3)

    return {
        "count": len(ordered),
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1] * scale, 3),
        "mean": round(sum(ordered) / len(ordered) * scale, 3),
    }


@dataclass
class OpenLoopResult:
    """What one open-loop run did: intended rate, achieved send rate, latencies, errors."""

    offered_rate: float
    sent: int
    send_seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, object]:
        return {
            "offered_rps": self.offered_rate,
            "sent": self.sent,
            "achieved_send_rps": round(self.sent / self.send_seconds, 1)
            if self.send_seconds
            else 0,
            "ok": len(self.latencies),
            "errors": dict(self.errors),
            "latency_ms": percentiles(self.latencies),
        }


Request = Callable[[int, float], Awaitable[None]]
"""`request(i, intended_wall_time)`: performs request i; raises to count an error."""


async def open_loop(rate: float, count: int, request: Request) -> OpenLoopResult:
    """Start request i at t0 + i / rate (wall clock passed along), wait for all of them.

    The request callable records its own latency (it knows what "done" means); exceptions are
    counted by type. Requests that are due together (the loop fell behind) leave together.
    """
    loop = asyncio.get_running_loop()
    result = OpenLoopResult(offered_rate=rate, sent=0, send_seconds=0.0)
    tasks: list[asyncio.Task[None]] = []
    start_mono = loop.time()
    start_wall = time.time()

    async def one(i: int, intended: float) -> None:
        try:
            await request(i, intended)
        except Exception as exc:  # noqa: BLE001 - every failure is a data point
            result.errors[type(exc).__name__] += 1

    for i in range(count):
        offset = i / rate
        delay = start_mono + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, start_wall + offset)))
    result.sent = count
    result.send_seconds = loop.time() - start_mono
    await asyncio.gather(*tasks)
    return result


async def poll_until(
    probe: Callable[[], Awaitable[bool]], *, timeout: float, interval: float = 0.25, what: str
) -> float:
    """Poll `probe` until true; returns the elapsed seconds, raises TimeoutError at the deadline."""
    start = time.monotonic()
    while not await probe():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{what}: not reached within {timeout}s")
        await asyncio.sleep(interval)
    return time.monotonic() - start
