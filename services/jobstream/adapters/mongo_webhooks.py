"""The `webhooks` and `webhook_deliveries` collections. A delivery's `_id` is stable per (event,
endpoint), so the notifier re-reading an event after a crash inserts nothing new; deliveries are
written before the notifier commits the event's offset."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from jobstream.adapters.mongo import DUPLICATE_KEY, fetch_all
from jobstream.adapters.mongo_indexes import create_missing_indexes

Doc = dict[str, Any]
ATTEMPT_FACTS = ("attempts", "last_attempt_at", "last_status_code", "last_error")


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

    async def all(self) -> list[Doc]:
        return [doc async for doc in self._hooks.find({})]


class MongoDeliveryStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._deliveries: AsyncCollection[Doc] = db["webhook_deliveries"]

    async def ensure_indexes(self) -> None:
        await create_missing_indexes(
            self._deliveries,
            [
                [("webhook_id", ASCENDING), ("status", ASCENDING), ("next_attempt_at", ASCENDING)],
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

    async def due(self, *, webhook_id: str, now: float, limit: int) -> list[Doc]:
        query = {"webhook_id": webhook_id, "status": "pending", "next_attempt_at": {"$lte": now}}
        cursor = self._deliveries.find(query).sort("next_attempt_at", 1).limit(limit)
        return await fetch_all(cursor, limit=limit)

    async def update(self, delivery_id: str, changes: Doc) -> None:
        await self._deliveries.update_one({"_id": delivery_id}, {"$set": changes})

    async def record_outcome(self, delivery: Doc, changes: Doc) -> bool:
        """Write an attempt's outcome, unless the delivery was re-sent while the attempt ran (its
        `resend` mark changed since the attempt read it): then only the attempt's own facts are
        kept and the delivery stays pending and due, so the re-send is not lost. False then."""
        mark = delivery.get("resend")
        done = await self._deliveries.update_one(
            {"_id": delivery["_id"], "resend": mark}, {"$set": changes}
        )
        if done.matched_count:
            return True
        facts = {key: value for key, value in changes.items() if key in ATTEMPT_FACTS}
        await self.update(delivery["_id"], facts)
        return False

    async def get(self, delivery_id: str, *, webhook_id: str) -> Doc | None:
        doc = await self._deliveries.find_one({"_id": delivery_id})
        return doc if doc is not None and doc["webhook_id"] == webhook_id else None

    async def for_webhook(
        self, *, webhook_id: str, limit: int, status: str | None = None
    ) -> list[Doc]:
        query: Doc = {"webhook_id": webhook_id, **({"status": status} if status else {})}
        cursor = self._deliveries.find(query, {"body": 0}).sort("created_at", -1).limit(limit)
        return await fetch_all(cursor, limit=limit)

    async def resend(self, delivery_id: str) -> None:
        """Due now, with a new `resend` mark: an attempt in flight will not overwrite this."""
        changes = {"status": "pending", "next_attempt_at": time.time(), "resend": uuid.uuid4().hex}
        await self.update(delivery_id, changes)
