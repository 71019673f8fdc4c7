"""The projector service: consume `jobs.events` in group `projector`, apply, write, commit.

`rebuild` replays the topic from the beginning into an empty read model.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from pymongo.errors import PyMongoError

from jobstream.adapters import tracing
from jobstream.adapters.first_copy import may_repeat
from jobstream.adapters.kafka import (
    KafkaEventPublisher,
    PublishError,
    dlq_message,
    make_consumer,
    topic_reader,
)
from jobstream.adapters.metrics import CONSUMER_LAG, DLQ_MESSAGES, export_projector_series
from jobstream.adapters.mongo import MongoJobStore, connect
from jobstream.adapters.mongo_expiry import MongoExpiryIndex
from jobstream.adapters.ops_http import OpsServer, ops_app
from jobstream.projector.core import EventRecord, Projector
from jobstream.settings import ProjectorSettings

log = logging.getLogger(__name__)
GROUP = "projector"


class _ForgetOnRebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, projector: Projector, consumer: AIOKafkaConsumer) -> None:
        self.projector, self.consumer = projector, consumer

    async def on_partitions_revoked(self, revoked: object) -> None:
        self.projector.forget()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.projector.forget()
        try:  # the fence: from these offsets on, new jobs need no read (projector/core.py)
            ends = await self.consumer.end_offsets(list(assigned))
        except Exception:  # noqa: BLE001 - without a fence every job is read
            log.warning("could not read the partitions' ends", exc_info=True)
            return
        self.projector.fence.update({tp.partition: end for tp, end in ends.items()})


def _records(batch: Mapping[TopicPartition, Sequence[Any]]) -> list[EventRecord]:
    records = []
    for tp, recs in batch.items():
        for r in recs:
            repeatable = may_repeat(
                r.headers, timestamp_ms=r.timestamp, timestamp_type=r.timestamp_type
            )
            records.append(
                EventRecord(tp.topic, tp.partition, r.offset, r.key, r.value, repeatable=repeatable)
            )
    return records


async def _gather_batch(
    consumer: AIOKafkaConsumer, settings: ProjectorSettings
) -> dict[TopicPartition, list[Any]]:
    """The next batch: what is there, plus what arrives within `batch_linger_ms` of it (up to
    `batch_max_records`). A job's `job.started` and its quick `job.completed` then mostly share a
    batch and cost one store write instead of two; readers see the change that much later."""
    limit = settings.batch_max_records
    batch: dict[TopicPartition, list[Any]] = {
        tp: list(recs)
        for tp, recs in (
            await consumer.getmany(timeout_ms=settings.batch_timeout_ms, max_records=limit)
        ).items()
    }
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.batch_linger_ms / 1000
    while batch and (count := sum(map(len, batch.values()))) < limit:
        left_ms = int((deadline - loop.time()) * 1000)
        if left_ms <= 0:
            break
        for tp, recs in (
            await consumer.getmany(timeout_ms=left_ms, max_records=limit - count)
        ).items():
            batch.setdefault(tp, []).extend(recs)
    return batch


async def _step(
    consumer: AIOKafkaConsumer,
    projector: Projector,
    publisher: KafkaEventPublisher,
    settings: ProjectorSettings,
) -> int:
    batch = await _gather_batch(consumer, settings)
    if not batch:
        return 0
    records = _records(batch)
    started_ns = time.time_ns()
    poison = await projector.apply_batch(records)
    if tracing.enabled():
        traced = [(tp.topic, r.headers) for tp, recs in batch.items() for r in recs]
        tracing.spans_for_batch("apply", traced, start_ns=started_ns)
    if poison:
        await publisher.publish(
            [
                dlq_message(
                    topic=settings.dlq_topic, key=p.key, value=p.value, source=p.topic,
                    partition=p.partition, offset=p.offset, error="undecodable event",
                )
                for p in poison
            ]
        )  # fmt: skip
        DLQ_MESSAGES.labels(settings.events_topic).inc(len(poison))
    await consumer.commit({tp: recs[-1].offset + 1 for tp, recs in batch.items()})
    for tp in batch:
        high = consumer.highwater(tp)
        position = await consumer.position(tp)
        if high is not None:
            CONSUMER_LAG.labels(GROUP, tp.topic, str(tp.partition)).set(max(0, high - position))
    return len(records)


async def run_projector(settings: ProjectorSettings, *, stop: asyncio.Event) -> None:
    client, db = connect(settings.mongo_url, settings.mongo_database)
    store = MongoJobStore(db)
    await store.ensure_indexes()
    projector = Projector(
        store, expiry=MongoExpiryIndex(db), expiry_bucket_seconds=settings.expiry_bucket_seconds,
        cache_size=settings.cache_size,
    )  # fmt: skip
    publisher = KafkaEventPublisher.for_service(settings, client_id="projector")
    consumer = make_consumer(
        bootstrap=settings.kafka_bootstrap, group_id=GROUP, client_id="projector",
        max_poll_records=settings.batch_max_records,
        gather=(32 * 1024, settings.batch_linger_ms or 1),  # the batch the linger waits for
    )  # fmt: skip
    consumer.subscribe([settings.events_topic], listener=_ForgetOnRebalance(projector, consumer))
    ops = OpsServer(
        ops_app(lambda: {"status": "ok"}), host=settings.host, port=settings.metrics_port
    )
    await publisher.start()
    await consumer.start()
    await ops.start()
    export_projector_series(events_topic=settings.events_topic)
    log.info("projector started", extra={"topic": settings.events_topic})
    try:
        while not stop.is_set():
            try:
                await _step(consumer, projector, publisher, settings)
            except (PyMongoError, PublishError):
                # Nothing was committed: re-read from the last commit once the store answers.
                log.exception("projector step failed; retrying from the last commit")
                projector.forget()
                for tp in consumer.assignment():
                    committed = await consumer.committed(tp)
                    if committed is not None:
                        consumer.seek(tp, committed)
                    else:
                        await consumer.seek_to_beginning(tp)
                await asyncio.sleep(1)
    finally:
        await ops.stop()
        await consumer.stop()
        await publisher.stop()
        await client.close()


async def rebuild(settings: ProjectorSettings) -> int:
    """Drop the read model's jobs and replay `jobs.events` from the start. Returns events read.

    Stop the projector first; the gateway may keep running (its inserts are re-applied).
    """
    client, db = connect(settings.mongo_url, settings.mongo_database)
    store = MongoJobStore(db)
    await store.drop()
    await store.ensure_indexes()
    projector = Projector(
        store, expiry=MongoExpiryIndex(db), expiry_bucket_seconds=settings.expiry_bucket_seconds,
        cache_size=settings.cache_size,
    )  # fmt: skip
    total = 0
    reader = topic_reader(settings.kafka_bootstrap, settings.events_topic, client_id="rebuild")
    try:
        async with reader as (consumer, tps):
            end = await consumer.end_offsets(tps)
            while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
                batch = await consumer.getmany(*tps, timeout_ms=1000, max_records=2000)
                records = [
                    r
                    for r in _records(batch)
                    if r.offset < end[TopicPartition(r.topic, r.partition)]
                ]
                await projector.apply_batch(records)
                total += len(records)
    finally:
        await client.close()
    return total
