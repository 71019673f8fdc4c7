"""Idempotent creates: the first request with a key runs, every later one gets its answer.

The record's unique `_id` (hash of organization and key) is the lock. The first request inserts
it (pending), runs, and stores its answer; a concurrent duplicate's insert fails, so it reads the
record and waits, polling by `_id`, until the answer is there (or answers `409
idempotency_key_in_progress` after `wait_seconds`). A request that fails with an error releases
its claim: errors are not stored, and a retry runs again (a validation error is deterministic; a
dependency outage is worth retrying). A claim never answered within `lock_seconds` (its gateway
died) is taken over.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Header
from fastapi.responses import Response

from jobstream.core.errors import IdempotencyConflictError
from jobstream.core.idempotency import (
    IdempotencyRecord,
    Verdict,
    check_key,
    fingerprint,
    judge,
    record_id,
    reused_error,
)

log = logging.getLogger(__name__)


class IdempotencyStore(Protocol):
    async def claim(self, record: IdempotencyRecord, *, organization_id: str) -> bool: ...
    async def get(self, record_id: str) -> IdempotencyRecord | None: ...
    async def answer(self, *, record_id: str, nonce: str, status: int, body: str) -> None: ...
    async def release(self, *, record_id: str, nonce: str) -> None: ...


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str
    replayed: bool = False


Produce = Callable[[], Awaitable[StoredAnswer]]


@dataclass
class IdempotencyGuard:
    store: IdempotencyStore
    ttl_seconds: float
    wait_seconds: float
    lock_seconds: float

    async def run(
        self, *, organization_id: str, key: str, fingerprint: str, produce: Produce
    ) -> StoredAnswer:
        rid = record_id(organization_id=organization_id, key=key)
        deadline = time.monotonic() + self.wait_seconds
        delay = 0.005
        while True:
            mine = IdempotencyRecord(rid, fingerprint, secrets.token_hex(8), time.time())
            if await self.store.claim(mine, organization_id=organization_id):
                return await self._first(mine, produce)
            found = await self.store.get(rid)
            if found is not None:
                verdict = judge(
                    found, fingerprint=fingerprint, now=time.time(),
                    ttl_seconds=self.ttl_seconds, lock_seconds=self.lock_seconds,
                )  # fmt: skip
                if verdict is Verdict.REUSED:
                    raise reused_error()
                if verdict is Verdict.REPLAY:
                    return StoredAnswer(found.status or 200, found.body or "", replayed=True)
                if verdict in (Verdict.EXPIRED, Verdict.ABANDONED):
                    await self.store.release(record_id=rid, nonce=found.nonce)
                    continue
            if time.monotonic() >= deadline:
                raise IdempotencyConflictError(
                    "A request with this Idempotency-Key is still being processed; retry later.",
                    details={"header": "Idempotency-Key"},
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)

    async def _first(self, mine: IdempotencyRecord, produce: Produce) -> StoredAnswer:
        try:
            answer = await produce()
        except BaseException:
            await asyncio.shield(self.store.release(record_id=mine.id, nonce=mine.nonce))
            raise
        await self.store.answer(
            record_id=mine.id, nonce=mine.nonce, status=answer.status, body=answer.body
        )
        return answer


async def idempotently(
    guard: IdempotencyGuard | None, *, organization_id: str, key: str | None, operation: str,
    body: object, produce: Produce,
) -> StoredAnswer:  # fmt: skip
    """Run `produce` once per key (no key, or no guard configured: just run it)."""
    if key is None or guard is None:
        return await produce()
    return await guard.run(
        organization_id=organization_id, key=check_key(key),
        fingerprint=fingerprint(operation=operation, body=body), produce=produce,
    )  # fmt: skip


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Any unique string (e.g. a UUID): a repeat of the same request within 24 h "
        "returns the first answer; keys are per organization",
    ),
]


def replayable(response: Response, stored: StoredAnswer) -> Response:
    """Mark a replayed answer (`Idempotent-Replayed: true`, as Stripe does)."""
    if stored.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
