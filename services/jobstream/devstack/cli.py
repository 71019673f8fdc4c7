"""`jobstream dev up|down|status|clean|monitor` — the commands behind the Makefile's targets."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import time
from pathlib import Path

from jobstream.devstack import monitor, stack
from jobstream.devstack.services import (
    deployed_slugs,
    service_specs,
    shared_slugs,
    worker_instances,
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dev = sub.add_parser("dev", help="run the local stack (make up / down / status / clean)")
    dev.add_argument("action", choices=["up", "down", "status", "clean", "monitor"])
    dev.add_argument("--run-dir", type=Path, default=Path(".run"))
    dev.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    layout = stack.StackLayout.from_env(args.run_dir.resolve())
    if args.action == "up":
        return asyncio.run(_up(layout))
    if args.action == "monitor":
        return asyncio.run(_monitor(layout))
    if args.action == "down":
        stopped = stack.stop_all(layout)
        print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
    elif args.action == "status":
        print("\n".join(stack.status_lines(layout)))
    else:
        stack.clean(layout)
        print(f"stopped everything and removed {layout.run_dir}")
    return 0


# The development stack may fetch documents from servers on this machine (never elsewhere private).
DEV_ENV = {
    "JOBSTREAM_DOCUMENT_URL_ALLOW_HTTP": "true",
    "JOBSTREAM_WORKER_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8,::1/128",
}


async def _up(layout: stack.StackLayout) -> int:
    # Readiness polling connects before the broker listens; aiokafka logs every refusal.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    t0 = time.monotonic()
    workers = worker_instances()
    shared = shared_slugs(workers)
    slugs = deployed_slugs(workers, shared)
    layout = dataclasses.replace(
        layout,
        extra_env={**DEV_ENV, "JOBSTREAM_WORKER_SLUGS": slugs, **layout.extra_env},
    )
    started = await stack.start_infra(layout)
    await stack.create_topics(layout)
    specs = service_specs(layout, workers, shared=shared)
    started += await stack.start_services(layout, specs)
    monitor.write_targets(layout, specs)
    api_key = await stack.dev_api_key(layout)
    env = {
        "JOBS_API_URL": f"http://127.0.0.1:{layout.gateway_port}",
        "JOBS_API_KEY": api_key,
        "KAFKA_BOOTSTRAP": layout.ports.kafka_bootstrap,
        "MONGO_URL": layout.ports.mongo_url,
        "S3_ENDPOINT": layout.ports.s3_endpoint,
        "S3_BUCKET": layout.bucket,
    }
    path = stack.write_env(layout, env)
    print(f"started: {', '.join(started) or 'nothing (all running)'} in {stack.elapsed(t0)}")
    print("\n".join(stack.status_lines(layout)))
    print(f"wrote {path}")
    return 0


async def _monitor(layout: stack.StackLayout) -> int:
    options = monitor.MonitorOptions(port=int(os.environ.get("PROMETHEUS_PORT", "9090")))
    if not monitor.targets_file(layout).exists():
        print("no targets yet: run `make up` first (Prometheus starts anyway and picks them up)")
    started = await monitor.start_monitor(layout, options)
    state = "started" if started else "already running"
    print(f"prometheus {state}: http://127.0.0.1:{options.port} (targets: Status → Targets)")
    print(f"scraping what {monitor.targets_file(layout)} lists; alerts from {monitor.ALERT_RULES}")
    return 0
