"""One job, one trace across processes: gateway, Kafka produce, worker consume, handler and
document load, the worker's events, the projector's apply and the notifier's webhook delivery,
all exported over OTLP/HTTP to a receiver this test runs, linked by the traceparent carried in
Kafka headers (and kept in the delivery's record for the notifier).

The traced services run beside the session's stack on the same Kafka and FerretDB, under their
own topic prefix (`traced.*`) and database, so they see only this test's jobs."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from jobstream.adapters.kafka_topics import ensure_topics, topic_plan
from jobstream.bootstrap import create_api_key
from jobstream.devstack import infra, stack
from jobstream.devstack.processes import stop_process
from jobstream.devstack.services import cli_path
from jobstream.devstack.stack import ServiceSpec, StackLayout
from jobstream.settings import CommonSettings
from tests.e2e.conftest import RunningStack, wait_for
from tests.e2e.receiver import serving as webhook_receiver

pytestmark = pytest.mark.e2e
CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@dataclass(frozen=True)
class ExportedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    kind: int


class Receiver(ThreadingHTTPServer):
    spans: list[ExportedSpan]


class OtlpHandler(BaseHTTPRequestHandler):
    """POST /v1/traces (OTLP/HTTP, protobuf): keeps every span it is sent."""

    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                self.server.spans.extend(
                    ExportedSpan(
                        attributes.get("service.name", ""),
                        s.name,
                        s.trace_id.hex(),
                        s.span_id.hex(),
                        s.parent_span_id.hex(),
                        s.kind,
                    )
                    for s in scope.spans
                )
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver(("127.0.0.1", 0), OtlpHandler)
    server.spans = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@dataclass
class TracedStack:
    url: str
    key: str


def traced_specs(base: int) -> list[ServiceSpec]:
    return [
        ServiceSpec("traced-projector", [cli_path(), "projector"],
                    {"JOBSTREAM_PROJECTOR_METRICS_PORT": str(base + 1)},
                    f"http://127.0.0.1:{base + 1}/health"),
        ServiceSpec("traced-worker", [cli_path(), "worker", "parse"],
                    {"JOBSTREAM_WORKER_METRICS_PORT": str(base + 2)},
                    f"http://127.0.0.1:{base + 2}/health"),
        ServiceSpec("traced-notifier", [cli_path(), "notifier"],
                    {"JOBSTREAM_NOTIFIER_METRICS_PORT": str(base + 3)},
                    f"http://127.0.0.1:{base + 3}/health"),
        ServiceSpec("traced-gateway", [cli_path(), "gateway"],
                    {"JOBSTREAM_GATEWAY_PORT": str(base)}, f"http://127.0.0.1:{base}/health"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
async def traced(running_stack: RunningStack, receiver: Receiver) -> AsyncIterator[TracedStack]:
    base = infra.free_port_block(5)
    env = {
        "JOBSTREAM_TOPIC_PREFIX": "traced", "JOBSTREAM_MONGO_DATABASE": "traced",
        "JOBSTREAM_WORKER_SLUGS": "parse", "JOBSTREAM_OTEL_ENABLED": "true",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.server_address[1]}",
        "OTEL_BSP_SCHEDULE_DELAY": "100", "JOBSTREAM_LOG_LEVEL": "WARNING",
        "JOBSTREAM_WEBHOOK_ALLOW_LOOPBACK": "true",
    }  # fmt: skip
    layout: StackLayout = dataclasses.replace(running_stack.layout, extra_env=env)
    ports = layout.ports
    settings = CommonSettings(kafka_bootstrap=ports.kafka_bootstrap, topic_prefix="traced",
                              worker_slugs="parse")  # fmt: skip
    await ensure_topics(ports.kafka_bootstrap, topic_plan(settings))
    specs = traced_specs(base)
    try:
        await stack.start_services(layout, specs)
        key = await create_api_key(ports.mongo_url, "traced", organization_id="org_t", name="t")
        yield TracedStack(f"http://127.0.0.1:{base}", key)
    finally:
        for spec in specs:
            stop_process(layout.process(spec.name))


async def test_one_jobs_spans_form_one_trace_across_processes(
    traced: TracedStack, receiver: Receiver
) -> None:
    traceparent = f"00-{CLIENT_TRACE}-00f067aa0ba902b7-01"
    body = {
        "endpoint": "/v1/documents/parse",
        "request": {"document": {"filename": "t.txt", "url": "data:text/plain,traced"}},
    }
    async with (
        httpx.AsyncClient(base_url=traced.url, headers={"Api-Key": traced.key}) as client,
        webhook_receiver() as hooks,
    ):
        hook = {"url": hooks.url("/traced"), "events": ["job.completed"]}
        assert (await client.post("/v1/webhooks", json=hook)).status_code == 200
        created = await client.post("/v1/jobs", json=body, headers={"traceparent": traceparent})
        assert created.status_code == 200, created.text
        job_id = created.json()["id"]

        async def completed() -> bool:
            return (await client.get(f"/v1/jobs/{job_id}")).json()["status"] == "completed"

        await wait_for(completed, what=f"{job_id} completed", timeout=60)

        async def delivered() -> bool:
            return bool(hooks.at("/traced"))

        await wait_for(delivered, what="the webhook delivery", timeout=60)

    def trace() -> list[ExportedSpan]:
        return [s for s in receiver.spans if s.trace_id == CLIENT_TRACE]

    def names() -> set[tuple[str, str]]:
        return {(s.service, s.name) for s in trace()}

    expected = {
        ("jobstream-gateway", "POST /v1/jobs"),
        ("jobstream-gateway", "send traced.events"),
        ("jobstream-gateway", "send traced.commands.parse"),
        ("jobstream-worker-parse", "process traced.commands.parse"),
        ("jobstream-worker-parse", "handle parse"),
        ("jobstream-worker-parse", "document.load"),
        ("jobstream-worker-parse", "send traced.events"),
        ("jobstream-projector", "apply traced.events"),
        ("jobstream-notifier", "webhook deliver"),
    }

    async def all_exported() -> bool:
        return expected <= names()

    await wait_for(all_exported, what=f"spans {expected - names()}", timeout=30)
    spans = {s.span_id: s for s in trace()}
    by_name = {(s.service, s.name): s for s in trace()}
    request = by_name[("jobstream-gateway", "POST /v1/jobs")]
    assert request.parent_id == "00f067aa0ba902b7"  # the caller's span
    consume = by_name[("jobstream-worker-parse", "process traced.commands.parse")]
    assert spans[consume.parent_id].name == "send traced.commands.parse"
    ancestors, at = [], consume
    while at.parent_id in spans:
        at = spans[at.parent_id]
        ancestors.append(at)
    assert request in ancestors  # the worker's span descends from the HTTP request's
    deliver = by_name[("jobstream-notifier", "webhook deliver")]
    assert deliver.kind == 3  # SPAN_KIND_CLIENT in OTLP
    assert (spans[deliver.parent_id].service, spans[deliver.parent_id].name) == (
        "jobstream-worker-parse",
        "send traced.events",
    )  # the message of the completed event
    # Every span but the request's has its parent in the trace: one tree across four processes.
    assert all(s.parent_id in spans for s in trace() if s is not request)
    applied = [s for s in trace() if s.name == "apply traced.events"]
    assert {spans[s.parent_id].service for s in applied} == {
        "jobstream-gateway", "jobstream-worker-parse"
    }  # fmt: skip
