"""The idempotency-record purge on FerretDB: it deletes what expired, then sends the store nothing
until the oldest record left can have expired — also after a janitor restart."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from jobstream.adapters.mongo_idempotency import MongoIdempotencyStore
from jobstream.core.idempotency import IdempotencyRecord
from jobstream.devstack.stack import StackLayout
from jobstream.janitor.idempotency import IdempotencyPurge
from tests.integration.monitored import Commands, monitored_database

pytestmark = pytest.mark.integration
NOW, DAY, HOUR = 1_780_000_000.0, 86400.0, 3600.0


@pytest.fixture
async def store(infra_stack: StackLayout) -> AsyncIterator[tuple[MongoIdempotencyStore, Commands]]:
    async with monitored_database(infra_stack.ports.mongo_url, "idem") as (db, commands):
        yield MongoIdempotencyStore(db), commands


async def claim(store: MongoIdempotencyStore, created_at: float) -> str:
    record = IdempotencyRecord(id=uuid.uuid4().hex, fingerprint="f", nonce="n",
                               created_at=created_at)  # fmt: skip
    assert await store.claim(record, organization_id="org_1")
    return record.id


def purger(store: MongoIdempotencyStore) -> IdempotencyPurge:
    return IdempotencyPurge(store, ttl_seconds=DAY, min_interval_seconds=HOUR)


async def test_a_purge_runs_only_once_something_can_have_expired(
    store: tuple[MongoIdempotencyStore, Commands],
) -> None:
    records, commands = store
    old = [await claim(records, NOW - DAY - 10) for _ in range(3)]
    fresh = [await claim(records, NOW - 2 * HOUR) for _ in range(2)]
    purge = purger(records)
    assert await purge.run(now=NOW) == 3
    assert all([await records.get(i) is None for i in old])
    assert all([await records.get(i) is not None for i in fresh])
    assert purge.due_at == NOW - 2 * HOUR + DAY  # when the oldest left expires

    commands.seen.clear()
    for later in (NOW + 60, NOW + HOUR, NOW + 21 * HOUR):  # sweeps with nothing to find
        assert await purge.run(now=later) == 0
    assert commands.seen == []  # not a single query

    restarted = purger(records)  # a new janitor reads when the purge is due, by _id, once
    assert await restarted.run(now=NOW + 60) == 0 and await restarted.run(now=NOW + 120) == 0
    assert [(name, cmd["filter"]) for name, cmd in commands.seen] == [
        ("find", {"_id": "idempotency_purge"})
    ]
    assert await restarted.run(now=NOW + 22 * HOUR + 1) == 2  # due: the fresh ones expired
    assert restarted.due_at == NOW + 22 * HOUR + 1 + DAY  # none left
