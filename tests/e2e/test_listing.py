"""Listing 250 jobs through the gateway: both cursor directions, both orders, filters."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack, wait_for
from tests.e2e.test_jobs_api import NOOP

pytestmark = pytest.mark.e2e
N = 250


async def walk(
    client: httpx.AsyncClient, params: dict[str, Any], *, backward: bool = False
) -> list[str]:
    """Every id, page by page; backward walks `before` from the last page."""
    ids: list[str] = []
    cursor: str | None = None
    if backward:
        # Reach the last page going forward, then walk back from it.
        forward = await walk(client, params)
        cursor = forward[-1]
        ids = [cursor]
    for _ in range(100):
        query = {**params, **({"before" if backward else "after": cursor} if cursor else {})}
        page = (await client.get("/v1/jobs", params=query)).json()
        batch = [job["id"] for job in page["data"]]
        assert page["object"] == "list"
        assert page["first_id"] == (batch[0] if batch else None)
        assert page["last_id"] == (batch[-1] if batch else None)
        ids = batch + ids if backward else ids + batch
        if not page["has_more"]:
            return ids
        cursor = page["first_id"] if backward else page["last_id"]
        assert page["list_metadata"]["after"] == page["last_id"]
    raise AssertionError("more than 100 pages")


@pytest.fixture(scope="module")
async def batch_of_jobs(running_stack: RunningStack) -> tuple[str, list[dict[str, Any]]]:
    """250 noop jobs tagged with one batch id; every fifth one fails."""
    await running_stack.start_and_wait([running_stack.noop_worker(1)])
    batch = uuid.uuid4().hex
    sem = asyncio.Semaphore(16)
    async with running_stack.client() as client:

        async def one(i: int) -> dict[str, Any]:
            request = {"fail": "permanent"} if i % 5 == 0 else {}
            async with sem:
                resp = await client.post(
                    "/v1/jobs",
                    json={
                        "endpoint": NOOP,
                        "request": request,
                        "metadata": {"batch": batch, "i": str(i)},
                    },
                )
            assert resp.status_code == 200
            return dict(resp.json())

        jobs = await asyncio.gather(*(one(i) for i in range(N)))

        async def all_terminal() -> bool:
            ids = await walk(
                client,
                {"metadata": f'{{"batch":"{batch}"}}', "status": "completed,failed", "limit": 100},
            )
            return len(ids) == N

        await wait_for(all_terminal, timeout=60, what="250 jobs to finish")
    return batch, list(jobs)


async def test_pages_in_both_orders_and_directions_visit_each_job_once(
    running_stack: RunningStack, batch_of_jobs: tuple[str, list[dict[str, Any]]]
) -> None:
    batch, jobs = batch_of_jobs
    expected = {job["id"] for job in jobs}
    by_time = {job["id"]: (job["created_at"], job["id"]) for job in jobs}
    meta = f'{{"batch":"{batch}"}}'
    async with running_stack.client() as client:
        for order in ("desc", "asc"):
            for backward in (False, True):
                ids = await walk(
                    client, {"metadata": meta, "order": order, "limit": 37}, backward=backward
                )
                assert len(ids) == len(set(ids)) == N, (order, backward)
                assert set(ids) == expected
                keys = [by_time[i] for i in ids]
                assert keys == sorted(keys, reverse=order == "desc"), (order, backward)


async def test_filters(
    running_stack: RunningStack, batch_of_jobs: tuple[str, list[dict[str, Any]]]
) -> None:
    batch, jobs = batch_of_jobs
    meta = f'{{"batch":"{batch}"}}'
    today = datetime.now(UTC).date()
    async with running_stack.client() as client:
        failed = await walk(client, {"metadata": meta, "status": "failed", "limit": 100})
        both = await walk(
            client, {"metadata": meta, "status": ["failed", "completed"], "limit": 100}
        )
        one = await walk(client, {"metadata": f'{{"batch":"{batch}","i":"7"}}'})
        dated = await walk(
            client,
            {
                "metadata": meta,
                "from_date": str(today - timedelta(days=1)),
                "to_date": str(today + timedelta(days=1)),
                "limit": 100,
            },
        )
        future = await walk(client, {"metadata": meta, "from_date": str(today + timedelta(days=1))})
        by_endpoint = await walk(client, {"metadata": meta, "endpoint": NOOP, "limit": 100})
        by_id = await walk(client, {"id": jobs[3]["id"], "job_id": jobs[4]["id"]})
    assert set(failed) == {j["id"] for i, j in enumerate(jobs) if i % 5 == 0}
    assert len(both) == N
    assert one == [jobs[7]["id"]]
    assert len(dated) == N
    assert future == []
    assert len(by_endpoint) == N
    assert set(by_id) == {jobs[3]["id"], jobs[4]["id"]}


async def test_jobs_created_within_one_second_list_in_creation_order(
    running_stack: RunningStack,
) -> None:
    """Created one after the other, many in the same second (the public `created_at` is whole
    seconds): every order and direction lists them exactly in creation order."""
    batch = uuid.uuid4().hex
    created: list[dict[str, Any]] = []
    async with running_stack.client() as client:
        for i in range(40):
            resp = await client.post(
                "/v1/jobs",
                json={"endpoint": NOOP, "request": {}, "metadata": {"tie": batch, "i": str(i)}},
            )
            assert resp.status_code == 200
            created.append(resp.json())
        seconds = [job["created_at"] for job in created]
        assert len(set(seconds)) < len(seconds), "no two jobs shared a second: nothing tested"
        in_order = [job["id"] for job in created]
        meta = f'{{"tie":"{batch}"}}'
        for order in ("desc", "asc"):
            expected = in_order if order == "asc" else in_order[::-1]
            for backward in (False, True):
                ids = await walk(
                    client, {"metadata": meta, "order": order, "limit": 7}, backward=backward
                )
                assert ids == expected, (order, backward)
        default = (await client.get("/v1/jobs", params={"metadata": meta, "limit": 3})).json()
        assert [job["id"] for job in default["data"]] == in_order[::-1][:3]
