"""The worker asks the read model only about commands that can be copies of one already handled:
those before its assignment fence (a previous owner may have run them) and those that may repeat
an earlier copy (adapters/first_copy.py); a first copy past the fence runs without a store read."""

from __future__ import annotations

from typing import Any

from aiokafka import TopicPartition

from jobstream.core.record import JobRecord
from jobstream.core.state import apply
from jobstream.settings import WorkerSettings
from jobstream.workers.runtime import Running, WorkerRuntime
from jobstream_schemas.events import JobRequested, RunPayload
from tests.unit.test_state import created

TP = TopicPartition("jobs.commands.parse", 0)


class Store:
    def __init__(self, record: JobRecord | None) -> None:
        self.record, self.gets = record, 0

    async def get(self, job_id: str, **_: Any) -> JobRecord | None:
        self.gets += 1
        return self.record


class Consumer:
    async def end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return dict.fromkeys(tps, 100)


def runtime(store: Store) -> WorkerRuntime:
    return WorkerRuntime(
        settings=WorkerSettings(slug="parse"), consumer=Consumer(), publisher=None,  # type: ignore[arg-type]
        jobs=store, execution=None, worker_id="w",  # type: ignore[arg-type]
    )  # fmt: skip


def command() -> JobRequested:
    job = created()
    return JobRequested(
        job_id=job.job_id, organization_id=job.organization_id, attempt=1,
        payload=RunPayload(endpoint="parse", request={}),
    )  # fmt: skip


def finished() -> JobRecord:
    record = apply(None, created()).job
    assert record is not None
    return record.model_copy(update={"status": "completed"})


async def test_a_first_copy_past_the_fence_runs_without_a_read() -> None:
    store = Store(finished())
    worker = runtime(store)
    await worker.on_assigned({TP})
    assert await worker._should_skip(command(), Running(TP, 100, repeatable=False)) is False
    assert store.gets == 0


async def test_commands_before_the_fence_or_repeatable_or_unfenced_are_checked() -> None:
    store = Store(finished())
    worker = runtime(store)
    await worker.on_assigned({TP})
    other = TopicPartition(TP.topic, 5)  # no fence known
    before, repeatable = Running(TP, 99, repeatable=False), Running(TP, 150, repeatable=True)
    for running in (before, repeatable, Running(other, 1, repeatable=False)):
        assert await worker._should_skip(command(), running) is True  # it is terminal
    assert store.gets == 3
