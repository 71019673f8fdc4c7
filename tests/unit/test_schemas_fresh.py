"""The checked-in contracts under `schemas/generated/` match the models (else: `make schemas`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobstream import schema_export
from jobstream.schema_export import GENERATED_DIR, export_all, message_type, union_members
from jobstream_schemas.events import JobCommand, JobEvent


def test_generated_files_are_fresh() -> None:
    paths = export_all(check=True)  # raises SystemExit listing the stale files
    assert paths
    assert all(path.is_file() for path in paths)


@pytest.mark.parametrize("union", [JobEvent, JobCommand], ids=["JobEvent", "JobCommand"])
def test_every_message_type_has_a_schema(union: object) -> None:
    members = union_members(union)
    assert members
    for model in members:
        path = GENERATED_DIR / "jsonschema" / f"{message_type(model)}.json"
        assert path.is_file(), f"no schema for {message_type(model)}"
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["title"] == model.__name__
        assert schema["properties"]["type"]["const"] == message_type(model)


def test_openapi_has_every_route_and_error_body() -> None:
    openapi = json.loads((GENERATED_DIR / "openapi.json").read_text(encoding="utf-8"))
    assert {
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/status",
        "/v1/jobs/{job_id}/cancel",
        "/v1/jobs/{job_id}/retry",
    } <= set(openapi["paths"])
    create = openapi["paths"]["/v1/jobs"]["post"]["responses"]["422"]
    assert create["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    assert "ErrorBody" in openapi["components"]["schemas"]


def test_asyncapi_declares_every_topic() -> None:
    asyncapi = json.loads((GENERATED_DIR / "asyncapi.json").read_text(encoding="utf-8"))
    addresses = {channel["address"] for channel in asyncapi["channels"].values()}
    slugs = schema_export.command_slugs()
    assert {"parse", "noop"} <= set(slugs)
    assert addresses == {"jobs.events", "jobs.dlq", *(f"jobs.commands.{s}" for s in slugs)}
    assert asyncapi["channels"]["projector"]["address"] == "jobs.events"


def test_check_reports_stale_missing_and_orphan_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "generated"
    monkeypatch.setattr(schema_export, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(schema_export, "GENERATED_DIR", root)
    with pytest.raises(SystemExit, match="make schemas"):
        export_all(check=True)
    written = export_all()
    assert export_all(check=True) == written

    (root / "openapi.json").write_text("{}\n", encoding="utf-8")
    (root / "asyncapi.yaml").unlink()
    (root / "jsonschema" / "job.gone.v1.json").write_text("{}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as raised:
        export_all(check=True)
    message = str(raised.value)
    assert "generated/openapi.json (stale)" in message
    assert "generated/asyncapi.yaml (missing)" in message
    assert "generated/jsonschema/job.gone.v1.json (no longer generated)" in message

    export_all()
    assert not (root / "jsonschema" / "job.gone.v1.json").exists()
    export_all(check=True)
