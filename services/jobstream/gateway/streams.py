"""`GET /v1/jobs/{id}/events`: a job's events as Server-Sent Events, served from Kafka.

One tail consumer per gateway (`EventHub`, group-less, every partition of `jobs.events`, from
the end) fans records out to the streams subscribed to their job. A stream first subscribes
(noting the hub's position on the job's partition), then reads its history — from the job's
creation (found by timestamp) or right after `Last-Event-ID` — up to that position with a
pooled reader, then follows the hub: no gap, no repeat, no store polling. Each event is sent as
`id: <partition>-<offset>`, `event: <type>`, `data: <public JSON>`; a `: ping` comment keeps an
idle stream open; the stream ends after the job's next terminal event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import murmur2
from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from jobstream.adapters.kafka import make_consumer, topic_partitions
from jobstream.core.errors import InvalidRequestError
from jobstream.gateway.deps import ERRORS, DepsDep, OrgDep
from jobstream.gateway.stream_items import Item, next_items, sse

log = logging.getLogger(__name__)
router = APIRouter(tags=["jobs"])
FINAL_TYPES = frozenset({"job.completed", "job.failed", "job.cancelled", "job.expired"})
HISTORY_FETCH_WAIT_MS = 20  # a reassigned reader waits out its last fetch: keep it short


@dataclass
class EventHub:
    bootstrap: str
    topic: str
    readers: int = 2
    _tail: AIOKafkaConsumer | None = None
    _parts: list[TopicPartition] = field(default_factory=list)
    position: dict[int, int] = field(default_factory=dict)
    subscribers: dict[bytes, set[asyncio.Queue[Item]]] = field(default_factory=dict)
    org_subscribers: dict[str, set[asyncio.Queue[Item]]] = field(default_factory=dict)
    _pool: asyncio.Queue[AIOKafkaConsumer] = field(default_factory=asyncio.Queue)
    _task: asyncio.Task[None] | None = None
    _started: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def start(self) -> None:
        async with self._started:
            if self._tail is not None:
                return
            tail = make_consumer(bootstrap=self.bootstrap, group_id=None, client_id="gw-tail")
            await tail.start()
            self._parts = await topic_partitions(tail, self.topic)
            tail.assign(self._parts)
            await tail.seek_to_end(*self._parts)
            for tp in self._parts:
                self.position[tp.partition] = await tail.position(tp)
            for _ in range(self.readers):
                reader = AIOKafkaConsumer(
                    bootstrap_servers=self.bootstrap, client_id="gw-history",
                    enable_auto_commit=False, auto_offset_reset="earliest",
                    isolation_level="read_committed", fetch_max_wait_ms=HISTORY_FETCH_WAIT_MS,
                )  # fmt: skip
                await reader.start()
                self._pool.put_nowait(reader)
            self._tail = tail
            self._task = asyncio.create_task(self._run(tail))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while not self._pool.empty():
            await self._pool.get_nowait().stop()
        if self._tail is not None:
            await self._tail.stop()

    async def _run(self, tail: AIOKafkaConsumer) -> None:
        while True:
            try:
                batch = await tail.getmany(timeout_ms=500, max_records=1000)
            except Exception:
                log.exception("event hub fetch failed; retrying")
                await asyncio.sleep(1)
                continue
            for tp, records in batch.items():
                for r in records:
                    item = Item(tp.partition, r.offset, r.value or b"")
                    for queue in self.subscribers.get(r.key or b"", ()):
                        queue.put_nowait(item)
                    if self.org_subscribers:
                        self._to_organization(item)
                self.position[tp.partition] = records[-1].offset + 1

    def _to_organization(self, item: Item) -> None:
        for queue in self.org_subscribers.get(item.organization or "", ()):
            queue.put_nowait(item)

    def subscribe_organization(
        self, organization_id: str
    ) -> tuple[asyncio.Queue[Item], dict[int, int]]:
        """A queue for the organization's records past the returned positions (no await)."""
        queue: asyncio.Queue[Item] = asyncio.Queue()
        self.org_subscribers.setdefault(organization_id, set()).add(queue)
        return queue, dict(self.position)

    def unsubscribe_organization(self, organization_id: str, queue: asyncio.Queue[Item]) -> None:
        queues = self.org_subscribers.get(organization_id, set())
        queues.discard(queue)
        if not queues:
            self.org_subscribers.pop(organization_id, None)

    def partition_of(self, job_id: str) -> int:
        digest: int = murmur2(job_id.encode())
        return (digest & 0x7FFFFFFF) % len(self._parts)

    def subscribe(self, job_id: str) -> tuple[asyncio.Queue[Item], int]:
        """A queue for the job's records past the returned offset (no await: nothing slips)."""
        queue: asyncio.Queue[Item] = asyncio.Queue()
        self.subscribers.setdefault(job_id.encode(), set()).add(queue)
        return queue, self.position[self.partition_of(job_id)]

    def unsubscribe(self, job_id: str, queue: asyncio.Queue[Item]) -> None:
        queues = self.subscribers.get(job_id.encode(), set())
        queues.discard(queue)
        if not queues:
            self.subscribers.pop(job_id.encode(), None)

    async def read(self, partition: int, *, start: int, until: int) -> AsyncIterator[list[Any]]:
        """The partition's records from `start` up to `until`, one fetch at a time: a pooled
        reader is held for one fetch, never while the caller sends what it got."""
        tp = TopicPartition(self.topic, partition)
        while start < until:
            reader = await self._pool.get()
            try:
                reader.assign([tp])
                reader.seek(tp, start)
                reader.resume(tp)
                batch = await reader.getmany(tp, timeout_ms=500, max_records=1000)
                start = await reader.position(tp)
            finally:
                reader.pause(tp)  # no fetching while idle in the pool
                self._pool.put_nowait(reader)
            yield [r for r in batch.get(tp, []) if r.offset < until]

    async def offset_at(self, partition: int, *, since_ms: int, default: int) -> int:
        """The first offset of the partition at or after `since_ms` (`default` when none)."""
        tp = TopicPartition(self.topic, partition)
        reader = await self._pool.get()
        try:
            found = await reader.offsets_for_times({tp: since_ms})
        finally:
            self._pool.put_nowait(reader)
        hit = found.get(tp)
        return hit.offset if hit else default

    async def history(
        self, job_id: str, *, start: int | None, since_ms: int, until: int
    ) -> list[Item]:
        """The job's records on its partition from `start` (or its creation) up to `until`."""
        partition, key = self.partition_of(job_id), job_id.encode()
        if start is None:
            start = await self.offset_at(partition, since_ms=since_ms, default=until)
        items: list[Item] = []
        async for records in self.read(partition, start=start, until=until):
            items += [Item(partition, r.offset, r.value or b"") for r in records if r.key == key]
        return items


def resume_offset(last_event_id: str | None, partition: int) -> int | None:
    if not last_event_id:
        return None
    part, _, offset = last_event_id.partition("-")
    if not (part.isdigit() and offset.isdigit()) or int(part) != partition:
        raise InvalidRequestError(
            "Last-Event-ID is not a cursor of this job's stream.", code="invalid_last_event_id",
            details={"header": "Last-Event-ID"},
        )  # fmt: skip
    return int(offset) + 1


def live_texts(items: list[Item], start: int | None) -> tuple[list[str], bool]:
    """The SSE texts of the items at or after `start`, up to a terminal event (and whether one
    came)."""
    texts: list[str] = []
    for item in items:
        if start is not None and item.offset < start:
            continue
        text, kind = sse(item)
        texts.append(text)
        if kind in FINAL_TYPES:
            return texts, True
    return texts, False


async def job_stream(
    hub: EventHub, job_id: str, created_at: int, last_event_id: str | None, heartbeat: float
) -> AsyncIterator[str]:
    start = resume_offset(last_event_id, hub.partition_of(job_id))
    queue, boundary = hub.subscribe(job_id)
    try:
        past = await hub.history(
            job_id, start=start, since_ms=(created_at - 5) * 1000, until=boundary
        )
        for old in past:
            text, kind = sse(old)
            yield text
            if kind in FINAL_TYPES:
                return
        while True:
            if not (items := await next_items(queue, heartbeat=heartbeat)):
                yield ": ping\n\n"
                continue
            texts, final = live_texts(items, start)
            if texts:
                yield "".join(texts)
            if final:
                return
    finally:
        hub.unsubscribe(job_id, queue)


@router.get(
    "/v1/jobs/{job_id}/events",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "SSE"}},
)
async def stream_job_events(
    job_id: str, deps: DepsDep, org: OrgDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:  # fmt: skip
    """The job's events from `job.created` (or after `Last-Event-ID`) to its next terminal event,
    as Server-Sent Events; `: ping` comments on idle streams."""
    record = await deps.jobs.get_record(job_id, organization_id=org)
    hub: EventHub = deps.extras["event_hub"]
    await hub.start()
    resume_offset(last_event_id, hub.partition_of(job_id))  # 422 before the stream starts
    heartbeat = float(deps.extras.get("sse_heartbeat_seconds", 15.0))
    stream = job_stream(hub, job_id, record.created_at, last_event_id, heartbeat)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
