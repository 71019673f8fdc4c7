"""The gateway's list budget: a list past its time answers 503 `list_timeout` with Retry-After,
and lists beyond the concurrency limit answer the same at once instead of queueing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI

from jobstream.core.errors import ListUnavailableError, StoreTimeoutError
from jobstream.core.listing import parse_list_query
from jobstream.core.record import JobRecord
from jobstream.gateway.http import install_error_handlers
from jobstream.gateway.service import JobService
from jobstream.settings import GatewaySettings


class SlowStore:
    """Answers after `delay`; raises StoreTimeoutError when the delay passes max_time_ms."""

    def __init__(self, delay: float, *, server_side_limit: bool = True) -> None:
        self.delay = delay
        self.server_side_limit = server_side_limit
        self.running = 0
        self.max_time_ms: list[int | None] = []

    async def find(
        self, *, filter: dict[str, Any], sort: Sequence[tuple[str, int]], limit: int,
        max_time_ms: int | None = None,
    ) -> list[JobRecord]:  # fmt: skip
        self.max_time_ms.append(max_time_ms)
        self.running += 1
        try:
            if (
                self.server_side_limit
                and max_time_ms is not None
                and self.delay * 1000 > max_time_ms
            ):
                await asyncio.sleep(max_time_ms / 1000)
                raise StoreTimeoutError("operation exceeded time limit")
            await asyncio.sleep(self.delay)
            return []
        finally:
            self.running -= 1


def service(store: SlowStore, *, budget: float, slots: int) -> JobService:
    settings = GatewaySettings(list_budget_seconds=budget, max_concurrent_lists=slots)
    return JobService(settings=settings, jobs=cast(Any, store), outbox=cast(Any, None),
                      publisher=cast(Any, None), blobs=cast(Any, None))  # fmt: skip


async def test_a_list_over_budget_is_stopped_by_the_server_and_reported() -> None:
    store = SlowStore(delay=5.0)
    with pytest.raises(ListUnavailableError) as caught:
        await service(store, budget=0.05, slots=2).list_jobs(
            parse_list_query({}), organization_id="o"
        )
    assert store.max_time_ms == [50]
    assert caught.value.code == "list_timeout"
    assert caught.value.retry_after_seconds >= 1


async def test_a_store_that_ignores_max_time_ms_is_bounded_on_the_client_side() -> None:
    store = SlowStore(delay=30.0, server_side_limit=False)
    with pytest.raises(ListUnavailableError):
        await service(store, budget=0.01, slots=1).list_jobs(
            parse_list_query({}), organization_id="o"
        )
    assert store.running == 0  # the abandoned query was cancelled, not left running


async def test_lists_beyond_the_limit_answer_at_once_while_the_first_ones_run() -> None:
    store = SlowStore(delay=0.3)
    jobs = service(store, budget=5.0, slots=2)
    first = [
        asyncio.create_task(jobs.list_jobs(parse_list_query({}), organization_id="o"))
        for _ in range(2)
    ]
    for _ in range(100):  # let both tasks reach the store (each yields once to get there)
        if store.running == 2:
            break
        await asyncio.sleep(0)
    assert store.running == 2
    with pytest.raises(ListUnavailableError):
        await jobs.list_jobs(parse_list_query({}), organization_id="o")
    assert store.running == 2  # refused without waiting for a slot
    assert [page.data for page in await asyncio.gather(*first)] == [[], []]


async def test_list_timeout_is_a_503_with_retry_after() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/v1/jobs")
    async def _list() -> None:
        raise ListUnavailableError("busy", retry_after_seconds=7)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        resp = await client.get("/v1/jobs")
    assert resp.status_code == 503
    assert resp.headers["retry-after"] == "7"
    assert resp.json()["detail"]["code"] == "list_timeout"
