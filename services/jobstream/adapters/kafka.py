"""Kafka adapters (aiokafka): the event/command publisher and consumer construction.

Every message is keyed by job_id. Headers repeat `type` and `event_id` and carry `traceparent`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import (
    InvalidProducerEpoch,
    KafkaError,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    UnknownProducerId,
)

from jobstream.adapters import tracing
from jobstream.adapters.mongo import OutboxMessage
from jobstream.settings import CommonSettings
from jobstream_schemas.events import Envelope, encode

log = logging.getLogger(__name__)


class PublishError(Exception):
    """Kafka did not acknowledge in time (or refused); the caller keeps the messages."""


def message_for(topic: str, message: Envelope, *, traceparent: str | None = None) -> OutboxMessage:
    headers = [
        ("type", str(getattr(message, "type", "")).encode()),
        ("event_id", message.event_id.encode()),
    ]
    if traceparent:
        headers.append(("traceparent", traceparent.encode()))
    return OutboxMessage(
        topic=topic, key=message.job_id.encode(), value=encode(message), headers=tuple(headers)
    )


PRODUCER_LOST = (OutOfOrderSequenceNumber, UnknownProducerId, InvalidProducerEpoch, ProducerFenced)
"""Errors after which aiokafka's idempotent producer fails every later send: its sequence is
lost, e.g. when the broker was away longer than the delivery bound with sends in flight."""


@dataclass
class KafkaEventPublisher:
    """Publishes messages with `acks=all` and idempotence, in the order given. A producer that
    lost its sequence is replaced by a new one (a new producer id) before the error is raised,
    so the caller's retry goes through once the broker is back."""

    bootstrap: str
    client_id: str = "jobstream"
    request_timeout_seconds: float = 15.0
    _producer: AIOKafkaProducer | None = None
    _replacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    _retired: set[asyncio.Task[None]] = field(default_factory=set)

    @classmethod
    def for_service(cls, settings: CommonSettings, client_id: str) -> KafkaEventPublisher:
        """The publisher of a service, with its Kafka settings."""
        return cls(
            settings.kafka_bootstrap, client_id=client_id,
            request_timeout_seconds=settings.kafka_request_timeout_seconds,
        )  # fmt: skip

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=0,
            request_timeout_ms=int(self.request_timeout_seconds * 1000),
            max_request_size=2 * 1024 * 1024,
        )

    async def start(self) -> None:
        self._producer = self._new_producer()
        await self._producer.start()

    @contextlib.asynccontextmanager
    async def _sending(self) -> AsyncIterator[AIOKafkaProducer]:
        """The producer to send with; a failure (a Kafka error, or the caller's timeout)
        becomes a PublishError, after replacing the producer if it lost its sequence."""
        producer = self.producer
        try:
            yield producer
        except (TimeoutError, KafkaError) as exc:
            await self._replace_if_lost(producer, exc)
            raise PublishError(f"{type(exc).__name__}: {exc}") from exc

    async def _replace_if_lost(self, failed: AIOKafkaProducer, exc: BaseException) -> None:
        if not isinstance(exc, PRODUCER_LOST):
            return
        async with self._replacing:
            if self._producer is not failed:  # a concurrent failure replaced it already
                return
            fresh = self._new_producer()
            try:
                await fresh.start()
            except KafkaError as start_error:  # the broker is still away: the next failure retries
                log.warning("kafka producer not replaced", extra={"error": repr(start_error)})
                return
            self._producer = fresh
        log.warning("kafka producer replaced", extra={"error": repr(exc)})
        task = asyncio.create_task(_stop_quietly(failed, self.request_timeout_seconds))
        self._retired.add(task)
        task.add_done_callback(self._retired.discard)

    async def stop(self) -> None:
        if self._retired:  # replaced producers still closing
            await asyncio.gather(*self._retired, return_exceptions=True)
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("publisher not started")
        return self._producer

    async def publish(
        self, messages: Sequence[OutboxMessage], *, timeout: float | None = None
    ) -> None:
        """Send each message after the previous one is acknowledged, so that a job's event
        (e.g. job.created) is in the log before the command that makes a worker react to it.
        """
        async with self._sending() as producer, asyncio.timeout(timeout):
            for m in messages:
                with tracing.produce_span(m.topic, m.headers) as headers:
                    await producer.send_and_wait(m.topic, m.value, key=m.key, headers=list(headers))

    async def publish_waves(
        self, waves: Sequence[Sequence[OutboxMessage]], *, timeout: float | None = None
    ) -> None:
        """Send each wave's messages at once (the producer batches them) and wait for all their
        acknowledgements before the next wave: a batch's events, then its commands."""
        async with self._sending() as producer, asyncio.timeout(timeout):
            for wave in waves:
                futures = []
                for m in wave:
                    with tracing.produce_span(m.topic, m.headers) as headers:
                        futures.append(
                            await producer.send(m.topic, m.value, key=m.key, headers=list(headers))
                        )
                await asyncio.gather(*futures)

    async def send_unordered(self, messages: Sequence[OutboxMessage]) -> None:
        """Send a batch concurrently (one partition keeps order per key); wait for all acks."""
        await self.publish_waves([messages])


async def _stop_quietly(producer: AIOKafkaProducer, timeout: float) -> None:
    """Close a replaced producer; its pending sends have failed and cannot be delivered."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(timeout):
            await producer.stop()


def make_consumer(
    *topics: str,
    bootstrap: str,
    group_id: str | None,
    client_id: str,
    max_poll_records: int = 500,
    auto_offset_reset: str = "earliest",
    gather: tuple[int, int] | None = None,
) -> AIOKafkaConsumer:
    """A consumer that commits only when told to (the runtimes commit their low watermarks).

    `gather` = (bytes, ms): the broker answers a fetch once that many bytes are there or that
    long has passed. A busy topic then costs a fetch per batch instead of one per few records
    (each is broker CPU); an idle one costs a fetch every `ms`. None: answer at the first byte
    (up to 500 ms idle), for consumers whose latency is the job's (workers)."""
    min_bytes, wait_ms = gather or (1, 500)
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset=auto_offset_reset,
        max_poll_records=max_poll_records,
        fetch_min_bytes=min_bytes,
        fetch_max_wait_ms=wait_ms,
        isolation_level="read_committed",
        session_timeout_ms=10000,
        heartbeat_interval_ms=2000,
        max_poll_interval_ms=300000,
    )


def dlq_message(
    *, topic: str, key: bytes | None, value: bytes | None, source: str, partition: int,
    offset: int, error: str,
) -> OutboxMessage:  # fmt: skip
    """An undecodable or poison message, with where it came from and why, for operators."""
    headers = (
        ("dlq.source.topic", source.encode()),
        ("dlq.source.partition", str(partition).encode()),
        ("dlq.source.offset", str(offset).encode()),
        ("dlq.error", error[:1000].encode()),
    )
    return OutboxMessage(topic=topic, key=key or b"", value=value or b"", headers=headers)


async def topic_partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """All partitions of a topic, refreshing the metadata the consumer caches.

    `partitions_for_topic` reads a cache that `topics()` does not fill; aiokafka has no public
    refresh, so this calls the client's metadata update (stable across 0.8-0.14).
    """
    parts = consumer.partitions_for_topic(topic)
    if not parts:
        await consumer._client.force_metadata_update()
        parts = consumer.partitions_for_topic(topic) or set()
    return [TopicPartition(topic, p) for p in sorted(parts)]


@contextlib.asynccontextmanager
async def topic_reader(
    bootstrap: str,
    *topics: str,
    client_id: str,
    from_end: bool = False,
    gather: tuple[int, int] | None = None,
) -> AsyncIterator[tuple[AIOKafkaConsumer, list[TopicPartition]]]:
    """A consumer outside any group, assigned every partition of `topics` and positioned at their
    beginning (or, `from_end`, their current end); stopped when the block ends."""
    consumer = make_consumer(bootstrap=bootstrap, group_id=None, client_id=client_id, gather=gather)
    await consumer.start()
    try:
        tps = [tp for topic in topics for tp in await topic_partitions(consumer, topic)]
        consumer.assign(tps)
        if from_end:
            await consumer.seek_to_end(*tps)
        else:
            await consumer.seek_to_beginning(*tps)
        for tp in tps:
            await consumer.position(tp)  # resolve the lazy seek now, not at the first fetch
        yield consumer, tps
    finally:
        await consumer.stop()


@dataclass
class KafkaGroupProgress:
    """How far a consumer group (by default `projector`, on `jobs.events`) has committed.

    Uses a consumer of its own, subscribed to nothing: a worker's consumer only has metadata for
    its command topic, and would report `jobs.events` as having no partitions at all.
    """

    bootstrap: str
    topic: str
    group: str = "projector"
    _consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False
        )
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def log_end(self) -> dict[TopicPartition, int]:
        if self._consumer is None:
            raise RuntimeError("group progress not started")
        tps = await topic_partitions(self._consumer, self.topic)
        if not tps:
            raise RuntimeError(f"no partitions found for {self.topic}")
        return dict(await self._consumer.end_offsets(tps))

    async def caught_up(self, fence: dict[TopicPartition, int]) -> bool:
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            committed = await admin.list_consumer_group_offsets(self.group)
        except KafkaError:
            return False  # e.g. no coordinator yet for a group that never committed
        finally:
            await admin.close()
        return all(
            end == 0 or (tp in committed and committed[tp].offset >= end)
            for tp, end in fence.items()
        )
