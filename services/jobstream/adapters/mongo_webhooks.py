"""The `webhooks` and `webhook_deliveries` collections. A delivery's `_id` is stable per (event,
endpoint), so the notifier re-reading an event after a crash inserts nothing new; deliveries are
written before the notifier commits the event's offset."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any, NamedTuple

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from jobstream.adapters.mongo import DUPLICATE_KEY, fetch_all
from jobstream.adapters.mongo_indexes import create_missing_indexes

Doc = dict[str, Any]


class Resend(NamedTuple):
    """A note in the re-send inbox: send this delivery once more."""

    webhook_id: str
    delivery_id: str
    token: str  # a new one per request: a later request is not acknowledged by an earlier attempt


class MongoWebhookStore:
    """Webhook endpoints; `secret` is kept to sign deliveries and shown only at creation."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._hooks: AsyncCollection[Doc] = db["webhooks"]

    async def ensure_indexes(self) -> None:
        await create_missing_indexes(self._hooks, [[("organization_id", ASCENDING)]])

    async def add(self, doc: Doc) -> None:
        await self._hooks.insert_one(doc)

    async def get(self, webhook_id: str, *, organization_id: str) -> Doc | None:
        doc = await self._hooks.find_one({"_id": webhook_id})
        return doc if doc is not None and doc["organization_id"] == organization_id else None

    async def for_organization(self, *, organization_id: str, limit: int = 100) -> list[Doc]:
        cursor = self._hooks.find({"organization_id": organization_id}).sort("created_at", 1)
        return await fetch_all(cursor.limit(limit), limit=limit)

    async def delete(self, webhook_id: str, *, organization_id: str) -> bool:
        if await self.get(webhook_id, organization_id=organization_id) is None:
            return False
        await self._hooks.delete_one({"_id": webhook_id})
        return True

    async def exists(self, webhook_id: str) -> bool:
        return await self._hooks.find_one({"_id": webhook_id}, {"_id": 1}) is not None

    async def all(self) -> list[Doc]:
        return [doc async for doc in self._hooks.find({})]


class MongoDeliveryStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._deliveries: AsyncCollection[Doc] = db["webhook_deliveries"]
        self._resends: AsyncCollection[Doc] = db["webhook_resends"]

    async def ensure_indexes(self) -> None:
        await create_missing_indexes(
            self._deliveries,
            [
                [("webhook_id", ASCENDING), ("status", ASCENDING), ("next_attempt_at", ASCENDING)],
                [("status", ASCENDING), ("next_attempt_at", ASCENDING)],
                [("webhook_id", ASCENDING), ("created_at", DESCENDING)],
            ],
        )

    async def insert_many(self, docs: Sequence[Doc]) -> None:
        """Insert new deliveries; ones already recorded (same `_id`) are kept as they are."""
        if not docs:
            return
        try:
            await self._deliveries.insert_many(list(docs), ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise

    async def pending_for(
        self, *, webhook_id: str, limit: int, exclude: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        """(id, next attempt time) of the endpoint's pending deliveries but `exclude` (attempts
        in flight), earliest first: what the notifier's schedule is filled from at start and
        after it overflowed."""
        query: Doc = {"webhook_id": webhook_id, "status": "pending"}
        if exclude:
            query["_id"] = {"$nin": list(exclude)}
        fields = {"_id": 1, "next_attempt_at": 1}
        cursor = self._deliveries.find(query, fields).sort("next_attempt_at", 1).limit(limit)
        docs = await fetch_all(cursor, limit=limit)
        return [(d["_id"], float(d["next_attempt_at"])) for d in docs]

    async def all_pending(self) -> AsyncIterator[tuple[str, str, float]]:
        """(endpoint id, id, next attempt time) of every pending delivery, earliest first: one
        read when the notifier starts."""
        fields = {"_id": 1, "webhook_id": 1, "next_attempt_at": 1}
        async for d in self._deliveries.find({"status": "pending"}, fields).sort("next_attempt_at"):
            yield d["webhook_id"], d["_id"], float(d["next_attempt_at"])

    async def drop_for(self, webhook_id: str) -> int:
        """Delete a deleted endpoint's deliveries, pending and past: no one can read or send
        them any more. One write, run once per deleted endpoint (FerretDB scans for it)."""
        return (await self._deliveries.delete_many({"webhook_id": webhook_id})).deleted_count

    async def by_id(self, delivery_id: str) -> Doc | None:
        return await self._deliveries.find_one({"_id": delivery_id})

    async def update(self, delivery_id: str, changes: Doc) -> None:
        await self._deliveries.update_one({"_id": delivery_id}, {"$set": changes})

    async def record_outcome(self, delivery_id: str, changes: Doc) -> None:
        """Write an attempt's outcome by `_id` alone (FerretDB finds nothing else without a scan).
        It may overwrite a re-send's `pending` written meanwhile (FerretDB's updates are read,
        modify, write): the re-send is kept by its inbox note, not by the delivery's status."""
        await self.update(delivery_id, changes)

    async def get(self, delivery_id: str, *, webhook_id: str) -> Doc | None:
        doc = await self._deliveries.find_one({"_id": delivery_id})
        return doc if doc is not None and doc["webhook_id"] == webhook_id else None

    async def for_webhook(
        self, *, webhook_id: str, limit: int, status: str | None = None
    ) -> list[Doc]:
        query: Doc = {"webhook_id": webhook_id, **({"status": status} if status else {})}
        cursor = self._deliveries.find(query, {"body": 0}).sort("created_at", -1).limit(limit)
        return await fetch_all(cursor, limit=limit)

    async def resend(self, delivery_id: str, *, webhook_id: str) -> None:
        """Due now, and a note in the notifier's inbox: the note is what makes the notifier
        send it (whatever its status by then) and stays until that attempt has ended."""
        now = time.time()
        await self.update(delivery_id, {"status": "pending", "next_attempt_at": now})
        note = {"_id": delivery_id, "webhook_id": webhook_id, "token": uuid.uuid4().hex}
        await self._resends.replace_one({"_id": delivery_id}, note, upsert=True)

    async def resends(self, *, limit: int = 500) -> list[Resend]:
        """The inbox's notes. It holds only re-sends whose attempt has not ended, so reading it
        all is cheap even on FerretDB."""
        notes = await fetch_all(self._resends.find({}).limit(limit), limit=limit)
        return [Resend(n["webhook_id"], n["_id"], n["token"]) for n in notes]

    async def resent(self, note: Resend) -> None:
        """The note's attempt ended; a newer note for the same delivery (another token) stays."""
        await self._resends.delete_one({"_id": note.delivery_id, "token": note.token})
