"""The limit of the pipe: aiokafka produce (acks=all) and consume of N same-sized messages.

Same broker, same partition count as a command topic, same producer guarantees as jobstream's
publisher (acks=all, idempotent), keys like job ids. The consumer is a group member started
before the first send. Throughput is N over first send to last receive; latency per message is
receive time minus send time (both this process's clock).
"""

from __future__ import annotations

import asyncio
import struct
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.loadgen import percentiles
from jobstream.core.ids import new_job_id

_STAMP = struct.Struct("!d")


async def run_raw_kafka(
    bootstrap: str, *, messages: int, size: int, partitions: int, timeout: float = 600
) -> dict[str, object]:
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, replication_factor=1)])
    finally:
        await admin.close()

    received: list[float] = []
    latencies: list[float] = []
    assigned = asyncio.Event()

    class _Assigned(ConsumerRebalanceListener):  # type: ignore[misc]
        async def on_partitions_revoked(self, revoked: object) -> None:
            pass

        async def on_partitions_assigned(self, parts: object) -> None:
            assigned.set()

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=f"{topic}.consumer", auto_offset_reset="earliest",
        enable_auto_commit=True, max_poll_records=2000,
    )  # fmt: skip
    consumer.subscribe([topic], listener=_Assigned())
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=0
    )
    await consumer.start()
    await producer.start()
    done = asyncio.Event()

    async def consume() -> None:
        while len(received) < messages:
            batch = await consumer.getmany(timeout_ms=200)
            now = time.time()
            for records in batch.values():
                for record in records:
                    received.append(now)
                    latencies.append(now - _STAMP.unpack_from(record.value or b"")[0])
        done.set()

    try:
        consuming = asyncio.create_task(consume())
        await asyncio.wait_for(assigned.wait(), 60)
        padding = b"x" * max(0, size - _STAMP.size)
        first_send = time.time()
        futures = []
        for _ in range(messages):
            value = _STAMP.pack(time.time()) + padding
            futures.append(await producer.send(topic, value, key=new_job_id().encode()))
        await asyncio.gather(*futures)
        produced = time.time() - first_send
        await asyncio.wait_for(consuming, timeout)
        wall = max(received) - first_send
    finally:
        await producer.stop()
        await consumer.stop()
    return {
        "messages": messages,
        "message_bytes": size,
        "partitions": partitions,
        "produce_msgs_per_s": round(messages / produced, 1),
        "throughput_msgs_per_s": round(messages / wall, 1),
        "wall_seconds": round(wall, 2),
        "latency_ms": percentiles(latencies),
    }
