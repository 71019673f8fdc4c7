"""The worker runtime under faults, on the real stack: processes killed with SIGKILL, a broker
restart, partitions moving to a new instance, poison messages, cancels of running work."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from jobstream.adapters.kafka import topic_reader
from jobstream.devstack.services import cli_path, service_specs
from jobstream.devstack.stack import ServiceSpec
from tests.e2e.conftest import RunningStack, wait_for
from tests.e2e.faults import (
    NOOP,
    assert_exactly_once,
    count_in,
    restart_kafka,
    submit_batch,
    terminal_events,
    wait_batch,
)

pytestmark = pytest.mark.e2e


async def noop_workers(stack: RunningStack, *instances: int) -> None:
    await stack.start_and_wait([stack.noop_worker(i) for i in instances])


async def batch_through_a_fault(
    stack: RunningStack, n: int, *, fault_after: int, fault: Callable[[], Awaitable[None]]
) -> list[str]:
    """Submit n noop jobs, inject the fault once `fault_after` have completed, wait until every
    job of the batch has completed; returns their ids."""
    async with stack.client() as client:
        batch, ids = await submit_batch(client, n, {"sleep_seconds": 0.02})

    async def some_done() -> bool:
        return await count_in(stack, batch, "completed") >= fault_after

    await wait_for(some_done, timeout=120, what="a first part of the batch", interval=0.2)
    await fault()
    await wait_batch(stack, batch, n, timeout=240)
    assert await count_in(stack, batch, "completed") == n
    return ids


async def test_sigkill_one_of_two_workers_with_2000_jobs_in_flight(
    noop_worker: RunningStack,
) -> None:
    stack = noop_worker
    await noop_workers(stack, 1, 2)

    async def kill_worker() -> None:
        stack.stop("worker-noop-2", hard=True)

    ids = await batch_through_a_fault(stack, 2000, fault_after=300, fault=kill_worker)
    assert_exactly_once(await terminal_events(stack, set(ids)), ids)


async def test_adding_a_worker_mid_run_loses_and_doubles_nothing(noop_worker: RunningStack) -> None:
    stack = noop_worker

    async def add_worker() -> None:
        await noop_workers(stack, 3)

    ids = await batch_through_a_fault(stack, 1000, fault_after=100, fault=add_worker)
    stack.stop("worker-noop-3")
    assert_exactly_once(await terminal_events(stack, set(ids)), ids)


async def test_sigkill_the_projector_and_it_converges_to_a_rebuild(
    noop_worker: RunningStack,
) -> None:
    stack = noop_worker

    async def kill_and_restart_projector() -> None:
        stack.stop("projector", hard=True)
        projector = next(s for s in service_specs(stack.layout, {}) if s.name == "projector")
        await stack.start_and_wait([projector])

    ids = await batch_through_a_fault(stack, 500, fault_after=50, fault=kill_and_restart_projector)
    live = await read_jobs(stack, "jobstream", ids)
    await rebuild_into(stack, "jobstream_rebuild")
    rebuilt = await read_jobs(stack, "jobstream_rebuild", ids)
    assert len(live) == len(ids)
    assert live == rebuilt


async def read_jobs(stack: RunningStack, database: str, ids: list[str]) -> dict[str, Any]:
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.layout.ports.mongo_url)
    try:
        jobs = client[database]["jobs"]
        return {i: await jobs.find_one({"_id": i}) for i in ids}
    finally:
        await client.close()


async def rebuild_into(stack: RunningStack, database: str) -> None:
    cli = str(Path(sys.executable).parent / "jobstream")
    env = {**stack.layout.infra_env(), "JOBSTREAM_MONGO_DATABASE": database}
    proc = await asyncio.create_subprocess_exec(
        cli, "projector", "rebuild", env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()


async def test_kafka_restart_mid_run_loses_nothing_and_leaves_nothing_stuck(
    noop_worker: RunningStack,
) -> None:
    stack = noop_worker
    async with stack.client() as client:
        batch, ids = await submit_batch(client, 300, {"sleep_seconds": 0.05})
        await restart_kafka(stack)
        await wait_batch(stack, batch, len(ids), timeout=240)
        assert await count_in(stack, batch, "completed") == len(ids)
    assert_exactly_once(await terminal_events(stack, set(ids)), ids)


async def test_a_poison_command_goes_to_the_dlq_and_the_next_job_runs(
    noop_worker: RunningStack,
) -> None:
    stack = noop_worker
    bootstrap = stack.layout.ports.kafka_bootstrap
    marker = f"poison-{time.time_ns()}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            "jobs.commands.noop", b"\x00not json" + marker, key=b"job_poison"
        )
        await producer.send_and_wait(
            "jobs.commands.noop",
            b'{"type":"cmd.unknown.v9","m":"' + marker + b'"}',
            key=b"job_poison",
        )
    finally:
        await producer.stop()
    async with stack.client() as client:
        resp = await client.post("/v1/jobs", json={"endpoint": NOOP, "request": {}})
        done = await stack.job_when(client, resp.json()["id"], lambda j: j["status"] == "completed")
    assert done["status"] == "completed"
    dlq = await read_dlq(stack, marker)
    assert len(dlq) == 2
    for headers in dlq:
        assert headers["dlq.source.topic"] == b"jobs.commands.noop"
        assert headers["dlq.source.offset"].isdigit()
        assert b"undecodable" in headers["dlq.error"]


async def read_dlq(stack: RunningStack, marker: bytes) -> list[dict[str, bytes]]:
    found: list[dict[str, bytes]] = []
    reader = topic_reader(stack.layout.ports.kafka_bootstrap, "jobs.dlq", client_id="e2e")
    async with reader as (consumer, _):

        async def two() -> bool:
            batch = await consumer.getmany(timeout_ms=200)
            found.extend(
                dict(r.headers)
                for recs in batch.values()
                for r in recs
                if marker in (r.value or b"")
            )
            return len(found) >= 2

        await wait_for(two, timeout=30, what="the poison messages on jobs.dlq")
    return found


async def test_cancel_stops_a_running_handler_within_a_second(noop_worker: RunningStack) -> None:
    async with noop_worker.client() as client:
        resp = await client.post(
            "/v1/jobs", json={"endpoint": NOOP, "request": {"sleep_seconds": 120}}
        )
        job = resp.json()
        await noop_worker.job_when(client, job["id"], lambda j: j["status"] == "in_progress")
        sent = time.monotonic()
        cancelled = await client.post(f"/v1/jobs/{job['id']}/cancel")
        assert cancelled.status_code == 200
        await noop_worker.job_when(
            client, job["id"], lambda j: j["status"] == "cancelled", timeout=1.0
        )
        elapsed = time.monotonic() - sent
        after = (
            await client.get(f"/v1/jobs/{job['id']}", params={"include_response": "true"})
        ).json()
    assert elapsed < 1.0
    assert (after["status"], after["response"]) == ("cancelled", None)
    seen = await terminal_events(noop_worker, {job["id"]})
    assert seen[(job["id"], 1)] == 1  # the cancellation, and no completion after it


async def test_progress_reaches_the_job(noop_worker: RunningStack) -> None:
    async with noop_worker.client() as client:
        resp = await client.post(
            "/v1/jobs", json={"endpoint": NOOP, "request": {"progress": 3, "sleep_seconds": 60}}
        )
        job = resp.json()
        running = await noop_worker.job_when(
            client, job["id"], lambda j: (j.get("progress") or {}).get("completed") == 3
        )
        await client.post(f"/v1/jobs/{job['id']}/cancel")
    assert running["progress"] == {"completed": 3, "total": 3, "message": "step 3"}


def _descendants(pid: int) -> set[int]:
    """Every live process below `pid`, read from /proc (children of children included)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


async def test_a_worker_killed_with_sigkill_leaves_no_process_behind(
    noop_worker: RunningStack,
) -> None:
    """Its CPU pool (forkserver and the pool process busy with a job) dies with it at once instead
    of living on under init until the work is done."""
    stack = noop_worker
    stack.stop("worker-noop-1")
    spec = stack.noop_worker(5)
    await stack.start_and_wait([spec])
    async with stack.client() as client:
        request = {"cpu_seconds": 120}
        job = await client.post("/v1/jobs", json={"endpoint": NOOP, "request": request})
        await stack.job_when(client, job.json()["id"], lambda j: j["status"] == "in_progress")
    pid = stack.layout.process(spec.name).pid()
    assert pid is not None

    async def pool_started() -> set[int] | None:  # the forkserver's child runs the job
        found = _descendants(pid)
        return found if any(_descendants(p) for p in found) else None

    pool = await wait_for(pool_started, timeout=30, what="the CPU pool to start")
    os.kill(pid, signal.SIGKILL)  # the worker alone, as the OOM killer would, not its group

    def alive(pid: int) -> bool:  # a zombie (dead, not yet reaped by init) counts as gone
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    async def all_gone() -> bool:
        return not any(alive(p) for p in pool)

    names = {p: Path(f"/proc/{p}/cmdline").read_bytes()[:120] for p in pool}
    await wait_for(all_gone, timeout=10, what=f"the pool processes {names} to exit")
    stack.stop(spec.name)  # forgets the pid file
    async with stack.client() as client:  # the redelivered job would spin on another worker
        assert (await client.post(f"/v1/jobs/{job.json()['id']}/cancel")).status_code == 200
    await stack.start_and_wait([stack.noop_worker(1)])


async def _ids_in(stack: RunningStack, batch: str) -> list[str]:
    """Every stored job of the batch, read through the (surviving) main gateway."""
    ids: list[str] = []
    params: dict[str, Any] = {"metadata": f'{{"batch":"{batch}"}}', "limit": 100}
    async with stack.client() as client:
        for _ in range(100):
            page = (await client.get("/v1/jobs", params=params)).json()
            ids += [job["id"] for job in page["data"]]
            if not page["has_more"]:
                return ids
            params["after"] = page["last_id"]
    raise AssertionError("more than 100 pages")


async def test_a_gateway_killed_between_store_and_dispatch_leaves_no_job_behind(
    noop_worker: RunningStack,
) -> None:
    """A failpoint SIGKILLs a second gateway right after its 25th create is stored, before Kafka
    saw it, with more creates in flight: every stored job still runs and ends, none twice."""
    stack = noop_worker
    port = stack.layout.service_port_base + 55
    spec = ServiceSpec(
        "gateway-failpoint", [cli_path(), "gateway"],
        {"JOBSTREAM_GATEWAY_PORT": str(port), "JOBSTREAM_GATEWAY_FAILPOINT": "crash_after_store:25"},
        f"http://127.0.0.1:{port}/health",
    )  # fmt: skip
    await stack.start_and_wait([spec])
    batch, answered = uuid.uuid4().hex, set()
    headers = {"Api-Key": stack.keys["org_a"]}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:

        async def one(i: int) -> None:
            body = {"endpoint": NOOP, "request": {}, "metadata": {"batch": batch, "i": str(i)}}
            with contextlib.suppress(httpx.HTTPError):
                resp = await client.post("/v1/jobs", json=body, timeout=10)
                answered.add(resp.json()["id"])

        gate = asyncio.Semaphore(8)

        async def limited(i: int) -> None:
            async with gate:
                await one(i)

        await asyncio.gather(*(limited(i) for i in range(60)))
    assert not stack.layout.process(spec.name).is_running(), "the failpoint did not fire"
    stack.stop(spec.name)
    stored = await _ids_in(stack, batch)
    assert set(stored) - answered, "no job was stored without an answer: nothing tested"

    async def all_done() -> bool:
        return await count_in(stack, batch, "completed") == len(stored)

    await wait_for(all_done, timeout=60, what="every stored job of the killed gateway to end")
    assert_exactly_once(await terminal_events(stack, set(stored)), stored)
