"""The alert rules load, and each alert fires and resolves in its `promtool test rules` case."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

PROMETHEUS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
RULES = PROMETHEUS_DIR / "alerts.yml"
RULE_TESTS = PROMETHEUS_DIR / "tests" / "alerts_test.yml"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is missing: run deploy/local/provision-ops.sh prometheus")
    return found


def run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *args], capture_output=True, text=True, check=False)


def alert_names() -> set[str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return {rule["alert"] for group in groups for rule in group["rules"] if "alert" in rule}


def test_the_rules_and_the_compose_config_are_valid() -> None:
    rules = run_promtool("check", "rules", str(RULES))
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = run_promtool("check", "config", str(PROMETHEUS_DIR / "prometheus.yml"))
    assert config.returncode == 0, config.stdout + config.stderr


def test_every_alert_fires_and_resolves_in_the_rule_unit_tests() -> None:
    result = run_promtool("test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_alert_is_left_without_a_firing_and_a_resolved_case() -> None:
    firing: set[str] = set()
    quiet_after_firing: set[str] = set()
    for case in yaml.safe_load(RULE_TESTS.read_text())["tests"]:
        fired_at: dict[str, int] = {}
        for check in sorted(case["alert_rule_test"], key=lambda c: _minutes(c["eval_time"])):
            name, at = check["alertname"], _minutes(check["eval_time"])
            if check["exp_alerts"]:
                firing.add(name)
                fired_at.setdefault(name, at)
            elif name in fired_at:
                quiet_after_firing.add(name)
    expected = alert_names()
    assert expected - firing == set(), "alerts never shown firing"
    assert expected - quiet_after_firing == set(), "alerts never shown resolving"
    assert {"JobstreamNoWorker", "JobstreamWebhookFailureRate", "JobstreamProjectorBehind"} <= (
        expected
    )


def _minutes(value: str) -> int:
    assert value.endswith("m"), value
    return int(value[:-1])
