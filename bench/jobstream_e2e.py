"""jobstream end to end: N no-op jobs over HTTP, open loop, until the read model has them terminal.

Throughput is N over the time from the first intended submission to the moment the read model
(what `GET /v1/jobs` serves) holds every job in a terminal state. Latency per job runs from the
client's intended send time to the `occurred_at` of the job's terminal event (the worker's
clock, same machine), heard on `jobs.events` by a watcher in this process that fetches in
large batches and decodes only terminal events (by their `type` header), so the collector takes
little from the system under test on the two cores. `client_cpu_ms_per_job` is what this
process (load generator and watcher) spent; the Celery run reports its client the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from bench.loadgen import OpenLoopResult, open_loop, percentiles, poll_until
from bench.stack import BenchStack
from jobstream.adapters.kafka import topic_reader
from jobstream.adapters.mongo import IDS_PER_QUERY
from jobstream.core.endpoints import NOOP_ENDPOINT
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


class EndedInReadModel:
    """The finish line: every one of these jobs shows an ended status in the read model.

    Asked by `_id $in` lists, which the `_id` index serves, and only for the jobs not yet seen
    ended: a filter on the batch's metadata pair would make FerretDB scan every document, more
    of them with each round of a run, and move the finish line later each round."""

    def __init__(self, mongo_url: str, job_ids: Iterable[str]) -> None:
        self._mongo_url = mongo_url
        self.pending = set(job_ids)

    async def all_ended(self) -> bool:
        if not self.pending:
            return True
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self._mongo_url)
        try:
            jobs, ids = client["jobstream"]["jobs"], sorted(self.pending)
            for start in range(0, len(ids), IDS_PER_QUERY):
                chunk = {"$in": ids[start : start + IDS_PER_QUERY]}
                async for doc in jobs.find({"_id": chunk}, {"status": 1}):
                    if doc.get("status") in TERMINAL_STATUSES:
                        self.pending.discard(str(doc["_id"]))
        finally:
            await client.close()
        return not self.pending


class TerminalWatcher:
    """Follows `jobs.events` from its current end and records each job's first terminal event
    (`occurred_at`, epoch seconds). Cheaper for the system under test than polling the read
    model, which FerretDB answers by scanning every document."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._open = contextlib.AsyncExitStack()
        self._task: asyncio.Task[None] | None = None
        self.done_at: dict[str, float] = {}

    async def start(self) -> None:
        topic = CommonSettings(kafka_bootstrap=self._bootstrap).events_topic
        reader = topic_reader(  # in large fetches: the watcher is not the system under test
            self._bootstrap, topic, client_id="bench-watcher", from_end=True,
            gather=(256 * 1024, 200),
        )  # fmt: skip
        consumer, _ = await self._open.enter_async_context(reader)
        self._task = asyncio.create_task(self._follow(consumer))

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            for records in batches.values():
                for record in records:
                    # the header repeats the type: only terminal events are decoded
                    kind = next((v for k, v in record.headers if k == "type"), None)
                    if kind is not None and kind.decode() not in TERMINAL_EVENT_TYPES:
                        continue
                    event = json.loads(record.value or b"{}")
                    if event.get("type") in TERMINAL_EVENT_TYPES:
                        at = datetime.fromisoformat(event["occurred_at"]).timestamp()
                        self.done_at.setdefault(event["job_id"], at)

    async def wait_for(self, job_ids: Iterable[str], *, timeout: float) -> None:
        pending = set(job_ids)

        async def all_seen() -> bool:
            pending.difference_update(self.done_at.keys() & pending)
            return not pending

        await poll_until(all_seen, timeout=timeout, interval=0.1, what="terminal events")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._open.aclose()


async def run_jobstream(
    bench: BenchStack, *, jobs: int, rate: float, request: dict[str, Any], timeout: float = 3600
) -> dict[str, Any]:
    batch = uuid.uuid4().hex
    watcher = TerminalWatcher(bench.kafka_bootstrap)
    await watcher.start()
    try:
        client_cpu = time.process_time()
        start_wall = time.time()
        submitted, intended = await submit_open_loop(
            bench, jobs=jobs, rate=rate, request=request, batch=batch
        )
        accepted = len(intended)
        await watcher.wait_for(intended, timeout=timeout)

        # The events are out; the read model (what clients see) is the finish line.
        finish = EndedInReadModel(bench.mongo_url, intended)
        await poll_until(finish.all_ended, timeout=timeout, interval=0.1, what="all jobs ended")
        wall = time.time() - start_wall
        client_cpu = time.process_time() - client_cpu
    finally:
        await watcher.stop()
    latencies = [watcher.done_at[job] - sent for job, sent in intended.items()]
    return {
        "jobs": jobs,
        "accepted": accepted,
        "throughput_jobs_per_s": round(accepted / wall, 1),
        "wall_seconds": round(wall, 2),
        "latency_ms": percentiles(latencies),
        "create": submitted.summary(),
        # the load generator and the terminal-event watcher: this process, on the same two cores
        "client_cpu_ms_per_job": round(client_cpu * 1000 / max(1, accepted), 3),
    }
