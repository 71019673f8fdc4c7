"""A delivery re-sent while an attempt of it is in flight is sent again (FerretDB, a real
receiver): the attempt's outcome no longer overwrites the re-send. The e2e re-send test met this
race under load — the receiver had the first POST, the test asked for a re-send, and the first
attempt's late "succeeded" put the delivery back out of the queue."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from jobstream.adapters.mongo_webhooks import MongoDeliveryStore
from jobstream.devstack.stack import StackLayout
from jobstream.notifier.core import Sender
from jobstream.settings import NotifierSettings
from tests.e2e.receiver import Behaviour, serving

pytestmark = pytest.mark.integration


@pytest.fixture
async def deliveries(infra_stack: StackLayout) -> AsyncIterator[MongoDeliveryStore]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra_stack.ports.mongo_url)
    db = client[f"resend_{uuid.uuid4().hex[:8]}"]
    yield MongoDeliveryStore(db)
    await client.drop_database(db.name)
    await client.close()


def delivery(webhook_id: str) -> dict[str, Any]:
    now = time.time()
    return {
        "_id": "msg_" + uuid.uuid4().hex, "webhook_id": webhook_id, "organization_id": "org_1",
        "event_id": "ev_1", "event_type": "job.completed", "job_id": "job_1", "body": "{}",
        "status": "pending", "attempts": 0, "created_at": now, "next_attempt_at": now,
    }  # fmt: skip


async def test_a_resend_during_an_attempt_is_not_lost(deliveries: MongoDeliveryStore) -> None:
    doc = delivery("wh_resend")
    await deliveries.insert_many([doc])
    settings = NotifierSettings(webhook_allow_loopback=True)
    async with serving() as receiver, httpx.AsyncClient(timeout=10) as http:
        # The receiver has the POST; before it answers, the delivery is re-sent (as a user
        # would from GET .../deliveries the moment their endpoint saw it).
        receiver.behaviour["/hook"] = Behaviour(before_answer=lambda: deliveries.resend(doc["_id"]))
        hook = {"_id": "wh_resend", "url": receiver.url("/hook"), "secret": "whsec_" + "A" * 44}
        sender = Sender(settings, deliveries, http)
        (due,) = await deliveries.due(webhook_id="wh_resend", now=time.time(), limit=5)
        assert await sender.attempt(due, hook)  # delivered (204)...
        stored = await deliveries.get(doc["_id"], webhook_id="wh_resend")
        assert stored is not None and stored["status"] == "pending"  # ...and still to send again
        assert (stored["attempts"], stored["last_status_code"]) == (1, 204)
        receiver.behaviour["/hook"] = Behaviour()
        (again,) = await deliveries.due(webhook_id="wh_resend", now=time.time(), limit=5)
        assert await sender.attempt(again, hook)
        final = await deliveries.get(doc["_id"], webhook_id="wh_resend")
        assert final is not None and (final["status"], final["attempts"]) == ("succeeded", 2)
        assert len(receiver.at("/hook")) == 2
        assert {r.headers["webhook-id"] for r in receiver.at("/hook")} == {doc["_id"]}
