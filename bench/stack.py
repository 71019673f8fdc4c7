"""A fresh, isolated jobstream stack for one benchmark run, and the process readings it allows.

Same code as `make up` and the test fixtures (jobstream.devstack), on free ports and a temporary
run directory, so a bench never touches a developer's `make up` stack. Peak RSS is read from
/proc (VmHWM: the kernel's high-water mark of resident memory over the process's life).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from jobstream.devstack import infra, stack
from jobstream.devstack.services import service_specs
from jobstream.devstack.stack import StackLayout

NOOP_ENDPOINT = "/v1/diagnostics/noop"
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

    @property
    def mongo_url(self) -> str:
        return self.layout.ports.mongo_url

    @property
    def kafka_bootstrap(self) -> str:
        return self.layout.ports.kafka_bootstrap

    def pid(self, name: str) -> int | None:
        return self.layout.process(name).pid()

    def cpu_seconds(self, names: list[str] | None = None) -> dict[str, float]:
        """User + system CPU seconds each process (and its reaped children) has used so far."""
        names = names if names is not None else [*self.services, "kafka", "ferretdb"]
        return {name: cpu_seconds(pid) for name in names if (pid := self.pid(name)) is not None}

    def peak_rss_mib(self, names: list[str] | None = None) -> dict[str, float]:
        """VmHWM of each named process (default: every service plus Kafka and FerretDB)."""
        names = names if names is not None else [*self.services, "kafka", "ferretdb"]
        readings: dict[str, float] = {}
        for name in names:
            pid = self.pid(name)
            if pid is not None:
                readings[name] = round(peak_rss_mib(pid) + children_peak_rss_mib(pid), 1)
        return readings


def _status_field(pid: int, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024  # kB → MiB
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    # fields[11:15] = utime, stime, cutime, cstime (after the state field at index 0)
    return round(sum(int(v) for v in fields[11:15]) / ticks, 2)


def peak_rss_mib(pid: int) -> float:
    return round(_status_field(pid, "VmHWM"), 1)


def children_peak_rss_mib(pid: int) -> float:
    """Peak RSS of a process's live children (a worker's CPU pool), summed."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in task.read_text().split():
                total += peak_rss_mib(int(child))
    return round(total, 1)


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
        key = await _api_key(layout)
        yield BenchStack(layout, f"http://127.0.0.1:{base}", key, [s.name for s in specs])
    finally:
        await asyncio.to_thread(stack.stop_all, layout)


async def _api_key(layout: StackLayout) -> str:
    from jobstream.adapters.mongo import MongoApiKeys, connect
    from jobstream.gateway.auth import issue_api_key

    client, db = connect(layout.ports.mongo_url, "jobstream")
    try:
        return await issue_api_key(MongoApiKeys(db), organization_id=ORGANIZATION, name="bench")
    finally:
        await client.close()
