"""Group commit (gateway/group_commit.py): creates that arrive while earlier groups are written
go together in one insert, one outbox entry and one producer round; failures reach every create
of the group; a lone create on an idle gateway is committed at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError

from jobstream import failpoints
from jobstream.adapters.kafka import PublishError
from jobstream.adapters.mongo import OutboxMessage
from jobstream.core.record import JobRecord
from jobstream.core.state import apply
from jobstream.gateway.group_commit import GroupCommit
from jobstream.gateway.ports import PreparedJob
from jobstream.settings import GatewaySettings
from jobstream_schemas.events import JobCreated, JobCreatedPayload


def prepared(i: int) -> PreparedJob:
    job_id = f"job_{i:021d}"
    created = JobCreated(
        job_id=job_id, organization_id="org", attempt=1,
        payload=JobCreatedPayload(endpoint="parse", slug="parse", request={}, created_at=1,
                                  expires_at=2),
    )  # fmt: skip
    record = apply(None, created).job
    assert record is not None
    event = OutboxMessage("jobs.events", job_id.encode(), b"created", ())
    command = OutboxMessage("jobs.commands.parse", job_id.encode(), b"run", ())
    return PreparedJob(record, (event, command), f"{job_id}:1:created")


class Recorder:
    """Store, outbox and publisher in one; the first insert can be held to let a queue form."""

    def __init__(self) -> None:
        self.inserts: list[list[str]] = []
        self.entries: dict[str, tuple[list[OutboxMessage], float | None]] = {}
        self.removed: list[str] = []
        self.waves: list[list[bytes]] = []  # every wave sent, in order
        self.timeouts: list[float | None] = []
        self.first_wave_takes = 0.0
        self.hold = asyncio.Event()
        self.hold.set()
        self.fail_store = False
        self.fail_publish = False

    async def insert_many(self, records: Sequence[JobRecord]) -> None:
        await self.hold.wait()
        if self.fail_store:
            raise ConnectionError("store down")
        self.inserts.append([r.id for r in records])

    async def add(
        self, *, entry_id: str, messages: Sequence[OutboxMessage], relay_after: float | None = None,
        new: bool = False,
    ) -> None:  # fmt: skip
        self.entries[entry_id] = (list(messages), relay_after)

    async def remove(self, entry_id: str) -> None:
        self.removed.append(entry_id)

    async def publish_waves(
        self, waves: Sequence[Sequence[OutboxMessage]], *, timeout: float | None = None
    ) -> None:
        self.timeouts.append(timeout)
        if self.fail_publish:
            raise PublishError("no ack")
        if not self.waves:
            await asyncio.sleep(self.first_wave_takes)
        self.waves.extend([m.value for m in wave] for wave in waves)


def committer(rec: Recorder, **settings: object) -> GroupCommit:
    return GroupCommit(rec, rec, rec, GatewaySettings(**settings), max_in_flight=1)  # type: ignore[arg-type]


async def drained(group: GroupCommit) -> None:
    await asyncio.gather(*group._background, *group._tasks)


async def test_a_lone_create_is_committed_on_its_own_and_its_entry_removed() -> None:
    rec = Recorder()
    group = committer(rec)
    assert await group.commit(prepared(1)) is False
    await drained(group)
    assert rec.inserts == [["job_000000000000000000001"]]
    assert rec.waves == [[b"created"], [b"run"]]  # the event's wave before the command's
    assert rec.removed == ["job_000000000000000000001:1:created"]


async def test_creates_arriving_during_a_write_go_together_in_one_insert_and_one_entry() -> None:
    rec = Recorder()
    rec.hold.clear()
    group = committer(rec)
    first = asyncio.create_task(group.commit(prepared(0)))
    await asyncio.sleep(0)  # the first group is being written
    rest = [asyncio.create_task(group.commit(prepared(i))) for i in range(1, 6)]
    await asyncio.sleep(0)
    rec.hold.set()
    assert await asyncio.gather(first, *rest) == [False] * 6
    await drained(group)
    assert [len(ids) for ids in rec.inserts] == [1, 5]
    assert rec.waves[2:] == [[b"created"] * 5, [b"run"] * 5]
    (entry_id,) = [e for e in rec.entries if e.endswith("+4")]
    messages, _ = rec.entries[entry_id]
    assert [m.value for m in messages] == [b"created"] * 5 + [b"run"] * 5
    assert sorted(rec.removed) == sorted(rec.entries)


async def test_a_store_failure_reaches_every_create_of_the_group() -> None:
    rec = Recorder()
    rec.fail_store = True
    group = committer(rec)
    results = await asyncio.gather(
        *(group.commit(prepared(i)) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    assert rec.waves == []


async def test_the_command_wave_gets_what_is_left_of_the_dispatch_timeout() -> None:
    rec = Recorder()
    rec.first_wave_takes = 0.05
    group = committer(rec, dispatch_timeout_seconds=5.0)
    assert await group.commit(prepared(3)) is False
    events_timeout, commands_timeout = rec.timeouts
    assert events_timeout is not None and events_timeout <= 5.0
    assert commands_timeout is not None and commands_timeout <= events_timeout - 0.05


async def test_no_command_is_sent_when_the_events_are_not_acknowledged() -> None:
    rec = Recorder()
    rec.fail_publish = True
    group = committer(rec)
    assert await group.commit(prepared(4)) is True
    assert len(rec.timeouts) == 1 and rec.waves == []  # the command wave was never tried


def phase_counts() -> dict[str, float]:
    name = "jobstream_gateway_create_phase_seconds_count"
    phases = ("queued", "store", "events", "commands")
    return {p: REGISTRY.get_sample_value(name, {"phase": p}) or 0.0 for p in phases}


async def test_each_phase_of_a_create_is_timed() -> None:
    rec = Recorder()
    rec.hold.clear()
    group = committer(rec)
    before = phase_counts()
    first = asyncio.create_task(group.commit(prepared(0)))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(group.commit(prepared(i))) for i in range(1, 4)]
    await asyncio.sleep(0)
    rec.hold.set()
    await asyncio.gather(first, *rest)
    after = phase_counts()
    grown = {phase: after[phase] - before[phase] for phase in after}
    # queued: once per create; the store write and each wave: once per group (of 1, then 3)
    assert grown == {"queued": 4, "store": 2, "events": 2, "commands": 2}


async def test_no_acknowledgement_keeps_the_entry_due_only_after_the_relay_delay() -> None:
    rec = Recorder()
    rec.fail_publish = True
    group = committer(rec, outbox_relay_delay_seconds=40.0)
    before = time.time()
    assert await group.commit(prepared(7)) is True
    await drained(group)
    ((_, relay_after),) = rec.entries.values()
    assert relay_after is not None and relay_after >= before + 40.0
    assert rec.removed == []


@pytest.mark.parametrize(("request_timeout", "relay_delay"), [(15.0, 34.9), (3.0, 10.0)])
def test_a_relay_delay_inside_the_producers_delivery_bound_is_refused(
    request_timeout: float, relay_delay: float
) -> None:
    with pytest.raises(ValidationError, match="outbox_relay_delay_seconds"):
        GatewaySettings(
            kafka_request_timeout_seconds=request_timeout, outbox_relay_delay_seconds=relay_delay
        )
    accepted = GatewaySettings(
        kafka_request_timeout_seconds=request_timeout,
        outbox_relay_delay_seconds=2 * request_timeout + 5,
    )
    assert accepted.outbox_relay_delay_seconds == 2 * request_timeout + 5


@pytest.mark.parametrize("n", [1, 3])
async def test_the_crash_failpoint_counts_every_stored_job(n: int) -> None:
    rec = Recorder()
    group = committer(rec, failpoint="crash_after_store:1000")
    failpoints._passes.clear()
    await asyncio.gather(*(group.commit(prepared(i)) for i in range(n)))
    assert failpoints._passes["crash_after_store"] == n
