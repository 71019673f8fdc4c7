"""The bench's alternating throughput rounds: each pair's ratio, their median, each side's run of
median throughput, and the stack really stopped while Celery runs (and running again after)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.rounds import alternate


@pytest.fixture
def stack() -> Iterator[subprocess.Popen[bytes]]:
    """A stand-in for the stack's processes."""
    process = subprocess.Popen(["sleep", "30"])
    yield process
    process.kill()
    process.wait()


def state_of(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


async def test_rounds_pair_each_run_with_the_next_and_report_the_median_ratio(
    stack: subprocess.Popen[bytes],
) -> None:
    ours = [500.0, 600.0, 550.0]
    theirs = [400.0, 700.0, 500.0]
    seen_while_celery_ran: list[str] = []

    async def jobstream(i: int) -> dict[str, Any]:
        assert state_of(stack.pid) != "T"  # running again for our runs
        return {"throughput_jobs_per_s": ours[i], "round": i}

    async def celery(i: int) -> dict[str, Any]:
        seen_while_celery_ran.append(state_of(stack.pid))
        return {"throughput_jobs_per_s": theirs[i], "round": i}

    outcome = await alternate(3, jobstream=jobstream, celery=celery, pids=lambda: [stack.pid])
    assert seen_while_celery_ran == ["T", "T", "T"]  # stopped (SIGSTOP) every time
    assert outcome["throughput_rounds"]["ratios"] == [1.25, 0.857, 1.1]
    assert outcome["throughput_rounds"]["median_ratio"] == 1.1
    assert outcome["jobstream"]["round"] == 2 and outcome["celery"]["round"] == 2  # the medians
