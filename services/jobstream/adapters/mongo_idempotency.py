"""The `idempotency` collection: one document per (organization, Idempotency-Key), `_id` = the
hash of both. Every call addresses documents by `_id` (FerretDB pushes that down); the insert's
duplicate-key error is the lock (FerretDB has no transactions and no reliable find-and-modify
under concurrency). The answer is stored as its JSON text (bodies hold keys such as `$ref`)."""

from __future__ import annotations

import time
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from jobstream.adapters.mongo_indexes import create_missing_indexes
from jobstream.core.idempotency import IdempotencyRecord

Doc = dict[str, Any]
PURGE_STATE = "idempotency_purge"


class MongoIdempotencyStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._records: AsyncCollection[Doc] = db["idempotency"]
        self._state: AsyncCollection[Doc] = db["janitor_state"]

    async def ensure_indexes(self) -> None:
        await create_missing_indexes(self._records, [[("created_at", ASCENDING)]])

    async def claim(self, record: IdempotencyRecord, *, organization_id: str) -> bool:
        doc = {
            "_id": record.id, "organization_id": organization_id,
            "fingerprint": record.fingerprint, "nonce": record.nonce,
            "created_at": record.created_at,
        }  # fmt: skip
        try:
            await self._records.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, record_id: str) -> IdempotencyRecord | None:
        doc = await self._records.find_one({"_id": record_id})
        if doc is None:
            return None
        return IdempotencyRecord(
            id=doc["_id"], fingerprint=doc["fingerprint"], nonce=doc["nonce"],
            created_at=float(doc["created_at"]), status=doc.get("status"), body=doc.get("body"),
        )  # fmt: skip

    async def answer(self, *, record_id: str, nonce: str, status: int, body: str) -> None:
        await self._records.update_one(
            {"_id": record_id, "nonce": nonce},
            {"$set": {"status": status, "body": body, "answered_at": time.time()}},
        )

    async def release(self, *, record_id: str, nonce: str) -> None:
        """Delete the record if it is still the one claimed with `nonce`."""
        await self._records.delete_one({"_id": record_id, "nonce": nonce})

    async def purge(self, *, created_before: float) -> tuple[int, float | None]:
        """Delete the records created before `created_before` (a scan of the collection on
        FerretDB); (how many, the oldest remaining record's `created_at` or None)."""
        result = await self._records.delete_many({"created_at": {"$lt": created_before}})
        oldest = await self._records.find_one({}, {"created_at": 1}, sort=[("created_at", 1)])
        return int(result.deleted_count), None if oldest is None else float(oldest["created_at"])

    async def purge_due_at(self) -> float | None:
        """When the janitor's next purge is due (stored by `_id`: a restart does not rescan)."""
        doc = await self._state.find_one({"_id": PURGE_STATE})
        return None if doc is None else float(doc["due_at"])

    async def set_purge_due_at(self, due_at: float) -> None:
        await self._state.replace_one(
            {"_id": PURGE_STATE}, {"_id": PURGE_STATE, "due_at": due_at}, upsert=True
        )
