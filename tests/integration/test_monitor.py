"""`make monitor`'s Prometheus: starts from the stack's run directory, loads the alert rules,
reads the file-SD targets `make up` writes, and `make down` (stop_all) stops it."""

from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from jobstream.devstack import infra, monitor, stack
from jobstream.devstack.stack import ServiceSpec


def layout_in(run_dir: Path) -> stack.StackLayout:
    return stack.StackLayout(
        run_dir=run_dir, ports=infra.InfraPorts.free(), gateway_port=0, service_port_base=0
    )


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback
        return json.load(resp)


def test_targets_name_each_process_with_the_labels_the_rules_use(tmp_path: Path) -> None:
    specs = [
        ServiceSpec("gateway", ["x"], {}, "http://127.0.0.1:8000/health"),
        ServiceSpec("worker-parse-2", ["x"], {}, "http://127.0.0.1:8112/health"),
    ]
    path = monitor.write_targets(layout_in(tmp_path), specs)
    assert json.loads(path.read_text()) == [
        {
            "targets": ["127.0.0.1:8000"],
            "labels": {"job": "gateway", "service": "gateway", "process": "gateway"},
        },
        {
            "targets": ["127.0.0.1:8112"],
            "labels": {"job": "worker", "service": "worker-parse", "process": "worker-parse-2"},
        },
    ]  # fmt: skip


@pytest.mark.integration
async def test_monitor_loads_the_rules_scrapes_the_targets_and_stops_with_down(
    tmp_path: Path,
) -> None:
    layout = layout_in(tmp_path)
    port = infra.free_port()
    # Prometheus itself as the one target: something that surely serves /metrics.
    spec = ServiceSpec("gateway", ["x"], {}, f"http://127.0.0.1:{port}/health")
    monitor.write_targets(layout, [spec])
    options = monitor.MonitorOptions(port=port, scrape_interval="1s", stack_label="test")
    try:
        assert await monitor.start_monitor(layout, options) is True
        assert await monitor.start_monitor(layout, options) is False  # idempotent, like make up
        url = f"http://127.0.0.1:{port}"
        groups = get_json(f"{url}/api/v1/rules")["data"]["groups"]
        loaded = {rule["name"] for group in groups for rule in group["rules"]}
        assert {"JobstreamNoWorker", "JobstreamDLQMessages", "JobstreamTargetDown"} <= loaded

        async def target_up() -> bool:
            active = get_json(f"{url}/api/v1/targets")["data"]["activeTargets"]
            return any(t["labels"]["process"] == "gateway" and t["health"] == "up" for t in active)

        await infra.wait_until(target_up, what="the file-SD target to be scraped", timeout=30)
    finally:
        stopped = stack.stop_all(layout)
    assert stopped == ["prometheus"]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
