"""Several endpoints in one worker process: the slugs a command names, and make up's processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobstream.devstack.infra import InfraPorts
from jobstream.devstack.services import deployed_slugs, service_specs, shared_slugs
from jobstream.devstack.stack import StackLayout
from jobstream.workers.app import implemented_slugs, parse_slugs


def test_all_means_every_implemented_endpoint() -> None:
    assert parse_slugs("all") == [
        "parse",
        "extract",
        "classify",
        "split",
        "schema_generate",
        "template_generate",
        "template_fill",
        "agent_fill",
    ]
    assert "noop" not in implemented_slugs()


def test_a_list_keeps_its_order_without_repeats() -> None:
    assert parse_slugs(" split,extract ,split") == ["split", "extract"]
    assert parse_slugs("noop,all")[0] == "noop"


@pytest.mark.parametrize("bad", ["", "extract,nope", ","])
def test_unknown_or_missing_slugs_stop_the_command(bad: str) -> None:
    with pytest.raises(SystemExit):
        parse_slugs(bad)


def layout() -> StackLayout:
    return StackLayout(
        run_dir=Path("run-dir-never-used"), ports=InfraPorts(1, 2, 3, 4), gateway_port=8000,
        service_port_base=8100, bucket="b",
    )  # fmt: skip


def test_make_up_runs_one_shared_worker_and_scales_named_endpoints_apart() -> None:
    workers = {"extract": 2}
    shared = shared_slugs(workers)
    assert shared == [
        "parse",
        "classify",
        "split",
        "schema_generate",
        "template_generate",
        "template_fill",
        "agent_fill",
    ]

    specs = {spec.name: spec for spec in service_specs(layout(), workers, shared=shared)}

    assert specs["worker-shared-1"].argv[1:] == [
        "worker",
        "parse,classify,split,schema_generate,template_generate,template_fill,agent_fill",
    ]
    assert specs["worker-shared-1"].env["JOBSTREAM_WORKER_METRICS_PORT"] == "8110"
    assert specs["worker-extract-1"].argv[1:] == ["worker", "extract"]
    assert specs["worker-extract-2"].env["JOBSTREAM_WORKER_METRICS_PORT"] == "8112"
    assert deployed_slugs(workers, shared) == (
        "agent_fill,classify,extract,parse,schema_generate,split,template_fill,template_generate"
    )


def test_an_endpoint_set_to_zero_runs_nowhere() -> None:
    workers = {"parse": 0}
    shared = shared_slugs(workers)
    assert "parse" not in shared
    assert "parse" not in deployed_slugs(workers, shared).split(",")
    names = [spec.name for spec in service_specs(layout(), workers, shared=shared)]
    assert not any(name.startswith("worker-parse") for name in names)
