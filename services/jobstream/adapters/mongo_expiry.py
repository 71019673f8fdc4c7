"""The expiry index on MongoDB/FerretDB: buckets of job ids by due minute, addressed by `_id`.

Documents `{_id: "<kind>:<minute>:p<partition>", jobs: [job_id, ...]}` in `expiry_index`, plus
the janitor's cursors `{_id: "cursor:<kind>", minute}`. Every read and write is by `_id`, the
one filter FerretDB's SQLite backend serves without reading the whole collection. Each bucket has
one writer (the projector instance that owns the partition; the janitor for purge buckets), so
FerretDB's non-atomic updates lose nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from jobstream.core.expiry import BucketKind, bucket_id


class MongoExpiryIndex:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._index = db["expiry_index"]

    async def file(
        self, *, kind: BucketKind, partition: int, by_minute: Mapping[int, Sequence[str]]
    ) -> None:
        """Add job ids to their minute's bucket (idempotent: `$addToSet`)."""
        ops = [
            UpdateOne(
                {"_id": bucket_id(kind, minute, partition)},
                {"$addToSet": {"jobs": {"$each": sorted(set(ids))}}},
                upsert=True,
            )
            for minute, ids in sorted(by_minute.items())
        ]
        if not ops:
            return
        try:
            await self._index.bulk_write(ops, ordered=False)
        except BulkWriteError:  # an upsert raced another writer's insert: now it is an update
            await self._index.bulk_write(ops, ordered=False)

    async def bucket(self, *, kind: BucketKind, minute: int, partition: int) -> list[str]:
        doc = await self._index.find_one({"_id": bucket_id(kind, minute, partition)})
        return [str(job_id) for job_id in (doc or {}).get("jobs", [])]

    async def drop(self, *, kind: BucketKind, minute: int, partition: int) -> None:
        await self._index.delete_one({"_id": bucket_id(kind, minute, partition)})

    async def cursor(self, kind: BucketKind) -> int | None:
        doc = await self._index.find_one({"_id": f"cursor:{kind}"})
        return None if doc is None else int(doc["minute"])

    async def set_cursor(self, kind: BucketKind, minute: int) -> None:
        await self._index.replace_one(
            {"_id": f"cursor:{kind}"}, {"_id": f"cursor:{kind}", "minute": minute}, upsert=True
        )
