"""`POST /v1/jobs/batch` on the real stack: per-item answers in order, valid items created
beside invalid ones, 1,000 jobs in one call all run, the size limit, Idempotency-Key."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.faults import NOOP, count_in, wait_batch

pytestmark = pytest.mark.e2e


def item(tag: str, i: int, **extra: Any) -> dict[str, Any]:
    return {"endpoint": NOOP, "request": {}, "metadata": {"batch": tag, "i": str(i)}, **extra}


async def test_items_answer_in_order_and_valid_ones_are_created(
    running_stack: RunningStack,
) -> None:
    tag = uuid.uuid4().hex
    jobs = [
        item(tag, 0),
        {"endpoint": NOOP, "request": "not an object"},
        {"endpoint": "/v1/nope", "request": {}},
        item(tag, 3, metadata={str(k): "v" for k in range(17)}),
        "not even an object",
        item(tag, 5),
    ]
    async with running_stack.client() as client:
        resp = await client.post("/v1/jobs/batch", json={"jobs": jobs})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["object"] == "list" and len(body["data"]) == len(jobs)
        first, not_object, unknown, too_much_metadata, not_item, last = body["data"]
        assert first["object"] == "job" and first["metadata"]["i"] == "0"
        assert last["object"] == "job" and last["metadata"]["i"] == "5"
        assert not_object["error"]["code"] == "validation_error"
        assert not_object["error"]["details"]["errors"][0]["field"] == "request"
        assert unknown["error"]["code"] == "unknown_endpoint"
        assert too_much_metadata["error"]["code"] == "validation_error"
        assert not_item["error"]["code"] == "validation_error"
        for job in (first, last):  # read your writes
            assert (await client.get(f"/v1/jobs/{job['id']}")).json()["status"] == "queued"
    assert await count_in(running_stack, tag, "queued,in_progress,completed") == 2


async def test_a_thousand_jobs_in_one_call_all_run(noop_worker: RunningStack) -> None:
    tag = uuid.uuid4().hex
    async with noop_worker.client() as client:
        resp = await client.post(
            "/v1/jobs/batch", json={"jobs": [item(tag, i) for i in range(1000)]}
        )
        assert resp.status_code == 200, resp.text[:500]
        data = resp.json()["data"]
    assert [job["metadata"]["i"] for job in data] == [str(i) for i in range(1000)]
    assert len({job["id"] for job in data}) == 1000
    assert all(not job.get("warnings") for job in data)
    await wait_batch(noop_worker, tag, 1000, timeout=120)
    assert await count_in(noop_worker, tag, "completed") == 1000


async def test_batch_limits(running_stack: RunningStack) -> None:
    async with running_stack.client() as client:
        too_many = await client.post(
            "/v1/jobs/batch", json={"jobs": [item("x", i) for i in range(1001)]}
        )
        assert too_many.status_code == 422
        assert too_many.json()["detail"]["code"] == "batch_too_large"
        assert too_many.json()["detail"]["details"]["max_jobs"] == 1000
        empty = await client.post("/v1/jobs/batch", json={"jobs": []})
        assert empty.status_code == 422 and empty.json()["detail"]["code"] == "validation_error"


async def test_a_retried_batch_with_its_key_makes_no_new_jobs(running_stack: RunningStack) -> None:
    tag, key = uuid.uuid4().hex, str(uuid.uuid4())
    jobs = {"jobs": [item(tag, i) for i in range(5)]}
    async with running_stack.client() as client:
        first = await client.post("/v1/jobs/batch", json=jobs, headers={"Idempotency-Key": key})
        again = await client.post("/v1/jobs/batch", json=jobs, headers={"Idempotency-Key": key})
        assert first.status_code == again.status_code == 200
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        other = await client.post(
            "/v1/jobs/batch", json={"jobs": jobs["jobs"][:4]}, headers={"Idempotency-Key": key}
        )
        assert other.status_code == 422
        assert other.json()["detail"]["code"] == "idempotency_key_reused"
    assert await count_in(running_stack, tag, "queued,in_progress,completed") == 5
