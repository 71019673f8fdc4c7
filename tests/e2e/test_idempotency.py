"""Idempotency-Key on job creation, on the real stack: replays, 30 concurrent duplicates, reuse
with another body, keys per organization, errors not stored, bad keys."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e
NOOP = "/v1/diagnostics/noop"


def body(tag: str, **request: Any) -> dict[str, Any]:
    return {"endpoint": NOOP, "request": request, "metadata": {"idem": tag}}


async def jobs_tagged(client: httpx.AsyncClient, tag: str) -> list[str]:
    resp = await client.get(
        "/v1/jobs", params={"metadata": json.dumps({"idem": tag}), "limit": 100}
    )
    assert resp.status_code == 200, resp.text
    return [job["id"] for job in resp.json()["data"]]


async def test_a_repeat_gets_the_first_answer(running_stack: RunningStack) -> None:
    tag, key = uuid.uuid4().hex, str(uuid.uuid4())
    async with running_stack.client() as client:
        first = await client.post("/v1/jobs", json=body(tag), headers={"Idempotency-Key": key})
        # The same request spelled differently (key order, spacing) is the same request.
        raw = json.dumps({"metadata": {"idem": tag}, "request": {}, "endpoint": NOOP}, indent=1)
        again = await client.post(
            "/v1/jobs", content=raw,
            headers={"Idempotency-Key": key, "Content-Type": "application/json"},
        )  # fmt: skip
        assert first.status_code == again.status_code == 200
        assert "idempotent-replayed" not in first.headers
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        assert await jobs_tagged(client, tag) == [first.json()["id"]]


async def test_thirty_concurrent_duplicates_make_one_job(running_stack: RunningStack) -> None:
    tag, key = uuid.uuid4().hex, str(uuid.uuid4())
    async with running_stack.client() as client:
        answers = await asyncio.gather(
            *(
                client.post("/v1/jobs", json=body(tag), headers={"Idempotency-Key": key})
                for _ in range(30)
            )
        )
        assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
        ids = {a.json()["id"] for a in answers}
        assert len(ids) == 1
        assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 29
        assert await jobs_tagged(client, tag) == list(ids)


async def test_the_same_key_with_another_body_is_refused(running_stack: RunningStack) -> None:
    tag, key = uuid.uuid4().hex, str(uuid.uuid4())
    async with running_stack.client() as client:
        first = await client.post("/v1/jobs", json=body(tag), headers={"Idempotency-Key": key})
        assert first.status_code == 200
        other = await client.post(
            "/v1/jobs", json=body(tag, sleep_seconds=1), headers={"Idempotency-Key": key}
        )
        assert other.status_code == 422
        assert other.json()["detail"]["code"] == "idempotency_key_reused"
        assert await jobs_tagged(client, tag) == [first.json()["id"]]


async def test_keys_are_per_organization(running_stack: RunningStack) -> None:
    tag, key = uuid.uuid4().hex, str(uuid.uuid4())
    async with running_stack.client("org_a") as a, running_stack.client("org_b") as b:
        job_a = await a.post("/v1/jobs", json=body(tag), headers={"Idempotency-Key": key})
        job_b = await b.post("/v1/jobs", json=body(tag), headers={"Idempotency-Key": key})
        assert job_a.status_code == job_b.status_code == 200
        assert job_a.json()["id"] != job_b.json()["id"]
        assert job_b.json()["organization_id"] == "org_b"
        assert "idempotent-replayed" not in job_b.headers


async def test_errors_are_not_stored(running_stack: RunningStack) -> None:
    tag, key = uuid.uuid4().hex, str(uuid.uuid4())
    async with running_stack.client() as client:
        bad = {"endpoint": "/v1/nope", "request": {}, "metadata": {"idem": tag}}
        refused = await client.post("/v1/jobs", json=bad, headers={"Idempotency-Key": key})
        assert refused.json()["detail"]["code"] == "unknown_endpoint"
        created = await client.post("/v1/jobs", json=body(tag), headers={"Idempotency-Key": key})
        assert created.status_code == 200 and "idempotent-replayed" not in created.headers


@pytest.mark.parametrize("key", [b"", b"x" * 256, "caf\u00e9".encode()])
async def test_bad_keys_are_refused(running_stack: RunningStack, key: bytes) -> None:
    async with running_stack.client() as client:
        resp = await client.post(
            "/v1/jobs",
            json=body("bad"),
            headers={"Idempotency-Key": key},
        )
        assert resp.status_code == 422
        assert resp.json()["detail"]["code"] == "invalid_idempotency_key"
