"""1,000 concurrent Server-Sent Event streams on one gateway, while jobs run through.

With the noop worker stopped, `org_streams` organization streams (`GET /v1/events`) connect,
one batch call creates a job per remaining stream, and a job stream (`GET /v1/jobs/{id}/events`)
opens on each; once every stream is connected (an org stream's `: connected`, a job stream's
first event) and has idled a while, the worker starts again and the jobs run. Every stream
should get every event of its jobs once, in order: each job stream its job's whole life, each
org stream every event of the batch (it subscribed before the batch existed). The truth is
`jobs.events` itself, read after the run from the positions it had before; latency runs from an
event's `occurred_at` (the producer's clock, same machine) to its receipt by the client, for
events that happened after their stream connected. Gateway CPU and RSS are read from /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench import procfs
from bench.loadgen import poll_until
from bench.sse_scoring import StreamLog, Truth, TruthReader, score, take_events
from bench.stack import BenchStack
from jobstream.adapters.kafka import topic_reader
from jobstream.core.endpoints import NOOP_ENDPOINT
from jobstream.devstack import stack
from jobstream.devstack.processes import stop_process
from jobstream.devstack.services import service_specs
from jobstream.settings import CommonSettings


def rss_mib(pid: int | None) -> float | None:
    """Current resident memory (VmRSS) in MiB."""
    with contextlib.suppress(OSError, TypeError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def open_file_limit() -> int:
    """Raise this process's soft open-file limit to its hard limit (a socket per stream)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def follow(session: aiohttp.ClientSession, log: StreamLog, connected: asyncio.Event) -> None:
    """Read one stream until the server ends it or the task is cancelled (chunks split into
    events here: a line-by-line read would cost the client more than the gateway)."""
    try:
        async with session.get(log.path) as resp:
            if resp.status != 200:
                log.error = f"HTTP {resp.status}"
                return
            pending = b""
            async for chunk in resp.content.iter_any():
                at = time.time()
                *blocks, pending = (pending + chunk).split(b"\n\n")
                for block in blocks:
                    take_events(log, block, at)
                if log.connected_at is not None:
                    connected.set()
    except aiohttp.ClientError as exc:
        log.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        connected.set()


async def create_jobs(session: aiohttp.ClientSession, count: int, tag: str) -> list[str]:
    body = {"endpoint": NOOP_ENDPOINT, "request": {}, "metadata": {"sse_bench": tag}}
    ids: list[str] = []
    while len(ids) < count:
        n = min(1000, count - len(ids))
        async with session.post("/v1/jobs/batch", json={"jobs": [body] * n}) as resp:
            answer = await resp.json()
        ids += [item["id"] for item in answer["data"]]
    return ids


async def start_streams(
    session: aiohttp.ClientSession, logs: list[StreamLog], tasks: list[asyncio.Task[None]]
) -> None:
    """Open the streams, at most 100 connecting at once; return when each is connected."""
    gate = asyncio.Semaphore(100)

    async def one(log: StreamLog) -> None:
        async with gate:
            connected = asyncio.Event()
            tasks.append(asyncio.create_task(follow(session, log, connected)))
            await connected.wait()

    await asyncio.gather(*(one(log) for log in logs))


@contextlib.asynccontextmanager
async def paused(bench: BenchStack) -> Any:
    """The noop workers stopped for the block's start; `resume()` starts them again."""
    names = [name for name in bench.services if name.startswith("worker-noop-")]
    specs = [s for s in service_specs(bench.layout, {"noop": len(names)}) if s.name in names]
    for name in names:
        await asyncio.to_thread(stop_process, bench.layout.process(name))

    async def resume() -> None:
        await stack.start_services(bench.layout, specs)

    try:
        yield resume
    finally:
        await stack.start_services(bench.layout, specs)


def gateway_reading(bench: BenchStack) -> dict[str, float | None]:
    pid = bench.pid("gateway")
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cpu_seconds": procfs.cpu_seconds(pid) if pid else None,
        "rss_mib": rss_mib(pid),
        "client_cpu_seconds": own.ru_utime + own.ru_stime,
        "at": time.monotonic(),
    }


def usage(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    seconds = after["at"] - before["at"]
    cpu = (after["cpu_seconds"] or 0.0) - (before["cpu_seconds"] or 0.0)
    client = after["client_cpu_seconds"] - before["client_cpu_seconds"]
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 2),
            "cpu_share_of_one_core": round(cpu / seconds, 3) if seconds else None,
            "rss_mib": after["rss_mib"], "bench_client_cpu_seconds": round(client, 2)}  # fmt: skip


async def connect_all(
    session: aiohttp.ClientSession, bench: BenchStack, streams: int, org_streams: int,
    tasks: list[asyncio.Task[None]], readings: dict[str, Any],
) -> tuple[list[StreamLog], list[str]]:  # fmt: skip
    """The org streams, then the batch of jobs, then a stream per job: all connected."""
    readings["before"] = gateway_reading(bench)
    orgs = [StreamLog("/v1/events", "org") for _ in range(org_streams)]
    await start_streams(session, orgs, tasks)
    readings["org_streams_connected"] = gateway_reading(bench)
    jobs = await create_jobs(session, streams - org_streams, f"{time.time_ns()}")
    readings["jobs_created"] = gateway_reading(bench)
    logs = orgs + [StreamLog(f"/v1/jobs/{job}/events", "job") for job in jobs]
    await start_streams(session, logs[org_streams:], tasks)
    readings["connected"] = gateway_reading(bench)
    return logs, jobs


async def drive(
    logs: list[StreamLog], jobs: list[str], tasks: list[asyncio.Task[None]],
    resume: Callable[[], Awaitable[None]],
) -> float:  # fmt: skip
    """Start the worker; wait until every stream has had everything (or 5 minutes)."""
    orgs = [log for log in logs if log.kind == "org"]
    driven_at = time.monotonic()
    await resume()

    async def all_done() -> bool:
        return all(log.error or len(log.completed) >= len(jobs) for log in orgs) and all(
            t.done() for t in tasks[len(orgs) :]
        )

    with contextlib.suppress(AssertionError):
        await poll_until(all_done, timeout=300, interval=0.2, what="every stream's events")
    return time.monotonic() - driven_at


async def run_sse_streams(
    bench: BenchStack, *, streams: int, org_streams: int, idle_seconds: float = 10.0
) -> dict[str, Any]:
    open_file_limit()
    topic = CommonSettings(kafka_bootstrap=bench.kafka_bootstrap).events_topic
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=120)
    headers = {"Api-Key": bench.api_key}
    tasks: list[asyncio.Task[None]] = []
    readings: dict[str, Any] = {}
    async with (
        topic_reader(bench.kafka_bootstrap, topic, client_id="bench-sse", from_end=True) as (
            consumer, tps,
        ),
        aiohttp.ClientSession(bench.url, headers=headers, connector=connector,
                              timeout=timeout) as session,
        paused(bench) as resume,
    ):  # fmt: skip
        reader = TruthReader(consumer, tps)
        following = asyncio.create_task(reader.follow())
        logs, jobs = await connect_all(session, bench, streams, org_streams, tasks, readings)
        await asyncio.sleep(idle_seconds)  # the streams open and idle: their standing cost
        readings["idle"] = gateway_reading(bench)
        drive_seconds = await drive(logs, jobs, tasks, resume)
        readings["driven"] = gateway_reading(bench)
        await poll_until(reader.caught_up, timeout=60, interval=0.2, what="the truth reader")
        for task in [*tasks, following]:
            task.cancel()
        await asyncio.gather(*tasks, following, return_exceptions=True)
    result = summary(logs, reader.truth, jobs, readings, drive_seconds)
    result["plain_consumer_latency_from_kafka_timestamp_ms"] = reader.baseline_ms(jobs)
    return result


def summary(
    logs: list[StreamLog], truth: Truth, jobs: list[str], readings: dict[str, Any],
    drive_seconds: float,
) -> dict[str, Any]:  # fmt: skip
    org = [log for log in logs if log.kind == "org"]
    return {
        "streams": len(logs), "org_streams": len(org), "job_streams": len(logs) - len(org),
        "jobs": len(jobs),
        "connected": sum(1 for log in logs if log.connected_at and not log.error),
        "drive_seconds": round(drive_seconds, 1),
        **score(logs, truth, jobs),
        "gateway": {
            "rss_mib_before": readings["before"]["rss_mib"],
            "connect_org_streams": usage(readings["before"], readings["org_streams_connected"]),
            "create_jobs": usage(readings["org_streams_connected"], readings["jobs_created"]),
            "connect_job_streams": usage(readings["jobs_created"], readings["connected"]),
            "idle_open": usage(readings["connected"], readings["idle"]),
            "drive": usage(readings["idle"], readings["driven"]),
        },
    }  # fmt: skip
