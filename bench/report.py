"""The results document (`bench/results/<timestamp>.json`) and its table in docs/benchmarks.md.

Each table sits between two markers in the doc (the pipeline's, the documents phase's, the
understanding end-to-end phase's); a run rewrites the tables of the phases it ran; everything
else there is written by hand.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.understanding_report import understanding_table
from jobstream.devstack import infra

BEGIN = "<!-- bench:table:begin (written by `make bench`) -->"
END = "<!-- bench:table:end -->"
DOCUMENTS_BEGIN = "<!-- bench:documents:begin (written by `make bench`) -->"
DOCUMENTS_END = "<!-- bench:documents:end -->"
UNDERSTANDING_BEGIN = "<!-- bench:understanding:begin (written by `make bench`) -->"
UNDERSTANDING_END = "<!-- bench:understanding:end -->"
UNDERSTANDING_PHASE = "understanding_e2e"  # bench/understanding_e2e.py PHASE
SSE_BEGIN = "<!-- bench:sse:begin (written by `make bench`) -->"
SSE_END = "<!-- bench:sse:end -->"
PIPELINE_PHASES = ("jobstream", "celery", "raw_kafka")
SSE_ROWS = (
    ("connect_org_streams", "opening the org streams"), ("create_jobs", "one batch call"),
    ("connect_job_streams", "opening the job streams"), ("idle_open", "streams open, idle"),
    ("drive", "jobs running through"),
)  # fmt: skip


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "kafka": os.environ.get("KAFKA_VERSION", "4.1.1") + " (KRaft, one broker, -Xmx512m)",
        "ferretdb": f"{infra.ferretdb_binary().name} (SQLite backend)",
    }


def git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev


def _get(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _ratio(a: Any, b: Any) -> float | None:
    if isinstance(a, int | float) and isinstance(b, int | float) and b:
        return round(a / b, 3)
    return None


def build(results: dict[str, Any], *, args: dict[str, Any], started_at: datetime) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "revision": git_revision(),
        "machine": machine(),
        "parameters": {k: str(v) if isinstance(v, Path) else v for k, v in args.items()},
        **results,
    }
    headline = {
        "jobstream.throughput_jobs_per_s": _get(doc, "jobstream.throughput_jobs_per_s"),
        "celery.throughput_jobs_per_s": _get(doc, "celery.throughput_jobs_per_s"),
        "raw_kafka.throughput_msgs_per_s": _get(doc, "raw_kafka.throughput_msgs_per_s"),
        "jobstream.latency_p50_ms": _get(doc, "jobstream.latency_ms.p50"),
        "celery.latency_p50_ms": _get(doc, "celery.latency_ms.p50"),
        "raw_kafka.latency_p50_ms": _get(doc, "raw_kafka.latency_ms.p50"),
    }
    doc["summary"] = headline
    doc["ratios"] = {
        # alternating rounds (bench/rounds.py): the median of the pairs' ratios
        "jobstream_over_celery.throughput": _get(doc, "throughput_rounds.median_ratio")
        or _ratio(
            headline["jobstream.throughput_jobs_per_s"], headline["celery.throughput_jobs_per_s"]
        ),
        "jobstream_over_raw_kafka.throughput": _ratio(
            headline["jobstream.throughput_jobs_per_s"], headline["raw_kafka.throughput_msgs_per_s"]
        ),
        "jobstream_over_celery.latency_p50": _ratio(
            headline["jobstream.latency_p50_ms"], headline["celery.latency_p50_ms"]
        ),
        "jobstream_over_raw_kafka.latency_p50": _ratio(
            headline["jobstream.latency_p50_ms"], headline["raw_kafka.latency_p50_ms"]
        ),
        "documents.text_pdf_over_pdftotext": _get(doc, "documents.text_pdf.ratio"),
        "documents.ocr_over_tesseract": _get(doc, "documents.ocr.ratio"),
        "jobstream_over_celery.latency_p50_below_capacity": _ratio(
            _get(doc, "jobstream.below_capacity.latency_ms.p50"),
            _get(doc, "celery.below_capacity.latency_ms.p50"),
        ),
    }
    return doc


def write_json(doc: dict[str, Any], results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = doc["started_at"].replace(":", "").replace("-", "").replace("+0000", "Z")
    path = results_dir / f"{stamp}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def _ms(doc: dict[str, Any], path: str) -> str:
    value = _get(doc, path)
    if value is None:
        return "n/a"
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.1f} ms"


def _num(value: Any, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:,.1f}{unit}"


def table(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    lines = [
        f"Run {doc['started_at']} at `{doc['revision']}` on {m['cores']} cores ({m['cpu']}), "
        f"{m['memory_gib']} GiB, Linux {m['kernel']}, Python {m['python']}; Kafka {m['kafka']}; "
        f"{m['ferretdb']}. Parameters: {doc['parameters']['jobs']:,} jobs offered at "
        f"{doc['parameters']['rate']:,.0f}/s.",
        "",
        "| Workload | Throughput | p50 | p95 | p99 |",
        "|---|---|---|---|---|",
    ]
    for name, label, key, unit in (
        ("jobstream", "jobstream, no-op jobs over HTTP", "throughput_jobs_per_s", " jobs/s"),
        ("celery", "Celery + Redis, no-op tasks", "throughput_jobs_per_s", " tasks/s"),
        ("raw_kafka", "raw aiokafka produce → consume", "throughput_msgs_per_s", " msgs/s"),
    ):
        lines.append(
            f"| {label} | {_num(_get(doc, f'{name}.{key}'), unit)} | "
            f"{_ms(doc, f'{name}.latency_ms.p50')} | {_ms(doc, f'{name}.latency_ms.p95')} | "
            f"{_ms(doc, f'{name}.latency_ms.p99')} |"
        )
    for name, label in (
        ("jobstream", "jobstream below capacity"),
        ("celery", "Celery + Redis below capacity"),
    ):
        light = _get(doc, f"{name}.below_capacity")
        if light and "latency_ms" in light:
            offered = _get(light, "create.offered_rps") or _get(light, "submit.offered_rps")
            lines.append(
                f"| {label} ({offered:,.0f}/s offered) | "
                f"{_num(light.get('throughput_jobs_per_s'), '/s')} | "
                f"{_ms(light, 'latency_ms.p50')} | {_ms(light, 'latency_ms.p95')} | "
                f"{_ms(light, 'latency_ms.p99')} |"
            )
    ratios = doc["ratios"]
    lines += [
        "",
        f"Ratios: jobstream / Celery throughput **{ratios['jobstream_over_celery.throughput']}**, "
        f"jobstream / raw Kafka throughput **{ratios['jobstream_over_raw_kafka.throughput']}**.",
    ]
    rounds = _get(doc, "throughput_rounds")
    if rounds:
        pairs = ", ".join(
            f"{pair['jobstream']} / {pair['celery']} = {ratio}"
            for pair, ratio in zip(rounds["pairs"], rounds["ratios"], strict=False)
        )
        lines += [
            "",
            f"Throughput in {len(rounds['pairs'])} alternating rounds (jobstream jobs/s / Celery "
            f"tasks/s, each pair run back to back; bench/rounds.py): {pairs}. The ratio above is "
            "their median; the rows above show each side's run of median throughput.",
        ]
    lines += per_hop_lines(_get(doc, "jobstream.per_job"))
    gateway = _get(doc, "jobstream.gateway_latency")
    if gateway:
        lines += [
            "",
            "| Gateway, offered rps | create achieved rps | create p50 | create p99 "
            "| in the gateway, mean ms: queued / store / events / commands "
            "| status-poll achieved rps | status p50 | status p99 |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for rate, run in gateway.items():
            c, s = run["create"], run["status_poll"]
            lines.append(
                f"| {rate} | {_num(c['achieved_send_rps'])} | {_ms(c, 'latency_ms.p50')} | "
                f"{_ms(c, 'latency_ms.p99')} | {create_phases(run.get('create_phases'))} | "
                f"{_num(s['achieved_send_rps'])} | "
                f"{_ms(s, 'latency_ms.p50')} | {_ms(s, 'latency_ms.p99')} |"
            )
    listing = _get(doc, "jobstream.list_latency")
    if listing and "sizes" in listing:
        lines += [
            "",
            f"| List (limit {listing['limit']}), documents | first page p50 | p99 "
            "| deep `after` page p50 | p99 | failed requests | query alone (first / deep) |",
            "|---|---|---|---|---|---|---|",
        ]
        for size, run in listing["sizes"].items():
            failures = (
                ", ".join(
                    f"{page}: {n}x {what}"
                    for page in ("first_page", "deep_after_page")
                    for what, n in run[page]["failed"].items()
                )
                or "none"
            )
            query = run["query_seconds"]
            lines.append(
                f"| {int(size):,} | {_ms(run, 'first_page.p50')} | {_ms(run, 'first_page.p99')} "
                f"| {_ms(run, 'deep_after_page.p50')} | {_ms(run, 'deep_after_page.p99')} "
                f"| {failures} | {query['first_page']:.2f} s / {query['deep_after_page']:.2f} s |"
            )
    elif listing:
        lines += ["", f"List latency failed: {listing.get('error')}"]
    idle = _get(doc, "jobstream.idle")
    if idle and "cpu_percent_of_one_core" in idle:
        spelled = ", ".join(f"{n} {v:.1f}" for n, v in idle["cpu_percent_of_one_core"].items())
        share = idle["janitor_and_store_percent"]
        hooks = idle.get("webhook_deliveries_stored")
        stored = f" and {hooks:,} sent webhook deliveries (one endpoint)" if hooks else ""
        lines += [
            "",
            f"Idle with the list phase's largest read model{stored} stored, over "
            f"{idle['window_seconds']:.0f} s: janitor + store **{share:.1f} %** of one core "
            f"(percent per process: {spelled}).",
        ]
    rss = dict(_get(doc, "jobstream.peak_rss_mib") or {})
    celery_rss = _get(doc, "celery.peak_rss_mib") or {}
    for key in ("celery_worker_main", "celery_worker_children", "redis"):
        if celery_rss.get(key) is not None:
            rss[key.replace("_", "-")] = celery_rss[key]
    if rss:
        lines += [
            "",
            "Peak RSS (MiB) during the run: "
            + ", ".join(f"{name} {value:,.0f}" for name, value in rss.items())
            + ".",
        ]
    return "\n".join(lines)


def create_phases(phases: dict[str, dict[str, float | None]] | None) -> str:
    """`queued / store / events / commands` mean milliseconds, as the gateway timed them."""
    if not phases:
        return "n/a"
    means = [phases.get(p, {}).get("mean_ms") for p in ("queued", "store", "events", "commands")]
    return " / ".join("n/a" if m is None else f"{m:.1f}" for m in means)


def per_hop_lines(per_job: dict[str, Any] | None) -> list[str]:
    """CPU ms and store commands per job for each process of the end-to-end run."""
    if not per_job:
        return []
    cpu, store = per_job.get("cpu_ms", {}), per_job.get("store_commands", {})
    lines = [
        "",
        "| Per job, end to end | CPU ms | store commands (by command) |",
        "|---|---|---|",
    ]
    for name in sorted(cpu, key=lambda n: -cpu[n]):
        used = store.get(name, {})
        spelled = ", ".join(f"{c} {n:.2f}" for c, n in used.items()) or "none"
        lines.append(f"| {name} | {cpu[name]:.2f} | {spelled} |")
    lines.append(
        f"| **total** | **{per_job.get('cpu_ms_total', 0):.2f}** "
        f"| **{per_job.get('store_commands_total', 0):.2f}** |"
    )
    return lines


def write_table(doc: dict[str, Any], docs_path: Path, *, json_path: Path) -> None:
    """Rewrite the blocks of the phases that ran: the pipeline table, the documents table,
    the understanding end-to-end table."""
    text = docs_path.read_text() if docs_path.exists() else "# Benchmarks\n"
    if any(name in doc for name in PIPELINE_PHASES):
        block = f"{table(doc)}\n\nFull results: `{json_path}`."
        text = _replace_block(text, BEGIN, END, block)
    if "documents" in doc:
        block = documents_table(doc) + f"\n\nFull results: `{json_path}`."
        text = _replace_block(text, DOCUMENTS_BEGIN, DOCUMENTS_END, block)
    if UNDERSTANDING_PHASE in doc:
        block = understanding_table(doc) + f"\n\nFull results: `{json_path}`."
        text = _replace_block(text, UNDERSTANDING_BEGIN, UNDERSTANDING_END, block)
    if "sse_streams" in doc:
        block = sse_table(doc) + f"\n\nFull results: `{json_path}`."
        text = _replace_block(text, SSE_BEGIN, SSE_END, block)
    docs_path.write_text(text)


def sse_table(doc: dict[str, Any]) -> str:
    """The event-stream phase: streams connected, events delivered, latency, gateway cost."""
    run, m = doc["sse_streams"], doc["machine"]
    if "error" in run:
        return f"Event streams phase failed: {run['error']}"
    gw, lat = run["gateway"], run["delivery_latency_ms"]
    kafka = run.get("latency_from_kafka_timestamp_ms", {})
    plain = run.get("plain_consumer_latency_from_kafka_timestamp_ms", {})
    return "\n".join([
        f"Run {doc['started_at']} at `{doc['revision']}` on {m['cores']} cores ({m['cpu']}): "
        f"{run['streams']:,} concurrent streams on one gateway ({run['job_streams']:,} "
        f"`GET /v1/jobs/{{id}}/events`, {run['org_streams']:,} `GET /v1/events`), "
        f"{run['jobs']:,} no-op jobs driven through in {run['drive_seconds']} s.",
        "",
        "| streams connected | events expected | received | gaps | duplicates | jobs out of order "
        "| latency p50 | p99 | max |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {run['connected']:,} / {run['streams']:,} | {run['events_expected']:,} | "
        f"{run['events_received']:,} | {run['gaps']} | {run['duplicates']} | "
        f"{run['jobs_out_of_order']} | {_ms(lat, 'p50')} | {_ms(lat, 'p99')} | {_ms(lat, 'max')} |",
        "",
        "| gateway | seconds | CPU seconds | CPU (share of a core) | RSS after |",
        "|---|---|---|---|---|",
        *(
            f"| {label} | {gw[key]['seconds']} | {gw[key]['cpu_seconds']} | "
            f"{gw[key]['cpu_share_of_one_core']} | {_num(gw[key]['rss_mib'], ' MiB')} |"
            for key, label in SSE_ROWS
        ),
        "",
        f"Gateway RSS before the streams: {_num(gw['rss_mib_before'], ' MiB')}. Latency runs "
        "from the event's `occurred_at` to its receipt; from the record's Kafka timestamp (the "
        f"producer's send) it is p50 {_ms(kafka, 'p50')}, p99 {_ms(kafka, 'p99')}; a plain Kafka "
        f"consumer in the bench process got the same records at p50 {_ms(plain, 'p50')}, "
        f"p99 {_ms(plain, 'p99')}.",
    ])  # fmt: skip


def documents_table(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    lines = [
        f"Run {doc['started_at']} at `{doc['revision']}` on {m['cores']} cores ({m['cpu']}), "
        f"Python {m['python']}; {doc['documents'].get('tools', '')}",
        "",
        *documents_table_lines({k: v for k, v in doc["documents"].items() if isinstance(v, dict)}),
    ]
    return "\n".join(lines)


def _replace_block(text: str, begin: str, end: str, block: str) -> str:
    if begin not in text or end not in text:
        text += f"\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{block}\n{end}{tail}"


def documents_table_lines(documents: dict[str, Any]) -> list[str]:
    """The documents phase as Markdown table lines (for docs/benchmarks.md)."""
    lines = [
        "| Documents workload | jobstream | baseline | baseline figure | jobstream / baseline |",
        "|---|---|---|---|---|",
    ]
    for name, run in documents.items():
        if "error" in run:
            lines.append(f"| {name} | failed: {run['error']} | | | |")
            continue
        unit = run["unit"]
        baseline = f"{run['baseline']:,.2f} {unit}" if run.get("baseline") is not None else "n/a"
        ratio = f"**{run['ratio']}**" if run.get("ratio") is not None else "n/a"
        tool = run.get("baseline_label") or "none"
        lines.append(
            f"| {run['label']} | {run['jobstream']:,.2f} {unit} | {tool} | {baseline} | {ratio} |"
        )
    return lines
