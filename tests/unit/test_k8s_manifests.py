"""deploy/k8s: the generated base is fresh; kustomize builds the base and the production overlay;
every object validates (kubernetes-validate, strict; KEDA ScaledObjects against KEDA's own CRD
schema, vendored); each endpoint has its worker Deployment, PDB and lag-scaled ScaledObject."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from jobstream.observability import k8s
from jobstream.workers.app import implemented_slugs

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUSTOMIZE_VERSION = "v5.7.1"  # provision-ops.sh's default
KUBERNETES_VERSION = "1.33.0"


def kustomize() -> Path:
    cache_dir = Path(
        os.environ.get("JOBSTREAM_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jobstream"
    )
    binary = (
        cache_dir / "bin" / f"kustomize-{os.environ.get('KUSTOMIZE_VERSION', KUSTOMIZE_VERSION)}"
    )
    if not binary.exists():
        pytest.fail("kustomize is missing: run deploy/local/provision-ops.sh kustomize")
    return binary


@cache
def built(directory: str) -> tuple[dict[str, Any], ...]:
    result = subprocess.run(
        [str(kustomize()), "build", str(K8S / directory)], capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def of_kind(docs: tuple[dict[str, Any], ...], kind: str) -> Iterator[dict[str, Any]]:
    return (doc for doc in docs if doc["kind"] == kind)


def by_name(docs: tuple[dict[str, Any], ...], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in of_kind(docs, kind)}


def test_the_generated_base_is_fresh() -> None:
    assert k8s.main(["--check"]) == 0, "run: python -m jobstream.observability.k8s"


@pytest.mark.parametrize("directory", ["base", "overlays/production"])
def test_every_object_validates_against_the_kubernetes_schemas(directory: str) -> None:
    keda = yaml.safe_load_all((K8S / "crds" / "keda.sh_scaledobjects.yaml").read_text())
    crd = next(doc for doc in keda if doc)
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    docs = built(directory)
    assert docs
    for doc in docs:
        if doc["kind"] == "ScaledObject":
            jsonschema.validate(doc, schema)
        else:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_a_broken_object_is_rejected() -> None:
    deployment = dict(by_name(built("base"), "Deployment")["gateway"])
    deployment["spec"] = {**deployment["spec"], "replicas": "two"}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("directory", ["base", "overlays/production"])
def test_each_endpoint_has_a_worker_a_budget_and_lag_scaling(directory: str) -> None:
    docs = built(directory)
    deployments = by_name(docs, "Deployment")
    budgets = list(of_kind(docs, "PodDisruptionBudget"))
    scaled = by_name(docs, "ScaledObject")
    assert {"gateway", "projector", "janitor", "notifier"} <= set(deployments)
    for slug in implemented_slugs():
        name = f"worker-{slug.replace('_', '-')}"
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["worker", slug]
        trigger = scaled[name]["spec"]["triggers"][0]
        assert scaled[name]["spec"]["scaleTargetRef"]["name"] == name
        assert (trigger["type"], trigger["metadata"]["consumerGroup"]) == (
            "kafka",
            f"worker-{slug}",
        )
        assert trigger["metadata"]["topic"] == f"jobs.commands.{slug}"
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items(), name
        assert any(b["spec"]["selector"]["matchLabels"] == selector for b in budgets), name
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["path"] == "/health", (name, probe)
        assert {"requests", "limits"} <= set(container["resources"]), name
        refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
        assert refs == {"jobstream-config", "jobstream-secrets"}, name


def test_the_overlay_sets_namespace_image_and_addresses() -> None:
    docs = built("overlays/production")
    namespaced = [d for d in docs if d["kind"] != "Namespace"]
    assert {d["metadata"].get("namespace") for d in namespaced} == {"jobstream"}
    images = {
        d["spec"]["template"]["spec"]["containers"][0]["image"] for d in of_kind(docs, "Deployment")
    }
    assert images == {"registry.example.com/jobstream:1.0.0"}
    config = by_name(docs, "ConfigMap")["jobstream-config"]["data"]
    assert config["JOBSTREAM_KAFKA_BOOTSTRAP"] == "kafka-bootstrap.kafka.svc:9092"
    assert config["JOBSTREAM_WORKER_SLUGS"] == ",".join(implemented_slugs())
    assert by_name(docs, "PodDisruptionBudget")["gateway"]["spec"]["minAvailable"] == 2


def test_a_broken_scaled_object_is_rejected_by_the_keda_schema() -> None:
    keda = yaml.safe_load_all((K8S / "crds" / "keda.sh_scaledobjects.yaml").read_text())
    schema = next(doc for doc in keda if doc)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    scaled = dict(by_name(built("base"), "ScaledObject")["worker-parse"])
    scaled["spec"] = {key: value for key, value in scaled["spec"].items() if key != "triggers"}
    with pytest.raises(jsonschema.ValidationError, match="triggers"):
        jsonschema.validate(scaled, schema)


@pytest.mark.parametrize("directory", ["base", "overlays/production"])
def test_the_notifier_runs_as_one_pod_probed_sized_and_configured(directory: str) -> None:
    docs = built(directory)
    notifier = by_name(docs, "Deployment")["notifier"]
    assert notifier["spec"]["replicas"] == 1
    assert notifier["spec"]["strategy"] == {"type": "Recreate"}  # never two senders at once
    container = notifier["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["notifier"]
    assert {"name": "http", "containerPort": 8103} in container["ports"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["JOBSTREAM_NOTIFIER_METRICS_PORT"] == "8103"
    assert by_name(docs, "Service")["notifier"]["spec"]["ports"][0]["port"] == 8103
    assert by_name(docs, "PodDisruptionBudget")["notifier"]["spec"] == {
        "maxUnavailable": 1, "selector": notifier["spec"]["selector"]}  # fmt: skip
