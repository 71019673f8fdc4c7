"""`make bench` / `python -m bench`: every measurement in one run, then the JSON and the table.

Order: the documents phase first (in this process, no stack: parse and OCR pages/s beside
pdftotext and tesseract, bench/documents.py); then extract and classify jobs end to end on a
stack of their own (bench/understanding_e2e.py); then a fresh jobstream stack, warmed up by
unmeasured jobs, runs the end-to-end workload (peak RSS is read right after it) and the same
below capacity, the raw-aiokafka pipe on the same broker, gateway latency per offered rate, then
lists over read models seeded up to 1,000,000 documents, then 1,000 concurrent event streams on
the gateway (bench/sse_streams.py); the stack is stopped and Celery + Redis run the same two
workloads on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench.celery_redis import run_celery
from bench.documents import DocumentsOptions, run_documents, tool_versions
from bench.gateway_latency import run_gateway_latency
from bench.idle import run_idle
from bench.jobstream_e2e import run_jobstream
from bench.list_latency import run_list_latency
from bench.loadgen import poll_until
from bench.profiling import flame_graphs
from bench.raw_kafka import run_raw_kafka
from bench.rounds import alternate
from bench.sse_streams import run_sse_streams
from bench.stack import ORGANIZATION, BenchStack, fresh_stack
from bench.understanding_e2e import PHASE as UNDERSTANDING_E2E
from bench.understanding_e2e import UnderstandingOptions, run_understanding_e2e
from bench.understanding_report import understanding_table
from jobstream.adapters.kafka import topic_reader
from jobstream.settings import CommonSettings

PHASES = (
    "documents",
    UNDERSTANDING_E2E,
    "jobstream",
    "raw_kafka",
    "gateway",
    "list",
    "sse",
    "celery",
)
NOOP_REQUEST: dict[str, Any] = {}
# Timed phases whose figures a cold broker would inflate: a fresh JVM spends its first minutes
# compiling Kafka's hot paths (docs/benchmarks.md, "Eighth pass"). The list phase is FerretDB's.
WARMED_PHASES = frozenset({"jobstream", "raw_kafka", "gateway", "sse"})


def warms_up(phases: set[str], warmup_jobs: int) -> bool:
    """Whether the stack runs the unmeasured warm-up before the first timed phase."""
    return warmup_jobs > 0 and bool(phases & WARMED_PHASES)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--jobs", type=int, default=20_000, help="jobs / tasks / messages")
    parser.add_argument("--rate", type=float, default=1000, help="offered submissions per second")
    parser.add_argument(
        "--light-jobs", type=int, default=3000, help="jobs of the below-capacity run (0: skip)"
    )
    parser.add_argument(
        "--light-rate", type=float, default=100, help="offered rate of the below-capacity run"
    )
    parser.add_argument("--noop-workers", type=int, default=1, help="noop worker instances")
    parser.add_argument(
        "--warmup-jobs", type=int, default=3000,
        help="unmeasured jobs before the first timed phase (0: none)",
    )  # fmt: skip
    parser.add_argument(
        "--rounds", type=int, default=3,
        help="jobstream and Celery throughput runs alternate this many times (bench/rounds.py)",
    )  # fmt: skip
    parser.add_argument(
        "--resume-warmup-jobs", type=int, default=1000,
        help="unmeasured jobs before each later round (the stack was stopped meanwhile)",
    )  # fmt: skip
    parser.add_argument("--celery-concurrency", type=int, default=2, help="prefork processes")
    parser.add_argument("--gateway-rates", default="200,500,1000", help="offered rps, comma list")
    parser.add_argument("--gateway-seconds", type=float, default=10, help="per rate and call")
    parser.add_argument(
        "--list-docs", default="10000,100000,1000000", help="read-model sizes, comma list"
    )
    parser.add_argument("--list-requests", type=int, default=5, help="timed requests per page")
    parser.add_argument(
        "--idle-seconds", type=float, default=70, help="idle CPU window after the list seeding"
    )
    parser.add_argument(
        "--documents-seconds", type=float, default=10, help="documents phase: seconds per side"
    )
    parser.add_argument(
        "--understanding-jobs", type=int, default=300, help="extract / classify jobs, each"
    )
    parser.add_argument(
        "--understanding-rate", type=float, default=100, help="their offered rate (saturated)"
    )
    parser.add_argument(
        "--understanding-light-jobs", type=int, default=100, help="below-capacity jobs, each"
    )
    parser.add_argument("--sse-streams", type=int, default=1000, help="concurrent SSE streams")
    parser.add_argument(
        "--sse-org-streams", type=int, default=100, help="of them GET /v1/events (others per job)"
    )
    parser.add_argument("--only", default=",".join(PHASES), help="phases to run, comma list")
    parser.add_argument("--results-dir", type=Path, default=Path("bench/results"))
    parser.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--no-docs", action="store_true", help="write the JSON only")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy flame graphs of the services (jobstream)"
    )
    return parser.parse_args()


async def guarded(phase: str, work: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """Run one phase; a failure is recorded in the results instead of losing the others."""
    try:
        return await work
    except Exception as exc:
        logging.getLogger("bench").exception("phase %s failed", phase)
        return {"error": f"{type(exc).__name__}: {exc}"}


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


async def command_message_bytes(bench: BenchStack) -> int:
    """Size of a real no-op command as the gateway wrote it (the raw-Kafka message size)."""
    topic = CommonSettings(kafka_bootstrap=bench.kafka_bootstrap).commands_topic("noop")
    async with topic_reader(bench.kafka_bootstrap, topic, client_id="bench") as (consumer, _):
        while True:
            for records in (await consumer.getmany(timeout_ms=1000, max_records=1)).values():
                return len(records[0].value or b"")


def per_job(
    run: dict[str, Any], cpu_before: dict[str, float], cpu_after: dict[str, float],
    store_before: dict[str, dict[str, float]], store_after: dict[str, dict[str, float]],
) -> dict[str, Any]:  # fmt: skip
    """What one job cost each process: CPU ms, and store commands sent (by command name)."""
    jobs = max(1, int(run.get("accepted") or 0))
    cpu = {n: round((cpu_after[n] - cpu_before.get(n, 0.0)) * 1000 / jobs, 3) for n in cpu_after}
    store: dict[str, dict[str, float]] = {}
    for name, after in store_after.items():
        before = store_before.get(name, {})
        used = {c: round((n - before.get(c, 0.0)) / jobs, 3) for c, n in after.items()}
        store[name] = {c: n for c, n in sorted(used.items()) if n > 0}
    total = round(sum(n for used in store.values() for n in used.values()), 3)
    return {"cpu_ms": cpu, "cpu_ms_total": round(sum(cpu.values()), 3),
            "store_commands": store, "store_commands_total": total}  # fmt: skip


async def measure_jobstream(bench: BenchStack, args: argparse.Namespace) -> dict[str, Any]:
    """One measured end-to-end run, with each process's CPU and store commands per job."""
    say(f"jobstream: {args.jobs} no-op jobs at {args.rate}/s offered")
    cpu_before = bench.cpu_seconds()
    store_before = await bench.store_commands()
    profiled = bench.pids(bench.services) if args.profile else {}
    out_dir = args.results_dir / f"profile-{time.strftime('%Y%m%dT%H%M%S')}"
    with flame_graphs(profiled, out_dir) as graphs:
        run = await run_jobstream(bench, jobs=args.jobs, rate=args.rate, request=NOOP_REQUEST)
    cpu_after = bench.cpu_seconds()
    store_after = await bench.store_commands()
    if graphs:
        run["flame_graphs"] = [str(path) for path in graphs]
    run["peak_rss_mib"] = bench.peak_rss_mib()
    run["cpu_seconds"] = {
        name: round(cpu_after[name] - cpu_before.get(name, 0.0), 1) for name in cpu_after
    }
    run["per_job"] = per_job(run, cpu_before, cpu_after, store_before, store_after)
    run["config"] = {"noop_workers": args.noop_workers, "offered_rps": args.rate}
    say(f"jobstream: {run['throughput_jobs_per_s']} jobs/s")
    return run


async def throughput_rounds(
    bench: BenchStack, args: argparse.Namespace, work_dir: Path
) -> dict[str, Any]:
    """jobstream and Celery + Redis alternate `--rounds` times (bench/rounds.py)."""

    async def ours(i: int) -> dict[str, Any]:
        if i:  # the stack was stopped during Celery's last run
            waited = await poll_until(
                bench.kafka_serves, timeout=120, interval=0.5, what="Kafka to serve again"
            )
            say(f"jobstream round {i + 1}: Kafka serves again after {waited:.1f}s")
        if i and args.resume_warmup_jobs:
            say(f"jobstream round {i + 1}: {args.resume_warmup_jobs} warm-up jobs after resuming")
            await run_jobstream(
                bench, jobs=args.resume_warmup_jobs, rate=args.rate, request=NOOP_REQUEST
            )
        return await measure_jobstream(bench, args)

    async def theirs(i: int) -> dict[str, Any]:
        say(f"celery round {i + 1}: {args.jobs} no-op tasks at {args.rate}/s offered")
        run = await run_celery(
            args.jobs, args.rate, NOOP_REQUEST, work_dir / f"celery-round-{i + 1}",
            concurrency=args.celery_concurrency,
        )  # fmt: skip
        say(f"celery: {run.get('throughput_jobs_per_s')} tasks/s")
        return run

    outcome = await alternate(
        args.rounds, jobstream=ours, celery=theirs, pids=lambda: list(bench.pids().values())
    )
    say(f"rounds: ratios {outcome['throughput_rounds']['ratios']}")
    return outcome


async def run_jobstream_phases(
    args: argparse.Namespace, phases: set[str], run_dir: Path
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with fresh_stack(run_dir, workers={"noop": args.noop_workers}) as bench:
        if warms_up(phases, args.warmup_jobs):
            say(f"jobstream warm-up: {args.warmup_jobs} no-op jobs, not measured")
            await run_jobstream(bench, jobs=args.warmup_jobs, rate=args.rate, request=NOOP_REQUEST)
        if "jobstream" in phases:
            if "celery" in phases and args.rounds > 1:
                rounds = await guarded("rounds", throughput_rounds(bench, args, run_dir.parent))
                results |= rounds if "error" not in rounds else {"jobstream": rounds}
            else:
                results["jobstream"] = await measure_jobstream(bench, args)
            run = results["jobstream"]
            if args.light_jobs:
                say(f"jobstream below capacity: {args.light_jobs} jobs at {args.light_rate}/s")
                run["below_capacity"] = await guarded(
                    "jobstream below capacity",
                    run_jobstream(
                        bench, jobs=args.light_jobs, rate=args.light_rate, request=NOOP_REQUEST
                    ),
                )
        if "raw_kafka" in phases:
            size = await command_message_bytes(bench) if "jobstream" in phases else 600
            partitions = CommonSettings(kafka_bootstrap=bench.kafka_bootstrap).commands_partitions
            say(f"raw kafka: {args.jobs} messages of {size} bytes")
            results["raw_kafka"] = await guarded(
                "raw_kafka",
                run_raw_kafka(
                    bench.kafka_bootstrap, messages=args.jobs, size=size, partitions=partitions
                ),
            )
            say(f"raw kafka: {results['raw_kafka'].get('throughput_msgs_per_s')} msgs/s")
        if "gateway" in phases:
            rates = [float(r) for r in args.gateway_rates.split(",") if r]
            say(f"gateway latency at {rates} rps, {args.gateway_seconds}s each")
            results.setdefault("jobstream", {})["gateway_latency"] = await guarded(
                "gateway",
                run_gateway_latency(
                    bench, rates=rates, seconds=args.gateway_seconds, request=NOOP_REQUEST
                ),
            )
        if "list" in phases:
            sizes = [int(n) for n in args.list_docs.split(",") if n]
            say(f"list: read models of {sizes} documents, {args.list_requests} requests per page")
            results.setdefault("jobstream", {})["list_latency"] = await guarded(
                "list",
                run_list_latency(
                    bench, sizes=sizes, requests=args.list_requests, organization_id=ORGANIZATION
                ),
            )
            if args.idle_seconds > 0:
                say(f"idle: CPU over {args.idle_seconds:g}s with {max(sizes):,} jobs stored")
                results["jobstream"]["idle"] = await guarded(
                    "idle", run_idle(bench, seconds=args.idle_seconds)
                )
        if "sse" in phases:
            say(f"sse: {args.sse_streams} concurrent streams ({args.sse_org_streams} org streams)")
            results["sse_streams"] = await guarded(
                "sse",
                run_sse_streams(bench, streams=args.sse_streams, org_streams=args.sse_org_streams),
            )
            say(f"sse: {results['sse_streams'].get('connected')} streams connected")
    return results


async def main() -> None:
    args = parse_args()
    phases = {p.strip() for p in args.only.split(",") if p.strip()}
    unknown = phases - set(PHASES)
    if unknown:
        raise SystemExit(f"unknown phases: {sorted(unknown)}; choose from {PHASES}")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    started_at = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="jobstream-bench-") as tmp:
        results: dict[str, Any] = {}
        if "documents" in phases:  # first, on a quiet machine: in-process, no stack
            options = DocumentsOptions(seconds=args.documents_seconds)
            results["documents"] = {
                "tools": tool_versions(),
                **run_documents(options, say=say),
            }
        if UNDERSTANDING_E2E in phases:  # a stack of its own, before the no-op workloads
            understanding = UnderstandingOptions(
                jobs=args.understanding_jobs, rate=args.understanding_rate,
                light_jobs=args.understanding_light_jobs,
            )  # fmt: skip
            results[UNDERSTANDING_E2E] = await guarded(
                UNDERSTANDING_E2E,
                run_understanding_e2e(Path(tmp) / "understanding", understanding, say=say),
            )
        if phases & {"jobstream", "raw_kafka", "gateway", "list", "sse"}:
            results |= await run_jobstream_phases(args, phases, Path(tmp) / "stack")
        if "celery" in phases and "celery" not in results:
            say(f"celery: {args.jobs} no-op tasks at {args.rate}/s offered")
            results["celery"] = await guarded(
                "celery",
                run_celery(
                    args.jobs, args.rate, NOOP_REQUEST, Path(tmp) / "celery",
                    concurrency=args.celery_concurrency,
                ),
            )  # fmt: skip
            say(f"celery: {results['celery'].get('throughput_jobs_per_s')} tasks/s")
        if "celery" in phases and args.light_jobs:
            say(f"celery below capacity: {args.light_jobs} tasks at {args.light_rate}/s")
            results["celery"]["below_capacity"] = await guarded(
                "celery below capacity",
                run_celery(
                    args.light_jobs, args.light_rate, NOOP_REQUEST, Path(tmp) / "celery-light",
                    concurrency=args.celery_concurrency,
                ),
            )  # fmt: skip
    document = report.build(results, args=vars(args), started_at=started_at)
    path = report.write_json(document, args.results_dir)
    say(f"results: {path}")
    if not args.no_docs:
        report.write_table(document, args.docs, json_path=path)
        say(f"table: {args.docs}")
    if any(name in document for name in report.PIPELINE_PHASES):
        print(report.table(document))
    if "documents" in document:
        print(report.documents_table(document))
    if UNDERSTANDING_E2E in document:
        print(understanding_table(document))


if __name__ == "__main__":
    asyncio.run(main())
