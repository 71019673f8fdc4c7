"""The MongoDB adapter on FerretDB: list reads leave no server-side cursor open; reads by a list
of `_id`s are served by the `_id` index."""

from __future__ import annotations

import uuid
from typing import Any, cast

import pytest
from pymongo import AsyncMongoClient, monitoring

from jobstream.adapters.mongo import MongoJobStore, fetch_all, to_document
from jobstream.adapters.mongo_indexes import create_missing_indexes, serves_only_id
from jobstream.core.record import JobRecord
from jobstream.core.state import apply
from jobstream.devstack.stack import StackLayout
from tests.unit.test_state import created

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
    SQLite connection of its fixed pool of 100 until the driver kills it in the background."""
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


async def test_on_ferretdb_1_no_secondary_index_is_kept_since_none_serves_a_query(
    infra_stack: StackLayout,
) -> None:
    """FerretDB 1.x serves only `_id` from an index; the list indexes would only slow writes."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra_stack.ports.mongo_url)
    try:
        db = client[f"it_{uuid.uuid4().hex[:8]}"]
        status_index = [("organization_id", 1), ("status", 1), ("created_at", -1), ("_id", -1)]
        await db["jobs"].create_index(status_index)  # as an earlier version created it
        await MongoJobStore(db).ensure_indexes()
        await create_missing_indexes(db["jobs"], [status_index])
        after = [ix["name"] async for ix in await db["jobs"].list_indexes()]
        only_id = await serves_only_id(db)
    finally:
        await client.close()
    assert only_id
    assert after == ["_id_"]


async def test_a_large_projector_batch_does_not_wedge_ferretdb(infra_stack: StackLayout) -> None:
    """500 upserts in one projector batch: FerretDB holds one SQLite connection per statement of a
    command until it returns, so an unchunked batch deadlocked the whole server."""
    from jobstream.adapters.mongo import connect
    from jobstream.core.state import apply
    from jobstream_schemas.events import JobCreated, JobCreatedPayload

    client, db = connect(infra_stack.ports.mongo_url, f"it_{uuid.uuid4().hex[:8]}")
    try:
        store = MongoJobStore(db)
        records = []
        for i in range(500):
            payload = JobCreatedPayload(
                endpoint="/x", slug="noop", request={}, created_at=i, expires_at=i + 9
            )
            created = JobCreated(
                job_id=f"job_{i:021d}", organization_id="o", attempt=1, payload=payload
            )
            record = apply(None, created).job
            assert record is not None
            records.append((record, i))
        await store.write_many(records)
        await store.write_many(records)  # the second pass updates existing documents
        assert await db["jobs"].count_documents({}) == 500
        assert (await store.get("job_" + "0" * 18 + "499")) is not None
    finally:
        await client.close()


async def test_reads_by_id_in_a_list_use_the_id_index_and_return_only_what_exists(
    infra_stack: StackLayout,
) -> None:
    """The projector reads a batch's documents with one `_id $in` query; FerretDB's SQLite
    backend served only `_id` equality from its index until our patch (sqlite-id-in-pushdown)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra_stack.ports.mongo_url)
    try:
        db = client[f"it_{uuid.uuid4().hex[:8]}"]
        template = cast(JobRecord, apply(None, created()).job)
        await db.jobs.insert_many(
            [to_document(template.model_copy(update={"id": f"job_{i:021d}"}), offset=i)
             for i in range(300)]
        )  # fmt: skip
        wanted = [f"job_{i:021d}" for i in (3, 150, 299)] + ["job_absent"]
        plan = await db.command(
            "explain",
            {"find": "jobs", "filter": {"_id": {"$in": wanted}}},
            verbosity="queryPlanner",
        )
        found = await MongoJobStore(db).get_many_with_offsets(wanted)
    finally:
        await client.close()
    assert plan["filterPushdown"] is True, plan
    assert "USING INDEX" in str(plan["queryPlanner"]), plan
    assert {job_id: offset for job_id, (_, offset) in found.items()} == {
        "job_000000000000000000003": 3, "job_000000000000000000150": 150,
        "job_000000000000000000299": 299,
    }  # fmt: skip
