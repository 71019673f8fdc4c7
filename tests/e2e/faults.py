"""Helpers for the fault tests: bulk submission, waiting on a batch, reading jobs.events."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx

from jobstream.adapters.kafka import topic_reader
from jobstream.core.listing import encode_metadata_pair
from jobstream_schemas.events import TERMINAL_EVENT_TYPES, decode_event
from tests.e2e.conftest import RunningStack, wait_for

NOOP = "/v1/diagnostics/noop"


async def submit_batch(
    client: httpx.AsyncClient, n: int, request: dict[str, Any], *, parallel: int = 32
) -> tuple[str, list[str]]:
    """n noop jobs tagged with a fresh batch id; returns (batch, ids)."""
    batch = uuid.uuid4().hex
    sem = asyncio.Semaphore(parallel)

    async def one(i: int) -> str:
        body = {"endpoint": NOOP, "request": request, "metadata": {"batch": batch, "i": str(i)}}
        async with sem:
            resp = await client.post("/v1/jobs", json=body)
        assert resp.status_code in (200, 202), resp.text
        return str(resp.json()["id"])

    return batch, list(await asyncio.gather(*(one(i) for i in range(n))))


async def count_in(stack: RunningStack, batch: str, statuses: str) -> int:
    """How many jobs of the batch have one of the statuses, read straight from the read model
    (paging the API every few milliseconds would load the very system under test)."""
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.layout.ports.mongo_url)
    try:
        query = {
            "metadata_pairs": encode_metadata_pair("batch", batch),
            "status": {"$in": statuses.split(",")},
        }
        return await client["jobstream"]["jobs"].count_documents(query)
    finally:
        await client.close()


async def wait_batch(stack: RunningStack, batch: str, n: int, *, timeout: float) -> None:
    async def done() -> bool:
        return await count_in(stack, batch, "completed,failed,cancelled,expired") == n

    await wait_for(done, timeout=timeout, what=f"all {n} jobs of the batch to end", interval=0.5)


HISTORY: dict[str, list[str]] = {}


async def terminal_events(stack: RunningStack, ids: set[str]) -> Counter[tuple[str, int]]:
    """Terminal events on jobs.events per (job_id, attempt), for the given jobs (and each job's
    history in HISTORY, to explain a failure)."""
    seen: Counter[tuple[str, int]] = Counter()
    keys = {i.encode() for i in ids}
    reader = topic_reader(stack.layout.ports.kafka_bootstrap, "jobs.events", client_id="e2e")
    async with reader as (consumer, tps):
        end = await consumer.end_offsets(tps)

        async def drained() -> bool:
            batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
            for recs in batch.values():
                for rec in recs:
                    if rec.key in keys:
                        event = decode_event(rec.value or b"")
                        worker = getattr(event.payload, "worker_id", "")
                        HISTORY.setdefault(event.job_id, []).append(
                            f"{event.occurred_at:%H:%M:%S.%f} p{rec.partition}@{rec.offset} {event.type} {worker}"
                        )
                        if event.type in TERMINAL_EVENT_TYPES:
                            seen[(event.job_id, event.attempt)] += 1
            return all([await consumer.position(tp) >= end[tp] for tp in tps])

        await wait_for(drained, timeout=60, what="jobs.events read to its end")
    return seen


def assert_exactly_once(seen: Counter[tuple[str, int]], ids: list[str]) -> None:
    missing = [i for i in ids if (i, 1) not in seen]
    doubled = {k: v for k, v in seen.items() if v > 1}
    assert not missing, f"{len(missing)} jobs without a terminal event, e.g. {missing[:3]}"
    assert not doubled, (
        f"{len(doubled)} (job, attempt) with several terminal events: {list(doubled.items())[:3]}"
    )


async def restart_kafka(stack: RunningStack) -> None:
    """Stop the broker (SIGTERM) and start it again on the same data, waiting until it answers."""
    await asyncio.to_thread(stack.stop, "kafka")
    await start_kafka(stack)


async def start_kafka(stack: RunningStack) -> None:
    from jobstream.devstack import infra

    kafka = stack.layout.process("kafka")
    infra.start_kafka(kafka, ports=stack.layout.ports, data=stack.layout.data_dir / "kafka")
    await infra.wait_until(
        lambda: infra.kafka_ready(stack.layout.ports.kafka_bootstrap),
        what="kafka",
        timeout=90,
        proc=kafka,
    )
