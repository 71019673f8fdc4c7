"""Idempotency-Key rules and the guard's protocol, over an in-memory store with the same
insert-or-fail semantics as the `idempotency` collection."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from jobstream.core.errors import IdempotencyConflictError, InvalidRequestError
from jobstream.core.idempotency import (
    IdempotencyRecord,
    Verdict,
    check_key,
    fingerprint,
    judge,
    record_id,
)
from jobstream.gateway.idempotency import IdempotencyGuard, StoredAnswer


class MemoryStore:
    def __init__(self) -> None:
        self.records: dict[str, IdempotencyRecord] = {}

    async def claim(self, record: IdempotencyRecord, *, organization_id: str) -> bool:
        await asyncio.sleep(0)
        if record.id in self.records:
            return False
        self.records[record.id] = record
        return True

    async def get(self, record_id: str) -> IdempotencyRecord | None:
        await asyncio.sleep(0)
        return self.records.get(record_id)

    async def answer(self, *, record_id: str, nonce: str, status: int, body: str) -> None:
        found = self.records.get(record_id)
        if found is not None and found.nonce == nonce:
            self.records[record_id] = dataclasses.replace(found, status=status, body=body)

    async def release(self, *, record_id: str, nonce: str) -> None:
        found = self.records.get(record_id)
        if found is not None and found.nonce == nonce:
            del self.records[record_id]


def guard(store: MemoryStore, **overrides: float) -> IdempotencyGuard:
    settings = {"ttl_seconds": 86400.0, "wait_seconds": 5.0, "lock_seconds": 60.0, **overrides}
    return IdempotencyGuard(store, **settings)


def test_keys_are_checked() -> None:
    assert check_key("a" * 255) == "a" * 255
    for bad in ("", "a" * 256, "é", "tab\there"):
        with pytest.raises(InvalidRequestError) as err:
            check_key(bad)
        assert err.value.code == "invalid_idempotency_key"


def test_record_ids_are_per_organization_and_fingerprints_ignore_key_order() -> None:
    assert record_id(organization_id="a", key="k") != record_id(organization_id="b", key="k")
    assert fingerprint(operation="x", body={"a": 1, "b": 2}) == fingerprint(
        operation="x", body={"b": 2, "a": 1}
    )
    assert fingerprint(operation="x", body={"a": 1}) != fingerprint(operation="y", body={"a": 1})


@pytest.mark.parametrize(
    ("record", "fp", "now", "verdict"),
    [
        (IdempotencyRecord("i", "f", "n", 0.0, 200, "{}"), "f", 10.0, Verdict.REPLAY),
        (IdempotencyRecord("i", "f", "n", 0.0, 200, "{}"), "g", 10.0, Verdict.REUSED),
        (IdempotencyRecord("i", "f", "n", 0.0), "f", 10.0, Verdict.WAIT),
        (IdempotencyRecord("i", "f", "n", 0.0), "f", 61.0, Verdict.ABANDONED),
        (IdempotencyRecord("i", "f", "n", 0.0, 200, "{}"), "g", 86400.0, Verdict.EXPIRED),
    ],
)
def test_judge(record: IdempotencyRecord, fp: str, now: float, verdict: Verdict) -> None:
    assert judge(record, fingerprint=fp, now=now, ttl_seconds=86400, lock_seconds=60) is verdict


async def test_concurrent_duplicates_run_once_and_share_the_answer() -> None:
    store, runs = MemoryStore(), []

    async def produce() -> StoredAnswer:
        runs.append(1)
        await asyncio.sleep(0.05)
        return StoredAnswer(202, '{"id": "job_1"}')

    g = guard(store)
    answers = await asyncio.gather(
        *(g.run(organization_id="o", key="k", fingerprint="f", produce=produce) for _ in range(30))
    )
    assert len(runs) == 1
    assert {(a.status, a.body) for a in answers} == {(202, '{"id": "job_1"}')}
    assert sum(a.replayed for a in answers) == 29


async def test_failures_release_the_key_and_other_bodies_are_refused() -> None:
    store = MemoryStore()
    g = guard(store)

    async def fail() -> StoredAnswer:
        raise InvalidRequestError("bad", code="unknown_endpoint")

    with pytest.raises(InvalidRequestError):
        await g.run(organization_id="o", key="k", fingerprint="f", produce=fail)
    assert not store.records

    async def ok() -> StoredAnswer:
        return StoredAnswer(200, "{}")

    assert not (await g.run(organization_id="o", key="k", fingerprint="f2", produce=ok)).replayed
    with pytest.raises(InvalidRequestError) as err:
        await g.run(organization_id="o", key="k", fingerprint="f3", produce=ok)
    assert err.value.code == "idempotency_key_reused"


async def test_a_duplicate_gives_up_with_409_and_takes_over_an_abandoned_claim() -> None:
    store = MemoryStore()
    rid = record_id(organization_id="o", key="k")
    store.records[rid] = IdempotencyRecord(rid, "f", "n", created_at=time.time())

    async def ok() -> StoredAnswer:
        return StoredAnswer(200, "{}")

    with pytest.raises(IdempotencyConflictError):
        await guard(store, wait_seconds=0.05).run(
            organization_id="o", key="k", fingerprint="f", produce=ok
        )
    answer = await guard(store, lock_seconds=0.0).run(
        organization_id="o", key="k", fingerprint="f", produce=ok
    )
    assert not answer.replayed and store.records[rid].status == 200


def test_the_next_purge_is_due_when_the_oldest_record_left_expires() -> None:
    from jobstream.core.idempotency import next_purge_at

    day, hour = 86400.0, 3600.0
    # The oldest left was created 2 h ago: due in 22 h.
    assert next_purge_at(now=1e6, oldest_created_at=1e6 - 2 * hour, ttl_seconds=day,
                         min_interval_seconds=hour) == 1e6 + 22 * hour  # fmt: skip
    # Nothing left: a record created from now on expires a TTL from now at the earliest.
    assert next_purge_at(now=1e6, oldest_created_at=None, ttl_seconds=day,
                         min_interval_seconds=hour) == 1e6 + day  # fmt: skip
    # Steady traffic (the oldest left expires in a minute): not before the minimum interval.
    assert next_purge_at(now=1e6, oldest_created_at=1e6 - day + 60, ttl_seconds=day,
                         min_interval_seconds=hour) == 1e6 + hour  # fmt: skip
