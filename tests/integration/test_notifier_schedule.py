"""The notifier's scheduler on FerretDB with a real receiver: it reads the pending deliveries
once at start and each delivery by `_id` to attempt it; idle, it reads the re-send
inbox and never the deliveries, however many are stored (FerretDB scans a collection for any
query but `_id` equality). A backlog larger than the schedule's capacity is read back and sent."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient, monitoring

from jobstream.adapters.mongo_webhooks import MongoDeliveryStore, MongoWebhookStore
from jobstream.devstack.stack import StackLayout
from jobstream.notifier.core import Sender, WebhookCache
from jobstream.notifier.scheduler import Scheduler
from jobstream.settings import NotifierSettings
from tests.e2e.conftest import wait_for
from tests.e2e.receiver import Behaviour, Receiver, serving

pytestmark = pytest.mark.integration


class CommandLog(monitoring.CommandListener):
    """(command, collection) of every command the client sends."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.by_id: list[str] = []  # collections read by `_id` alone

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        collection = str(event.command.get(event.command_name))
        self.seen.append((event.command_name, collection))
        if event.command_name == "find" and set(event.command.get("filter", {})) == {"_id"}:
            self.by_id.append(collection)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None

    def count(self, command: str, collection: str) -> int:
        return self.seen.count((command, collection))


@dataclass
class Notifier:
    hooks: MongoWebhookStore
    deliveries: MongoDeliveryStore
    commands: CommandLog
    receiver: Receiver
    settings: NotifierSettings
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def hook(self, name: str) -> str:
        webhook_id = f"wh_{name}_{uuid.uuid4().hex[:6]}"
        await self.hooks.add({
            "_id": webhook_id, "organization_id": "org_1", "url": self.receiver.url(f"/{name}"),
            "secret": "whsec_" + "A" * 44, "events": ["job.completed"], "created_at": 0.0,
        })  # fmt: skip
        return webhook_id

    async def store(
        self, webhook_id: str, n: int, *, status: str = "pending", due: float | None = None
    ) -> list[str]:
        now = time.time()
        docs: list[dict[str, Any]] = [
            {
                "_id": f"msg_{uuid.uuid4().hex}",
                "webhook_id": webhook_id,
                "organization_id": "org_1",
                "event_id": f"ev_{i}",
                "event_type": "job.completed",
                "job_id": f"job_{i}",
                "body": "{}",
                "status": status,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now if due is None else due,
            }
            for i in range(n)
        ]
        await self.deliveries.insert_many(docs)
        return [str(d["_id"]) for d in docs]

    async def start(self, cache: WebhookCache | None = None) -> Scheduler:
        if cache is None:
            cache = WebhookCache(self.hooks)
            await cache.refresh()
        http = httpx.AsyncClient(timeout=10)
        scheduler = Scheduler(Sender(self.settings, self.deliveries, http), cache, self.settings)
        stop = asyncio.Event()

        async def run() -> None:
            try:
                await scheduler.run(stop)
            finally:
                await http.aclose()

        self.tasks.append(asyncio.create_task(run()))
        return scheduler

    async def received(self, path: str, n: int) -> None:
        async def enough() -> bool:
            return len(self.receiver.at(path)) >= n

        await wait_for(enough, timeout=60, what=f"{n} deliveries at {path}")


@pytest.fixture
async def notifier(infra_stack: StackLayout) -> AsyncIterator[Notifier]:
    commands = CommandLog()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infra_stack.ports.mongo_url, event_listeners=[commands]
    )
    db = client[f"notifier_{uuid.uuid4().hex[:8]}"]
    settings = NotifierSettings(
        webhook_allow_loopback=True, poll_interval_seconds=0.05, schedule_per_endpoint=8
    )
    async with serving() as receiver:
        n = Notifier(MongoWebhookStore(db), MongoDeliveryStore(db), commands, receiver, settings)
        yield n
        for task in n.tasks:
            task.cancel()
        await asyncio.gather(*n.tasks, return_exceptions=True)
    await client.drop_database(db.name)
    await client.close()


async def test_deliveries_are_read_to_be_sent_and_never_while_idle(notifier: Notifier) -> None:
    busy, quiet = await notifier.hook("busy"), await notifier.hook("quiet")
    await notifier.store(busy, 300, status="succeeded")  # history: never read again
    pending = await notifier.store(busy, 20)  # more than the schedule holds (8)
    await notifier.store(quiet, 3)
    await notifier.store("wh_deleted", 2)  # its endpoint is gone: never sent

    def reads() -> int:
        return notifier.commands.count("find", "webhook_deliveries")

    def inbox() -> int:
        return notifier.commands.count("find", "webhook_resends")

    await notifier.start()
    await notifier.received("/busy", 20)
    await notifier.received("/quiet", 3)
    after_backlog = reads()
    sent_reads = notifier.commands.by_id.count("webhook_deliveries")
    assert sent_reads == 23  # each delivery read once, by _id, to be sent
    # One read of every pending delivery at start, the busy endpoint read back at least twice
    # (8 + 8 + 4).
    assert 1 + 2 <= after_backlog - sent_reads <= 1 + 3
    seen = inbox()

    async def idle_passes() -> bool:
        return inbox() >= seen + 20

    await wait_for(idle_passes, timeout=30, what="20 idle passes")
    assert reads() == after_backlog

    await notifier.deliveries.resend(pending[0], webhook_id=busy)
    await notifier.received("/busy", 21)
    assert notifier.receiver.at("/busy")[-1].headers["webhook-id"] == pending[0]
    assert reads() == after_backlog + 1
    assert len(notifier.receiver.at("/busy")) == 21 and len(notifier.receiver.at("/quiet")) == 3
    assert notifier.receiver.at("/deleted") == []


async def test_a_resend_during_an_attempt_is_not_lost(notifier: Notifier) -> None:
    """The receiver has the POST; before it answers, the delivery is re-sent (as a user would
    from GET .../deliveries the moment their endpoint saw it). Whichever write lands last on
    FerretDB, the attempt's `succeeded` or the re-send's `pending`, the inbox note keeps it."""
    hook = await notifier.hook("hook")
    (delivery_id,) = await notifier.store(hook, 1)
    deliveries = notifier.deliveries

    async def resend_once() -> None:
        notifier.receiver.behaviour["/hook"] = Behaviour()
        await deliveries.resend(delivery_id, webhook_id=hook)

    notifier.receiver.behaviour["/hook"] = Behaviour(before_answer=resend_once)
    await notifier.start()
    await notifier.received("/hook", 2)

    async def settled() -> bool:
        doc = await deliveries.by_id(delivery_id)
        return doc is not None and doc["attempts"] >= 2 and not await deliveries.resends()

    await wait_for(settled, timeout=30, what="the re-send's attempt to be recorded")
    final = await deliveries.by_id(delivery_id)
    assert final is not None and (final["status"], final["attempts"]) == ("succeeded", 2)
    requests = notifier.receiver.at("/hook")
    assert {r.headers["webhook-id"] for r in requests} == {delivery_id}


async def test_a_resend_noted_while_the_notifier_was_down_is_sent(notifier: Notifier) -> None:
    """The note outlives the process and the delivery's status (here an outcome written over
    the re-send's `pending`, as FerretDB's read-modify-write updates allow)."""
    hook = await notifier.hook("down")
    (delivery_id,) = await notifier.store(hook, 1, status="succeeded")
    await notifier.deliveries.resend(delivery_id, webhook_id=hook)
    await notifier.deliveries.update(delivery_id, {"status": "succeeded"})
    await notifier.start()
    await notifier.received("/down", 1)

    async def acknowledged() -> bool:
        return not await notifier.deliveries.resends()

    await wait_for(acknowledged, timeout=30, what="the note to be acknowledged")
    assert notifier.receiver.at("/down")[0].headers["webhook-id"] == delivery_id


async def test_a_deleted_endpoints_deliveries_are_deleted_and_a_live_ones_kept(
    notifier: Notifier,
) -> None:
    """A deleted endpoint's deliveries can no longer be read (the API answers 404) or sent: the
    notifier deletes them, pending and past, whether the endpoint was gone before it started or
    went while it ran, so none stays pending to be read at every start."""
    live, going = await notifier.hook("live"), await notifier.hook("going")
    await notifier.store("wh_gone", 2)
    await notifier.store("wh_gone", 3, status="succeeded")
    await notifier.store(live, 2)
    await notifier.store(going, 2, due=time.time() + 3600)  # not due: pending when deleted
    deliveries = notifier.deliveries

    async def of(webhook_id: str) -> list[dict[str, Any]]:
        return await deliveries.for_webhook(webhook_id=webhook_id, limit=10)

    def none_left(webhook_id: str) -> Callable[[], Awaitable[bool]]:
        async def probe() -> bool:
            return not await of(webhook_id)

        return probe

    await notifier.start()
    await notifier.received("/live", 2)
    await wait_for(none_left("wh_gone"), timeout=30, what="the deliveries of wh_gone to go")
    assert len(await of(going)) == 2  # its endpoint still exists

    assert await notifier.hooks.delete(going, organization_id="org_1")
    await wait_for(none_left(going), timeout=30, what=f"the deliveries of {going} to go")
    assert len(await of(live)) == 2
    assert notifier.receiver.at("/going") == []


async def test_the_deliveries_of_an_endpoint_newer_than_the_notifiers_copy_are_sent(
    notifier: Notifier,
) -> None:
    """Deliveries read at start may be of an endpoint registered after the notifier read its copy
    of the endpoints: the store says it exists, so the copy is read again and they are sent, not
    dropped as a deleted endpoint's."""
    cache = WebhookCache(notifier.hooks)
    await cache.refresh()  # before the endpoint exists: for the next second, this copy is used
    late = await notifier.hook("late")
    await notifier.store(late, 2)
    await notifier.start(cache)
    await notifier.received("/late", 2)
    assert len(await notifier.deliveries.for_webhook(webhook_id=late, limit=10)) == 2
