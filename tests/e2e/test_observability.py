"""Observability on the real stack: every service's `/metrics` passes `promtool check metrics` and
carries its metric families; `make monitor`'s Prometheus scrapes every process of the stack; after
a workload (parse of a PDF and of a scan, jobs that complete, fail and retry, webhook deliveries to
a receiver of the test, a poison command), every Grafana panel's query answers on that Prometheus:
with a positive value, or 0 for the few panels of state at rest (ZERO_IS_AN_ANSWER)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import math
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from jobstream.devstack import infra, monitor
from jobstream.devstack.processes import stop_process
from jobstream.devstack.services import service_specs
from jobstream.devstack.stack import ServiceSpec
from jobstream.observability import dashboard
from tests.e2e.conftest import RunningStack
from tests.e2e.receiver import Receiver, serving
from tests.e2e.test_jobs_api import NOOP, create, is_terminal, pdf_data_url

pytestmark = pytest.mark.e2e

# What each service must expose once a job went through (names from adapters/metrics.py).
FAMILIES = {
    "gateway": {
        "jobstream_http_requests_total", "jobstream_http_request_duration_seconds",
        "jobstream_jobs_created_total", "jobstream_endpoint_deployed",
    },
    "projector": {
        "jobstream_job_transitions_total", "jobstream_job_queue_wait_seconds",
        "jobstream_job_run_duration_seconds", "jobstream_projector_batch_duration_seconds",
        "jobstream_projector_event_lag_seconds", "jobstream_kafka_consumer_lag_messages",
    },
    "janitor": {"jobstream_outbox_messages", "jobstream_outbox_relayed_messages_total"},
    "notifier": {"jobstream_webhook_messages_total", "jobstream_webhook_attempts_in_flight",
                 "jobstream_webhook_delivery_duration_seconds",
                 "jobstream_webhook_deliveries_total"},
    "worker-noop-1": {"jobstream_worker_jobs_in_flight", "jobstream_worker_endpoint_info"},
    "worker-parse-1": {
        "jobstream_worker_jobs_in_flight", "jobstream_kafka_consumer_lag_messages",
        "jobstream_worker_endpoint_info", "jobstream_worker_retries_total",
        "jobstream_dlq_messages_total", "jobstream_document_pages_total", "jobstream_ocr_seconds",
    },
}  # fmt: skip
TYPE_LINE = re.compile(r"^# TYPE (jobstream_\w+) (counter|gauge|histogram|summary)$", re.M)


@dataclass
class Monitored:
    stack: RunningStack
    specs: list[ServiceSpec]
    prometheus: str


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - loopback
        return json.load(resp)


def metrics_url(spec: ServiceSpec) -> str:
    return spec.health_url.removesuffix("/health") + "/metrics"


@pytest.fixture(scope="module")
async def monitored(running_stack: RunningStack) -> AsyncIterator[Monitored]:
    """What `make up` + `make monitor` do, on the test stack's free ports: targets, Prometheus."""
    noop = running_stack.noop_worker(1)
    if not running_stack.layout.process(noop.name).is_running():
        await running_stack.start_and_wait([noop])
    specs = [*service_specs(running_stack.layout, {"parse": 1}), noop]
    monitor.write_targets(running_stack.layout, specs)
    port = infra.free_port()
    options = monitor.MonitorOptions(port=port, scrape_interval="1s", stack_label="e2e")
    await monitor.start_monitor(running_stack.layout, options)
    try:
        yield Monitored(running_stack, specs, f"http://127.0.0.1:{port}")
    finally:
        stop_process(running_stack.layout.process(monitor.PROCESS_NAME))


async def run_a_parse_job(stack: RunningStack) -> None:
    async with stack.client() as client:
        document = {"filename": "m.pdf", "url": pdf_data_url(["Metrics page"])}
        job = await create(client, "/v1/documents/parse", {"document": document})
        done = await stack.job_when(client, job["id"], is_terminal)
    assert done["status"] == "completed", done


async def test_every_service_metrics_pass_promtool_and_carry_their_families(
    monitored: Monitored,
) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run deploy/local/provision-ops.sh prometheus"
    await run_a_parse_job(monitored.stack)
    async with httpx.AsyncClient(timeout=10) as http:
        for spec in monitored.specs:
            text = (await http.get(metrics_url(spec))).text
            lint = await asyncio.to_thread(
                subprocess.run,
                [promtool, "check", "metrics"], input=text, capture_output=True, text=True,
                check=False,
            )  # fmt: skip
            assert lint.returncode == 0, f"{spec.name}: {lint.stdout}{lint.stderr}"
            types = dict(TYPE_LINE.findall(text))
            assert FAMILIES[spec.name] <= set(types), f"{spec.name} lacks families"
            for name, kind in types.items():
                if kind == "histogram":
                    assert name.endswith(("_seconds", "_events", "_jobs")), (
                        f"{name}: unit in the name"
                    )
                if kind == "counter":
                    assert name.endswith("_total"), f"{name}: counters end in _total"


async def test_prometheus_scrapes_every_process_and_has_the_rules(monitored: Monitored) -> None:
    expected = {spec.name for spec in monitored.specs}

    async def all_up() -> bool:
        active = get_json(f"{monitored.prometheus}/api/v1/targets")["data"]["activeTargets"]
        return {t["labels"]["process"] for t in active if t["health"] == "up"} == expected

    await infra.wait_until(all_up, what=f"{sorted(expected)} all up in Prometheus", timeout=60)
    groups = get_json(f"{monitored.prometheus}/api/v1/rules")["data"]["groups"]
    assert len([r for g in groups for r in g["rules"] if r["type"] == "alerting"]) >= 10
    query = f"{monitored.prometheus}/api/v1/query?query=jobstream_worker_endpoint_info"
    workers = get_json(query)["data"]["result"]
    assert sorted((w["metric"]["endpoint"], w["metric"]["service"]) for w in workers) == [
        ("noop", "worker-noop"), ("parse", "worker-parse")
    ]  # fmt: skip


# Panels whose every series may be 0 after the workload: state at rest (nothing queued, running
# or waiting), a ratio of no 5xx, an outbox drained without needing the relay. Every other panel
# must answer a positive value: what the workload did must show.
ZERO_IS_AN_ANSWER = {
    "Consumer lag by group (queue depth)", "Jobs in flight", "Gateway 5xx ratio",
    "Projector lag", "Outbox",
}  # fmt: skip


def substituted(expr: str) -> str:
    """The query as Grafana sends it with endpoint = All and a 5m rate interval."""
    return expr.replace("$__rate_interval", "5m").replace("$endpoint", ".*")


def scan_png(text: str) -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 200), "white")
    ImageDraw.Draw(image).text((20, 80), text, fill="black", font_size=40)
    png = io.BytesIO()
    image.save(png, format="PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()


async def workload(stack: RunningStack, receiver: Receiver) -> None:
    """Jobs that touch every panel: a PDF and an OCR'd image parsed, noop jobs that complete,
    fail permanently and fail after transient retries (each delivered to a webhook), and a poison
    command for the DLQ. Waits until the receiver has every job's delivery."""
    from aiokafka import AIOKafkaProducer

    async with stack.client() as client:
        jobs = [
            await create(client, "/v1/documents/parse",
                         {"document": {"filename": "d.pdf", "url": pdf_data_url(["Panels"])}}),
            await create(client, "/v1/documents/parse",
                         {"document": {"filename": "scan.png",
                                       "url": scan_png("Dashboard OCR check")}}),
            await create(client, NOOP, {}),
            await create(client, NOOP, {"fail": "permanent"}),
            await create(client, NOOP, {"fail": "transient"}),
        ]  # fmt: skip
        for job in jobs:
            await stack.job_when(client, job["id"], is_terminal, timeout=120)
    producer = AIOKafkaProducer(bootstrap_servers=stack.layout.ports.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait("jobs.commands.parse", b"\x00dashboard poison", key=b"p")
    finally:
        await producer.stop()
    ids = {job["id"] for job in jobs}

    async def delivered() -> bool:
        return ids <= {json.loads(r.body)["job_id"] for r in receiver.at("/panels")}

    await infra.wait_until(delivered, what="every job's webhook delivery", timeout=60)


def answers(prometheus: str, expr: str) -> tuple[str, list[float]]:
    """('ok' | the error, the values of the result's series)."""
    url = f"{prometheus}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    try:
        body = get_json(url)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}: {exc.read().decode()[:300]}", []
    return "ok", [float(series["value"][1]) for series in body["data"]["result"]]


async def scraped_since(monitored: Monitored, moment: float) -> None:
    """Wait until Prometheus scraped every target after `moment` (series born in the workload
    then have a sample to count later increases from)."""

    async def all_scraped() -> bool:
        _, values = answers(monitored.prometheus, "min(timestamp(up))")
        count = answers(monitored.prometheus, "count(up == 1)")[1]
        return bool(values) and values[0] > moment and count == [float(len(monitored.specs))]

    await infra.wait_until(all_scraped, what="a scrape of every target", timeout=60)


async def test_every_dashboard_query_answers_after_a_workload(monitored: Monitored) -> None:
    stack = monitored.stack
    async with serving() as receiver, stack.client() as client:
        resp = await client.post("/v1/webhooks", json={
            "url": receiver.url("/panels"), "events": ["job.completed", "job.failed"]})  # fmt: skip
        assert resp.status_code == 200, resp.text
        try:
            # Twice: a rate needs two samples, and series born in the first round have one.
            await scraped_since(monitored, time.time())
            await workload(stack, receiver)
            await scraped_since(monitored, time.time())
            await workload(stack, receiver)
        finally:
            await client.delete(f"/v1/webhooks/{resp.json()['id']}")
    pending: dict[str, str] = {}

    async def all_answer() -> bool:
        pending.clear()
        for panel, raw in dashboard.panels_by_query():
            expr = substituted(raw)
            status, values = answers(monitored.prometheus, expr)
            if status != "ok":
                raise AssertionError(f"{panel.title}: {expr} failed: {status}")
            finite = [v for v in values if not math.isnan(v)]
            wanted = finite if panel.title in ZERO_IS_AN_ANSWER else [v for v in finite if v > 0]
            if not wanted:
                pending[panel.title] = f"{expr} → {values or 'nothing'}"
        return not pending

    try:
        await infra.wait_until(all_answer, what="every panel to answer", timeout=90)
    except infra.InfraError as exc:
        raise AssertionError(f"panels without an answer: {json.dumps(pending, indent=1)}") from exc
