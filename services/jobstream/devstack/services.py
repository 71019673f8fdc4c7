"""Which service processes the local stack runs, with which settings and ports.

By default one worker process (`worker-shared-1`) runs every implemented endpoint side by side
(`jobstream worker parse,extract,...`). `DEV_WORKERS` takes endpoints out of it to run them in
processes of their own, as many as asked, e.g. `DEV_WORKERS=extract=2` (two extract processes,
the other endpoints shared) or `noop=1`; `=0` does not run that endpoint at all. Ports: gateway
`GATEWAY_PORT`; projector, janitor, notifier, the shared worker and the others get
`SERVICE_PORT_BASE`+1, +2, +3, +10 and +10+n for their /metrics and /health. Webhooks may target
loopback addresses on this development stack (receivers on the same machine).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from jobstream.devstack.stack import ServiceSpec, StackLayout

DEV_WEBHOOKS = {"JOBSTREAM_WEBHOOK_ALLOW_LOOPBACK": "true"}


def cli_path() -> str:
    return str(Path(sys.executable).parent / "jobstream")


def worker_instances(spec: str | None = None) -> dict[str, int]:
    spec = spec if spec is not None else os.environ.get("DEV_WORKERS", "")
    counts: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        slug, _, count = part.partition("=")
        counts[slug.strip()] = int(count or 1)
    return counts


def shared_slugs(workers: dict[str, int]) -> list[str]:
    """The implemented endpoints `make up` runs in its shared worker: those not named in
    `DEV_WORKERS`."""
    from jobstream.workers.app import implemented_slugs

    return [slug for slug in implemented_slugs() if slug not in workers]


def service_specs(
    layout: StackLayout,
    workers: dict[str, int] | None = None,
    *,
    shared: Sequence[str] = (),
) -> list[ServiceSpec]:
    """The stack's processes: projector, janitor, gateway, one worker process for the `shared`
    slugs (if any) and `workers[slug]` processes of their own for each slug named there."""
    workers = worker_instances() if workers is None else workers
    base = layout.service_port_base
    gateway = ServiceSpec(
        "gateway",
        [cli_path(), "gateway"],
        {"JOBSTREAM_GATEWAY_PORT": str(layout.gateway_port), **DEV_WEBHOOKS},
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
    notifier = ServiceSpec(
        "notifier",
        [cli_path(), "notifier"],
        {"JOBSTREAM_NOTIFIER_METRICS_PORT": str(base + 3), **DEV_WEBHOOKS},
        f"http://127.0.0.1:{base + 3}/health",
    )
    specs = [projector, janitor, notifier, gateway]
    if shared:
        specs.append(_worker(("shared", 1), ",".join(shared), base + 10))
    n = 0
    for slug, count in sorted(workers.items()):
        for instance in range(1, count + 1):
            n += 1
            port = base + 10 + n
            specs.append(worker_spec(slug, instance, port))
    return specs


def worker_spec(slug: str, instance: int, port: int) -> ServiceSpec:
    return _worker((slug, instance), slug, port)


def _worker(name: tuple[str, int], slugs: str, port: int) -> ServiceSpec:
    label, instance = name
    return ServiceSpec(
        f"worker-{label}-{instance}",
        [cli_path(), "worker", slugs],
        {"JOBSTREAM_WORKER_METRICS_PORT": str(port), "JOBSTREAM_WORKER_INSTANCE": str(instance)},
        f"http://127.0.0.1:{port}/health",
    )


def deployed_slugs(workers: dict[str, int], shared: Sequence[str] = ()) -> str:
    own = [slug for slug, count in workers.items() if count > 0]
    return ",".join(sorted({*own, *shared}))
