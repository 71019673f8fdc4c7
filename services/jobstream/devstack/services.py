"""Which service processes the local stack runs, with which settings and ports.

`DEV_WORKERS` says how many instances of each worker service to run, e.g. `parse=2,noop=1`
(default `parse=1`). Ports: gateway `GATEWAY_PORT`; projector, janitor and workers get
`SERVICE_PORT_BASE`+1, +2 and +10+n for their /metrics and /health.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jobstream.devstack.stack import ServiceSpec, StackLayout


def cli_path() -> str:
    return str(Path(sys.executable).parent / "jobstream")


def worker_instances(spec: str | None = None) -> dict[str, int]:
    spec = spec if spec is not None else os.environ.get("DEV_WORKERS", "parse=1")
    counts: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        slug, _, count = part.partition("=")
        counts[slug.strip()] = int(count or 1)
    return counts


def service_specs(layout: StackLayout, workers: dict[str, int] | None = None) -> list[ServiceSpec]:
    workers = worker_instances() if workers is None else workers
    base = layout.service_port_base
    gateway = ServiceSpec(
        "gateway",
        [cli_path(), "gateway"],
        {"JOBSTREAM_GATEWAY_PORT": str(layout.gateway_port)},
        f"http://127.0.0.1:{layout.gateway_port}/health",
    )
    projector = ServiceSpec(
        "projector",
        [cli_path(), "projector"],
        {"JOBSTREAM_PROJECTOR_METRICS_PORT": str(base + 1)},
        f"http://127.0.0.1:{base + 1}/health",
    )
    janitor = ServiceSpec(
        "janitor",
        [cli_path(), "janitor"],
        {"JOBSTREAM_JANITOR_METRICS_PORT": str(base + 2)},
        f"http://127.0.0.1:{base + 2}/health",
    )
    specs = [projector, janitor, gateway]
    n = 0
    for slug, count in sorted(workers.items()):
        for instance in range(1, count + 1):
            n += 1
            port = base + 10 + n
            specs.append(worker_spec(slug, instance, port))
    return specs


def worker_spec(slug: str, instance: int, port: int) -> ServiceSpec:
    return ServiceSpec(
        f"worker-{slug}-{instance}",
        [cli_path(), "worker", slug],
        {"JOBSTREAM_WORKER_METRICS_PORT": str(port), "JOBSTREAM_WORKER_INSTANCE": str(instance)},
        f"http://127.0.0.1:{port}/health",
    )


def deployed_slugs(workers: dict[str, int]) -> str:
    return ",".join(sorted(slug for slug, count in workers.items() if count > 0))
