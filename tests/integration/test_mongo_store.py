"""The MongoDB adapter on FerretDB: list reads leave no server-side cursor open."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from jobstream.adapters.mongo import MongoJobStore, create_missing_indexes, fetch_all
from jobstream.devstack.stack import StackLayout

pytestmark = pytest.mark.integration


class FindReplies(monitoring.CommandListener):
    def __init__(self) -> None:
        self.cursor_ids: list[int] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if event.command_name == "find":
            self.cursor_ids.append(int(event.reply["cursor"]["id"]))


async def test_a_page_of_exactly_the_first_batch_size_leaves_no_cursor_open(
    infra_stack: StackLayout,
) -> None:
    """FerretDB keeps a cursor open when the first batch (101) equals the limit; each one pins a
    SQLite connection of a fixed pool of 100 until killed, which is how the server wedged."""
    replies = FindReplies()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infra_stack.ports.mongo_url, event_listeners=[replies]
    )
    try:
        coll = client[f"it_{uuid.uuid4().hex[:8]}"]["jobs"]
        await coll.insert_many([{"_id": f"j{i:03d}", "org": "o", "c": i} for i in range(150)])
        query = {"org": "o"}
        await coll.find(query).sort([("c", -1)]).limit(101).to_list()  # the raw driver call
        docs = await fetch_all(coll.find(query).sort([("c", -1)]).limit(101), limit=101)
    finally:
        await client.close()
    assert replies.cursor_ids[0] != 0  # FerretDB's behaviour this guards against is still there
    assert len(docs) == 101
    assert replies.cursor_ids[1] == 0


async def test_indexes_are_created_once(infra_stack: StackLayout) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra_stack.ports.mongo_url)
    try:
        db = client[f"it_{uuid.uuid4().hex[:8]}"]
        await MongoJobStore(db).ensure_indexes()
        before = [ix["name"] async for ix in await db["jobs"].list_indexes()]
        await create_missing_indexes(db["jobs"], [[("expires_at", 1)]])
        after = [ix["name"] async for ix in await db["jobs"].list_indexes()]
    finally:
        await client.close()
    assert "expires_at_1" in before
    assert before == after
