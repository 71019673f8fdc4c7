"""Kafka stopped: create still answers (202, dispatch_delayed) from the outbox; Kafka back: the
job completes once. A producer whose sends were in flight through an outage longer than its
delivery bound publishes again once the broker is back. Runs last in the session because it
stops the broker under the stack."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

import pytest

from jobstream.adapters.kafka import KafkaEventPublisher, PublishError
from jobstream.adapters.kafka_topics import ensure_topics
from jobstream.adapters.mongo import OutboxMessage
from tests.e2e.conftest import RunningStack, wait_for
from tests.e2e.faults import NOOP, assert_exactly_once, start_kafka, terminal_events
from tests.e2e.test_jobs_api import is_terminal

pytestmark = pytest.mark.e2e


async def test_kafka_down_create_is_delayed_not_lost_and_completes_once_when_back(
    noop_worker: RunningStack,
) -> None:
    stack = noop_worker
    await asyncio.to_thread(stack.stop, "kafka")
    try:
        async with stack.client() as client:
            resp = await client.post(
                "/v1/jobs", json={"endpoint": NOOP, "request": {}, "metadata": {"outage": "1"}}
            )
            assert resp.status_code == 202, resp.text
            job = resp.json()
            assert [w["code"] for w in job["warnings"]] == ["dispatch_delayed"]
            assert job["status"] == "queued"
            # Stored before dispatch: readable at once, even with Kafka down.
            assert (await client.get(f"/v1/jobs/{job['id']}")).json()["status"] == "queued"
            # A batch in the same outage: every created item carries the warning.
            items = [{"endpoint": NOOP, "request": {}, "metadata": {"outage": "batch"}}] * 2
            batch = await client.post("/v1/jobs/batch", json={"jobs": [*items, {"x": 1}]})
            assert batch.status_code == 200, batch.text
            first, second, invalid = batch.json()["data"]
            assert [w["code"] for w in first["warnings"]] == ["dispatch_delayed"]
            assert [w["code"] for w in second["warnings"]] == ["dispatch_delayed"]
            assert invalid["error"]["code"] == "validation_error"
    finally:
        await start_kafka(stack)
    async with stack.client() as client:
        done = await stack.job_when(client, job["id"], is_terminal, timeout=90)
        listed = (await client.get("/v1/jobs", params={"metadata": '{"outage":"1"}'})).json()[
            "data"
        ]
        batch_ids = [first["id"], second["id"]]
        for job_id in batch_ids:
            assert (await stack.job_when(client, job_id, is_terminal))["status"] == "completed"
    assert done["status"] == "completed"
    assert [j["id"] for j in listed] == [job["id"]]
    ids = [job["id"], *batch_ids]
    assert_exactly_once(await terminal_events(stack, set(ids)), ids)


async def test_a_producer_whose_sequence_was_lost_in_an_outage_publishes_again(
    noop_worker: RunningStack,
) -> None:
    """aiokafka's idempotent producer can fail every send after such an outage (it lost its
    sequence: OutOfOrderSequenceNumber); the publisher replaces it, so sends go through again.
    Whether the sequence is lost depends on where the outage catches the batches (expired in the
    accumulator, or retried in flight), so the replacement itself is unit-tested
    (tests/unit/test_kafka_publisher.py); this checks that sends resume on a real broker."""
    stack = noop_worker
    bootstrap = stack.layout.ports.kafka_bootstrap
    topic = f"test.outage.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, {topic: (3, {})})
    publisher = KafkaEventPublisher(bootstrap, client_id="test-outage", request_timeout_seconds=1)
    await publisher.start()
    first = publisher.producer
    failures: list[str] = []

    async def keep_sending(i: int) -> None:
        message = OutboxMessage(topic=topic, key=str(i).encode(), value=b"x", headers=())
        while True:
            try:
                await publisher.publish([message])
            except PublishError as exc:
                failures.append(str(exc))
                await asyncio.sleep(0.05)

    senders = [asyncio.create_task(keep_sending(i)) for i in range(20)]
    try:
        await asyncio.to_thread(stack.stop, "kafka")
        stopped_at = time.monotonic()

        async def past_the_delivery_bound() -> bool:  # 2 x 1 s request timeout, and a margin
            return time.monotonic() - stopped_at > 4

        await wait_for(past_the_delivery_bound, timeout=30, what="the outage to outlast sends")
    finally:
        await start_kafka(stack)
    probe = OutboxMessage(topic=topic, key=b"probe", value=b"after", headers=())

    async def publishes() -> bool:
        try:
            await publisher.publish([probe], timeout=5)
        except PublishError:
            return False
        return True

    try:
        await wait_for(publishes, timeout=60, what="a send to go through after the outage")
        if publisher.producer is not first:  # the sequence was lost and the producer replaced
            assert any("OutOfOrderSequenceNumber" in f for f in failures), set(failures)
    finally:
        for task in senders:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*senders)
        await publisher.stop()
