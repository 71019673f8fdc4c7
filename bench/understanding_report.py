"""The understanding end-to-end phase's table in docs/benchmarks.md (bench/understanding_e2e.py):
extract and classify jobs/s through the stack beside the same work in process, and each job's
created → terminal latency, saturated and below capacity."""

from __future__ import annotations

from typing import Any

PHASE = "understanding_e2e"
LABELS = {"extract": "extract (invoice schema)", "classify": "classify into 6"}


def _ms(value: Any) -> str:
    if not isinstance(value, int | float):
        return "n/a"
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.0f} ms"


def _rate(value: Any) -> str:
    return f"{value:,.2f} jobs/s" if isinstance(value, int | float) else "n/a"


def _outcomes(run: dict[str, Any]) -> str:
    outcomes = run.get("outcomes") or {}
    errors = sum((run.get("create") or {}).get("errors", {}).values())
    parts = [f"{n} {kind}" for kind, n in sorted(outcomes.items())]
    if errors:
        parts.append(f"{errors} not accepted")
    return ", ".join(parts) or "none"


def _latency_row(label: str, run: dict[str, Any]) -> str:
    latency = run.get("latency_ms") or {}
    offered = (run.get("create") or {}).get("offered_rps")
    offered_text = f"{offered:,.1f}/s" if isinstance(offered, int | float) else "n/a"
    load = run.get("load_average_1m") or []
    load_text = " → ".join(f"{value:.1f}" for value in load) or "n/a"
    return (
        f"| {label} | {run.get('jobs', 'n/a')} at {offered_text} | "
        f"{_rate(run.get('throughput_jobs_per_s'))} | {_ms(latency.get('p50'))} | "
        f"{_ms(latency.get('p95'))} | {_ms(latency.get('p99'))} | {_outcomes(run)} | "
        f"{load_text} |"
    )


def understanding_table(doc: dict[str, Any]) -> str:
    """The phase's Markdown (header line, throughput table, latency table)."""
    m, phase = doc["machine"], doc[PHASE]
    head = (
        f"Run {doc['started_at']} at `{doc['revision']}` on {m['cores']} cores ({m['cpu']}), "
        f"Python {m['python']}; a fresh stack with one extract and one classify worker process "
        "(CPU pool of one process each), local engine, one-page invoice PDFs."
    )
    if "error" in phase:
        return f"{head}\n\nThe phase failed: `{phase['error']}`."
    lines = [head, "",
             "| Job | in process (load + engine) | end to end, saturated "
             "| end to end / in process |",
             "|---|---|---|---|"]  # fmt: skip
    for name, label in LABELS.items():
        run = phase.get(name) or {}
        alone = (run.get("in_process") or {}).get("jobstream")
        ratio = run.get("e2e_over_in_process")
        lines.append(
            f"| {label} | {_rate(alone)} | {_rate(run.get('throughput_jobs_per_s'))} | "
            f"{'**' + str(ratio) + '**' if ratio is not None else 'n/a'} |"
        )
    lines += ["",
              "| Job, run | jobs offered | achieved | created → completed p50 | p95 | p99 "
              "| outcomes | host load (1 min, before → after) |",
              "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, label in LABELS.items():
        run = phase.get(name) or {}
        if run:
            lines.append(_latency_row(f"{label}, saturated", run))
        if run.get("below_capacity"):
            lines.append(_latency_row(f"{label}, below capacity", run["below_capacity"]))
    return "\n".join(lines)
