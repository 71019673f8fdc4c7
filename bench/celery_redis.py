"""Celery + Redis under the same open-loop load as jobstream: no-op tasks, prefork worker.

`run_celery` starts a private redis-server (broker and result backend) on a free port and a
`celery worker` subprocess, submits `jobs` tasks on a fixed schedule (task i is due at
t0 + i / rate, whatever the worker does), collects every result, and tears everything down.

Latency is the task's own completion wall clock minus its *intended* submit time, so a client
that falls behind shows up as latency (no coordinated omission). Throughput is jobs over the time
from the first intended submit until the last result was in the client's hands.

The client is two threads sharing one Celery app: one calls `apply_async` on the schedule (it is
blocking, so the event loop stays out of it), the other collects results while submission goes
on, each round waiting on everything submitted and not yet fetched (`ResultSet.iter_native`: one
MGET for the set, then the result backend's pub/sub for the rest, yielding results as they come).
Collecting concurrently keeps Redis from buffering every result message for a client that is
not reading yet, which would inflate its memory and, on long runs, hit its pub/sub output
buffer limit.

Standalone: `python -m bench.celery_redis --jobs 2000 --rate 500` prints the result as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pathlib
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

import redis
import redis.asyncio
from celery.exceptions import TimeoutError as CeleryTimeoutError  # type: ignore[import-untyped]
from celery.result import ResultSet  # type: ignore[import-untyped]

from bench import procfs
from bench.celery_app import NOOP_TASK_NAME, REDIS_URL_ENV, make_app
from bench.loadgen import percentiles, poll_until
from jobstream.devstack.infra import free_port

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
REDIS_START_TIMEOUT = 15.0
WORKER_START_TIMEOUT = 90.0
SHUTDOWN_TIMEOUT = 15.0
RESULT_GRACE_SECONDS = 120.0
"""How long after the last intended submit the results may take before the run is failed."""
COLLECT_SLICE_SECONDS = 0.5
"""The longest the collecting thread waits before looking at its stop flag again."""


_Submitted = tuple[int, Any]
"""(index, AsyncResult) of a task sent; None in its place means the submitter gave up."""


class _AbandonedError(Exception):
    """The run is being abandoned: cancelled, or the other client thread failed."""


@dataclass
class _Redis:
    process: asyncio.subprocess.Process
    url: str
    version: str


@dataclass
class _Collected:
    """What the two client threads measured."""

    intended: list[float]
    completed: list[float | None]
    send_seconds: float
    all_fetched_wall: float


# -- processes ---------------------------------------------------------------------------------


def _tail(path: pathlib.Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


async def _start_redis(work_dir: pathlib.Path, log: IO[bytes]) -> _Redis:
    """A private redis-server on a free 127.0.0.1 port, answering PING; retried on a port clash."""
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise RuntimeError("redis-server not found; run deploy/local/provision-bench.sh")
    data_dir = work_dir / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    for _attempt in range(3):
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            redis_server,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(data_dir),
            "--daemonize", "no",
            "--logfile", "",  # stdout, i.e. `log`
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )  # fmt: skip
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.asyncio.Redis.from_url(url)

        async def answers_ping(
            process: asyncio.subprocess.Process = process, client: redis.asyncio.Redis = client
        ) -> bool:
            if process.returncode is not None:
                return True  # exited: stop polling, checked below
            try:
                return await client.ping()
            except redis.ConnectionError:
                return False

        try:
            await poll_until(
                answers_ping,
                timeout=REDIS_START_TIMEOUT,
                interval=0.02,
                what="redis-server answering PING",
            )
            if process.returncode is None:
                info = await client.info("server")
                return _Redis(process=process, url=url, version=str(info["redis_version"]))
        except BaseException:
            await _stop_redis(process)
            raise
        finally:
            await client.aclose()
    raise RuntimeError(f"redis-server would not start:\n{_tail(pathlib.Path(log.name))}")


async def _start_worker(
    redis_url: str, concurrency: int, log: IO[bytes]
) -> asyncio.subprocess.Process:
    """`celery worker` (prefork) in its own process group, importing `bench` from the project."""
    celery_bin = pathlib.Path(sys.executable).parent / "celery"
    if not celery_bin.exists():
        found = shutil.which("celery")
        if found is None:
            raise RuntimeError(f"no celery executable next to {sys.executable} or on PATH")
        celery_bin = pathlib.Path(found)
    env = dict(os.environ)
    env[REDIS_URL_ENV] = redis_url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return await asyncio.create_subprocess_exec(
        str(celery_bin),
        "-A", "bench.celery_app",
        "worker",
        "--pool", "prefork",
        "--concurrency", str(concurrency),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel", "WARNING",
        cwd=PROJECT_ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )  # fmt: skip


async def _wait_exit(process: asyncio.subprocess.Process, timeout: float) -> bool:
    try:
        await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        return False
    return True


async def _stop_worker(process: asyncio.subprocess.Process) -> None:
    """SIGTERM the worker's process group (warm shutdown), SIGKILL it at the deadline."""
    group = process.pid  # start_new_session: the worker leads its own group
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        if not await _wait_exit(process, SHUTDOWN_TIMEOUT):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
            await process.wait()
    # pool processes that outlived the main process (it was killed, or crashed)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


async def _stop_redis(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (redis-server shuts down; nothing to save), SIGKILL at the deadline."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    if not await _wait_exit(process, SHUTDOWN_TIMEOUT):
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def _kill_now(worker: asyncio.subprocess.Process | None, server: _Redis | None) -> None:
    """SIGKILL whatever was started and not yet seen to exit, without waiting."""
    if worker is not None and worker.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
    if server is not None and server.process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            server.process.kill()


def _peak_rss(worker_pid: int, redis_pid: int) -> dict[str, object]:
    each = [rss for child in procfs.children(worker_pid) if (rss := procfs.peak_rss_mib(child))]
    return {
        "celery_worker_main": procfs.peak_rss_mib(worker_pid),
        "celery_worker_children": round(sum(each), 1),
        "celery_worker_children_each": each,
        "redis": procfs.peak_rss_mib(redis_pid),
    }


# -- client threads ----------------------------------------------------------------------------


def _submit(
    task: Any,
    payload: dict[str, object],
    jobs: int,
    rate: float,
    start: tuple[float, float],
    submitted: queue.SimpleQueue[_Submitted | None],
    intended: list[float],
    stop: threading.Event,
) -> float:
    """Send task i at start + i / rate, catching up without pausing when late; the send seconds."""
    start_mono, start_wall = start
    for i in range(jobs):
        offset = i / rate
        # paces to the schedule, and returns at once when the run is being abandoned
        if stop.wait(max(0.0, start_mono + offset - time.monotonic())):
            break
        intended[i] = start_wall + offset
        submitted.put((i, task.apply_async(args=(payload,))))
    return time.monotonic() - start_mono


def _collect(
    app: Any,
    jobs: int,
    submitted: queue.SimpleQueue[_Submitted | None],
    completed: list[float | None],
    deadline: float,
    stop: threading.Event,
) -> float:
    """Fetch every result as it comes; the wall clock once the last one is in.

    Each round waits (a bounded slice, so that `stop` is seen) on everything submitted and not yet
    fetched. A task that failed leaves None in `completed`. TimeoutError at `deadline` (monotonic).
    """
    waiting: dict[str, tuple[int, Any]] = {}  # task id -> (index, AsyncResult)

    def take(item: _Submitted | None) -> None:
        if item is None:
            raise _AbandonedError("submission failed")
        waiting[item[1].id] = item

    fetched = 0
    while fetched < jobs:
        if stop.is_set():
            raise _AbandonedError("result collection stopped")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"{jobs - fetched} of {jobs} results still missing at the deadline")
        wait = min(remaining, COLLECT_SLICE_SECONDS)
        with contextlib.suppress(queue.Empty):
            if not waiting:
                take(submitted.get(timeout=wait))
            while True:
                take(submitted.get_nowait())
        if not waiting:
            continue
        pending = ResultSet([result for _, result in waiting.values()], app=app)
        with contextlib.suppress(CeleryTimeoutError):
            # interval=0: before it listens on pub/sub, Celery MGETs the set and, if anything is
            # still pending, naps `interval` (default 0.5 s) whatever arrives meanwhile
            for task_id, meta in pending.iter_native(timeout=wait, interval=0.0):
                index, _ = waiting.pop(task_id)
                value = meta["result"]
                succeeded = meta["status"] == "SUCCESS" and isinstance(value, float)
                completed[index] = value if succeeded else None
                fetched += 1
    return time.time()


def _drive(
    app: Any,
    payload: dict[str, object],
    jobs: int,
    rate: float,
    result_timeout: float,
    stop: threading.Event,
) -> _Collected:
    """Submit on a thread of its own while collecting on this one; raise the first error."""
    task = app.tasks[NOOP_TASK_NAME]
    submitted: queue.SimpleQueue[_Submitted | None] = queue.SimpleQueue()
    intended = [0.0] * jobs
    completed: list[float | None] = [None] * jobs
    send_seconds = 0.0
    failure: list[BaseException] = []

    def submitter(start: tuple[float, float]) -> None:
        nonlocal send_seconds
        try:
            send_seconds = _submit(task, payload, jobs, rate, start, submitted, intended, stop)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the collecting thread
            failure.append(exc)
            submitted.put(None)  # wakes the collector

    start = (time.monotonic(), time.time())
    thread = threading.Thread(target=submitter, args=(start,), name="celery-submit", daemon=True)
    thread.start()
    try:
        deadline = start[0] + jobs / rate + result_timeout
        all_fetched_wall = _collect(app, jobs, submitted, completed, deadline, stop)
    except BaseException:
        stop.set()
        thread.join()
        if failure:
            raise failure[0] from None
        raise
    thread.join()
    return _Collected(intended, completed, send_seconds, all_fetched_wall)


# -- the benchmark -----------------------------------------------------------------------------


def _close_client(app: Any) -> None:
    """Close the client app's connections while Redis is still up.

    Results still pending (the run failed or was cancelled) would otherwise, when garbage
    collected after Redis has gone, each try to unsubscribe and spend seconds retrying to
    reconnect. Without its pub/sub connection the result consumer just forgets them.
    """
    consumer = app.backend.result_consumer
    consumer.stop()
    consumer._pubsub = None
    app.close()


async def _warm_up(
    app: Any, worker: asyncio.subprocess.Process, log: pathlib.Path, count: int
) -> float:
    """Wait until `count` warm-up tasks (not counted) came back from the worker; the seconds taken.

    Proves the whole path (broker, worker, result backend) before the clock starts.
    """
    task = app.tasks[NOOP_TASK_NAME]
    warm_up = ResultSet(
        await asyncio.to_thread(
            lambda: [task.apply_async(args=({"warm_up": i},)) for i in range(count)]
        ),
        app=app,
    )

    async def answered() -> bool:
        if worker.returncode is not None:
            raise RuntimeError(f"celery worker exited with {worker.returncode}:\n{_tail(log)}")
        ready: bool = await asyncio.to_thread(warm_up.ready)
        return ready

    seconds = await poll_until(
        answered, timeout=WORKER_START_TIMEOUT, interval=0.05, what="celery worker answering"
    )
    if not warm_up.successful():
        raise RuntimeError(f"warm-up tasks failed:\n{_tail(log)}")
    return seconds


async def run_celery(
    jobs: int,
    rate: float,
    payload: dict[str, object],
    work_dir: pathlib.Path,
    concurrency: int = 2,
) -> dict[str, object]:
    """Celery + Redis at `rate` tasks/s for `jobs` tasks; throughput, latency, peak memory.

    Logs (`redis.log`, `celery-worker.log`) and Redis's directory go under `work_dir`.
    """
    if jobs < 1 or rate <= 0 or concurrency < 1:
        raise ValueError("jobs and concurrency must be at least 1, rate positive")
    work_dir.mkdir(parents=True, exist_ok=True)
    worker: asyncio.subprocess.Process | None = None
    server: _Redis | None = None
    app: Any = None
    stop = threading.Event()  # tells the client threads to give up
    client_started, client_done = threading.Event(), threading.Event()

    def drive() -> _Collected:
        client_started.set()
        try:
            return _drive(app, payload, jobs, rate, RESULT_GRACE_SECONDS, stop)
        finally:
            client_done.set()

    async def client_finished() -> bool:
        return client_done.is_set()

    with (
        (work_dir / "redis.log").open("ab") as redis_log,
        (work_dir / "celery-worker.log").open("ab") as worker_log,
    ):
        try:
            started = time.monotonic()
            server = await _start_redis(work_dir, redis_log)
            redis_seconds = time.monotonic() - started
            worker = await _start_worker(server.url, concurrency, worker_log)
            app = make_app(server.url)
            log = pathlib.Path(worker_log.name)
            worker_seconds = await _warm_up(app, worker, log, 2 * concurrency)

            client_cpu = time.process_time()
            collected = await asyncio.to_thread(drive)
            client_cpu = time.process_time() - client_cpu
            peak_rss = _peak_rss(worker.pid, server.process.pid)
        finally:
            stop.set()
            try:
                if client_started.is_set():
                    # cancelled while the client threads ran: let them see `stop` first
                    with contextlib.suppress(TimeoutError):
                        await poll_until(
                            client_finished, timeout=5.0, interval=0.05, what="client threads"
                        )
                if app is not None:
                    _close_client(app)
                if worker is not None:
                    await _stop_worker(worker)
                if server is not None:
                    await _stop_redis(server.process)
            finally:
                # interrupted again while stopping them gracefully: no survivors either way
                _kill_now(worker, server)

    return _summary(
        collected,
        jobs=jobs,
        rate=rate,
        concurrency=concurrency,
        peak_rss=peak_rss,
        redis_version=server.version,
        startup_seconds={"redis": round(redis_seconds, 3), "worker": round(worker_seconds, 3)},
    ) | {"client_cpu_ms_per_job": round(client_cpu * 1000 / jobs, 3)}


def _summary(
    collected: _Collected,
    *,
    jobs: int,
    rate: float,
    concurrency: int,
    peak_rss: dict[str, object],
    redis_version: str,
    startup_seconds: dict[str, float],
) -> dict[str, object]:
    latencies = [
        done - intended
        for intended, done in zip(collected.intended, collected.completed, strict=True)
        if done is not None
    ]
    window = collected.all_fetched_wall - collected.intended[0]
    last_done = max((done for done in collected.completed if done is not None), default=None)
    return {
        "throughput_jobs_per_s": round(jobs / window, 1),
        "latency_ms": percentiles(latencies),
        "submit": {
            "offered_rps": rate,
            "achieved_send_rps": round(jobs / collected.send_seconds, 1)
            if collected.send_seconds
            else 0.0,
            "send_seconds": round(collected.send_seconds, 3),
        },
        "jobs": jobs,
        "ok": len(latencies),
        "failed": jobs - len(latencies),
        "wall_seconds": round(window, 3),
        # how long after the last task finished its result was in the client's hands
        "last_result_fetch_lag_ms": None
        if last_done is None
        else round((collected.all_fetched_wall - last_done) * 1e3, 3),
        "startup_seconds": startup_seconds,
        "peak_rss_mib": peak_rss,
        "config": {
            "pool": "prefork",
            "concurrency": concurrency,
            "acks_late": True,
            "prefetch_multiplier": "celery default (4)",
            "broker": "redis",
            "result_backend": "redis",
            "redis_version": redis_version,
            "result_fetch": "ResultSet.iter_native, batched, concurrent with submission",
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m bench.celery_redis --jobs N --rate R`: one run, JSON on stdout."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.celery_redis", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=500.0, help="tasks submitted per second")
    parser.add_argument("--concurrency", type=int, default=2, help="prefork pool processes")
    parser.add_argument("--payload", default='{"document_id": "bench", "pages": 1}', help="JSON")
    parser.add_argument(
        "--work-dir", type=pathlib.Path, help="logs and Redis data (default: a temporary dir)"
    )
    args = parser.parse_args(argv)
    payload = json.loads(args.payload)
    if not isinstance(payload, dict):
        parser.error("--payload must be a JSON object")

    work_dir: pathlib.Path = args.work_dir or pathlib.Path(tempfile.mkdtemp(prefix="bench-celery-"))
    try:
        result = asyncio.run(run_celery(args.jobs, args.rate, payload, work_dir, args.concurrency))
    except BaseException:
        print(f"celery benchmark failed; logs are in {work_dir}", file=sys.stderr)
        raise
    if args.work_dir is None:
        shutil.rmtree(work_dir, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
