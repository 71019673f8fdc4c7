"""MongoDB (PyMongo's AsyncMongoClient) adapters: the jobs read model, the outbox, API keys.

A job document keeps the whole record as one JSON string (`record`) next to the top-level fields
that queries filter and sort on. Request bodies hold keys like `$ref` and nested arrays, which
FerretDB rejects as document fields; a string is stored as-is. Hot paths (create, get, projector
writes) address documents by `_id` only, the one filter FerretDB's SQLite backend pushes down.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bson import Binary
from pymongo import ASCENDING, AsyncMongoClient, ReplaceOne, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, ExecutionTimeout

from jobstream.adapters.mongo_indexes import create_missing_indexes
from jobstream.adapters.mongo_monitoring import OpenCursorAudit, StoreCommandCounter
from jobstream.adapters.outbox_codec import OutboxMessage as OutboxMessage
from jobstream.adapters.outbox_codec import compress_messages, decompress_messages, unpack_messages
from jobstream.core.errors import StoreTimeoutError
from jobstream.core.listing import LIST_INDEXES
from jobstream.core.principal import EndpointNames, Principal, endpoint_names_of
from jobstream.core.record import JobRecord, filter_fields

Doc = dict[str, Any]
DUPLICATE_KEY = 11000


def to_document(record: JobRecord, *, offset: int | None) -> Doc:
    doc: Doc = {
        "_id": record.id,
        "organization_id": record.organization_id,
        "status": record.status,
        "endpoint": record.endpoint,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "attempt": record.attempt,
        "artifacts_purged": record.artifacts_purged,
        **{key: value for key, value in record.filters.items() if value not in EMPTY_FILTERS},
        "record": record.model_dump_json(exclude={"filters"}),
    }
    if offset is not None:
        doc["event_offset"] = offset
    return doc


def from_document(doc: Mapping[str, Any]) -> JobRecord:
    filters = {key: doc.get(key, EMPTY_FILTER_FIELDS.get(key)) for key in FILTER_KEYS}
    return JobRecord.model_validate_json(doc["record"]).model_copy(update={"filters": filters})


FILTER_KEYS = (
    "filenames",
    "document_types",
    "project_id",
    "model",
    "workflow_id",
    "workflow_node_ids",
    "source",
    "metadata_pairs",
)
EMPTY_FILTER_FIELDS = filter_fields({}, None)  # what a document left out reads back as
# Empty filter fields are left out of the document: no list query matches an empty list or a
# null (equality, `$in`, `$all` and `$regex` all need a value), and FerretDB's cost per write
# and per read grows with the document's fields (a no-op job's document: 17 fields -> 10).
EMPTY_FILTERS: tuple[Any, ...] = (None, [])
# FerretDB v1.24's `update` handler keeps every statement's query open (a deferred close inside
# its statement loop) until the whole command returns, and its SQLite pool has 100 connections:
# one command of ~100 statements deadlocks the server for every client. Stay far below.
# Two commands at once let FerretDB spread a batch's document (de)serialization over two cores
# instead of one (the projector then waits half as long per batch): 2 x 16 statements stays far
# below the limit above. Measured in `make bench`: 454 -> 568 jobs/s end to end.
UPDATE_STATEMENTS_PER_COMMAND = 16
CONCURRENT_UPDATE_COMMANDS = 2
# `_id $in` lists up to this long are pushed down to the `_id` index (FerretDB patch).
IDS_PER_QUERY = 500

RECORD_PROJECTION = {"record": 1, "event_offset": 1, **dict.fromkeys(FILTER_KEYS, 1)}


class MongoJobStore:
    """The `jobs` collection: written by the gateway (first insert) and the projector only."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._jobs: AsyncCollection[Doc] = db["jobs"]

    async def ensure_indexes(self) -> None:
        await create_missing_indexes(self._jobs, LIST_INDEXES)

    async def insert(self, record: JobRecord) -> None:
        # A projector that saw job.created first may already have written the same document.
        with contextlib.suppress(DuplicateKeyError):
            await self._jobs.insert_one(to_document(record, offset=None))

    async def insert_many(self, records: Sequence[JobRecord]) -> None:
        """One unordered insert for a batch; documents the projector already wrote are kept."""
        try:
            await self._jobs.insert_many(
                [to_document(r, offset=None) for r in records], ordered=False
            )
        except BulkWriteError as exc:
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise

    async def get(self, job_id: str, *, organization_id: str | None = None) -> JobRecord | None:
        doc = await self._jobs.find_one({"_id": job_id}, RECORD_PROJECTION)
        if doc is None:
            return None
        record = from_document(doc)
        if organization_id is not None and record.organization_id != organization_id:
            return None
        return record

    async def get_many_with_offsets(
        self, job_ids: Sequence[str]
    ) -> dict[str, tuple[JobRecord, int]]:
        """The stored documents of `job_ids` with the offset of the last event applied to each
        (absent ones left out): one `_id $in` query per chunk, which the patched FerretDB
        serves from its `_id` index (docs/local-stack.md)."""
        found: dict[str, tuple[JobRecord, int]] = {}
        for start in range(0, len(job_ids), IDS_PER_QUERY):
            chunk = list(job_ids[start : start + IDS_PER_QUERY])
            cursor = self._jobs.find({"_id": {"$in": chunk}}, RECORD_PROJECTION)
            for doc in await fetch_all(cursor, limit=len(chunk)):
                found[str(doc["_id"])] = (from_document(doc), int(doc.get("event_offset", -1)))
        return found

    async def write_many(self, items: Sequence[tuple[JobRecord, int]]) -> None:
        """Upsert whole documents by `_id`: commands of a bounded number of statements, two at
        a time (every document appears once, so the commands touch disjoint documents)."""
        ops = [
            ReplaceOne({"_id": rec.id}, to_document(rec, offset=off), upsert=True)
            for rec, off in items
        ]
        chunks = [
            ops[start : start + UPDATE_STATEMENTS_PER_COMMAND]
            for start in range(0, len(ops), UPDATE_STATEMENTS_PER_COMMAND)
        ]
        for first in range(0, len(chunks), CONCURRENT_UPDATE_COMMANDS):
            await asyncio.gather(
                *(
                    self._jobs.bulk_write(chunk, ordered=False)
                    for chunk in chunks[first : first + CONCURRENT_UPDATE_COMMANDS]
                )
            )

    async def find(
        self, *, filter: Doc, sort: Sequence[tuple[str, int]], limit: int,
        max_time_ms: int | None = None,
    ) -> list[JobRecord]:  # fmt: skip
        """`max_time_ms`: the server stops the query there (it would run on after a client
        gave up) and this raises StoreTimeoutError."""
        cursor = self._jobs.find(filter, RECORD_PROJECTION).sort(list(sort)).limit(limit)
        if max_time_ms is not None:
            cursor = cursor.max_time_ms(max_time_ms)
        try:
            docs = await fetch_all(cursor, limit=limit)
        except ExecutionTimeout as exc:
            raise StoreTimeoutError(str(exc)) from exc
        return [from_document(doc) for doc in docs]

    async def anchor(self, job_id: str, *, organization_id: str) -> tuple[int, str] | None:
        doc = await self._jobs.find_one({"_id": job_id}, {"organization_id": 1, "created_at": 1})
        if doc is None or doc.get("organization_id") != organization_id:
            return None
        return int(doc["created_at"]), job_id

    async def drop(self) -> None:
        await self._jobs.drop()


@dataclass(frozen=True)
class OutboxEntry:
    id: str
    created_at: float
    messages: tuple[OutboxMessage, ...]


class MongoOutbox:
    """Messages stored but not yet acknowledged by Kafka; the janitor relays them in order."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._outbox: AsyncCollection[Doc] = db["outbox"]

    async def ensure_indexes(self) -> None:
        await create_missing_indexes(self._outbox, [[("created_at", ASCENDING)]])

    async def add(
        self, *, entry_id: str, messages: Sequence[OutboxMessage], relay_after: float | None = None,
        new: bool = False,
    ) -> None:  # fmt: skip
        """Store (or replace) an entry; the relay leaves it alone until `relay_after` (default:
        now) plus its minimum age. The field keeps its old name `created_at`. `new`: the entry
        id was never used, so a plain insert does (cheaper on FerretDB than an upsert)."""
        doc = {
            "_id": entry_id,
            "created_at": time.time() if relay_after is None else relay_after,
            "packed_z": Binary(compress_messages(messages)),
        }
        if new:
            with contextlib.suppress(DuplicateKeyError):
                await self._outbox.insert_one(doc)
                return
        await self._outbox.replace_one({"_id": entry_id}, doc, upsert=True)

    async def due(self, *, older_than: float, limit: int) -> list[OutboxEntry]:
        cursor = (
            self._outbox.find({"created_at": {"$lte": older_than}})
            .sort([("created_at", ASCENDING)])
            .limit(limit)
        )
        return [_outbox_entry(doc) for doc in await fetch_all(cursor, limit=limit)]

    async def remove(self, entry_id: str) -> None:
        await self._outbox.delete_one({"_id": entry_id})

    async def depth(self) -> int:
        return await self._outbox.count_documents({})


def _outbox_entry(doc: Mapping[str, Any]) -> OutboxEntry:
    if "packed_z" in doc:
        messages = decompress_messages(bytes(doc["packed_z"]))
    elif "packed" in doc:  # entries written before they were compressed
        messages = unpack_messages(bytes(doc["packed"]))
    else:  # entries written before messages were packed
        messages = tuple(
            OutboxMessage(
                topic=m["topic"],
                key=bytes(m["key"]),
                value=bytes(m["value"]),
                headers=tuple((h["k"], bytes(h["v"])) for h in m["headers"]),
            )
            for m in doc["messages"]
        )
    return OutboxEntry(id=doc["_id"], created_at=float(doc["created_at"]), messages=messages)


class MongoApiKeys:
    """API keys, stored as SHA-256 digests (`_id`) mapped to their organization."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._keys: AsyncCollection[Doc] = db["api_keys"]

    async def add(
        self, *, key_hash: str, organization_id: str, name: str | None,
        endpoint_names: EndpointNames = "as_submitted",
    ) -> None:  # fmt: skip
        doc = {"_id": key_hash, "organization_id": organization_id, "name": name}
        await self._keys.insert_one({**doc, "endpoint_names": endpoint_names, "at": time.time()})

    async def principal_for(self, key_hash: str) -> Principal | None:
        doc = await self._keys.find_one({"_id": key_hash})
        if doc is None:
            return None
        names = endpoint_names_of(doc.get("endpoint_names")) or "as_submitted"
        return Principal(organization_id=str(doc["organization_id"]), endpoint_names=names)


async def fetch_all(cursor: AsyncCursor[Doc], *, limit: int) -> list[Doc]:
    """Read a limited query to the end and close its server-side cursor.

    FerretDB v1 leaves a cursor open when the first batch is exactly `limit` documents long (its
    default first batch is 101, a list page fetches 100 + 1); until the driver kills it in the
    background, it pins one of FerretDB's 100 SQLite connections. A first batch larger than the
    limit lets FerretDB reach the end and close the cursor; closing it ourselves covers the rest.
    """
    cursor.batch_size(limit + 1)
    try:
        return await cursor.to_list()
    finally:
        await cursor.close()


def connect(url: str, database: str) -> tuple[AsyncMongoClient[Doc], AsyncDatabase[Doc]]:
    """A client with a bounded pool and operation timeouts.

    FerretDB serves each database from a fixed pool of 100 SQLite connections; a small pool per
    service keeps the whole deployment far below it. The timeout turns a stuck call into an error
    (and a closed connection, which releases its server-side cursors) instead of a hang.
    """
    listeners: list[monitoring.CommandListener] = [StoreCommandCounter()]
    if os.environ.get("JOBSTREAM_MONGO_CURSOR_AUDIT"):
        listeners.append(OpenCursorAudit())
    client: AsyncMongoClient[Doc] = AsyncMongoClient(
        url, tz_aware=True, connect=False, maxPoolSize=16, timeoutMS=20_000,
        event_listeners=listeners,
    )  # fmt: skip
    return client, client[database]
