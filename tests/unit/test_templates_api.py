"""Templates as a resource on the gateway, with in-memory stores: create, get, list with cursors,
delete, under both generations' paths; another organization's or an unknown id is a 404."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from jobstream.adapters.blobs import InMemoryBlobStore
from jobstream.adapters.templates import InMemoryTemplateStore
from jobstream.core.principal import Principal
from jobstream.gateway.app import create_app
from jobstream.gateway.auth import ApiKeyResolver, hash_key
from jobstream.gateway.deps import GatewayDeps
from jobstream.gateway.service import JobService
from jobstream.gateway.template_service import TemplateService
from jobstream.settings import GatewaySettings

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FIELD = {"key": "name", "type": "text", "description": "Full name",
         "bbox": {"left": 0.1, "top": 0.1, "width": 0.3, "height": 0.02, "page": 1}}  # fmt: skip


class Keys:
    async def principal_for(self, key_hash: str) -> Principal | None:
        org = {hash_key("key-a"): "org_a", hash_key("key-b"): "org_b"}.get(key_hash)
        return Principal(organization_id=org) if org else None


@pytest.fixture
def stores() -> tuple[InMemoryTemplateStore, InMemoryBlobStore]:
    return InMemoryTemplateStore(), InMemoryBlobStore()


@pytest.fixture
def client(stores: tuple[InMemoryTemplateStore, InMemoryBlobStore]) -> Iterator[TestClient]:
    store, blobs = stores
    deps = GatewayDeps(
        jobs=cast(JobService, None), keys=ApiKeyResolver(Keys()),
        extras={"templates": TemplateService(store=store, blobs=blobs)},
    )  # fmt: skip
    with TestClient(create_app(GatewaySettings(), deps=deps)) as test_client:
        yield test_client


def body(name: str = "Application") -> dict[str, Any]:
    url = "data:application/pdf;base64," + base64.b64encode(PDF).decode()
    return {"name": name, "document": {"filename": "form.pdf", "url": url}, "form_fields": [FIELD]}


def a(key: str = "key-a") -> dict[str, str]:
    return {"Api-Key": key}


@pytest.mark.parametrize("prefix", ["/v1/edit/templates", "/v1/edits/templates"])
def test_create_get_delete(client: TestClient, prefix: str,
                           stores: tuple[InMemoryTemplateStore, InMemoryBlobStore]) -> None:  # fmt: skip
    created = client.post(prefix, json=body(), headers=a())
    assert created.status_code == 200, created.text
    template = created.json()
    assert template["id"].startswith("tpl_") and template["template_id"] == template["id"]
    assert (template["field_count"], template["editable"], template["file"]["mime_type"]) == (
        1, True, "application/pdf",
    )  # fmt: skip
    assert template["form_fields"][0]["description"] == "Full name"
    fetched = client.get(f"{prefix}/{template['id']}", headers=a())
    assert fetched.status_code == 200 and fetched.json() == template
    assert len(stores[1].blobs) == 2  # the PDF and the fields, where the fill worker reads them
    assert client.delete(f"{prefix}/{template['id']}", headers=a()).json()["deleted"] is True
    gone = client.get(f"{prefix}/{template['id']}", headers=a())
    assert gone.status_code == 404 and gone.json()["detail"]["code"] == "template_not_found"
    assert stores[1].blobs == {}


def test_another_organizations_template_is_a_404(client: TestClient) -> None:
    template = client.post("/v1/edit/templates", json=body(), headers=a()).json()
    for call in (client.get, client.delete):
        answer = call(f"/v1/edits/templates/{template['id']}", headers=a("key-b"))
        assert answer.status_code == 404
        assert answer.json()["detail"]["code"] == "template_not_found"
    assert client.get("/v1/edit/templates", headers=a("key-b")).json()["data"] == []
    assert client.get("/v1/edit/templates/../jobs", headers=a()).status_code == 404
    assert client.get("/v1/edit/templates/tpl_unknown", headers=a()).status_code == 404


def test_list_pages_with_cursors(client: TestClient) -> None:
    ids = [client.post("/v1/edit/templates", json=body(f"t{i}"), headers=a()).json()["id"]
           for i in range(3)]  # fmt: skip
    first = client.get("/v1/edit/templates", params={"limit": 2}, headers=a()).json()
    assert [t["id"] for t in first["data"]] == ids[::-1][:2] and first["has_more"] is True
    after = first["list_metadata"]["after"]
    second = client.get("/v1/edit/templates", params={"limit": 2, "after": after}, headers=a())
    assert [t["id"] for t in second.json()["data"]] == [ids[0]]
    assert second.json()["has_more"] is False and second.json()["list_metadata"]["after"] is None
    back = client.get("/v1/edit/templates", params={"limit": 2, "before": ids[0]}, headers=a())
    assert [t["id"] for t in back.json()["data"]] == ids[::-1][:2]
    oldest_first = client.get("/v1/edits/templates", params={"order": "asc"}, headers=a()).json()
    assert [t["id"] for t in oldest_first["data"]] == ids
    unversioned = client.get("/edits/templates", params={"order": "asc"}, headers=a()).json()
    assert unversioned == oldest_first  # the SDK's version-less base URL


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"document": {"url": "data:text/plain;base64,aGVsbG8="}}, "unsupported_document_type"),
        ({"document": {"url": "https://example.com/form.pdf"}}, "validation_error"),
        ({"name": ""}, "validation_error"),
        ({"form_fields": [{**FIELD, "type": "radio"}]}, "validation_error"),
    ],
    ids=["not-a-pdf", "not-inline", "no-name", "bad-field-type"],
)
def test_bad_templates_are_refused_and_nothing_is_stored(
    client: TestClient, change: dict[str, Any], code: str,
    stores: tuple[InMemoryTemplateStore, InMemoryBlobStore],
) -> None:  # fmt: skip
    answer = client.post("/v1/edit/templates", json={**body(), **change}, headers=a())
    assert answer.status_code == 422 and answer.json()["detail"]["code"] == code
    assert stores[0].templates == {} and stores[1].blobs == {}


def test_templates_need_an_api_key(client: TestClient) -> None:
    assert client.get("/v1/edit/templates").status_code == 401
    assert client.get("/v1/edit/templates", params={"limit": 0}, headers=a()).status_code == 422


def test_an_editable_template_is_renamed_and_refielded_and_a_fixed_one_is_not(
    client: TestClient, stores: tuple[InMemoryTemplateStore, InMemoryBlobStore]
) -> None:
    template = client.post("/v1/edit/templates", json=body(), headers=a()).json()
    renamed = {**FIELD, "description": "Name of the applicant"}
    answer = client.patch(
        f"/v1/edits/templates/{template['id']}",
        headers=a(),
        json={"name": "Renamed", "form_fields": [renamed, {**FIELD, "key": "b"}]},
    )
    assert answer.status_code == 200, answer.text
    updated = answer.json()
    assert (updated["name"], updated["field_count"]) == ("Renamed", 2)
    assert updated["created_at"] == template["created_at"] <= updated["updated_at"]
    assert client.get(f"/v1/edit/templates/{template['id']}", headers=a()).json() == updated
    copy = next(v for k, v in stores[1].blobs.items() if k.endswith("template.json"))
    assert b"Name of the applicant" in copy  # what the fill worker reads
    fixed = client.post("/v1/edit/templates", json={**body(), "editable": False}, headers=a())
    refused = client.patch(
        f"/v1/edit/templates/{fixed.json()['id']}", headers=a(), json={"name": "x"}
    )
    assert refused.status_code == 409
    assert refused.json()["detail"]["code"] == "template_not_editable"
    other = client.patch(f"/v1/edit/templates/{template['id']}", headers=a("key-b"), json={})
    assert other.status_code == 404
