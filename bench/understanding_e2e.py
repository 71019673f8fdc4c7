"""Extract and classify jobs end to end: one-page invoice PDFs over HTTP through a fresh stack.

A fresh stack (bench/stack.py, as the no-op phase starts it) runs the `extract` and `classify`
workers, one process each with its CPU pool of one process, on the local engine. The documents
are the twelve one-page invoices the documents phase uses (bench/understanding.py: four layouts
in English, German and French), sent as `data:` URLs in `POST /v1/jobs` (the gateway offloads
the larger ones to S3 as it does for any client), extract jobs with the evaluation's invoice
schema, classify jobs into its six categories.

After a warm-up (a dozen jobs per endpoint: the CPU pools start, imports and the broker's JIT
warm), per endpoint two open-loop runs: *saturated* (offered faster than one worker goes;
throughput = jobs / (first intended send → every job terminal in the read model)) and *below
capacity* (a third of that throughput offered: the latency a job sees when nothing queues). A
job's latency runs from its `job.created` event (the gateway, after storing it) to its terminal
event (the worker), both read from `jobs.events`. The same work in process (load + engine, one
process, no stack) is measured first, on a quieter machine, for the comparison.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer
from evaluation.corpus.business import CATEGORIES, INVOICE_SCHEMA

from bench import procfs
from bench.documents import DocumentsOptions
from bench.jobstream_e2e import EndedInReadModel, HttpStatusError, TerminalWatcher
from bench.loadgen import OpenLoopResult, open_loop, percentiles, poll_until
from bench.stack import BenchStack, fresh_stack
from bench.understanding import classify_jobs, extract_jobs, one_page_invoices
from jobstream_schemas.events import TERMINAL_EVENT_TYPES

PHASE = "understanding_e2e"
ENDPOINTS = {"extract": "/v1/documents/extract", "classify": "/v1/documents/classify"}
WORKERS = {"extract": 1, "classify": 1}
STACK_ENV = {"JOBSTREAM_WORKER_SLUGS": "extract,classify"}
IN_PROCESS = {"extract": extract_jobs, "classify": classify_jobs}


@dataclass(frozen=True)
class UnderstandingOptions:
    jobs: int = 300  # per endpoint, saturated run
    rate: float = 100.0  # offered per second in the saturated run (above one worker's pace)
    light_jobs: int = 100  # per endpoint, below-capacity run (0: skip)
    light_share: float = 1 / 3  # below-capacity rate as a share of the measured throughput
    in_process_seconds: float = 5.0  # per side of the in-process measurement
    warmup_jobs: int = 12  # per endpoint, untimed, before the runs


def tree_cpu_seconds(bench: BenchStack) -> dict[str, float]:
    """CPU seconds of each process with its live descendants (a worker's forkserver and CPU
    pool process are alive, so their time is not in the worker's own reaped-children count)."""

    def tree(pid: int) -> float:
        own = procfs.cpu_seconds(pid) or 0.0
        return own + sum(tree(child) for child in procfs.children(pid))

    return {name: round(tree(pid), 2) for name, pid in bench.pids().items()}


def job_requests(pdfs: list[bytes]) -> dict[str, list[dict[str, Any]]]:
    """The request bodies per endpoint, one per invoice."""
    documents = [
        {"filename": f"invoice-{n}.pdf",
         "url": "data:application/pdf;base64," + base64.b64encode(pdf).decode()}
        for n, pdf in enumerate(pdfs)
    ]  # fmt: skip
    categories = [{"name": name, "description": text} for name, text in CATEGORIES]
    return {
        "extract": [{"document": d, "json_schema": INVOICE_SCHEMA} for d in documents],
        "classify": [{"document": d, "categories": categories} for d in documents],
    }


class LifecycleWatcher(TerminalWatcher):
    """The no-op phase's watcher of `jobs.events` (from its end), recording also each job's
    `job.created` time and the kind of its terminal event (`completed`, `failed`...)."""

    def __init__(self, bootstrap: str) -> None:
        super().__init__(bootstrap)
        self.created_at: dict[str, float] = {}
        self.outcome: dict[str, str] = {}

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            for record in (r for records in batches.values() for r in records):
                event = json.loads(record.value or b"{}")
                kind, job = event.get("type", ""), event.get("job_id", "")
                at = datetime.fromisoformat(event["occurred_at"]).timestamp()
                if kind == "job.created.v1":
                    self.created_at.setdefault(job, at)
                elif kind in TERMINAL_EVENT_TYPES and job not in self.done_at:
                    self.done_at[job] = at
                    self.outcome[job] = kind.split(".")[1]


async def submit(
    bench: BenchStack, *, endpoint: str, requests: list[dict[str, Any]], jobs: int, rate: float,
    batch: str,
) -> tuple[OpenLoopResult, list[str]]:  # fmt: skip
    """`jobs` creates of `endpoint`, open loop at `rate`, cycling through `requests`."""
    accepted: list[str] = []
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        bench.url, headers={"Api-Key": bench.api_key}, timeout=timeout,
        connector=aiohttp.TCPConnector(limit=64),
    ) as session:  # fmt: skip
        latencies: list[float] = []

        async def create(i: int, intended_at: float) -> None:
            body = {"endpoint": endpoint, "request": requests[i % len(requests)],
                    "metadata": {"batch": batch, "i": str(i)}}  # fmt: skip
            async with session.post("/v1/jobs", json=body) as resp:
                if resp.status not in (200, 202):
                    raise HttpStatusError(resp.status)
                accepted.append((await resp.json())["id"])
            latencies.append(time.time() - intended_at)

        result = await open_loop(rate, jobs, create)
        result.latencies = latencies
    return result, accepted


async def run_once(
    bench: BenchStack, watcher: LifecycleWatcher, *, endpoint: str,
    requests: list[dict[str, Any]], jobs: int, rate: float, timeout: float = 1800,
) -> dict[str, Any]:  # fmt: skip
    """One open-loop run: throughput to the read model, created → terminal latency, outcomes."""
    batch = uuid.uuid4().hex
    load_before = os.getloadavg()[0]
    started = time.time()
    created, ids = await submit(
        bench, endpoint=endpoint, requests=requests, jobs=jobs, rate=rate, batch=batch
    )
    await watcher.wait_for(ids, timeout=timeout)

    finish = EndedInReadModel(bench.mongo_url, ids)
    await poll_until(finish.all_ended, timeout=timeout, interval=0.1, what="all jobs ended")
    wall = time.time() - started
    latencies = [watcher.done_at[j] - watcher.created_at[j] for j in ids if j in watcher.created_at]
    return {
        "jobs": jobs,
        "accepted": len(ids),
        "outcomes": dict(Counter(watcher.outcome[j] for j in ids)),
        "throughput_jobs_per_s": round(len(ids) / wall, 2),
        "wall_seconds": round(wall, 2),
        "latency_ms": percentiles(latencies),
        "create": created.summary(),
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


async def _endpoint_runs(
    bench: BenchStack, watcher: LifecycleWatcher, name: str, requests: list[dict[str, Any]],
    options: UnderstandingOptions, say: Callable[[str], None],
) -> dict[str, Any]:  # fmt: skip
    endpoint = ENDPOINTS[name]
    say(f"{PHASE}: {options.jobs} {name} jobs at {options.rate}/s offered")
    cpu_before = tree_cpu_seconds(bench)
    run = await run_once(
        bench, watcher, endpoint=endpoint, requests=requests, jobs=options.jobs, rate=options.rate
    )
    cpu_after = tree_cpu_seconds(bench)
    run["cpu_ms_per_job"] = {
        n: round((cpu_after[n] - cpu_before.get(n, 0.0)) * 1000 / max(1, run["accepted"]), 1)
        for n in cpu_after
    }
    run["endpoint"] = endpoint
    say(f"{PHASE}: {name} {run['throughput_jobs_per_s']} jobs/s, {run['outcomes']}")
    if options.light_jobs:
        rate = max(0.5, round(run["throughput_jobs_per_s"] * options.light_share, 1))
        say(f"{PHASE}: {name} below capacity, {options.light_jobs} jobs at {rate}/s")
        run["below_capacity"] = await run_once(
            bench, watcher, endpoint=endpoint, requests=requests, jobs=options.light_jobs,
            rate=rate,
        )  # fmt: skip
    return run


async def run_understanding_e2e(
    run_dir: Path, options: UnderstandingOptions, *, say: Callable[[str], None]
) -> dict[str, Any]:
    """The phase's results: per endpoint the end-to-end runs beside the in-process figure."""
    in_process: dict[str, Any] = {}
    for name, measure in IN_PROCESS.items():  # first, on a quiet machine (no stack yet)
        say(f"{PHASE}: {name} in process")
        in_process[name] = measure(DocumentsOptions(seconds=options.in_process_seconds)).as_dict()
    requests = job_requests(one_page_invoices())
    results: dict[str, Any] = {"config": {**vars(options), "workers": WORKERS}}
    async with fresh_stack(run_dir, workers=WORKERS, env=STACK_ENV) as bench:
        watcher = LifecycleWatcher(bench.kafka_bootstrap)
        await watcher.start()
        try:
            for name, endpoint in ENDPOINTS.items():  # warm up: pool processes, imports, JIT
                await run_once(bench, watcher, endpoint=endpoint, requests=requests[name],
                               jobs=options.warmup_jobs, rate=5.0)  # fmt: skip
            for name in ENDPOINTS:
                run = await _endpoint_runs(bench, watcher, name, requests[name], options, say)
                ours = run["throughput_jobs_per_s"]
                alone = in_process[name]["jobstream"]
                run["in_process"] = in_process[name]
                run["e2e_over_in_process"] = round(ours / alone, 3) if alone else None
                results[name] = run
        finally:
            await watcher.stop()
        results["peak_rss_mib"] = bench.peak_rss_mib()
    return results
