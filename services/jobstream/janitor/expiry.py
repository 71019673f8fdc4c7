"""Expiry and purge driven by the expiry index (core/expiry.py), never by a query over the jobs.

Each pass reads only the buckets of the minutes that passed since the last one, by `_id` (with
no minute passed, it reads nothing; a span of minutes in one `_id $in` query), and then only the
jobs filed in them, by `_id`. The jobs of a
bucket are checked against their stored document, so a job retried meanwhile (filed again under
its new minute) or already expired is left alone. An expired job is filed under the purge bucket
of `expires_at + purge_grace_seconds`; a purge bucket whose job has not been seen expired yet (the
projector has not applied `job.expired`) files it again for the next minute.

Crash-safe by order: events are published and follow-up buckets filed before a bucket is
dropped and the cursor moves, so a pass cut short is redone; `apply()` makes repeated
`job.expired` / `job.artifacts_purged` events no-ops.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from jobstream.adapters.blobs import BlobStore
from jobstream.adapters.kafka import KafkaEventPublisher, message_for
from jobstream.adapters.metrics import JOBS_EXPIRED
from jobstream.adapters.mongo import MongoJobStore
from jobstream.adapters.mongo_expiry import MongoExpiryIndex
from jobstream.core.expiry import BucketKind, bucket_minute, last_passed_minute
from jobstream.core.record import JobRecord
from jobstream.settings import JanitorSettings
from jobstream_schemas.events import JobArtifactsPurged, JobArtifactsPurgedPayload, JobExpired

MAX_BUCKETS_PER_PASS = 120  # catching up after downtime happens over several passes
MINUTES_PER_READ = 30  # bucket headers of this many minutes (x partitions) read in one query
PURGE_PARTITION = 0  # purge buckets have one writer, the janitor


@dataclass
class ExpirySweep:
    settings: JanitorSettings
    jobs: MongoJobStore
    index: MongoExpiryIndex
    publisher: KafkaEventPublisher
    blobs: BlobStore
    partitions: int  # of the events topic: the projector files expiry per partition
    _cursors: dict[BucketKind, int] = field(default_factory=dict)

    async def run(self, *, now: float) -> tuple[int, int]:
        """One pass: (jobs expired, jobs purged)."""
        expired = await self._sweep("expire", range(self.partitions), now, self._expire)
        purged = await self._sweep("purge", [PURGE_PARTITION], now, self._purge)
        return expired, purged

    async def _sweep(
        self, kind: BucketKind, partitions: Sequence[int], now: float,
        handle: Callable[[list[JobRecord], float], Awaitable[int]],
    ) -> int:  # fmt: skip
        seconds = self.settings.expiry_bucket_seconds
        cursor = await self._cursor(kind, now)
        last = min(last_passed_minute(now, seconds=seconds), cursor + MAX_BUCKETS_PER_PASS)
        done = 0
        for first in range(cursor + 1, last + 1, MINUTES_PER_READ):
            minutes = range(first, min(last, first + MINUTES_PER_READ - 1) + 1)
            found = await self.index.buckets(kind=kind, minutes=minutes, partitions=partitions)
            for (minute, partition), ids in sorted(found.items()):
                if ids:
                    done += await handle(await self._records(ids), now)
                await self.index.drop(kind=kind, minute=minute, partition=partition)
            await self.index.set_cursor(kind, minutes[-1])
            self._cursors[kind] = minutes[-1]
        return done

    async def _cursor(self, kind: BucketKind, now: float) -> int:
        if kind not in self._cursors:
            stored = await self.index.cursor(kind)
            if stored is None:
                seconds = self.settings.expiry_bucket_seconds
                lookback = self.settings.first_sweep_lookback_buckets
                stored = last_passed_minute(now, seconds=seconds) - lookback
            self._cursors[kind] = stored
        return self._cursors[kind]

    async def _records(self, ids: Sequence[str]) -> list[JobRecord]:
        stored = await self.jobs.get_many_with_offsets(ids)
        return [stored[job_id][0] for job_id in ids if job_id in stored]

    async def _file_purge(self, jobs: Sequence[JobRecord], *, now: float, delay: int) -> None:
        seconds = self.settings.expiry_bucket_seconds
        by_minute: dict[int, list[str]] = {}
        for job in jobs:
            minute = bucket_minute(due_at=job.expires_at + delay, now=now, seconds=seconds)
            by_minute.setdefault(minute, []).append(job.id)
        await self.index.file(kind="purge", partition=PURGE_PARTITION, by_minute=by_minute)

    async def _expire(self, jobs: list[JobRecord], now: float) -> int:
        due = [j for j in jobs if j.status != "expired" and j.expires_at <= now]
        events = [
            message_for(
                self.settings.events_topic,
                JobExpired(job_id=j.id, organization_id=j.organization_id, attempt=j.attempt),
            )
            for j in due
        ]
        await self.publisher.send_unordered(events)
        JOBS_EXPIRED.inc(len(events))
        unpurged = [j for j in jobs if j.status == "expired" and not j.artifacts_purged]
        await self._file_purge(due + unpurged, now=now, delay=self.settings.purge_grace_seconds)
        return len(events)

    async def _purge(self, jobs: list[JobRecord], now: float) -> int:
        pending = [j for j in jobs if j.status != "expired" and j.expires_at <= now]
        await self._file_purge(pending, now=now, delay=0)  # job.expired not applied yet
        events = []
        for job in (j for j in jobs if j.status == "expired" and not j.artifacts_purged):
            keys = [a.key for a in job.artifacts]
            if job.response_artifact is not None:
                keys.append(job.response_artifact.key)
            await self.blobs.delete_prefix(prefix=f"jobs/{job.id}/")
            event = JobArtifactsPurged(
                job_id=job.id, organization_id=job.organization_id, attempt=job.attempt,
                payload=JobArtifactsPurgedPayload(keys=keys),
            )  # fmt: skip
            events.append(message_for(self.settings.events_topic, event))
        await self.publisher.send_unordered(events)
        return len(events)
