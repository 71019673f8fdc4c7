"""The publisher replaces a producer that lost its idempotent sequence (adapters/kafka.py)."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError, OutOfOrderSequenceNumber

from jobstream.adapters.kafka import KafkaEventPublisher, PublishError
from jobstream.adapters.mongo import OutboxMessage

MESSAGE = OutboxMessage(topic="t", key=b"k", value=b"v", headers=())


class FakeProducer:
    def __init__(self, error: Exception | None) -> None:
        self.error, self.started, self.stopped, self.sent = error, False, False, 0

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(self, *_: Any, **__: Any) -> None:
        if self.error is not None:
            raise self.error
        self.sent += 1


def publisher_with(*producers: FakeProducer) -> KafkaEventPublisher:
    queue = list(producers)
    publisher = KafkaEventPublisher("unused:9092")
    publisher._new_producer = lambda: queue.pop(0)  # type: ignore[assignment,method-assign,return-value]
    return publisher


async def test_a_lost_sequence_replaces_the_producer_and_the_retry_goes_through() -> None:
    lost, fresh = FakeProducer(OutOfOrderSequenceNumber()), FakeProducer(None)
    publisher = publisher_with(lost, fresh)
    await publisher.start()
    with pytest.raises(PublishError, match="OutOfOrderSequenceNumber"):
        await publisher.publish([MESSAGE])
    assert publisher.producer is fresh and fresh.started
    await publisher.publish([MESSAGE])
    assert fresh.sent == 1
    await publisher.stop()
    assert lost.stopped  # closed in the background once replaced


async def test_other_failures_keep_the_producer() -> None:
    slow = FakeProducer(KafkaTimeoutError())
    publisher = publisher_with(slow)
    await publisher.start()
    with pytest.raises(PublishError, match="KafkaTimeoutError"):
        await publisher.publish([MESSAGE])
    assert publisher.producer is slow
