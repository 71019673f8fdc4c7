"""jobstream end to end: N no-op jobs over HTTP, open loop, until the read model has them terminal.

Throughput is N over the time from the first intended submission to the moment the read model
(what `GET /v1/jobs` serves) holds every job in a terminal state. Latency per job runs from the
client's intended send time to the `occurred_at` of the job's terminal event (the worker's
clock, same machine), read back from `jobs.events` after the run so the collector does not
compete with the system under test for the two cores.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from bench.loadgen import OpenLoopResult, open_loop, percentiles, poll_until
from bench.stack import NOOP_ENDPOINT, BenchStack
from jobstream.adapters.kafka import topic_partitions
from jobstream.core.listing import encode_metadata_pair
from jobstream.settings import CommonSettings
from jobstream_schemas.events import TERMINAL_EVENT_TYPES

TERMINAL_STATUSES = ["completed", "failed", "cancelled", "expired"]


class HttpStatusError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


async def submit_open_loop(
    bench: BenchStack,
    *,
    jobs: int,
    rate: float,
    request: dict[str, Any],
    batch: str,
    connections: int = 256,
) -> tuple[OpenLoopResult, dict[str, float]]:
    """POST /v1/jobs open loop; returns the run and each job's intended send time (wall)."""
    intended: dict[str, float] = {}
    connector = aiohttp.TCPConnector(limit=connections)
    headers = {"Api-Key": bench.api_key}
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        bench.url, headers=headers, connector=connector, timeout=timeout
    ) as session:
        latencies: list[float] = []

        async def create(i: int, intended_at: float) -> None:
            body = {
                "endpoint": NOOP_ENDPOINT,
                "request": request,
                "metadata": {"batch": batch, "i": str(i)},
            }
            async with session.post("/v1/jobs", json=body) as resp:
                if resp.status not in (200, 202):
                    raise HttpStatusError(resp.status)
                job = await resp.json()
            latencies.append(time.time() - intended_at)
            intended[job["id"]] = intended_at

        result = await open_loop(rate, jobs, create)
        result.latencies = latencies
    return result, intended


async def count_terminal(mongo_url: str, batch: str) -> int:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        query = {
            "metadata_pairs": encode_metadata_pair("batch", batch),
            "status": {"$in": TERMINAL_STATUSES},
        }
        return await client["jobstream"]["jobs"].count_documents(query)
    finally:
        await client.close()


async def terminal_times(bootstrap: str, job_ids: set[str], *, timeout: float) -> dict[str, float]:
    """`occurred_at` (epoch seconds) of the first terminal event of each job, read from the
    start of jobs.events without a consumer group."""
    topic = CommonSettings(kafka_bootstrap=bootstrap).events_topic
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    found: dict[str, float] = {}
    try:
        partitions = await topic_partitions(consumer, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout

        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            for records in batches.values():
                for record in records:
                    if record.value is None:
                        continue
                    event = json.loads(record.value)
                    job_id = event.get("job_id")
                    if event.get("type") in TERMINAL_EVENT_TYPES and job_id in job_ids:
                        at = datetime.fromisoformat(event["occurred_at"]).timestamp()
                        found.setdefault(job_id, at)
            positions = {tp: await consumer.position(tp) for tp in partitions}
            if all(positions[tp] >= ends[tp] for tp in partitions):
                break
    finally:
        await consumer.stop()
    return found


async def run_jobstream(
    bench: BenchStack, *, jobs: int, rate: float, request: dict[str, Any], timeout: float = 3600
) -> dict[str, Any]:
    batch = uuid.uuid4().hex
    start_wall = time.time()
    submitted, intended = await submit_open_loop(
        bench, jobs=jobs, rate=rate, request=request, batch=batch
    )
    accepted = len(intended)

    async def all_terminal() -> bool:
        return await count_terminal(bench.mongo_url, batch) >= accepted

    await poll_until(all_terminal, timeout=timeout, interval=0.5, what="all jobs terminal")
    wall = time.time() - start_wall
    done_at = await terminal_times(bench.kafka_bootstrap, set(intended), timeout=300)
    latencies = [done_at[job] - sent for job, sent in intended.items() if job in done_at]
    return {
        "jobs": jobs,
        "accepted": accepted,
        "throughput_jobs_per_s": round(accepted / wall, 1),
        "wall_seconds": round(wall, 2),
        "latency_ms": percentiles(latencies),
        "create": submitted.summary(),
    }
