"""One janitor pass: relay the outbox, expire due jobs and purge expired jobs' artifacts from the
expiry index (janitor/expiry.py: only `_id` reads, nothing when no minute has passed), and on
sweep passes (`sweep_interval_seconds`) drop idempotency records past their time when some can
have expired (janitor/idempotency.py).

The janitor never writes job state: it emits `job.expired` and `job.artifacts_purged`, which the
projector applies. Relayed messages keep their original event ids, so a message that Kafka did
acknowledge after all is applied once (apply() makes the copy a no-op).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from jobstream.adapters.first_copy import as_relayed
from jobstream.adapters.kafka import KafkaEventPublisher, PublishError
from jobstream.adapters.metrics import OUTBOX_DEPTH, OUTBOX_RELAYED
from jobstream.adapters.mongo import MongoOutbox
from jobstream.janitor.expiry import ExpirySweep
from jobstream.janitor.idempotency import IdempotencyPurge
from jobstream.settings import JanitorSettings

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
    outbox: MongoOutbox
    publisher: KafkaEventPublisher
    expiry: ExpirySweep | None
    idempotency: IdempotencyPurge | None = None

    async def run_pass(self, *, now: float | None = None, sweep: bool = True) -> PassReport:
        now = time.time() if now is None else now
        relayed = await self.relay_outbox(now=now)
        expired, purged = (0, 0) if self.expiry is None else await self.expiry.run(now=now)
        if sweep and self.idempotency is not None:
            await self.idempotency.run(now=now)
        OUTBOX_DEPTH.set(await self.outbox.depth())
        return PassReport(relayed, expired, purged)

    async def relay_outbox(self, *, now: float) -> int:
        """Publish stored messages in creation order; stop at the first failure (Kafka down)."""
        relayed = 0
        older_than = now - self.settings.outbox_min_age_seconds
        for entry in await self.outbox.due(older_than=older_than, limit=BATCH):
            try:
                await self.publisher.publish([as_relayed(m) for m in entry.messages], timeout=10)
            except PublishError as exc:
                log.warning("outbox relay paused", extra={"error": str(exc)})
                break
            await self.outbox.remove(entry.id)
            OUTBOX_RELAYED.inc(len(entry.messages))
            relayed += 1
        return relayed
