"""The worker asks the read model only about commands that can be copies of one already handled:
those before its assignment fence (a previous owner may have run them) and those the outbox relay
published; a first copy past the fence runs without a store read."""

from __future__ import annotations

from typing import Any

from aiokafka import TopicPartition

from jobstream.adapters.kafka import RELAYED_HEADER, as_relayed
from jobstream.adapters.mongo import OutboxMessage
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
    assert await worker._should_skip(command(), Running(TP, 100)) is False
    assert store.gets == 0


async def test_commands_before_the_fence_or_relayed_or_unfenced_are_checked() -> None:
    store = Store(finished())
    worker = runtime(store)
    await worker.on_assigned({TP})
    relayed_headers = ((RELAYED_HEADER, b"1"),)
    other = TopicPartition(TP.topic, 5)  # no fence known
    for running in (Running(TP, 99), Running(TP, 150, headers=relayed_headers), Running(other, 1)):
        assert await worker._should_skip(command(), running) is True  # it is terminal
    assert store.gets == 3


def test_the_relay_marks_its_copies_once() -> None:
    message = OutboxMessage("t", b"k", b"v", (("type", b"job.created"),))
    once = as_relayed(message)
    assert as_relayed(once) == once
    assert once.headers == (("type", b"job.created"), (RELAYED_HEADER, b"1"))
