"""Kafka stopped: create still answers (202, dispatch_delayed) from the outbox; Kafka back: the
job completes once. Runs last in the session because it stops the broker under the stack."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.faults import NOOP, assert_exactly_once, start_kafka, terminal_events
from tests.e2e.test_jobs_api import is_terminal

pytestmark = pytest.mark.e2e


async def test_kafka_down_create_is_delayed_not_lost_and_completes_once_when_back(
    noop_worker: RunningStack,
) -> None:
    stack = noop_worker
    await asyncio.to_thread(stack.stop, "kafka")
    try:
        async with stack.client() as client:
            resp = await client.post(
                "/v1/jobs", json={"endpoint": NOOP, "request": {}, "metadata": {"outage": "1"}}
            )
            assert resp.status_code == 202, resp.text
            job = resp.json()
            assert [w["code"] for w in job["warnings"]] == ["dispatch_delayed"]
            assert job["status"] == "queued"
            # Stored before dispatch: readable at once, even with Kafka down.
            assert (await client.get(f"/v1/jobs/{job['id']}")).json()["status"] == "queued"
            # A batch in the same outage: every created item carries the warning.
            items = [{"endpoint": NOOP, "request": {}, "metadata": {"outage": "batch"}}] * 2
            batch = await client.post("/v1/jobs/batch", json={"jobs": [*items, {"x": 1}]})
            assert batch.status_code == 200, batch.text
            first, second, invalid = batch.json()["data"]
            assert [w["code"] for w in first["warnings"]] == ["dispatch_delayed"]
            assert [w["code"] for w in second["warnings"]] == ["dispatch_delayed"]
            assert invalid["error"]["code"] == "validation_error"
    finally:
        await start_kafka(stack)
    async with stack.client() as client:
        done = await stack.job_when(client, job["id"], is_terminal, timeout=90)
        listed = (await client.get("/v1/jobs", params={"metadata": '{"outage":"1"}'})).json()[
            "data"
        ]
        batch_ids = [first["id"], second["id"]]
        for job_id in batch_ids:
            assert (await stack.job_when(client, job_id, is_terminal))["status"] == "completed"
    assert done["status"] == "completed"
    assert [j["id"] for j in listed] == [job["id"]]
    ids = [job["id"], *batch_ids]
    assert_exactly_once(await terminal_events(stack, set(ids)), ids)
