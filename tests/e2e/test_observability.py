"""Observability on the real stack: every service's `/metrics` passes `promtool check metrics` and
carries its metric families; `make monitor`'s Prometheus scrapes every process of the stack."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
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
from tests.e2e.conftest import RunningStack
from tests.e2e.test_jobs_api import create, is_terminal, pdf_data_url

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
    "worker-parse-1": {
        "jobstream_worker_jobs_in_flight", "jobstream_kafka_consumer_lag_messages",
        "jobstream_worker_endpoint_info",
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
    specs = service_specs(running_stack.layout, {"parse": 1})
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
                    assert name.endswith(("_seconds", "_events")), f"{name}: unit in the name"
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
    assert [(w["metric"]["endpoint"], w["metric"]["service"]) for w in workers] == [
        ("parse", "worker-parse")
    ]
