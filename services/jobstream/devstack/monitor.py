"""`make monitor`: a real Prometheus scraping every service process the local stack runs.

`make up` writes the scrape targets as Prometheus file-based service discovery JSON
(`.run/prometheus/targets.json`); `jobstream dev monitor` writes a config that reads that file and
loads `deploy/prometheus/alerts.yml`, then starts Debian's `prometheus` as one more managed
process (pid file `.run/pids/prometheus.pid`), so `make down` stops it with the rest.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from jobstream.devstack import infra
from jobstream.devstack.processes import start_process
from jobstream.devstack.stack import ServiceSpec, StackLayout

ALERT_RULES = infra.REPO_ROOT / "deploy" / "prometheus" / "alerts.yml"
PROCESS_NAME = "prometheus"
_WORKER_NAME = re.compile(r"^worker-(?P<label>.+)-(?P<instance>\d+)$")


@dataclass(frozen=True)
class MonitorOptions:
    """Where Prometheus listens and how often it scrapes and evaluates the rules."""

    port: int = 9090
    scrape_interval: str = "5s"
    stack_label: str = "jobstream-local"


def monitor_dir(layout: StackLayout) -> Path:
    return layout.run_dir / "prometheus"


def targets_file(layout: StackLayout) -> Path:
    return monitor_dir(layout) / "targets.json"


def target_group(spec: ServiceSpec) -> dict[str, object]:
    """One file-SD group per process: its `/metrics` address (where `/health` answers), `job`
    (gateway, projector, janitor, worker: what the alert rules select on), `service` (the worker
    service, `worker-<slug>` or `worker-shared`) and `process` (the pid file's name)."""
    address = urlsplit(spec.health_url).netloc
    match = _WORKER_NAME.match(spec.name)
    job = "worker" if match is not None else spec.name
    service = f"worker-{match['label']}" if match is not None else spec.name
    return {"targets": [address], "labels": {"job": job, "service": service, "process": spec.name}}


def write_targets(layout: StackLayout, specs: Sequence[ServiceSpec]) -> Path:
    """Write (atomically: Prometheus re-reads the file when it changes) the targets of `specs`."""
    path = targets_file(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([target_group(spec) for spec in specs], indent=2) + "\n")
    tmp.replace(path)
    return path


def prometheus_config(layout: StackLayout, options: MonitorOptions) -> dict[str, object]:
    return {
        "global": {
            "scrape_interval": options.scrape_interval,
            "scrape_timeout": options.scrape_interval,
            "evaluation_interval": options.scrape_interval,
            "external_labels": {"stack": options.stack_label},
        },
        "rule_files": [str(ALERT_RULES)],
        "scrape_configs": [
            {
                "job_name": "jobstream",
                "file_sd_configs": [
                    {"files": [str(targets_file(layout))], "refresh_interval": "5s"}
                ],
            }
        ],
    }


def prometheus_binary() -> str:
    found = shutil.which("prometheus")
    if found is None:
        raise infra.InfraError(
            "prometheus is not installed: run deploy/local/provision-ops.sh prometheus"
        )
    return found


async def start_monitor(layout: StackLayout, options: MonitorOptions) -> bool:
    """Start Prometheus unless it runs; wait until it is ready. True when it was started here."""
    proc = layout.process(PROCESS_NAME)
    url = f"http://127.0.0.1:{options.port}"
    started = False
    if not proc.is_running():
        directory = monitor_dir(layout)
        directory.mkdir(parents=True, exist_ok=True)
        if not targets_file(layout).exists():
            write_targets(layout, [])
        config = directory / "prometheus.yml"
        config.write_text(yaml.safe_dump(prometheus_config(layout, options), sort_keys=False))
        argv = [
            prometheus_binary(),
            f"--config.file={config}",
            f"--storage.tsdb.path={layout.data_dir / 'prometheus'}",
            "--storage.tsdb.retention.time=7d",
            f"--web.listen-address=127.0.0.1:{options.port}",
            "--log.level=warn",
        ]
        start_process(proc, argv)
        started = True
    await infra.wait_until(
        lambda: infra.http_ok(f"{url}/-/ready"), what="prometheus", timeout=60, proc=proc
    )
    return started
