"""The notifier service: consume `jobs.events` (group `notifier`), record each matching event's
deliveries (durably, before committing the offset), and send due deliveries in a scheduler loop
with a concurrency limit per endpoint, so a slow or failing receiver only delays its own queue.
A crash re-reads uncommitted events (their deliveries already exist: same ids) and re-sends
deliveries whose outcome was not written: at-least-once, with the same `webhook-id`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence

import httpx
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from jobstream.adapters import tracing
from jobstream.adapters.kafka import make_consumer
from jobstream.adapters.metrics import (
    WEBHOOK_MESSAGES,
    WEBHOOKS_IN_FLIGHT,
    export_notifier_series,
)
from jobstream.adapters.mongo import connect
from jobstream.adapters.mongo_webhooks import MongoDeliveryStore, MongoWebhookStore
from jobstream.adapters.ops_http import OpsServer, ops_app
from jobstream.notifier.core import Doc, Sender, WebhookCache, plan
from jobstream.settings import NotifierSettings
from jobstream_schemas.events import decode_event

log = logging.getLogger(__name__)
GROUP = "notifier"
COMMIT_INTERVAL_SECONDS = 0.5


async def record_batch(
    batch: dict[TopicPartition, Sequence[object]], cache: WebhookCache,
    deliveries: MongoDeliveryStore,
) -> int:  # fmt: skip
    records = [r for recs in batch.values() for r in recs]
    if not records:
        return 0
    # One read of the endpoints per batch covers its newest record: a record's log timestamp
    # (the producer's clock, set when it was sent) is never before its event's `occurred_at`.
    await cache.covering(max(r.timestamp for r in records) / 1000)  # type: ignore[attr-defined]
    if not cache.by_org:
        return 0  # no endpoint anywhere: nothing to decode
    docs: list[Doc] = []
    now = time.time()
    for record in records:
        hooks = cache.by_org.get(_organization_of(record.value or b""), [])  # type: ignore[attr-defined]
        if not hooks:
            continue
        try:
            event = decode_event(record.value or b"")  # type: ignore[attr-defined]
        except ValueError:
            continue  # the projector sends undecodable events to the DLQ
        traceparent = tracing.traceparent_of(record.headers)  # type: ignore[attr-defined]
        docs += plan(event, hooks, now=now, traceparent=traceparent)
    await deliveries.insert_many(docs)
    WEBHOOK_MESSAGES.inc(len(docs))
    return len(docs)


def _organization_of(value: bytes) -> str:
    """The event's organization, read without validating the whole event."""
    try:
        return str(orjson.loads(value).get("organization_id", ""))
    except (orjson.JSONDecodeError, AttributeError):
        return ""


async def consume(
    consumer: AIOKafkaConsumer, cache: WebhookCache, deliveries: MongoDeliveryStore,
    wake: asyncio.Event, stop: asyncio.Event,
) -> None:  # fmt: skip
    pending: dict[TopicPartition, int] = {}
    committed_at = 0.0
    while not stop.is_set():
        batch = await consumer.getmany(timeout_ms=500, max_records=500)
        if not batch:
            if pending:
                await consumer.commit(pending)
                pending, committed_at = {}, time.monotonic()
            continue
        try:
            if await record_batch(batch, cache, deliveries):
                wake.set()
        except Exception:
            # Nothing committed: read the batch again once the store answers.
            log.exception("recording deliveries failed; re-reading from the last commit")
            for tp in batch:
                committed = await consumer.committed(tp)
                if committed is None:
                    await consumer.seek_to_beginning(tp)
                else:
                    consumer.seek(tp, committed)
            await asyncio.sleep(1)
            continue
        pending |= {tp: recs[-1].offset + 1 for tp, recs in batch.items()}
        if (now := time.monotonic()) >= committed_at + COMMIT_INTERVAL_SECONDS:
            await consumer.commit(pending)  # recorded deliveries are idempotent on redelivery
            pending, committed_at = {}, now


class Scheduler:
    """Sends due deliveries: per endpoint, at most `concurrency_per_endpoint` at once."""

    def __init__(self, sender: Sender, cache: WebhookCache, settings: NotifierSettings) -> None:
        self.sender, self.cache, self.settings = sender, cache, settings
        self.in_flight: dict[str, set[str]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.wake = asyncio.Event()  # set: look for due deliveries now (new ones, a freed slot)
        # Deliveries whose attempt ended while a pass was reading: what it read of them is stale.
        self.ended_meanwhile: set[str] = set()

    async def tick(self) -> None:
        now = time.time()
        for hook_id, hook in list(self.cache.by_id.items()):
            busy = self.in_flight.setdefault(hook_id, set())
            free = self.settings.concurrency_per_endpoint - len(busy)
            if free <= 0:
                continue
            self.ended_meanwhile.clear()
            due = await self.sender.deliveries.due(
                webhook_id=hook_id, now=now, limit=free + len(busy)
            )
            # One whose attempt ended during the read was read as before its outcome (pending,
            # its old attempt count): the next pass, which that ending wakes, reads it afresh.
            fresh = [
                d for d in due if d["_id"] not in busy and d["_id"] not in self.ended_meanwhile
            ]
            for delivery in fresh[:free]:
                busy.add(delivery["_id"])
                task = asyncio.create_task(self.send(delivery, hook, busy))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    async def send(self, delivery: Doc, hook: Doc, busy: set[str]) -> None:
        WEBHOOKS_IN_FLIGHT.inc()
        try:
            await self.sender.attempt(delivery, hook)
        except Exception:
            log.exception("delivery attempt failed", extra={"delivery": delivery["_id"]})
        finally:
            WEBHOOKS_IN_FLIGHT.dec()
            busy.discard(delivery["_id"])
            self.ended_meanwhile.add(delivery["_id"])
            self.wake.set()  # a slot is free: the endpoint's next delivery need not wait a tick

    async def run(self, wake: asyncio.Event, stop: asyncio.Event) -> None:
        self.wake = wake
        while not stop.is_set():
            try:
                await self.cache.covering(time.time() - 1.0)
                await self.tick()
            except Exception:
                log.exception("scheduler pass failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=self.settings.poll_interval_seconds)
            wake.clear()


async def run_notifier(settings: NotifierSettings, *, stop: asyncio.Event) -> None:
    client, db = connect(settings.mongo_url, settings.mongo_database)
    hooks, deliveries = MongoWebhookStore(db), MongoDeliveryStore(db)
    await hooks.ensure_indexes()
    await deliveries.ensure_indexes()
    cache = WebhookCache(hooks)
    http = httpx.AsyncClient(timeout=settings.timeout_seconds, follow_redirects=False)
    scheduler = Scheduler(Sender(settings, deliveries, http), cache, settings)
    consumer = make_consumer(
        settings.events_topic, bootstrap=settings.kafka_bootstrap, group_id=GROUP,
        client_id="notifier", gather=(64 * 1024, 100),  # deliveries are not that urgent
    )  # fmt: skip
    ops = OpsServer(
        ops_app(lambda: {"status": "ok"}), host=settings.host, port=settings.metrics_port
    )
    await cache.refresh()
    await consumer.start()
    await ops.start()
    export_notifier_series()
    wake = asyncio.Event()
    log.info("notifier started", extra={"topic": settings.events_topic})
    try:
        await asyncio.gather(
            consume(consumer, cache, deliveries, wake, stop), scheduler.run(wake, stop)
        )
    finally:
        await ops.stop()
        await consumer.stop()
        await http.aclose()
        await client.close()
