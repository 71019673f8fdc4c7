"""The running stack for end-to-end tests: real services as processes on the test infrastructure.

Settings are shortened where waiting would otherwise dominate (dispatch timeout, janitor
interval); the noop diagnostic endpoint is enabled so tests can hold, fail or slow jobs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest

from jobstream.bootstrap import create_api_key
from jobstream.devstack import infra, stack
from jobstream.devstack.processes import start_process, stop_process
from jobstream.devstack.services import service_specs, worker_spec
from jobstream.devstack.stack import ServiceSpec, StackLayout
from tests.fake_openai import FakeOpenAI, fake_openai, fake_openai_http, fake_openai_server

__all__ = ["fake_openai", "fake_openai_http", "fake_openai_server"]  # fixtures for the e2e tests

T = TypeVar("T")

E2E_ENV = {
    "JOBSTREAM_MONGO_CURSOR_AUDIT": "1",
    "JOBSTREAM_WORKER_SLUGS": (
        "parse,noop,extract,classify,split,schema_generate,template_generate,template_fill,"
        "agent_fill"
    ),
    "JOBSTREAM_NOOP_ENDPOINT_ENABLED": "true",
    "JOBSTREAM_GATEWAY_DISPATCH_TIMEOUT_SECONDS": "2",
    # the gateway's producer gets a shorter delivery bound, so the relay waits 11 s instead of
    # 35 (settings.py); only the gateway's: see docs/decisions.md on the workers' producers
    "JOBSTREAM_GATEWAY_KAFKA_REQUEST_TIMEOUT_SECONDS": "3",
    "JOBSTREAM_GATEWAY_OUTBOX_RELAY_DELAY_SECONDS": "11",
    "JOBSTREAM_JANITOR_INTERVAL_SECONDS": "0.5",
    "JOBSTREAM_JANITOR_SWEEP_INTERVAL_SECONDS": "0.5",
    "JOBSTREAM_EXPIRY_BUCKET_SECONDS": "1",
    "JOBSTREAM_JANITOR_FIRST_SWEEP_LOOKBACK_BUCKETS": "10",
    "JOBSTREAM_JANITOR_OUTBOX_MIN_AGE_SECONDS": "1",
    "JOBSTREAM_WORKER_BACKOFF_BASE_SECONDS": "0.05",
    "JOBSTREAM_LOG_LEVEL": "INFO",
    "JOBSTREAM_NOTIFIER_BACKOFF_BASE_SECONDS": "0.2",
    "JOBSTREAM_NOTIFIER_BACKOFF_MAX_SECONDS": "1",
    "JOBSTREAM_NOTIFIER_POLL_INTERVAL_SECONDS": "0.1",
    "JOBSTREAM_NOTIFIER_TIMEOUT_SECONDS": "3",
    "JOBSTREAM_GATEWAY_SSE_HEARTBEAT_SECONDS": "0.5",
    # documents: http URLs from one allowed loopback address; small limits for the bad-input tests
    "JOBSTREAM_DOCUMENT_URL_ALLOW_HTTP": "true",
    "JOBSTREAM_WORKER_FETCH_ALLOWED_NETWORKS": "127.0.0.2/32",
    "JOBSTREAM_WORKER_FETCH_TIMEOUT_SECONDS": "10",
    "JOBSTREAM_WORKER_MAX_PAGES": "50",
    "JOBSTREAM_WORKER_MAX_IMAGE_PIXELS": "20000000",
    "JOBSTREAM_WORKER_MAX_UNPACKED_BYTES": "50000000",
    # Models named fake-* go to the fake OpenAI-compatible server the suite starts (its URL is
    # added by the fixture); every other model runs on the local engine.
    "JOBSTREAM_MODEL_ROUTES": "fake-*=openai,*=local",
    "JOBSTREAM_OPENAI_MAX_RETRIES": "1",
    "JOBSTREAM_OPENAI_VISION_MODELS": "fake-vision*",
}
# The understanding endpoints share one worker process, as `make up` runs them.
SHARED_WORKERS = ("extract", "classify", "split", "schema_generate")


async def wait_for(
    probe: Callable[[], Awaitable[T | None]],
    *,
    timeout: float = 30,
    what: str = "condition",
    interval: float = 0.05,
) -> T:
    """Poll `probe` until it returns something truthy; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


@dataclass
class RunningStack:
    layout: StackLayout
    url: str
    keys: dict[str, str]  # organization → API key

    def client(self, org: str = "org_a") -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, headers={"Api-Key": self.keys[org]}, timeout=60)

    def start(self, spec: ServiceSpec) -> None:
        start_process(
            self.layout.process(spec.name), spec.argv, env={**self.layout.infra_env(), **spec.env}
        )

    async def start_and_wait(self, specs: list[ServiceSpec]) -> None:
        await stack.start_services(self.layout, specs)

    def stop(self, name: str, *, hard: bool = False) -> None:
        stop_process(self.layout.process(name), hard=hard)

    def noop_worker(self, instance: int) -> ServiceSpec:
        return worker_spec("noop", instance, self.layout.service_port_base + 40 + instance)

    async def job_when(
        self, client: httpx.AsyncClient, job_id: str, ok: Callable[[dict[str, Any]], bool],
        *, timeout: float = 30, params: dict[str, str] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        async def probe() -> dict[str, Any] | None:
            resp = await client.get(f"/v1/jobs/{job_id}", params=params)
            body: dict[str, Any] = resp.json()
            return body if resp.status_code == 200 and ok(body) else None

        return await wait_for(probe, timeout=timeout, what=f"{job_id} to reach the state")


@pytest.fixture(scope="session", autouse=True)
def _no_truststore_injection() -> Iterator[None]:
    """The retab SDK's client calls `truststore.inject_into_ssl()`, replacing `ssl.SSLContext` for
    the whole test process; botocore's SSL context then recurses without end (the expiry test's
    S3 listing failed so once an SDK test ran before it). The tests speak plain HTTP to
    127.0.0.1, so the injection is turned into a no-op here."""
    try:
        import truststore
    except ImportError:
        yield
        return
    original = truststore.inject_into_ssl
    truststore.inject_into_ssl = lambda: None
    try:
        yield
    finally:
        truststore.inject_into_ssl = original


@pytest.fixture(scope="session")
async def running_stack(
    infra_stack: StackLayout, fake_openai_server: FakeOpenAI
) -> AsyncIterator[RunningStack]:
    base = infra.free_port_block(60)
    env = {**E2E_ENV, "JOBSTREAM_OPENAI_BASE_URL": fake_openai_server.url}
    layout = dataclasses.replace(
        infra_stack, gateway_port=base, service_port_base=base, extra_env=env
    )
    await stack.create_topics(layout)
    # noop workers are started by the tests
    specs = service_specs(layout, {"parse": 1}, shared=SHARED_WORKERS)
    try:
        await stack.start_services(layout, specs)
        keys = {
            org: await create_api_key(
                layout.ports.mongo_url, "jobstream", organization_id=org, name="e2e"
            )
            for org in ("org_a", "org_b")
        }
        yield RunningStack(layout, f"http://127.0.0.1:{layout.gateway_port}", keys)
    finally:
        for name in [p.stem for p in (layout.run_dir / "pids").glob("*.pid")]:
            if name not in stack.INFRA:
                stop_process(layout.process(name))


@pytest.fixture
async def noop_worker(running_stack: RunningStack) -> RunningStack:
    """Makes sure one noop worker runs (tests that hold jobs in `queued` stop it themselves)."""
    spec = running_stack.noop_worker(1)
    if not running_stack.layout.process(spec.name).is_running():
        await running_stack.start_and_wait([spec])
    return running_stack
