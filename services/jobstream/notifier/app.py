"""The notifier service: consume `jobs.events` (group `notifier`), record each matching event's
deliveries (durably, before committing the offset) and hand them to the scheduler
(notifier/scheduler.py), which sends them with a concurrency limit per endpoint, so a slow or
failing receiver only delays its own queue.
A crash re-reads uncommitted events (their deliveries already exist: same ids) and re-sends
deliveries whose outcome was not written: at-least-once, with the same `webhook-id`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

import httpx
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from jobstream.adapters import tracing
from jobstream.adapters.kafka import make_consumer
from jobstream.adapters.metrics import WEBHOOK_MESSAGES, export_notifier_series
from jobstream.adapters.mongo import connect
from jobstream.adapters.mongo_webhooks import MongoDeliveryStore, MongoWebhookStore
from jobstream.adapters.ops_http import OpsServer, ops_app
from jobstream.notifier.core import Doc, Sender, WebhookCache, plan
from jobstream.notifier.scheduler import Scheduler
from jobstream.settings import NotifierSettings
from jobstream_schemas.events import decode_event

log = logging.getLogger(__name__)
GROUP = "notifier"
COMMIT_INTERVAL_SECONDS = 0.5


async def record_batch(
    batch: dict[TopicPartition, Sequence[object]], cache: WebhookCache,
    deliveries: MongoDeliveryStore,
) -> list[Doc]:  # fmt: skip
    """Record the deliveries the batch's events make; returns them."""
    records = [r for recs in batch.values() for r in recs]
    if not records:
        return []
    # One read of the endpoints per batch covers its newest record: a record's log timestamp
    # (the producer's clock, set when it was sent) is never before its event's `occurred_at`.
    await cache.covering(max(r.timestamp for r in records) / 1000)  # type: ignore[attr-defined]
    if not cache.by_org:
        return []  # no endpoint anywhere: nothing to decode
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
    return docs


def _organization_of(value: bytes) -> str:
    """The event's organization, read without validating the whole event."""
    try:
        return str(orjson.loads(value).get("organization_id", ""))
    except (orjson.JSONDecodeError, AttributeError):
        return ""


async def consume(
    consumer: AIOKafkaConsumer, cache: WebhookCache, scheduler: Scheduler, stop: asyncio.Event
) -> None:
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
            scheduler.recorded(await record_batch(batch, cache, scheduler.deliveries))
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
    log.info("notifier started", extra={"topic": settings.events_topic})
    try:
        await asyncio.gather(consume(consumer, cache, scheduler, stop), scheduler.run(stop))
    finally:
        await ops.stop()
        await consumer.stop()
        await http.aclose()
        await client.close()
