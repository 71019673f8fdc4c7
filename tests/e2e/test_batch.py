"""`POST /v1/jobs/batch` on the real stack: per-item answers in order, valid items created
beside invalid ones, the size limit, Idempotency-Key, and the issue's whole story: 1,000
documents in one call, retried safely, every outcome heard from one event stream."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.faults import NOOP, count_in

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


def document(tag: str, i: int) -> dict[str, Any]:
    text = f"Invoice {i}%0ABatch {tag}"
    return {
        "endpoint": "/v1/documents/parse",
        "request": {"document": {"filename": f"doc-{i}.txt", "url": f"data:text/plain,{text}"}},
        "metadata": {"batch": tag, "i": str(i)},
    }


async def terminal_ids(lines: AsyncIterator[str], n: int) -> dict[str, str]:
    """job id → its terminal event type, read from one SSE stream until n jobs ended."""
    ended: dict[str, str] = {}
    async with asyncio.timeout(240):
        async for line in lines:
            if line.startswith("data: "):
                event = json.loads(line[6:])
                ended[event["job_id"]] = event["type"]
                if len(ended) == n:
                    return ended
    raise AssertionError(f"the stream ended after {len(ended)} of {n} jobs")


async def test_an_ingestion_script_submits_retries_and_hears_every_outcome(
    running_stack: RunningStack,
) -> None:
    """The issue's "done when": 1,000 documents in one call with an Idempotency-Key, the call
    retried (same answer, no new jobs), every outcome learnt from one event stream, no polling
    (signed webhooks carry the same events: test_webhooks.py verifies them)."""
    tag, key = uuid.uuid4().hex, f"ingest-{uuid.uuid4()}"
    batch = {"jobs": [document(tag, i) for i in range(1000)]}
    params = {"metadata": json.dumps({"batch": tag}), "status": "completed,failed,cancelled"}
    async with (
        running_stack.client() as client,
        client.stream("GET", "/v1/events", params=params) as stream,
    ):
        lines = stream.aiter_lines()
        assert await anext(lines) == ": connected"
        headers = {"Idempotency-Key": key}
        first = await client.post("/v1/jobs/batch", json=batch, headers=headers)
        again = await client.post("/v1/jobs/batch", json=batch, headers=headers)  # a retry
        assert first.status_code == again.status_code == 200, first.text[:300]
        assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
        data = first.json()["data"]
        assert [job["metadata"]["i"] for job in data] == [str(i) for i in range(1000)]
        ids = {job["id"] for job in data}
        ended = await terminal_ids(lines, len(ids))
    assert set(ended) == ids and set(ended.values()) == {"job.completed"}
    assert await count_in(running_stack, tag, "queued,in_progress,completed,failed") == 1000


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
