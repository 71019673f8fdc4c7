"""A command whose task has not run yet when it is cancelled or revoked. A cancel often comes in
the same fetched batch as its command, and a rebalance can revoke a partition right after a
batch was handed out. An asyncio task cancelled before its first step never runs its body, so
its cleanup never ran either: the offset stayed unfinished, pinning the partition's committed
offset, and the job stayed "running", so its redelivery was dropped as a duplicate."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import TopicPartition

from jobstream.settings import WorkerSettings
from jobstream.workers.runtime import Running, WorkerRuntime
from jobstream_schemas.events import CancelRequested, JobRequested, RunPayload
from tests.unit.test_state import created

TP = TopicPartition("jobs.commands.noop", 0)


class Execution:
    def __init__(self) -> None:
        self.ran: list[str] = []
        self.cancelled: list[str] = []

    async def execute(self, command: Any, running: Running) -> None:
        self.ran.append(command.job_id)

    async def report_cancelled(self, command: Any) -> None:
        self.cancelled.append(command.job_id)


class Store:
    async def get(self, job_id: str, **_: Any) -> None:
        return None


def runtime(execution: Execution) -> WorkerRuntime:
    return WorkerRuntime(
        settings=WorkerSettings(slug="noop"), consumer=None, publisher=None,  # type: ignore[arg-type]
        jobs=Store(), execution=execution, worker_id="w",  # type: ignore[arg-type]
    )  # fmt: skip


def commands() -> tuple[bytes, bytes]:
    job = created()
    ids = {"job_id": job.job_id, "organization_id": job.organization_id, "attempt": 1}
    run = JobRequested(**ids, payload=RunPayload(endpoint="noop", request={}))
    return run.model_dump_json().encode(), CancelRequested(**ids).model_dump_json().encode()


async def settle(worker: WorkerRuntime) -> None:
    tasks = [r.task for r in worker.running.values() if r.task is not None]
    async with asyncio.timeout(10):
        await asyncio.gather(*tasks, return_exceptions=True)
    assert worker.running == {}


async def test_a_cancel_in_the_same_batch_as_its_command_releases_the_offset() -> None:
    execution = Execution()
    worker = runtime(execution)
    run, cancel = commands()
    await worker._receive(TP, 7, b"k", run)  # no await between the two: one fetched batch
    await worker._receive(TP, 8, b"k", cancel)
    await settle(worker)
    assert (execution.ran, len(execution.cancelled)) == ([], 1)
    assert worker.offsets[TP].committable() == 9  # both offsets done: the partition moves on


async def test_a_command_revoked_before_it_ran_runs_when_delivered_again() -> None:
    execution = Execution()
    worker = runtime(execution)
    run, _ = commands()
    await worker._receive(TP, 7, b"k", run)
    await worker.stop_all(reason="revoked")  # before the task had a turn
    assert worker.running == {}
    assert worker.offsets[TP].committable() == 7  # not done: the next owner gets it
    worker.offsets.clear()  # as on_revoked leaves it; the partition comes back
    await worker._receive(TP, 7, b"k", run)
    await settle(worker)
    assert len(execution.ran) == 1
