"""A second copy of a command this worker is running or has finished (a redelivery after a
rebalance, or a producer's retry) is dropped: counted, logged with its job, and its offset
released so the partition moves on; the handler runs once."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

from tests.unit.test_worker_unstarted import TP, Execution, commands, runtime, settle


def skipped_duplicates() -> float:
    labels = {"endpoint": "noop", "reason": "duplicate"}
    return REGISTRY.get_sample_value("jobstream_worker_skipped_total", labels) or 0.0


async def test_a_copy_of_a_command_is_dropped_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    execution = Execution()
    worker = runtime(execution)
    run, _ = commands()
    before = skipped_duplicates()
    with caplog.at_level(logging.INFO, logger="jobstream"):
        await worker._receive(TP, 7, b"k", run)
        await worker._receive(TP, 8, b"k", run)  # while the first copy runs
        await settle(worker)
        await worker._receive(TP, 9, b"k", run)  # after it finished
    assert len(execution.ran) == 1
    assert skipped_duplicates() - before == 2
    assert worker.offsets[TP].committable() == 10
    job_id = execution.ran[0]
    skips = [r for r in caplog.records if r.getMessage() == "skipped"]
    assert [(r.job_id, r.reason) for r in skips] == [(job_id, "duplicate")] * 2  # type: ignore[attr-defined]
