"""Kafka stopped: create still answers (202, dispatch_delayed) from the outbox; Kafka back: the
job completes once. Runs last in the session because it restarts the broker under the stack."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from aiokafka import AIOKafkaConsumer

from jobstream.adapters.kafka import topic_partitions
from jobstream.devstack import infra
from jobstream_schemas.events import decode_event
from tests.e2e.conftest import RunningStack, wait_for
from tests.e2e.test_jobs_api import NOOP, is_terminal

pytestmark = pytest.mark.e2e


async def _event_types(stack: RunningStack, job_id: str) -> Counter[str]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=stack.layout.ports.kafka_bootstrap, enable_auto_commit=False
    )
    await consumer.start()
    seen: Counter[str] = Counter()
    try:
        tps = await topic_partitions(consumer, "jobs.events")
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)

        async def drained() -> bool:
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            for recs in batch.values():
                for r in recs:
                    if r.key == job_id.encode():
                        event = decode_event(r.value or b"")
                        seen[f"{event.type}@{event.attempt}"] += 1
            return all([await consumer.position(tp) >= end[tp] for tp in tps])

        await wait_for(drained, timeout=30, what="jobs.events read to its end")
    finally:
        await consumer.stop()
    return seen


async def test_kafka_down_create_is_delayed_not_lost_and_completes_once_when_back(
    noop_worker: RunningStack,
) -> None:
    stack = noop_worker
    kafka = stack.layout.process("kafka")
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
    finally:
        infra.start_kafka(kafka, ports=stack.layout.ports, data=stack.layout.data_dir / "kafka")
        await infra.wait_until(
            lambda: infra.kafka_ready(stack.layout.ports.kafka_bootstrap),
            what="kafka",
            timeout=90,
            proc=kafka,
        )
    async with stack.client() as client:
        done = await stack.job_when(client, job["id"], is_terminal, timeout=90)
        listed = (await client.get("/v1/jobs", params={"metadata": '{"outage":"1"}'})).json()[
            "data"
        ]
    assert done["status"] == "completed"
    assert [j["id"] for j in listed] == [job["id"]]
    types = await _event_types(stack, job["id"])
    terminal = sum(
        n
        for t, n in types.items()
        if t.split("@")[0] in {"job.completed.v1", "job.failed.v1", "job.cancelled.v1"}
    )
    assert terminal == 1, types
