"""The worker's view of the projector's progress, on the real broker."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition

from jobstream.adapters.kafka import KafkaGroupProgress, make_consumer
from jobstream.adapters.kafka_topics import ensure_topics
from jobstream.devstack.stack import StackLayout

pytestmark = pytest.mark.integration


async def test_the_fence_covers_every_partition_and_tracks_the_group(
    infra_stack: StackLayout,
) -> None:
    bootstrap = infra_stack.ports.kafka_bootstrap
    topic, group = f"events-{uuid.uuid4().hex[:8]}", f"proj-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, {topic: (3, {})})
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for i in range(9):
            await producer.send_and_wait(topic, b"e", key=f"job_{i}".encode())
    finally:
        await producer.stop()
    progress = KafkaGroupProgress(bootstrap, topic, group=group)
    await progress.start()
    try:
        fence = await progress.log_end()
        assert sorted(tp.partition for tp in fence) == [0, 1, 2]
        assert sum(fence.values()) == 9
        assert not await progress.caught_up(fence)
        consumer = make_consumer(topic, bootstrap=bootstrap, group_id=group, client_id="it")
        await consumer.start()
        try:
            await consumer.commit(
                {
                    TopicPartition(topic, p): o
                    for p, o in ((tp.partition, off) for tp, off in fence.items())
                }
            )
        finally:
            await consumer.stop()
        assert await progress.caught_up(fence)
    finally:
        await progress.stop()
