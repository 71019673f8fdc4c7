"""Group commit of creates: concurrent `POST /v1/jobs` stored in one insert and dispatched in one
producer round, each request answered when its group is through.

A create joins the queue; at most `max_in_flight` groups are being written at once, so an idle
gateway commits a lone create at once (no waiting for company) and a busy one gathers every
create that arrived while the previous groups were written. A group costs two store commands
(the jobs' `insert_many`, one outbox entry holding all its messages) and two producer waves
(every `job.created`, then every command: an event is in the log before its command), plus the
entry's removal off the answer's path. `POST /v1/jobs/batch` uses the same write. The time spent
queued, storing and in each wave is `jobstream_gateway_create_phase_seconds`.

The outbox entry is due only after the group's own dispatch would have timed out and after the
relay delay, past the producer's ordinary retries. Each message carries that due time in its
`relay-not-before` header: a consumer that finds the gateway's copy appended before it knows no
relayed copy precedes it (adapters/first_copy.py), even when the producer delivers it late.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jobstream.adapters.first_copy import relayable_after
from jobstream.adapters.kafka import PublishError
from jobstream.adapters.metrics import (
    CREATE_GROUP_SIZE,
    CREATE_PHASE,
    DISPATCH_DELAYED,
    JOBS_CREATED,
)
from jobstream.adapters.mongo import OutboxMessage
from jobstream.failpoints import failpoint
from jobstream.gateway.ports import EventPublisher, JobStore, Outbox, PreparedJob
from jobstream.settings import GatewaySettings

log = logging.getLogger(__name__)


async def store_and_dispatch(
    jobs: Sequence[PreparedJob], *, store: JobStore, outbox: Outbox, publisher: EventPublisher,
    settings: GatewaySettings, background: set[asyncio.Task[None]],
) -> bool:  # fmt: skip
    """Store the jobs with their outbox entry, publish, and say whether dispatch was delayed
    (Kafka did not acknowledge in time: the relay publishes the entry later)."""
    entry_id = jobs[0].outbox_id if len(jobs) == 1 else f"{jobs[0].outbox_id}+{len(jobs) - 1}"
    relay_delay = settings.outbox_relay_delay_seconds
    relay_after = time.time() + settings.dispatch_timeout_seconds + relay_delay
    events = [relayable_after(job.messages[0], relay_after) for job in jobs]
    commands = [relayable_after(job.messages[1], relay_after) for job in jobs]
    started = time.monotonic()
    await asyncio.gather(
        store.insert_many([job.record for job in jobs]),
        outbox.add(
            entry_id=entry_id, messages=[*events, *commands], relay_after=relay_after, new=True
        ),
    )
    CREATE_PHASE.labels(phase="store").observe(time.monotonic() - started)
    for job in jobs:
        JOBS_CREATED.labels(endpoint=job.record.slug).inc()
        failpoint(settings.failpoint, "crash_after_store")
    try:
        await _publish_timed(
            publisher, {"events": events, "commands": commands},
            timeout=settings.dispatch_timeout_seconds,
        )  # fmt: skip
    except PublishError as exc:
        log.warning("dispatch delayed", extra={"entry": entry_id, "error": str(exc)})
        await outbox.add(
            entry_id=entry_id, messages=[*events, *commands], relay_after=time.time() + relay_delay
        )
        DISPATCH_DELAYED.labels(kind="create").inc(len(jobs))
        return True
    task = asyncio.create_task(outbox.remove(entry_id))
    background.add(task)
    task.add_done_callback(background.discard)
    task.add_done_callback(_log_failure)
    return False


async def _publish_timed(
    publisher: EventPublisher, waves: dict[str, list[OutboxMessage]], *, timeout: float
) -> None:
    """Publish the waves in order within one `timeout`, timing each (the events' wave first)."""
    deadline = time.monotonic() + timeout
    for phase, wave in waves.items():
        started = time.monotonic()
        await publisher.publish_waves([wave], timeout=max(0.0, deadline - started))
        CREATE_PHASE.labels(phase=phase).observe(time.monotonic() - started)


@dataclass
class GroupCommit:
    """Queues creates and commits them in groups (see the module docstring)."""

    store: JobStore
    outbox: Outbox
    publisher: EventPublisher
    settings: GatewaySettings
    max_group: int = 500
    max_in_flight: int = 2
    _queue: list[tuple[PreparedJob, asyncio.Future[bool], float]] = field(default_factory=list)
    _in_flight: int = 0
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _background: set[asyncio.Task[None]] = field(default_factory=set)

    async def commit(self, job: PreparedJob) -> bool:
        """Store and dispatch `job` with whatever else is waiting; True when delayed."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((job, future, time.monotonic()))
        self._start_groups()
        return await future

    def _start_groups(self) -> None:
        while self._queue and self._in_flight < self.max_in_flight:
            group, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
            self._in_flight += 1
            task = asyncio.create_task(self._commit_group(group))
            self._tasks.add(task)
            task.add_done_callback(self._group_done)

    def _group_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._in_flight -= 1
        self._start_groups()

    async def _commit_group(
        self, group: list[tuple[PreparedJob, asyncio.Future[bool], float]]
    ) -> None:
        CREATE_GROUP_SIZE.observe(len(group))
        now = time.monotonic()
        for _, _, queued_at in group:
            CREATE_PHASE.labels(phase="queued").observe(now - queued_at)
        try:
            delayed = await store_and_dispatch(
                [job for job, _, _ in group], store=self.store, outbox=self.outbox,
                publisher=self.publisher, settings=self.settings, background=self._background,
            )  # fmt: skip
        except BaseException as exc:  # every waiter gets the store's (or a cancel's) failure
            for _, future, _ in group:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for _, future, _ in group:
            if not future.done():
                future.set_result(delayed)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("background store write failed", extra={"error": str(task.exception())})
