"""Secondary indexes: created once where they serve queries, left out where they cannot.

FerretDB 1.x answers every filter but `_id` by reading the whole collection and uses no
secondary index, so there an index only makes each write slower (its SQLite backend extracts
every indexed field from the document's JSON on every insert and update).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Doc = dict[str, Any]


async def create_missing_indexes(
    collection: AsyncCollection[Doc], wanted: Sequence[Sequence[tuple[str, int]]]
) -> None:
    """Create only the indexes that do not exist yet.

    createIndexes takes FerretDB's metadata write lock even when nothing changes, which stalls
    every other request; services restart under traffic, so they read the list first. FerretDB
    1.x answers every filter but `_id` by reading the whole collection and uses no secondary
    index, so there they would only make each write slower: none is created, and ones created
    before are dropped (MongoDB keeps them all).
    """
    existing = {
        tuple(ix["key"].items()): ix["name"] async for ix in await collection.list_indexes()
    }
    if await serves_only_id(collection.database):
        for keys in wanted:
            if (name := existing.get(tuple(keys))) is not None:
                await collection.drop_index(name)
        return
    for keys in wanted:
        if tuple(keys) not in existing:
            await collection.create_index(list(keys))


_ONLY_ID: dict[int, bool] = {}


async def serves_only_id(db: AsyncDatabase[Doc]) -> bool:
    """Whether the server is FerretDB 1.x (its `buildInfo` says so), once per client."""
    key = id(db.client)
    if key not in _ONLY_ID:
        info = await db.client.admin.command("buildInfo")
        _ONLY_ID[key] = str(info.get("ferretdbVersion", "")).startswith("v1.")
    return _ONLY_ID[key]
