"""Lists that cannot finish in time on FerretDB: the server stops them at `maxTimeMS`, the store
adapter says so with StoreTimeoutError, and the query stops consuming the store."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from jobstream.adapters.mongo import MongoJobStore
from jobstream.core.errors import StoreTimeoutError
from jobstream.devstack.stack import StackLayout

pytestmark = pytest.mark.integration
SEEDED = 20_000


@pytest.fixture(scope="module")
async def big_store(infra_stack: StackLayout) -> AsyncIterator[MongoJobStore]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra_stack.ports.mongo_url)
    db = client[f"budget_{uuid.uuid4().hex[:8]}"]
    started = time.monotonic()
    batch = [
        {"_id": f"job_{i:021d}", "organization_id": "org", "created_at": i, "status": "queued",
         "filenames": [f"file-{i}.pdf"], "record": "{}"}
        for i in range(SEEDED)
    ]  # fmt: skip
    for start in range(0, SEEDED, 2000):
        await db.jobs.insert_many(batch[start : start + 2000], ordered=False)
    print(f"seeded {SEEDED} in {time.monotonic() - started:.1f}s")
    yield MongoJobStore(db)
    await client.drop_database(db.name)
    await client.close()


async def test_ferretdb_stops_a_list_at_max_time_ms(big_store: MongoJobStore) -> None:
    # A regex no index bounds: a scan of every document in Go, far longer than 5 ms.
    query = {"organization_id": "org", "filenames": {"$regex": "nomatch", "$options": "i"}}
    started = time.monotonic()
    with pytest.raises(StoreTimeoutError):
        await big_store.find(filter=query, sort=[("created_at", -1)], limit=21, max_time_ms=5)
    print(f"stopped after {time.monotonic() - started:.3f}s")


async def test_the_same_list_without_a_limit_runs_to_its_end(big_store: MongoJobStore) -> None:
    """The control: the query itself is fine; only the time limit stopped it above."""
    query = {"organization_id": "org", "filenames": {"$regex": "nomatch", "$options": "i"}}
    assert await big_store.find(filter=query, sort=[("created_at", -1)], limit=21) == []
