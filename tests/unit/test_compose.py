"""docker-compose.yml runs every service `make up` runs (gateway, projector, janitor, notifier,
workers), each healthchecked on the port it serves `/health` on and listening on 0.0.0.0, and the
compose Prometheus scrapes each of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
PORTS = {"gateway": 8000, "projector": 8101, "janitor": 8102, "notifier": 8103}
PREFIXES = {"gateway": "GATEWAY", "projector": "PROJECTOR", "janitor": "JANITOR",
            "notifier": "NOTIFIER"}  # fmt: skip


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def test_every_core_service_runs_healthchecked_on_its_port() -> None:
    services = compose()["services"]
    for name, port in PORTS.items():
        service = services[name]
        assert service["command"] == [name], name
        assert f"127.0.0.1:{port}/health" in " ".join(service["healthcheck"]["test"]), name
        env = service["environment"]
        assert env[f"JOBSTREAM_{PREFIXES[name]}_HOST"] == "0.0.0.0", name  # noqa: S104
        assert "JOBSTREAM_MONGO_URL" in env and "JOBSTREAM_KAFKA_BOOTSTRAP" in env, name
        assert set(service["depends_on"]) >= {"kafka", "topics", "mongo"}, name


def test_prometheus_scrapes_every_core_service() -> None:
    config = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus.yml").read_text())
    static = {
        job["job_name"]: [t for sc in job["static_configs"] for t in sc["targets"]]
        for job in config["scrape_configs"] if "static_configs" in job
    }  # fmt: skip
    for name, port in PORTS.items():
        assert static.get(name) == [f"{name}:{port}"], name
