"""deploy/grafana/jobstream.json: fresh from its builder, valid against the schema of what
Grafana needs, panels laid out without overlap, every variable used defined."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from jobstream.observability import dashboard

GRAFANA = Path(__file__).resolve().parents[2] / "deploy" / "grafana"


def model() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(dashboard.DASHBOARD_FILE.read_text())
    return loaded


def test_the_committed_dashboard_is_what_the_builder_makes() -> None:
    assert dashboard.main(["--check"]) == 0, "run: python -m jobstream.observability.dashboard"


def test_the_dashboard_is_valid_against_the_schema() -> None:
    schema = json.loads((GRAFANA / "dashboard.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(model(), schema)


def test_a_broken_panel_is_rejected_by_the_schema() -> None:
    schema = json.loads((GRAFANA / "dashboard.schema.json").read_text())
    broken = model()
    del broken["panels"][1]["targets"][0]["expr"]
    with pytest.raises(jsonschema.ValidationError, match="expr"):
        jsonschema.validate(broken, schema)


def test_panel_ids_are_unique_and_panels_do_not_overlap() -> None:
    panels = model()["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        mine = {
            (x, y)
            for x in range(pos["x"], pos["x"] + pos["w"])
            for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert not cells & mine, f"{panel['title']} overlaps another panel"
        cells |= mine


def test_every_variable_a_query_uses_is_defined() -> None:
    defined = {v["name"] for v in model()["templating"]["list"]} | {"__rate_interval"}
    for panel in model()["panels"]:
        for target in panel.get("targets", []):
            used = set(re.findall(r"\$\{?(\w+)", target["expr"] + target["datasource"]["uid"]))
            assert used <= defined, (panel["title"], used - defined)


def test_compose_provisions_the_dashboard_and_the_datasource() -> None:
    compose = yaml.safe_load((GRAFANA.parents[1] / "docker-compose.yml").read_text())
    grafana = compose["services"]["grafana"]
    mounts = " ".join(grafana["volumes"])
    assert "./deploy/grafana/jobstream.json" in mounts
    assert "./deploy/grafana/provisioning" in mounts
    sources = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())
    assert sources["datasources"][0]["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/jobstream.yml").read_text())
    assert providers["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
