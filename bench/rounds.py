"""Throughput in rounds: jobstream's run and Celery + Redis's run alternate on the same cores.

This machine's two cores belong to a VM whose speed drifts within minutes: in one hour with
nothing else running, Celery + Redis measured from 453 to 631 tasks/s and jobstream from 498 to
594 jobs/s, and the CPU each process spent per job moved by a fifth with them. One run of each
side, one after the other, compares two moments as much as two systems. So the comparison runs
`rounds` pairs, each jobstream run followed at once by a Celery run, and reports the median of
the pairs' ratios, each pair, and for each side the run of median throughput (its latency and
per-hop costs are the ones the tables show).

While Celery runs, every process of the jobstream stack is stopped (SIGSTOP), so its idle
polling (about a tenth of a core) takes nothing from Celery; they go on (SIGCONT) before the next
jobstream run, after an unmeasured warm-up in which the consumers that lost their group
sessions rejoin.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

Run = dict[str, Any]


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None  # gone


@contextlib.contextmanager
def stopped(pids: list[int], *, timeout: float = 10.0) -> Iterator[None]:
    """SIGSTOP the processes for the block (entered once each one is stopped), SIGCONT them
    after it whatever happens."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGSTOP)
    try:
        deadline = time.monotonic() + timeout
        while any(_state(pid) not in (None, "T", "t") for pid in pids):
            if time.monotonic() > deadline:
                raise TimeoutError(f"processes {pids} did not stop within {timeout}s")
            time.sleep(0.01)
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def median_run(runs: list[Run]) -> Run:
    """The run of median throughput (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda run: run.get("throughput_jobs_per_s") or 0.0)
    return ordered[(len(ordered) - 1) // 2]


async def alternate(
    rounds: int, *, jobstream: Callable[[int], Awaitable[Run]],
    celery: Callable[[int], Awaitable[Run]], pids: Callable[[], list[int]],
) -> dict[str, Any]:  # fmt: skip
    """`rounds` pairs; `jobstream(i)` and `celery(i)` run round i's side (the former warms up
    first from the second round on); the stack's `pids()` are stopped during Celery's runs."""
    pairs: list[tuple[Run, Run]] = []
    for i in range(rounds):
        ours = await jobstream(i)
        with stopped(pids()):
            theirs = await celery(i)
        pairs.append((ours, theirs))
    ratios = [
        round(ours["throughput_jobs_per_s"] / theirs["throughput_jobs_per_s"], 3)
        for ours, theirs in pairs
        if ours.get("throughput_jobs_per_s") and theirs.get("throughput_jobs_per_s")
    ]
    return {
        "jobstream": median_run([ours for ours, _ in pairs]),
        "celery": median_run([theirs for _, theirs in pairs]),
        "throughput_rounds": {
            "pairs": [
                {
                    "jobstream": ours.get("throughput_jobs_per_s"),
                    "celery": theirs.get("throughput_jobs_per_s"),
                }
                for ours, theirs in pairs
            ],
            "ratios": ratios,
            "median_ratio": round(statistics.median(ratios), 3) if ratios else None,
        },
    }
