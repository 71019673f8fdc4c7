"""The janitor's purge of idempotency records, run only when it can find something: after each
purge it knows when the oldest record left expires (`core.idempotency.next_purge_at`), keeps
that time (also stored by `_id`, for a restarted janitor), and until then sends the store
nothing. A purge deletes with one range query, a scan of the collection on FerretDB, so it runs
at most once per `idempotency_purge_min_interval_seconds` (an hour): a record may outlive its
TTL by that much in storage, never in effect (the gateway judges a record older than the TTL
expired whatever is stored)."""

from __future__ import annotations

from dataclasses import dataclass

from jobstream.adapters.mongo_idempotency import MongoIdempotencyStore
from jobstream.core.idempotency import next_purge_at


@dataclass
class IdempotencyPurge:
    store: MongoIdempotencyStore
    ttl_seconds: float
    min_interval_seconds: float
    due_at: float | None = None  # None: not read from the store yet

    async def run(self, *, now: float) -> int:
        """Purge if due; how many records were deleted."""
        if self.due_at is None:
            self.due_at = await self.store.purge_due_at() or 0.0
        if now < self.due_at:
            return 0
        deleted, oldest = await self.store.purge(created_before=now - self.ttl_seconds)
        self.due_at = next_purge_at(
            now=now, oldest_created_at=oldest, ttl_seconds=self.ttl_seconds,
            min_interval_seconds=self.min_interval_seconds,
        )  # fmt: skip
        await self.store.set_purge_due_at(self.due_at)
        return deleted
