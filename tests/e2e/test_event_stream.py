"""`GET /v1/jobs/{id}/events` on the real stack: the whole life from `job.created` to the
terminal event, heartbeats while idle, resume after `Last-Event-ID` without gaps or repeats."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.faults import NOOP

pytestmark = pytest.mark.e2e


async def read_stream(
    client: httpx.AsyncClient, job_id: str, last_event_id: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """(events as {id, event, data}, pings) until the server ends the stream."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    events: list[dict[str, Any]] = []
    pings, current = 0, {}
    async with client.stream("GET", f"/v1/jobs/{job_id}/events", headers=headers) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        async for line in resp.aiter_lines():
            if line == ": ping":
                pings += 1
            elif line.startswith(("id: ", "event: ", "data: ")):
                name, _, value = line.partition(": ")
                current[name] = json.loads(value) if name == "data" else value
            elif line == "" and current:
                events.append(current)
                current = {}
    return events, pings


async def test_a_job_streams_from_creation_to_its_end(noop_worker: RunningStack) -> None:
    async with noop_worker.client() as client:
        body = {"endpoint": NOOP, "request": {"sleep_seconds": 1.5}}
        job = (await client.post("/v1/jobs", json=body)).json()
        events, pings = await read_stream(client, job["id"])
        kinds = [e["event"] for e in events]
        assert kinds[0] == "job.created" and kinds[-1] == "job.completed", kinds
        assert "job.started" in kinds
        assert all(
            e["data"]["job_id"] == job["id"] and e["data"]["type"] == e["event"] for e in events
        )
        assert pings >= 1  # 1.5 s running, a ping every 0.5 s
        offsets = [int(e["id"].split("-")[1]) for e in events]
        assert offsets == sorted(set(offsets))
        # Resume right after the first event: the rest, exactly.
        rest, _ = await read_stream(client, job["id"], last_event_id=events[0]["id"])
        assert [e["id"] for e in rest] == [e["id"] for e in events[1:]]
        # A finished job replays its history and ends.
        again, _ = await read_stream(client, job["id"])
        assert [e["id"] for e in again] == [e["id"] for e in events]


async def test_stream_errors(running_stack: RunningStack) -> None:
    async with running_stack.client("org_a") as a, running_stack.client("org_b") as b:
        job = (await a.post("/v1/jobs", json={"endpoint": NOOP, "request": {}})).json()
        assert (await b.get(f"/v1/jobs/{job['id']}/events")).status_code == 404
        bad = await a.get(f"/v1/jobs/{job['id']}/events", headers={"Last-Event-ID": "x-1"})
        assert bad.status_code == 422 and bad.json()["detail"]["code"] == "invalid_last_event_id"
        for cursor in ("1-2", "1.2", "a.b.c.d.e.f"):  # a job stream's id, too few, not offsets
            bad = await a.get("/v1/events", headers={"Last-Event-ID": cursor})
            assert bad.status_code == 422, cursor
            assert bad.json()["detail"]["code"] == "invalid_last_event_id"


async def test_the_organization_stream_applies_the_list_filters(noop_worker: RunningStack) -> None:
    tag = uuid.uuid4().hex
    params = {"status": "completed", "metadata": json.dumps({"stream": tag})}
    got: list[dict[str, Any]] = []
    async with (
        noop_worker.client() as client,
        client.stream("GET", "/v1/events", params=params) as resp,
    ):
        assert resp.status_code == 200
        lines = resp.aiter_lines()
        assert await anext(lines) == ": connected"  # subscribed: nothing after this is missed
        tagged = [{"endpoint": NOOP, "request": {}, "metadata": {"stream": tag}}] * 3
        other = {"endpoint": NOOP, "request": {}, "metadata": {"stream": "other"}}
        batch = await client.post("/v1/jobs/batch", json={"jobs": [*tagged, other]})
        ids = {job["id"] for job in batch.json()["data"][:3]}
        async with asyncio.timeout(60):
            async for line in lines:
                if line.startswith("data: "):
                    got.append(json.loads(line[6:]))
                    if len(got) == 3:
                        break
    assert {e["job_id"] for e in got} == ids
    assert {e["type"] for e in got} == {"job.completed"}


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """Each event of an SSE line stream as {id, event, data}; comments skipped."""
    current: dict[str, Any] = {}
    async for line in lines:
        if line.startswith(("id: ", "event: ", "data: ")):
            name, _, value = line.partition(": ")
            current[name] = json.loads(value) if name == "data" else value
        elif line == "" and current:
            yield current
            current = {}


async def until_completed(
    events: AsyncIterator[dict[str, Any]], jobs: set[str], got: list[dict[str, Any]]
) -> None:
    """Append events to `got` until each of `jobs` has had its job.completed."""
    waiting = set(jobs)
    async with asyncio.timeout(60):
        async for event in events:
            got.append(event)
            if event["event"] == "job.completed":
                waiting.discard(event["data"]["job_id"])
            if not waiting:
                return


async def take(events: AsyncIterator[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    async with asyncio.timeout(60):
        async for event in events:
            got.append(event)
            if len(got) == n:
                break
    return got


def per_job(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    order: dict[str, list[str]] = {}
    for event in events:
        order.setdefault(event["data"]["job_id"], []).append(event["data"]["id"])
    return order


async def test_the_organization_stream_resumes_after_last_event_id(
    noop_worker: RunningStack,
) -> None:
    """Read a few events, disconnect, create more jobs, reconnect with Last-Event-ID: exactly the
    events missed, each job's in order, none twice — checked against a stream that stayed on."""
    tag = uuid.uuid4().hex
    params = {"metadata": json.dumps({"resume": tag})}
    body = {"endpoint": NOOP, "request": {}, "metadata": {"resume": tag}}
    reference: list[dict[str, Any]] = []
    async with (
        noop_worker.client() as client,
        client.stream("GET", "/v1/events", params=params) as stayed,
    ):
        stayed_lines = stayed.aiter_lines()
        assert await anext(stayed_lines) == ": connected"
        async with client.stream("GET", "/v1/events", params=params) as first:
            lines = first.aiter_lines()
            assert await anext(lines) == ": connected"
            created = await client.post("/v1/jobs/batch", json={"jobs": [body] * 6})
            ids = {job["id"] for job in created.json()["data"]}
            seen = await take(sse_events(lines), 5)
        later = await client.post("/v1/jobs/batch", json={"jobs": [body] * 6})
        ids |= {job["id"] for job in later.json()["data"]}
        await until_completed(sse_events(stayed_lines), ids, reference)
        resumed: list[dict[str, Any]] = []
        headers = {"Last-Event-ID": seen[-1]["id"]}
        async with client.stream("GET", "/v1/events", params=params, headers=headers) as again:
            assert again.status_code == 200
            await until_completed(sse_events(again.aiter_lines()), ids, resumed)
    everything = [e["data"]["id"] for e in reference]
    assert len(everything) == len(set(everything)) >= 3 * len(ids)
    sent_twice = [e["data"]["id"] for e in seen + resumed]
    assert sorted(sent_twice) == sorted(everything)  # no gap, no repeat
    seen_ids = {e["data"]["id"] for e in seen}
    missed = {
        job: [e for e in order if e not in seen_ids] for job, order in per_job(reference).items()
    }
    assert per_job(resumed) == {job: order for job, order in missed.items() if order}
    moved = zip(seen[-1]["id"].split("."), resumed[-1]["id"].split("."), strict=True)
    assert sum(a != b for a, b in moved) >= 2  # the replay spans partitions
