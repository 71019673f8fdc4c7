"""The contract's error shape, auth, organization scoping, size limits and large documents."""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any

import httpx
import pytest

from jobstream.adapters.kafka import topic_reader
from tests.e2e.conftest import RunningStack, wait_for
from tests.e2e.test_jobs_api import NOOP, create, is_terminal

pytestmark = pytest.mark.e2e


def assert_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    detail: dict[str, Any] = resp.json()["detail"]
    assert detail["code"] == code and isinstance(detail["message"], str) and detail["message"]
    assert resp.headers["x-request-id"]
    return detail


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        ({"endpoint": "/v1/nope", "request": {}}, "unknown_endpoint", "Unknown endpoint"),
        (
            {"endpoint": "/v1/files/analyze", "request": {}},
            "endpoint_not_available",
            "no worker",
        ),
        (
            {"endpoint": NOOP, "request": [1, 2]},
            "validation_error",
            "request: must be a JSON object",
        ),
        ({"endpoint": NOOP}, "validation_error", "request"),
        (
            {"endpoint": NOOP, "request": {}, "metadata": {f"k{i}": "v" for i in range(17)}},
            "validation_error",
            "at most 16",
        ),
        (
            {"endpoint": NOOP, "request": {}, "metadata": {"k" * 65: "v"}},
            "validation_error",
            "1-64",
        ),
        (
            {"endpoint": NOOP, "request": {}, "metadata": {"k": "v" * 513}},
            "validation_error",
            "at most 512",
        ),
        ({"endpoint": NOOP, "request": {}, "metadata": {"k": 1}}, "validation_error", "metadata"),
    ],
)
async def test_malformed_creates_get_422_in_the_contract_shape_and_store_nothing(
    running_stack: RunningStack, body: dict[str, Any], code: str, fragment: str
) -> None:
    marker = uuid.uuid4().hex
    async with running_stack.client() as client:
        resp = await client.post("/v1/jobs", json=body, headers={"x-request-id": marker})
        listed = await client.get("/v1/jobs", params={"limit": 100})
    detail = assert_error(resp, 422, code)
    assert fragment in detail["message"]
    assert resp.headers["x-request-id"] == marker
    assert all(
        job["endpoint"] != body.get("endpoint") or body["endpoint"] == NOOP
        for job in listed.json()["data"]
    )


async def test_non_json_body_is_a_422(running_stack: RunningStack) -> None:
    async with running_stack.client() as client:
        resp = await client.post(
            "/v1/jobs", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert_error(resp, 422, "validation_error")


async def test_auth(running_stack: RunningStack) -> None:
    async with httpx.AsyncClient(base_url=running_stack.url) as anonymous:
        missing = await anonymous.get("/v1/jobs")
        wrong = await anonymous.get("/v1/jobs", headers={"Api-Key": "js_not-a-key"})
    assert_error(missing, 401, "missing_api_key")
    assert_error(wrong, 401, "invalid_api_key")


async def test_unknown_job_and_unknown_route_are_404(running_stack: RunningStack) -> None:
    async with running_stack.client() as client:
        assert_error(await client.get("/v1/jobs/job_doesnotexistatall00000"), 404, "job_not_found")
        assert_error(
            await client.post("/v1/jobs/job_doesnotexistatall00000/cancel"), 404, "job_not_found"
        )
        assert_error(await client.get("/v1/nothing-here"), 404, "not_found")


async def test_list_query_errors_are_422(running_stack: RunningStack) -> None:
    async with running_stack.client() as client:
        for params, field in [
            ({"limit": "0"}, "limit"),
            ({"limit": "30", "include_response": "true"}, "limit"),
            ({"status": "bogus"}, "status"),
            ({"metadata": "[1]"}, "metadata"),
            ({"filename_regex": "(a|b)*"}, "filename_regex"),
            ({"from_date": "2026/01/01"}, "from_date"),
            ({"after": "job_doesnotexistatall00000"}, "after"),
        ]:
            detail = assert_error(await client.get("/v1/jobs", params=params), 422, "invalid_query")
            assert detail["details"]["field"] == field, (params, detail)


async def test_organizations_cannot_see_each_others_jobs(noop_worker: RunningStack) -> None:
    async with noop_worker.client("org_a") as a, noop_worker.client("org_b") as b:
        job = await create(a, NOOP, {}, metadata={"owner": "a"})
        await noop_worker.job_when(a, job["id"], is_terminal)
        assert_error(await b.get(f"/v1/jobs/{job['id']}"), 404, "job_not_found")
        assert_error(await b.get(f"/v1/jobs/{job['id']}/status"), 404, "job_not_found")
        assert_error(await b.post(f"/v1/jobs/{job['id']}/cancel"), 404, "job_not_found")
        assert_error(await b.post(f"/v1/jobs/{job['id']}/retry"), 404, "job_not_found")
        listed = (
            await b.get("/v1/jobs", params={"limit": 100, "metadata": '{"owner":"a"}'})
        ).json()
        assert_error(await b.get("/v1/jobs", params={"after": job["id"]}), 422, "invalid_query")
    assert listed["data"] == []


async def test_a_20mb_document_round_trips_byte_exact_and_kafka_messages_stay_small(
    noop_worker: RunningStack,
) -> None:
    payload = os.urandom(15 * 1024 * 1024)  # 20 MB once base64-encoded
    url = "data:application/octet-stream;base64," + base64.b64encode(payload).decode()
    request = {
        "document": {"filename": "big.bin", "url": url},
        "documents": [{"filename": "small.txt", "url": "data:,tiny"}],
    }
    async with noop_worker.client() as client:
        job = await create(client, NOOP, request)
        done = await noop_worker.job_when(
            client, job["id"], is_terminal, params={"include_request": "true"}
        )
    assert done["status"] == "completed"
    assert done["request"] == request
    sizes = await _message_sizes(noop_worker, job["id"])
    assert sizes and max(sizes) < 64 * 1024, sizes


async def _message_sizes(stack: RunningStack, job_id: str) -> list[int]:
    """Sizes of every message about job_id on jobs.events and its command topic."""
    topics = ["jobs.events", "jobs.commands.noop"]
    sizes: list[int] = []
    reader = topic_reader(stack.layout.ports.kafka_bootstrap, *topics, client_id="e2e")
    async with reader as (consumer, tps):
        end = await consumer.end_offsets(tps)

        async def drained() -> bool:
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            sizes.extend(
                len(r.value or b"")
                for recs in batch.values()
                for r in recs
                if r.key == job_id.encode()
            )
            return all([await consumer.position(tp) >= end[tp] for tp in tps])

        await wait_for(drained, timeout=30, what="reading the topics to their end")
    return sizes
