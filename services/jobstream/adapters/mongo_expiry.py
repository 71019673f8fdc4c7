"""The expiry index on MongoDB/FerretDB: buckets of job ids by due minute, addressed by `_id`.

A bucket `<kind>:<minute>:p<partition>` is a small header `{_id, chunks: [token, ...]}` in
`expiry_index` naming its chunks `{_id: "<bucket>:<token>", jobs: [job_id, ...]}`, one chunk per
filing (a projector batch): filing inserts a chunk and adds one token to the header, so no write
ever rewrites a document that grows with the minute's traffic (one document per bucket, grown
with `$addToSet`, made FerretDB re-parse and re-write up to a minute's ids for every batch).
The token is the chunk's smallest job id, so a batch filed again after a crash lands on the same
chunk. Plus the janitor's cursors `{_id: "cursor:<kind>", minute}`. Every read and write is by
`_id` (equality or `$in`), served from FerretDB's `_id` index. Each bucket has one writer (the
projector instance owning the partition; the janitor for purge buckets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from jobstream.core.expiry import BucketKind, bucket_id

DUPLICATE_KEY = 11000
CHUNKS_PER_QUERY = 500


class MongoExpiryIndex:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._index = db["expiry_index"]

    async def file(
        self, *, kind: BucketKind, partition: int, by_minute: Mapping[int, Sequence[str]]
    ) -> None:
        """Add job ids to their minute's bucket: a chunk each, then the headers (idempotent)."""
        chunks, headers = [], []
        for minute, ids in sorted(by_minute.items()):
            if not ids:
                continue
            jobs = sorted(set(ids))
            bucket = bucket_id(kind, minute, partition)
            chunks.append({"_id": f"{bucket}:{jobs[0]}", "jobs": jobs})
            headers.append(
                UpdateOne({"_id": bucket}, {"$addToSet": {"chunks": jobs[0]}}, upsert=True)
            )
        if not chunks:
            return
        try:
            await self._index.insert_many(chunks, ordered=False)
        except BulkWriteError as exc:  # filed before (a redelivered batch): kept as it is
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise
        try:
            await self._index.bulk_write(headers, ordered=False)
        except BulkWriteError:  # an upsert raced another writer's insert: now it is an update
            await self._index.bulk_write(headers, ordered=False)

    async def _chunk_ids(self, bucket: str) -> tuple[list[str], list[str]]:
        """(chunk ids, job ids kept in the header itself by the earlier one-document format)."""
        doc = await self._index.find_one({"_id": bucket}) or {}
        chunks = [f"{bucket}:{token}" for token in doc.get("chunks", [])]
        return chunks, [str(job_id) for job_id in doc.get("jobs", [])]

    async def bucket(self, *, kind: BucketKind, minute: int, partition: int) -> list[str]:
        found = await self.buckets(kind=kind, minutes=[minute], partitions=[partition])
        return found.get((minute, partition), [])

    async def buckets(
        self, *, kind: BucketKind, minutes: Sequence[int], partitions: Sequence[int]
    ) -> dict[tuple[int, int], list[str]]:
        """The job ids of every bucket of these minutes and partitions that exists, by
        (minute, partition): the headers, then their chunks, each in `_id $in` queries."""
        wanted = {bucket_id(kind, m, p): (m, p) for m in minutes for p in partitions}
        found: dict[str, set[str]] = {}
        chunk_of: dict[str, str] = {}
        for header in await self._by_ids(list(wanted)):
            bucket = str(header["_id"])
            found[bucket] = {str(job_id) for job_id in header.get("jobs", [])}  # earlier format
            chunk_of |= {f"{bucket}:{token}": bucket for token in header.get("chunks", [])}
        for chunk in await self._by_ids(list(chunk_of)):
            found[chunk_of[str(chunk["_id"])]].update(str(j) for j in chunk.get("jobs", []))
        return {wanted[bucket]: sorted(ids) for bucket, ids in found.items()}

    async def _by_ids(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        docs = []
        for start in range(0, len(ids), CHUNKS_PER_QUERY):
            wanted = list(ids[start : start + CHUNKS_PER_QUERY])
            docs += await self._index.find({"_id": {"$in": wanted}}).to_list()
        return docs

    async def drop(self, *, kind: BucketKind, minute: int, partition: int) -> None:
        bucket = bucket_id(kind, minute, partition)
        chunk_ids, _ = await self._chunk_ids(bucket)
        for start in range(0, len(chunk_ids), CHUNKS_PER_QUERY):
            await self._index.delete_many(
                {"_id": {"$in": chunk_ids[start : start + CHUNKS_PER_QUERY]}}
            )
        await self._index.delete_one({"_id": bucket})

    async def cursor(self, kind: BucketKind) -> int | None:
        doc = await self._index.find_one({"_id": f"cursor:{kind}"})
        return None if doc is None else int(doc["minute"])

    async def set_cursor(self, kind: BucketKind, minute: int) -> None:
        await self._index.replace_one(
            {"_id": f"cursor:{kind}"}, {"_id": f"cursor:{kind}", "minute": minute}, upsert=True
        )
