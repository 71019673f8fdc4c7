"""Both Retab SDK generations against the gateway: base URL with or without `/v1`, and the
generated SDK's closed endpoint enum in an organization that also holds legacy-named jobs."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest
from fpdf import FPDF

from jobstream.bootstrap import create_api_key
from tests.e2e.conftest import RunningStack
from tests.e2e.sdk_gen_b import ensure_installed, run_gen_b

pytest.importorskip("retab", reason="the retab SDK is not installed in this venv")
from retab import AsyncRetab

pytestmark = pytest.mark.e2e


def pdf_request() -> dict[str, object]:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(text="generations")
    url = "data:application/pdf;base64," + base64.b64encode(bytes(pdf.output())).decode()
    return {"document": {"filename": "g.pdf", "url": url}}


@pytest.fixture(scope="module")
def gen_b_sdk() -> Path:
    return ensure_installed()


async def new_org_keys(stack: RunningStack) -> tuple[str, str, str]:
    """A fresh organization with a default key and a `gen_b` key."""
    org = f"org_gen_{uuid.uuid4().hex[:8]}"
    url = stack.layout.ports.mongo_url
    plain = await create_api_key(url, "jobstream", organization_id=org, name="gen-a")
    gen_b = await create_api_key(
        url, "jobstream", organization_id=org, name="gen-b", endpoint_names="gen_b"
    )
    return org, plain, gen_b


@pytest.fixture
async def org_keys(running_stack: RunningStack) -> tuple[str, str, str]:
    return await new_org_keys(running_stack)


@pytest.mark.parametrize("suffix", ["", "/v1", "/"])
async def test_hand_written_sdk_with_either_base_url(
    running_stack: RunningStack, org_keys: tuple[str, str, str], suffix: str
) -> None:
    _, plain, _ = org_keys
    async with AsyncRetab(api_key=plain, base_url=running_stack.url + suffix, timeout=60) as sdk:
        job = await sdk.jobs.create(endpoint="/v1/documents/parse", request=pdf_request())
        assert job.endpoint == "/v1/documents/parse"  # echoed exactly
        assert (await sdk.jobs.retrieve(job.id)).id == job.id
        listed = await sdk.jobs.list(limit=10)
        assert job.id in [j.id for j in listed.data]


async def test_version_less_paths_answer_like_v1(running_stack: RunningStack) -> None:
    async with running_stack.client() as client:
        for path in ("/jobs/job_doesnotexist000000000", "/v1/jobs/job_doesnotexist000000000"):
            resp = await client.get(path)
            assert resp.status_code == 404 and resp.json()["detail"]["code"] == "job_not_found"
        assert (await client.get("/jobz")).json()["detail"]["code"] == "not_found"


async def test_generated_sdk_lists_an_org_with_legacy_names(
    running_stack: RunningStack, org_keys: tuple[str, str, str], gen_b_sdk: Path
) -> None:
    _, plain, gen_b = org_keys
    async with AsyncRetab(api_key=plain, base_url=running_stack.url, timeout=60) as sdk:
        legacy = await sdk.jobs.create(endpoint="/v1/documents/parse", request=pdf_request())
        newer = await sdk.jobs.create(endpoint="/v1/parses", request=pdf_request())
        noop = await sdk.jobs.create(endpoint="/v1/diagnostics/noop", request={})
    for base_url in (running_stack.url, running_stack.url + "/v1"):
        listed, filtered, got = run_gen_b(
            gen_b_sdk, base_url, gen_b,
            {"op": "list", "args": {"limit": 100}},
            {"op": "list", "args": {"limit": 100, "endpoint": "/v1/parses"}},
            {"op": "get", "id": legacy.id},
        )  # fmt: skip
        assert "ok" in listed, listed
        shown = dict(listed["ok"])
        assert shown == {legacy.id: "/v1/parses", newer.id: "/v1/parses"}  # noop: no equivalent
        assert {i for i, _ in filtered["ok"]} == {legacy.id, newer.id}
        assert got["ok"][:2] == [legacy.id, "/v1/parses"]
    # The same calls with the default view and with the header choosing it: the enum rejects the
    # legacy name (what this view exists for); the header overrides the key's setting.
    (failed,) = run_gen_b(gen_b_sdk, running_stack.url, plain, {"op": "list", "args": {}})
    assert failed.get("error") == "ValidationError", failed
    async with running_stack.client() as client:
        client.headers["Api-Key"] = plain
        page = await client.get("/v1/jobs", headers={"Jobstream-Endpoint-Names": "gen-b"})
        assert {j["id"]: j["endpoint"] for j in page.json()["data"]} == shown
        client.headers["Api-Key"] = gen_b
        raw = await client.get(
            f"/v1/jobs/{legacy.id}", headers={"Jobstream-Endpoint-Names": "as-submitted"}
        )
        assert raw.json()["endpoint"] == "/v1/documents/parse"
        bad = await client.get("/v1/jobs", headers={"Jobstream-Endpoint-Names": "v9"})
        assert bad.status_code == 422 and bad.json()["detail"]["code"] == "invalid_header"
    assert noop.id not in shown
