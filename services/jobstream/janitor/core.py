"""One janitor pass: relay the outbox; on sweep passes also expire due jobs and purge expired
jobs' artifacts. Sweeps run less often (`sweep_interval_seconds`): on FerretDB their queries
read every job document, and a job expiring a minute late harms nobody.

The janitor never writes job state: it emits `job.expired` and `job.artifacts_purged`, which the
projector applies. Relayed messages keep their original event ids, so a message that Kafka did
acknowledge after all is applied once (apply() makes the copy a no-op).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from jobstream.adapters.blobs import BlobStore
from jobstream.adapters.kafka import KafkaEventPublisher, PublishError, message_for
from jobstream.adapters.metrics import JOBS_EXPIRED, OUTBOX_DEPTH, OUTBOX_RELAYED
from jobstream.adapters.mongo import MongoJobStore, MongoOutbox
from jobstream.adapters.mongo_idempotency import MongoIdempotencyStore
from jobstream.settings import JanitorSettings
from jobstream_schemas.events import JobArtifactsPurged, JobArtifactsPurgedPayload, JobExpired

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class PassReport:
    relayed: int
    expired: int
    purged: int


@dataclass
class Janitor:
    settings: JanitorSettings
    jobs: MongoJobStore
    outbox: MongoOutbox
    publisher: KafkaEventPublisher
    blobs: BlobStore
    idempotency: MongoIdempotencyStore | None = None

    async def run_pass(self, *, now: float | None = None, sweep: bool = True) -> PassReport:
        now = time.time() if now is None else now
        relayed = await self.relay_outbox(now=now)
        expired = await self.expire_due(now=int(now)) if sweep else 0
        purged = await self.purge_expired(now=int(now)) if sweep else 0
        if sweep and self.idempotency is not None:
            await self.idempotency.purge(created_before=now - self.settings.idempotency_ttl_seconds)
        OUTBOX_DEPTH.set(await self.outbox.depth())
        return PassReport(relayed, expired, purged)

    async def relay_outbox(self, *, now: float) -> int:
        """Publish stored messages in creation order; stop at the first failure (Kafka down)."""
        relayed = 0
        older_than = now - self.settings.outbox_min_age_seconds
        for entry in await self.outbox.due(older_than=older_than, limit=BATCH):
            try:
                await self.publisher.publish(list(entry.messages), timeout=10)
            except PublishError as exc:
                log.warning("outbox relay paused", extra={"error": str(exc)})
                break
            await self.outbox.remove(entry.id)
            OUTBOX_RELAYED.inc(len(entry.messages))
            relayed += 1
        return relayed

    async def expire_due(self, *, now: int) -> int:
        due = await self.jobs.due_for_expiry(now=now, limit=BATCH)
        events = [
            message_for(
                self.settings.events_topic,
                JobExpired(job_id=j.id, organization_id=j.organization_id, attempt=j.attempt),
            )
            for j in due
        ]
        await self.publisher.send_unordered(events)
        JOBS_EXPIRED.inc(len(events))
        return len(events)

    async def purge_expired(self, *, now: int) -> int:
        expired_before = now - self.settings.purge_grace_seconds
        due = await self.jobs.due_for_purge(expired_before=expired_before, limit=BATCH)
        events = []
        for job in due:
            keys = [a.key for a in job.artifacts]
            if job.response_artifact is not None:
                keys.append(job.response_artifact.key)
            await self.blobs.delete_prefix(prefix=f"jobs/{job.id}/")
            payload = JobArtifactsPurgedPayload(keys=keys)
            event = JobArtifactsPurged(
                job_id=job.id, organization_id=job.organization_id, attempt=job.attempt,
                payload=payload,
            )  # fmt: skip
            events.append(message_for(self.settings.events_topic, event))
        await self.publisher.send_unordered(events)
        return len(events)
