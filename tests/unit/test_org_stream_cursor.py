"""The organization stream's cursor: its text, its parsing, and what a stream resumed from it
sends — a fake hub stands in for Kafka (the e2e test resumes on the real stack)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from jobstream.core.errors import InvalidRequestError
from jobstream.core.listing import parse_list_query
from jobstream.gateway.org_streams import EventFilter, OrgStream, cursor_text, parse_cursor
from jobstream.gateway.service import JobService
from jobstream.gateway.stream_items import Item, sse
from jobstream.gateway.streams import EventHub
from jobstream_schemas.events import JobStarted, JobStartedPayload, encode

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def started(job: str, org: str = "org_1") -> bytes:
    event = JobStarted(job_id=job, organization_id=org, attempt=1, occurred_at=T0,
                       payload=JobStartedPayload(try_number=1))  # fmt: skip
    return encode(event)


@dataclass
class Record:
    offset: int
    value: bytes


@dataclass
class FakeHub:
    """Two partitions of stored records; the live queue is filled by the test."""

    log: dict[int, list[bytes]]
    queue: asyncio.Queue[Item] = field(default_factory=asyncio.Queue)
    position: dict[int, int] = field(default_factory=dict)

    def subscribe_organization(self, org: str) -> tuple[asyncio.Queue[Item], dict[int, int]]:
        return self.queue, dict(self.position)

    def unsubscribe_organization(self, org: str, queue: Any) -> None:
        pass

    async def read(self, partition: int, *, start: int, until: int) -> AsyncIterator[list[Any]]:
        records = self.log[partition]
        yield [Record(o, records[o]) for o in range(start, min(until, len(records)))]


def stream(hub: FakeHub) -> OrgStream:
    chooser = EventFilter(parse_list_query({}), cast(JobService, None), "org_1")
    return OrgStream(cast(EventHub, hub), chooser, heartbeat=5.0)


async def first(events: AsyncIterator[str], n: int) -> list[str]:
    """The `id:` of the first n events sent (several may come in one write)."""
    got: list[str] = []
    async for text in events:
        got += [line.removeprefix("id: ") for line in text.split("\n") if line.startswith("id: ")]
        if len(got) >= n:
            break
    return got[:n]


def test_cursor_text_and_parsing() -> None:
    assert cursor_text({1: 7, 0: 3}) == "3.7"
    assert parse_cursor("3.7", 2) == {0: 3, 1: 7}
    assert parse_cursor(None, 2) is None
    for bad in ("3", "3.7.1", "0-3", "3.x", "-1.2"):
        with pytest.raises(InvalidRequestError):
            parse_cursor(bad, 2)


async def test_a_resumed_stream_replays_each_partition_then_follows_the_tail() -> None:
    log = {0: [started("job_a"), started("job_b", "org_2"), started("job_c")],
           1: [started("job_d"), started("job_e")]}  # fmt: skip
    hub = FakeHub(log, position={0: 3, 1: 2})
    # The client had seen offset 0 of partition 0 (its cursor: 1 on p0, 0 on p1).
    hub.queue.put_nowait(Item(1, 1, log[1][1]))  # live, but already replayed: skipped
    hub.queue.put_nowait(Item(1, 2, started("job_f")))
    ids = await first(stream(hub).events({0: 1, 1: 0}), 4)
    # p0: offset 1 is another organization's (skipped, but covered), offset 2; then p1; then live
    assert ids == ["3.0", "3.1", "3.2", "3.3"]


async def test_a_cursor_ahead_of_this_gateways_tail_skips_what_it_covers() -> None:
    hub = FakeHub({0: [], 1: []}, position={0: 0, 1: 0})
    for offset in range(3):
        hub.queue.put_nowait(Item(0, offset, started(f"job_{offset}")))
    ids = await first(stream(hub).events({0: 2, 1: 0}), 1)
    assert ids == ["3.0"]


def test_an_item_is_rendered_once_for_every_stream() -> None:
    item = Item(2, 9, started("job_a"))
    first_text, kind = sse(item, cursor="1.2")
    assert kind == "job.started" and first_text.startswith("id: 1.2\nevent: job.started\n")
    assert item.body() is item.body()  # cached: a hundred streams, one rendering
    assert sse(item)[0].startswith("id: 2-9\n") and item.organization == "org_1"


def test_a_job_stream_sends_a_waiting_batch_up_to_the_terminal_event() -> None:
    from jobstream.gateway.streams import live_texts
    from jobstream_schemas.api import JobResponse
    from jobstream_schemas.events import JobCompleted, JobCompletedPayload

    done = JobCompleted(job_id="job_a", organization_id="org_1", attempt=1, occurred_at=T0,
                        payload=JobCompletedPayload(response=JobResponse(status_code=200, body={})))  # fmt: skip
    items = [Item(0, 4, started("job_a")), Item(0, 5, started("job_a")),
             Item(0, 6, encode(done)), Item(0, 7, started("job_a"))]  # fmt: skip
    texts, final = live_texts(items, start=5)  # resumed after offset 4
    assert final and [t.split("\n")[0] for t in texts] == ["id: 0-5", "id: 0-6"]
    assert live_texts(items[:2], start=None) == ([sse(items[0])[0], sse(items[1])[0]], False)
