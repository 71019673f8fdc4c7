"""Counters whose label values a service knows at start are exported at 0 before their first
event (a panel's rate then reads 0, not nothing, and the first event counts as an increase)."""

from __future__ import annotations

from prometheus_client import REGISTRY

from jobstream.adapters.metrics import (
    export_notifier_series,
    export_projector_series,
    export_worker_series,
)


def value(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def test_a_worker_exports_its_endpoint_and_zeroed_counters() -> None:
    assert value("jobstream_worker_retries_total", endpoint="unit_slug") is None
    export_worker_series("unit_slug", command_topic="jobs.commands.unit_slug")
    assert value("jobstream_worker_endpoint_info", endpoint="unit_slug") == 1.0
    assert value("jobstream_worker_retries_total", endpoint="unit_slug") == 0.0
    assert value("jobstream_worker_timeouts_total", endpoint="unit_slug") == 0.0
    assert value("jobstream_dlq_messages_total", source="jobs.commands.unit_slug") == 0.0


def test_the_projector_and_notifier_export_theirs() -> None:
    export_projector_series(events_topic="unit.events")
    assert value("jobstream_dlq_messages_total", source="unit.events") == 0.0
    export_notifier_series()
    for result in ("success", "failure"):
        assert value("jobstream_webhook_deliveries_total", result=result) is not None
