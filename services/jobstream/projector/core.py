"""Applies a batch of `jobs.events` records to the read model through `apply()`.

Each job's events share a partition, so offsets per job only grow: a stored `event_offset`
fences redelivery after a crash exactly, and `apply()` makes semantic duplicates (an outbox
re-publish, a worker's re-emit) no-ops. A batch is written with one bulk upsert, holding only
the jobs an event actually changed.

Reads: the documents a batch needs and the cache lacks are read in one query by `_id`, except
new jobs: a `job.created` past the partition's fence (its end when assigned) that is surely
its first copy (adapters/first_copy.py: not relayed, appended before the relay could copy it)
is the job's first event, and the job is what the gateway stored before publishing it (apply()
of the event), so it is neither read nor written. A later copy can repeat `job.created` after
the job progressed (the first copy's acknowledgement was lost); treating it as new would put a
finished job back to `queued`, so every other copy, and everything before the fence (a
previous owner may have applied it), is read.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import ValidationError

from jobstream.adapters.first_copy import surely_first_copy
from jobstream.adapters.metrics import (
    EVENTS_NOT_APPLIED,
    JOB_FAILURES,
    PROJECTOR_APPLY,
    PROJECTOR_BATCH,
    PROJECTOR_EVENT_LAG,
    QUEUE_WAIT,
    RUN_TIME,
    TRANSITIONS,
)
from jobstream.core.expiry import BucketKind, bucket_minute
from jobstream.core.record import JobRecord
from jobstream.core.state import Outcome, apply
from jobstream_schemas.events import JobCreated, JobEvent, JobStarted, decode_event

log = logging.getLogger(__name__)


class ProjectionStore(Protocol):
    async def get_many_with_offsets(
        self, job_ids: Sequence[str]
    ) -> dict[str, tuple[JobRecord, int]]: ...
    async def write_many(self, items: Sequence[tuple[JobRecord, int]]) -> None: ...


class ExpiryFiler(Protocol):
    """Where jobs are filed by the minute they expire (core/expiry.py)."""

    async def file(
        self, *, kind: BucketKind, partition: int, by_minute: Mapping[int, Sequence[str]]
    ) -> None: ...


@dataclass(frozen=True)
class EventRecord:
    """One consumed message, reduced to what the projector needs."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    repeatable: bool = True  # an earlier copy may be in the log (adapters/first_copy.py)


@dataclass
class Projector:
    """Stateful only through a cache of the documents it wrote (it is their single writer)."""

    store: ProjectionStore
    expiry: ExpiryFiler | None = None
    expiry_bucket_seconds: int = 60
    cache_size: int = 50_000
    # Partition -> its end when assigned: a `job.created` past it that the relay did not publish
    # is the job's first event (gateway/group_commit.py), known without a read. Empty (rebuild,
    # tests): every job is read.
    fence: dict[int, int] = field(default_factory=dict)
    _cache: OrderedDict[str, tuple[JobRecord | None, int]] = field(default_factory=OrderedDict)

    def forget(self) -> None:
        """Drop the cache and the fence (on rebalance another instance may have written)."""
        self._cache.clear()
        self.fence.clear()

    def _first_copy(self, rec: EventRecord, event: JobEvent) -> JobRecord | None:
        """The job as the gateway stored it, when `event` is surely its first `job.created`."""
        fence = self.fence.get(rec.partition)
        if not isinstance(event, JobCreated):
            return None
        if not surely_first_copy(offset=rec.offset, fence=fence, repeatable=rec.repeatable):
            return None
        return apply(None, event).job

    async def _load_all(
        self, job_ids: Sequence[str], known: Mapping[str, JobRecord]
    ) -> dict[str, tuple[JobRecord | None, int]]:
        """Cache hits as they are, new jobs as `known`; the rest in one `_id $in` read."""
        states: dict[str, tuple[JobRecord | None, int]] = {}
        misses = []
        for job_id in job_ids:
            hit = self._cache.get(job_id)
            if hit is None and job_id in known:
                states[job_id] = (known[job_id], -1)
            elif hit is None:
                misses.append(job_id)
            else:
                self._cache.move_to_end(job_id)
                states[job_id] = hit
        stored = await self.store.get_many_with_offsets(misses) if misses else {}
        for job_id in misses:
            states[job_id] = stored.get(job_id, (None, -1))
        return states

    def _remember(self, job_id: str, state: tuple[JobRecord | None, int]) -> None:
        self._cache[job_id] = state
        self._cache.move_to_end(job_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def apply_batch(self, records: Sequence[EventRecord]) -> list[EventRecord]:
        """Apply and persist; returns the undecodable records (for the DLQ)."""
        started = time.perf_counter()
        poison: list[EventRecord] = []
        by_job: OrderedDict[str, list[tuple[int, JobEvent]]] = OrderedDict()
        partition_of: dict[str, int] = {}
        known: dict[str, JobRecord] = {}  # new jobs: what the gateway stored
        for rec in records:
            try:
                event = decode_event(rec.value or b"")
            except ValidationError as exc:
                log.error("undecodable event", extra={"offset": rec.offset, "error": str(exc)})
                poison.append(rec)
                continue
            if event.job_id not in by_job and (first := self._first_copy(rec, event)):
                known[event.job_id] = first
            by_job.setdefault(event.job_id, []).append((rec.offset, event))
            partition_of[event.job_id] = rec.partition
        loaded = await self._load_all(list(by_job), known)
        writes: list[tuple[JobRecord, int]] = []
        expiring: dict[int, dict[int, list[str]]] = {}  # partition -> minute -> job ids
        now = time.time()
        for job_id, events in by_job.items():
            before, offset = loaded[job_id]
            job, offset, changed = _fold(before, offset, events)
            self._remember(job_id, (job, offset))
            if changed and job is not None:
                writes.append((job, offset))
            if job is not None and _sets_expiry(before, job, events):
                minute = bucket_minute(
                    due_at=job.expires_at, now=now, seconds=self.expiry_bucket_seconds
                )
                by_minute = expiring.setdefault(partition_of[job_id], {})
                by_minute.setdefault(minute, []).append(job_id)
        await self.store.write_many(writes)
        if self.expiry is not None:  # after the jobs: a crash in between re-files on redelivery
            for partition, by_minute in expiring.items():
                await self.expiry.file(kind="expire", partition=partition, by_minute=by_minute)
        PROJECTOR_BATCH.observe(len(records))
        PROJECTOR_APPLY.observe(time.perf_counter() - started)
        _observe_event_lag(by_job.values())
        return poison


def _sets_expiry(
    before: JobRecord | None, after: JobRecord, events: Sequence[tuple[int, JobEvent]]
) -> bool:
    """Whether the job must be filed under its expiry minute: it was created (the gateway stored
    the document, so nothing else changed; a redelivered `job.created` files it again, which is
    idempotent) or its `expires_at` moved (a retry)."""
    if after.status == "expired":
        return False
    created = any(isinstance(event, JobCreated) for _, event in events)
    return created or before is None or before.expires_at != after.expires_at


def _fold(
    job: JobRecord | None, offset: int, events: Sequence[tuple[int, JobEvent]]
) -> tuple[JobRecord | None, int, bool]:
    """Apply the job's events past `offset`; `changed` is whether any of them changed the job.

    Events that change nothing (the gateway already stored what `job.created` says, duplicates,
    stale or dropped events) advance the offset in the cache but cause no write: should they be
    redelivered after a crash, `apply()` is deterministic, so replaying them onto the stored
    document changes nothing either. The stored offset then lags until the next real change.
    """
    changed = False
    for event_offset, event in events:
        if event_offset <= offset:
            continue  # redelivered after a crash: already in the stored document
        result = apply(job, event)
        offset = event_offset
        if result.outcome is Outcome.APPLIED and result.job is not None:
            changed = True
            _observe(job, result.job, event)
        elif result.outcome is not Outcome.APPLIED:
            EVENTS_NOT_APPLIED.labels(result.outcome.value, event.type).inc()
        job = result.job
    return job, offset, changed


def _observe(before: JobRecord | None, after: JobRecord, event: JobEvent) -> None:
    if before is not None and before.status == after.status:
        return
    TRANSITIONS.labels(after.slug, after.status).inc()
    at = event.occurred_at.timestamp()
    if isinstance(event, JobStarted) and after.attempt == 1 and event.payload.try_number == 1:
        QUEUE_WAIT.labels(after.slug).observe(max(0.0, at - after.created_at))
    if after.status in ("completed", "failed", "cancelled") and after.started_at is not None:
        RUN_TIME.labels(after.slug, after.status).observe(max(0.0, at - after.started_at))
    if after.status == "failed":
        code = after.error.code if after.error is not None else after.last_failure_code
        JOB_FAILURES.labels(after.slug, code or "unknown").inc()


def _observe_event_lag(batches: Iterable[Sequence[tuple[int, JobEvent]]]) -> None:
    """occurred_at → written, for the newest event of each job in the batch."""
    now = time.time()
    for events in batches:
        PROJECTOR_EVENT_LAG.observe(max(0.0, now - events[-1][1].occurred_at.timestamp()))
