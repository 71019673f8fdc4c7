"""Our FerretDB build writes a replacement selected by `_id` alone without reading the stored
document (deploy/local/ferretdb/sqlite-replace-by-id.patch): it must answer exactly as the
general path does for every shape of statement, the ones it serves and the ones it leaves."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from bson import ObjectId
from pymongo import AsyncMongoClient, ReplaceOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import WriteError

from jobstream.devstack.stack import StackLayout

pytestmark = pytest.mark.integration
Doc = dict[str, Any]


@pytest.fixture
async def jobs(infra_stack: StackLayout) -> AsyncIterator[AsyncCollection[Doc]]:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(infra_stack.ports.mongo_url)
    try:
        collection = client[f"it_{uuid.uuid4().hex[:8]}"]["jobs"]
        await collection.insert_many([{"_id": "a", "n": 1, "keep": True}, {"_id": ObjectId(
            "64b7f0c2a1b2c3d4e5f60718"), "n": 1}])  # fmt: skip
        yield collection
    finally:
        await client.close()


async def test_an_existing_document_is_replaced_whole(jobs: AsyncCollection[Doc]) -> None:
    result = await jobs.replace_one({"_id": "a"}, {"n": 2, "new": [1, {"x": None}]})
    assert (result.matched_count, result.modified_count, result.upserted_id) == (1, 1, None)
    assert await jobs.find_one({"_id": "a"}) == {"_id": "a", "n": 2, "new": [1, {"x": None}]}
    oid = ObjectId("64b7f0c2a1b2c3d4e5f60718")
    assert (await jobs.replace_one({"_id": oid}, {"_id": oid, "n": 3})).modified_count == 1
    assert await jobs.find_one({"_id": oid}) == {"_id": oid, "n": 3}


async def test_an_absent_document_is_inserted_only_when_upserting(
    jobs: AsyncCollection[Doc],
) -> None:
    missed = await jobs.replace_one({"_id": "b"}, {"n": 1})
    assert (missed.matched_count, missed.modified_count) == (0, 0)
    assert await jobs.find_one({"_id": "b"}) is None
    upserted = await jobs.replace_one({"_id": "b"}, {"n": 1}, upsert=True)
    assert upserted.upserted_id == "b"
    assert await jobs.find_one({"_id": "b"}) == {"_id": "b", "n": 1}


async def test_a_bulk_of_replacements_reports_each_statement(jobs: AsyncCollection[Doc]) -> None:
    result = await jobs.bulk_write(
        [ReplaceOne({"_id": "a"}, {"n": 5}, upsert=True),
         ReplaceOne({"_id": "c"}, {"n": 6}, upsert=True)], ordered=False,
    )  # fmt: skip
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert result.upserted_ids == {1: "c"}
    assert [d["n"] async for d in jobs.find({"_id": {"$in": ["a", "c"]}}).sort("_id")] == [5, 6]


async def test_statements_it_leaves_take_the_general_path(jobs: AsyncCollection[Doc]) -> None:
    # another condition beside `_id`: not matched, so nothing is replaced
    assert (await jobs.replace_one({"_id": "a", "n": 9}, {"n": 7})).matched_count == 0
    assert (await jobs.find_one({"_id": "a"}) or {})["n"] == 1
    # update operators still update in place
    await jobs.bulk_write([UpdateOne({"_id": "a"}, {"$set": {"n": 8}})])
    assert await jobs.find_one({"_id": "a"}) == {"_id": "a", "n": 8, "keep": True}
    # a replacement changing `_id` is refused as MongoDB refuses it
    with pytest.raises(WriteError, match="immutable"):
        await jobs.replace_one({"_id": "a"}, {"_id": "z", "n": 1})
    assert await jobs.find_one({"_id": "z"}) is None
