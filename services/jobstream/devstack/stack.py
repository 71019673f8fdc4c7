"""`make up` / `down` / `status` / `clean`: the whole stack as local processes under `.run/`.

Layout: `.run/pids/<name>.pid`, `.run/logs/<name>.log`, `.run/data/<kafka|ferretdb>/`, `.run/env`.
Ports come from the environment (defaults below), so two stacks can run side by side.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jobstream.devstack import infra
from jobstream.devstack.processes import ManagedProcess, stop_process
from jobstream.settings import CommonSettings

DEFAULT_BUCKET = "jobstream-artifacts"


@dataclass(frozen=True)
class ServiceSpec:
    """One service process: how to start it and where its health endpoint answers."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    health_url: str


@dataclass(frozen=True)
class StackLayout:
    """Directories and ports of one stack instance."""

    run_dir: Path
    ports: infra.InfraPorts
    gateway_port: int
    service_port_base: int
    bucket: str = DEFAULT_BUCKET
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, run_dir: Path) -> StackLayout:
        env = os.environ
        ports = infra.InfraPorts(
            kafka=int(env.get("KAFKA_PORT", "9092")),
            kafka_controller=int(env.get("KAFKA_CONTROLLER_PORT", "9093")),
            mongo=int(env.get("MONGO_PORT", "27017")),
            s3=int(env.get("S3_PORT", "9000")),
        )
        return cls(
            run_dir=run_dir,
            ports=ports,
            gateway_port=int(env.get("GATEWAY_PORT", "8000")),
            service_port_base=int(env.get("SERVICE_PORT_BASE", "8100")),
            bucket=env.get("S3_BUCKET", DEFAULT_BUCKET),
        )

    def process(self, name: str) -> ManagedProcess:
        return ManagedProcess(
            name, self.run_dir / "pids" / f"{name}.pid", self.run_dir / "logs" / f"{name}.log"
        )

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "data"

    def infra_env(self) -> dict[str, str]:
        """The settings every service reads to reach the infrastructure."""
        return {
            "JOBSTREAM_KAFKA_BOOTSTRAP": self.ports.kafka_bootstrap,
            "JOBSTREAM_MONGO_URL": self.ports.mongo_url,
            "JOBSTREAM_S3_ENDPOINT": self.ports.s3_endpoint,
            "JOBSTREAM_S3_BUCKET": self.bucket,
            # moto accepts any credentials; real deployments use the AWS credential chain.
            "JOBSTREAM_S3_ACCESS_KEY_ID": "testing",
            "JOBSTREAM_S3_SECRET_ACCESS_KEY": "testing",
            **self.extra_env,
        }


INFRA = ("kafka", "ferretdb", "s3")


async def start_infra(layout: StackLayout) -> list[str]:
    """Start whatever infrastructure is not running, wait until all of it answers."""
    started: list[str] = []
    ports = layout.ports
    kafka, ferret, s3 = (layout.process(n) for n in INFRA)
    if not kafka.is_running():
        infra.start_kafka(kafka, ports=ports, data=layout.data_dir / "kafka")
        started.append("kafka")
    if not ferret.is_running():
        infra.start_ferretdb(ferret, ports=ports, data=layout.data_dir / "ferretdb")
        started.append("ferretdb")
    if not s3.is_running():
        infra.start_s3(s3, ports=ports)
        started.append("s3")
    await asyncio.gather(
        infra.wait_until(
            lambda: infra.kafka_ready(ports.kafka_bootstrap), what="kafka", timeout=90, proc=kafka
        ),
        infra.wait_until(
            lambda: infra.mongo_ready(ports.mongo_url), what="ferretdb", timeout=30, proc=ferret
        ),
        infra.wait_until(
            lambda: infra.http_ok(f"{ports.s3_endpoint}/moto-api/"), what="s3", timeout=30, proc=s3
        ),
    )
    await infra.create_bucket(ports.s3_endpoint, layout.bucket)
    return started


async def start_services(layout: StackLayout, specs: Sequence[ServiceSpec]) -> list[str]:
    """Start the services that are not running and wait for each /health."""
    from jobstream.devstack.processes import start_process

    started: list[str] = []
    for spec in specs:
        proc = layout.process(spec.name)
        if not proc.is_running():
            start_process(proc, spec.argv, env={**layout.infra_env(), **spec.env})
            started.append(spec.name)
    await asyncio.gather(
        *(
            infra.wait_until(
                lambda url=spec.health_url: infra.http_ok(url),  # type: ignore[misc]
                what=spec.name,
                timeout=60,
                proc=layout.process(spec.name),
            )
            for spec in specs
        )
    )
    return started


def stop_all(layout: StackLayout) -> list[str]:
    """Stop every process with a pid file, services first, infrastructure last."""
    pid_dir = layout.run_dir / "pids"
    names = sorted(p.stem for p in pid_dir.glob("*.pid")) if pid_dir.exists() else []
    ordered = [n for n in names if n not in INFRA] + [n for n in INFRA if n in names]
    return [name for name in ordered if stop_process(layout.process(name))]


def status_lines(layout: StackLayout) -> list[str]:
    pid_dir = layout.run_dir / "pids"
    lines = []
    for pid_file in sorted(pid_dir.glob("*.pid")) if pid_dir.exists() else []:
        proc = layout.process(pid_file.stem)
        state = "running" if proc.is_running() else "dead"
        lines.append(f"{proc.name:<22} pid {proc.pid()!s:<8} {state:<8} log {proc.log_file}")
    return lines or ["nothing is running (no pid files)"]


def write_env(layout: StackLayout, values: Mapping[str, str]) -> Path:
    path = layout.run_dir / "env"
    body = "".join(f"{key}={value}\n" for key, value in values.items())
    tmp = path.with_suffix(".tmp")
    tmp.write_text(body)
    tmp.replace(path)
    return path


def clean(layout: StackLayout) -> None:
    stop_all(layout)
    shutil.rmtree(layout.run_dir, ignore_errors=True)


def elapsed(start: float) -> str:
    return f"{time.monotonic() - start:.1f}s"


def layout_settings(layout: StackLayout) -> CommonSettings:
    """The shared settings the stack's services will read, as this process sees them."""
    env = layout.infra_env()
    return CommonSettings(
        kafka_bootstrap=env["JOBSTREAM_KAFKA_BOOTSTRAP"],
        worker_slugs=env.get("JOBSTREAM_WORKER_SLUGS", "parse"),
        noop_endpoint_enabled=env.get("JOBSTREAM_NOOP_ENDPOINT_ENABLED", "").lower() == "true",
    )


async def create_topics(layout: StackLayout) -> list[str]:
    from jobstream.adapters.kafka_topics import ensure_topics, topic_plan

    settings = layout_settings(layout)
    return await ensure_topics(settings.kafka_bootstrap, topic_plan(settings))


async def dev_api_key(layout: StackLayout) -> str:
    """The development key: created once per data directory, then reused."""
    path = layout.data_dir / "dev-api-key"
    if path.exists():
        return path.read_text().strip()
    from jobstream.bootstrap import create_api_key

    key = await create_api_key(
        layout.ports.mongo_url, "jobstream", organization_id="dev", name="make up"
    )
    path.write_text(key + "\n")
    return key
