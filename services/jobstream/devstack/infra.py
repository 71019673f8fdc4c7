"""Kafka (KRaft, one node), FerretDB (SQLite backend) and moto S3 as local processes.

Binaries come from the cache filled by deploy/local/provision.sh; everything binds to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from jobstream.devstack.processes import ManagedProcess, start_process

REPO_ROOT = Path(__file__).resolve().parents[3]
KAFKA_LOG4J = REPO_ROOT / "deploy" / "local" / "kafka" / "log4j2.properties"


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jobstream"
    return Path(os.environ.get("JOBSTREAM_CACHE", default))


def kafka_libs() -> Path:
    return cache_dir() / f"kafka-{os.environ.get('KAFKA_VERSION', '4.1.1')}" / "libs"


# Equal to provision.sh ferretdb_patch_level (tests/unit/test_provision_consistency.py checks).
FERRETDB_PATCH_LEVEL = "p3"


def ferretdb_binary() -> Path:
    """FerretDB as provision.sh builds it, with deploy/local/ferretdb/*.patch applied."""
    version = os.environ.get("FERRETDB_VERSION", "v1.24.2")
    return cache_dir() / "bin" / f"ferretdb-{version}-{FERRETDB_PATCH_LEVEL}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_block(size: int) -> int:
    """A base port with `size` free ports after it (a stack's services take consecutive ports).

    Chosen below the kernel's ephemeral range: a port there can be free when checked and taken a
    moment later as the local end of some outgoing connection (seen as a worker failing to bind
    its /metrics port in the fault tests).
    """
    ephemeral_low = _ephemeral_range()[0]
    low, high = 10_000, max(10_000 + size, ephemeral_low - size)
    for _ in range(200):
        base = random.randint(low, high)  # noqa: S311 - not a secret
        try:
            for port in range(base, base + size):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free port block")


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


@dataclass(frozen=True)
class InfraPorts:
    """Where the infrastructure listens."""

    kafka: int
    kafka_controller: int
    mongo: int
    s3: int

    @classmethod
    def free(cls) -> InfraPorts:
        return cls(free_port(), free_port(), free_port(), free_port())

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo}/"

    @property
    def s3_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3}"


class InfraError(RuntimeError):
    """A piece of infrastructure did not start or did not become ready in time."""


def kafka_cluster_id() -> str:
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


KAFKA_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{ctrl}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{ctrl}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data}/kraft-logs
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
message.max.bytes=2097152
"""


def _java_opts(data: Path) -> list[str]:
    heap = os.environ.get("KAFKA_HEAP", "512m")
    return [
        "-Xms128m",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={data}",
        f"-Dlog4j2.configurationFile={KAFKA_LOG4J}",
    ]


def start_kafka(proc: ManagedProcess, *, ports: InfraPorts, data: Path) -> None:
    """Format the KRaft storage on first use (static voters, no --standalone), start the broker."""

    data.mkdir(parents=True, exist_ok=True)
    props = data / "server.properties"
    props.write_text(
        KAFKA_PROPERTIES.format(port=ports.kafka, ctrl=ports.kafka_controller, data=data)
    )
    classpath = f"{kafka_libs()}/*"
    if not (data / "kraft-logs" / "meta.properties").exists():
        fmt = ["java", "-cp", classpath, *_java_opts(data), "kafka.tools.StorageTool", "format"]
        fmt += ["-t", kafka_cluster_id(), "-c", str(props)]
        result = subprocess.run(fmt, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise InfraError(f"kafka storage format failed: {result.stdout}{result.stderr}")
    start_process(proc, ["java", "-cp", classpath, *_java_opts(data), "kafka.Kafka", str(props)])


def start_ferretdb(proc: ManagedProcess, *, ports: InfraPorts, data: Path) -> None:
    (data / "sqlite").mkdir(parents=True, exist_ok=True)
    (data / "state").mkdir(parents=True, exist_ok=True)
    argv = [
        str(ferretdb_binary()),
        "--handler=sqlite",
        # WAL without an fsync per commit: a power loss can drop the last commits, which the
        # read model recovers from jobs.events, the source of truth (docs/decisions.md).
        f"--sqlite-url=file:{data / 'sqlite'}/?_pragma=synchronous(normal)",
        f"--listen-addr=127.0.0.1:{ports.mongo}",
        f"--state-dir={data / 'state'}",
        f"--debug-addr={os.environ.get('FERRETDB_DEBUG_ADDR', '-')}",
        "--telemetry=disable",
        f"--log-level={os.environ.get('FERRETDB_LOG_LEVEL', 'warn')}",
    ]
    start_process(proc, argv, env={"DO_NOT_TRACK": "1"})


def start_s3(proc: ManagedProcess, *, ports: InfraPorts) -> None:
    moto = Path(sys.executable).parent / "moto_server"
    start_process(proc, [str(moto), "-H", "127.0.0.1", "-p", str(ports.s3)])


async def wait_until(
    check: Callable[[], Awaitable[bool]],
    *,
    what: str,
    timeout: float,
    proc: ManagedProcess | None = None,
) -> None:
    """Poll check() until it returns True; fail early if the process died, late at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if await check():
                return
        except Exception:  # noqa: BLE001, S110 - not ready yet
            pass
        if proc is not None and not proc.is_running():
            tail = _tail(proc.log_file)
            raise InfraError(f"{what} exited during start-up; last log lines:\n{tail}")
        await asyncio.sleep(0.1)
    raise InfraError(f"{what} not ready after {timeout:.0f}s")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


async def kafka_ready(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    finally:
        await admin.close()


async def mongo_ready(url: str) -> bool:
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        url, serverSelectionTimeoutMS=1000
    )
    try:
        await client.admin.command("ping")
        return True
    finally:
        await client.close()


async def http_ok(url: str) -> bool:
    def get() -> bool:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
            return 200 <= int(resp.status) < 300

    return await asyncio.to_thread(get)


async def create_bucket(endpoint: str, bucket: str) -> None:
    from aiobotocore.session import get_session

    session = get_session()
    async with session.create_client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto accepts any key
    ) as s3:
        try:
            await s3.head_bucket(Bucket=bucket)
        except Exception:  # noqa: BLE001 - absent: create it
            await s3.create_bucket(Bucket=bucket)
