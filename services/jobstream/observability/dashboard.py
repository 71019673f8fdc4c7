"""The Grafana dashboard `deploy/grafana/jobstream.json`, built from the panel list below.

`python -m jobstream.observability.dashboard` rewrites the file; a unit test fails when the file
is stale or breaks `deploy/grafana/dashboard.schema.json`, and an e2e test runs every panel's
query against a real Prometheus scraping a real stack after a workload.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
DASHBOARD_FILE = REPO_ROOT / "deploy" / "grafana" / "jobstream.json"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
EP = 'endpoint=~"$endpoint"'
RATE = "$__rate_interval"
LAG = "jobstream_kafka_consumer_lag_messages"


@dataclass(frozen=True)
class Panel:
    """One graph: its title, unit, queries (PromQL, legend) and the service whose metrics it
    reads."""

    title: str
    unit: str
    queries: tuple[tuple[str, str], ...]
    service: str
    description: str = ""
    kind: str = "timeseries"


def quantile(q: float, metric: str, by: str, selector: str = "") -> str:
    inner = f"sum by ({by}le) (rate({metric}_bucket{{{selector}}}[{RATE}]))"
    return f"histogram_quantile({q}, {inner})"


ROWS: tuple[tuple[str, tuple[Panel, ...]], ...] = (
    ("Throughput and latency per endpoint", (
        Panel("Jobs created", "reqps", (
            (f"sum by (endpoint) (rate(jobstream_jobs_created_total{{{EP}}}[{RATE}]))",
             "{{endpoint}}"),), "gateway"),
        Panel("Jobs finished by outcome", "reqps", (
            ("sum by (endpoint, status) (rate(jobstream_job_transitions_total"
             f'{{{EP}, status=~"completed|failed|cancelled|expired"}}[{RATE}]))',
             "{{endpoint}} {{status}}"),), "projector"),
        Panel("Run time p50 / p95", "s", (
            (quantile(0.5, "jobstream_job_run_duration_seconds", "endpoint, ", EP),
             "p50 {{endpoint}}"),
            (quantile(0.95, "jobstream_job_run_duration_seconds", "endpoint, ", EP),
             "p95 {{endpoint}}"),), "projector", "started → completed, failed or cancelled"),
        Panel("Queue wait p95", "s", (
            (quantile(0.95, "jobstream_job_queue_wait_seconds", "endpoint, ", EP),
             "{{endpoint}}"),), "projector", "created → first started"),
        Panel("HTTP requests by route and status", "reqps", (
            (f"sum by (route, status) (rate(jobstream_http_requests_total[{RATE}]))",
             "{{route}} {{status}}"),), "gateway"),
        Panel("HTTP latency p95 by route", "s", (
            (quantile(0.95, "jobstream_http_request_duration_seconds", "route, "),
             "{{route}}"),), "gateway"),
        Panel("Create phases p95", "s", (
            (quantile(0.95, "jobstream_gateway_create_phase_seconds", "phase, "), "{{phase}}"),),
            "gateway", "POST /v1/jobs inside the gateway: queued for a group, store write, "
            "job.created acknowledged, command acknowledged"),
    )),
    ("Queues", (
        Panel("Consumer lag by group (queue depth)", "short", (
            (f"sum by (group) (max by (group, topic, partition) ({LAG}))", "{{group}}"),),
            "worker", "Messages between each group's committed offset and the log end"),
        Panel("Jobs in flight", "short", (
            (f"sum by (endpoint) (jobstream_worker_jobs_in_flight{{{EP}}})", "{{endpoint}}"),),
            "worker"),
        Panel("Worker retries and timeouts", "ops", (
            (f"sum by (endpoint) (rate(jobstream_worker_retries_total{{{EP}}}[{RATE}]))",
             "retries {{endpoint}}"),), "worker"),
    )),
    ("Failures", (
        Panel("Failures by code", "ops", (
            (f"sum by (endpoint, code) (rate(jobstream_job_failures_total{{{EP}}}[{RATE}]))",
             "{{endpoint}} {{code}}"),), "projector"),
        Panel("DLQ messages (last hour)", "short", (
            ("sum by (source) (increase(jobstream_dlq_messages_total[1h]))", "{{source}}"),),
            "worker", kind="stat"),
        Panel("Gateway 5xx ratio", "percentunit", (
            (f'(sum(rate(jobstream_http_requests_total{{status=~"5.."}}[{RATE}])) or vector(0))'
             f" / sum(rate(jobstream_http_requests_total[{RATE}]))", "5xx"),), "gateway",
            "0 when no request failed (the 5xx series do not exist until one does)"),
    )),
    ("Projector and outbox", (
        Panel("Projector lag", "short", (
            (f'sum(max by (topic, partition) ({LAG}{{group="projector"}}))', "events waiting"),),
            "projector"),
        Panel("Projector event lag p95 and batch time p95", "s", (
            (quantile(0.95, "jobstream_projector_event_lag_seconds", ""), "event → written"),
            (quantile(0.95, "jobstream_projector_batch_duration_seconds", ""), "batch"),),
            "projector"),
        Panel("Outbox", "short", (
            ('max(jobstream_outbox_messages{job="janitor"})', "waiting"),
            (f"sum(rate(jobstream_outbox_relayed_messages_total[{RATE}]))", "relayed /s"),),
            "janitor"),
    )),
    ("Documents and webhooks", (
        Panel("Document pages/s by format and source", "ops", (
            (f"sum by (format, source) (rate(jobstream_document_pages_total[{RATE}]))",
             "{{format}} {{source}}"),), "worker"),
        Panel("Document load p95 by format, OCR per page", "s", (
            (quantile(0.95, "jobstream_document_load_duration_seconds", "format, "),
             "load {{format}}"),
            (f"sum(rate(jobstream_ocr_seconds_sum[{RATE}])) / "
             f"sum(rate(jobstream_ocr_seconds_count[{RATE}]))", "OCR s/page"),), "worker"),
        Panel("Webhook deliveries by result", "ops", (
            (f"sum by (result) (rate(jobstream_webhook_deliveries_total[{RATE}]))",
             "{{result}}"),), "notifier"),
    )),
)  # fmt: skip


def _panel(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    targets = [
        {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": chr(65 + i)}
        for i, (expr, legend) in enumerate(panel.queries)
    ]
    return {
        "id": panel_id, "type": panel.kind, "title": panel.title,
        "description": panel.description, "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 8, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
        "targets": targets,
    }  # fmt: skip


def _templating() -> dict[str, Any]:
    datasource = {"name": "datasource", "label": "Prometheus", "type": "datasource",
                  "query": "prometheus", "current": {}, "hide": 0}  # fmt: skip
    endpoint = {
        "name": "endpoint", "label": "Endpoint", "type": "query", "datasource": DATASOURCE,
        "query": {"query": "label_values(jobstream_endpoint_deployed, endpoint)", "refId": "A"},
        "definition": "label_values(jobstream_endpoint_deployed, endpoint)",
        "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2,
        "current": {"text": "All", "value": "$__all"},
    }  # fmt: skip
    return {"list": [datasource, endpoint]}


def build() -> dict[str, Any]:
    """The dashboard JSON model: one row per section, three panels across."""
    panels: list[dict[str, Any]] = []
    y, panel_id = 0, 1
    for title, row in ROWS:
        panels.append({"id": panel_id, "type": "row", "title": title, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})  # fmt: skip
        panel_id, y = panel_id + 1, y + 1
        for index, panel in enumerate(row):
            x = (index % 3) * 8
            panels.append(_panel(panel, panel_id, x, y + (index // 3) * 8))
            panel_id += 1
        y += ((len(row) + 2) // 3) * 8
    return {
        "uid": "jobstream", "title": "jobstream", "tags": ["jobstream"], "editable": True,
        "schemaVersion": 39, "version": 1, "refresh": "10s", "timezone": "browser",
        "time": {"from": "now-1h", "to": "now"}, "templating": _templating(),
        "annotations": {"list": []}, "panels": panels,
    }  # fmt: skip


def panels_by_query() -> list[tuple[Panel, str]]:
    """Every (panel, PromQL) pair, for the test that runs them."""
    return [(panel, expr) for _, row in ROWS for panel in row for expr, _ in panel.queries]


def render() -> str:
    return json.dumps(build(), indent=2) + "\n"


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        return 0 if DASHBOARD_FILE.read_text() == render() else 1
    DASHBOARD_FILE.parent.mkdir(parents=True, exist_ok=True)
    DASHBOARD_FILE.write_text(render())
    print(DASHBOARD_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
