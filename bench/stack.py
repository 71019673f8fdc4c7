"""A fresh, isolated jobstream stack for one benchmark run, and the process readings it allows.

Same code as `make up` and the test fixtures (jobstream.devstack), on free ports and a temporary
run directory, so a bench never touches a developer's `make up` stack. Peak RSS is read from
/proc (VmHWM: the kernel's high-water mark of resident memory over the process's life).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiokafka.errors import KafkaError
from prometheus_client.parser import text_string_to_metric_families

from bench import procfs
from jobstream.adapters.kafka import topic_reader
from jobstream.bootstrap import create_api_key
from jobstream.devstack import infra, stack
from jobstream.devstack.services import service_specs
from jobstream.devstack.stack import StackLayout
from jobstream.settings import CommonSettings

ORGANIZATION = "bench"

BENCH_ENV = {
    "JOBSTREAM_WORKER_SLUGS": "parse,noop",
    "JOBSTREAM_NOOP_ENDPOINT_ENABLED": "true",
    "JOBSTREAM_LOG_LEVEL": "INFO",
}


@dataclass
class BenchStack:
    """A running stack: where it answers and which processes to watch."""

    layout: StackLayout
    url: str
    api_key: str
    services: list[str]
    metrics_urls: dict[str, str] = field(default_factory=dict)

    @property
    def mongo_url(self) -> str:
        return self.layout.ports.mongo_url

    @property
    def kafka_bootstrap(self) -> str:
        return self.layout.ports.kafka_bootstrap

    def pid(self, name: str) -> int | None:
        return self.layout.process(name).pid()

    def pids(self, names: list[str] | None = None) -> dict[str, int]:
        """Pids of the named processes (default: every service plus Kafka and FerretDB)."""
        names = names if names is not None else [*self.services, "kafka", "ferretdb"]
        return {name: pid for name in names if (pid := self.pid(name)) is not None}

    def cpu_seconds(self, names: list[str] | None = None) -> dict[str, float]:
        """CPU seconds each process has used so far."""
        readings = {name: procfs.cpu_seconds(pid) for name, pid in self.pids(names).items()}
        return {name: value for name, value in readings.items() if value is not None}

    async def _metrics(self, names: list[str]) -> dict[str, str]:
        """The Prometheus text of each named service; a service that does not answer is left out."""
        texts: dict[str, str] = {}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            for name in names:
                try:
                    async with session.get(self.metrics_urls[name]) as response:
                        texts[name] = await response.text()
                except aiohttp.ClientError:
                    continue
        return texts

    async def store_commands(self) -> dict[str, dict[str, float]]:
        """Commands each service has sent to the store so far, by command name (its
        `jobstream_store_commands_total`); a service that does not answer is left out."""
        texts = await self._metrics(list(self.metrics_urls))
        return {
            name: {
                sample.labels["command"]: sample.value
                for family in text_string_to_metric_families(text)
                if family.name == "jobstream_store_commands"
                for sample in family.samples
                if sample.name == "jobstream_store_commands_total"
            }
            for name, text in texts.items()
        }

    async def create_phases(self) -> dict[str, dict[str, float]]:
        """The gateway's `jobstream_gateway_create_phase_seconds` so far: per phase its count,
        sum and cumulative bucket counts (keyed `le=<bound>`); empty if it does not answer."""
        text = (await self._metrics(["gateway"])).get("gateway", "")
        phases: dict[str, dict[str, float]] = {}
        for family in text_string_to_metric_families(text):
            if family.name != "jobstream_gateway_create_phase_seconds":
                continue
            for sample in family.samples:
                kind = sample.name.removeprefix(family.name)
                if kind not in ("_bucket", "_count", "_sum"):
                    continue
                key = f"le={sample.labels['le']}" if kind == "_bucket" else kind[1:]
                phases.setdefault(sample.labels["phase"], {})[key] = sample.value
        return phases

    async def kafka_serves(self) -> bool:
        """Whether every partition of the events topic has a leader and answers its end offset
        (not so for a few seconds after the broker was stopped: its controller fences it)."""
        topic = CommonSettings(kafka_bootstrap=self.kafka_bootstrap).events_topic
        try:
            async with topic_reader(
                self.kafka_bootstrap, topic, client_id="bench-probe", from_end=True
            ) as (consumer, tps):
                cluster = consumer._client.cluster
                return bool(tps) and all(
                    cluster.leader_for_partition(tp) not in (None, -1) for tp in tps
                )
        except (AssertionError, KafkaError, OSError):  # no partitions assigned, or no answer
            return False

    def peak_rss_mib(self, names: list[str] | None = None) -> dict[str, float]:
        """Peak RSS of each process, its live children included (a worker's CPU pool)."""
        readings = {
            name: procfs.peak_rss_with_children_mib(pid) for name, pid in self.pids(names).items()
        }
        return {name: value for name, value in readings.items() if value is not None}


@contextlib.asynccontextmanager
async def fresh_stack(
    run_dir: Path, *, workers: Mapping[str, int], env: Mapping[str, str] | None = None
) -> AsyncIterator[BenchStack]:
    """Kafka, FerretDB, moto and the services on free ports under `run_dir`; always stopped."""
    base = infra.free_port_block(60)
    layout = StackLayout(
        run_dir=run_dir,
        ports=infra.InfraPorts.free(),
        gateway_port=base,
        service_port_base=base,
        bucket="jobstream-bench",
        extra_env={**BENCH_ENV, **(env or {})},
    )
    try:
        await stack.start_infra(layout)
        await stack.create_topics(layout)
        specs = service_specs(layout, dict(workers))
        await stack.start_services(layout, specs)
        key = await create_api_key(
            layout.ports.mongo_url, "jobstream", organization_id=ORGANIZATION, name="bench"
        )
        metrics = {s.name: s.health_url.removesuffix("/health") + "/metrics" for s in specs}
        yield BenchStack(layout, f"http://127.0.0.1:{base}", key, [s.name for s in specs], metrics)
    finally:
        await asyncio.to_thread(stack.stop_all, layout)
