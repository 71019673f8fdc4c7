"""Idempotency-Key rules (IETF draft-ietf-httpapi-idempotency-key-header), pure: key checks, the
record id that doubles as the lock, the request fingerprint, and what a found record means."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from jobstream.core.errors import InvalidRequestError

MAX_KEY_CHARS = 255
HEADER = "Idempotency-Key"


def check_key(key: str) -> str:
    """A key is 1-255 printable ASCII characters; else `422 invalid_idempotency_key`."""
    if not key or len(key) > MAX_KEY_CHARS or not all(" " <= ch <= "~" for ch in key):
        raise InvalidRequestError(
            f"{HEADER} must be 1-{MAX_KEY_CHARS} printable ASCII characters.",
            code="invalid_idempotency_key", details={"header": HEADER},
        )  # fmt: skip
    return key


def record_id(*, organization_id: str, key: str) -> str:
    """The `_id` of the key's record: keys are per organization, and the unique `_id` is the lock
    (an insert either creates it or fails on the duplicate: no transaction, no find-and-modify)."""
    return hashlib.sha256(f"{organization_id}\x00{key}".encode()).hexdigest()


def fingerprint(*, operation: str, body: Any) -> str:
    """What "the same request" means: the operation and the body as parsed (key order, spacing
    and ignored fields do not count)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{operation}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class IdempotencyRecord:
    """A stored key: the request's fingerprint and, once answered, the answer."""

    id: str
    fingerprint: str
    nonce: str
    created_at: float
    status: int | None = None
    body: str | None = None

    @property
    def answered(self) -> bool:
        return self.status is not None and self.body is not None


class Verdict(StrEnum):
    REPLAY = "replay"  # answered: send the stored answer
    WAIT = "wait"  # the first request is still running
    EXPIRED = "expired"  # older than the retention: replace it
    ABANDONED = "abandoned"  # claimed long ago and never answered (its gateway died): replace it
    REUSED = "reused"  # the same key with another request


def judge(
    record: IdempotencyRecord, *, fingerprint: str, now: float, ttl_seconds: float,
    lock_seconds: float,
) -> Verdict:  # fmt: skip
    if now - record.created_at >= ttl_seconds:
        return Verdict.EXPIRED
    if record.fingerprint != fingerprint:
        return Verdict.REUSED
    if record.answered:
        return Verdict.REPLAY
    if now - record.created_at >= lock_seconds:
        return Verdict.ABANDONED
    return Verdict.WAIT


def reused_error() -> InvalidRequestError:
    return InvalidRequestError(
        f"This {HEADER} was already used with a different request; use a new key.",
        code="idempotency_key_reused", details={"header": HEADER},
    )  # fmt: skip


def next_purge_at(
    *, now: float, oldest_created_at: float | None, ttl_seconds: float,
    min_interval_seconds: float,
) -> float:  # fmt: skip
    """When the next purge of idempotency records can find something, after one at `now` left
    the oldest record at `oldest_created_at` (None: none left): when that one expires (a record
    created later expires later still), but not sooner than `min_interval_seconds` from now.
    Until then a purge would delete nothing: the janitor sends the store nothing at all."""
    first_expiry = (now if oldest_created_at is None else oldest_created_at) + ttl_seconds
    return max(first_expiry, now + min_interval_seconds)
