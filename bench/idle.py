"""Idle cost with a large read model: CPU of every process while nothing is submitted.

Run after the list phase has seeded its largest read model (1,000,000 jobs by default): the
janitor's passes (outbox relay every 5 s, expiry from the expiry index, the idempotency purge
every 60 s) must not make the store scan the jobs. A webhook endpoint is registered and
100,000 sent deliveries are stored too: the notifier must not scan those either (it once sent a
due query per endpoint every 0.5 s, 8 s each at that size). Reported as percent of one core per
process over the window, after a settling pause for list queries the gateway gave up on.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from bench.stack import ORGANIZATION, BenchStack


async def seed_webhook_history(bench: BenchStack, *, deliveries: int) -> str:
    """Register an endpoint for the bench organization and store `deliveries` sent ones."""
    async with httpx.AsyncClient(base_url=bench.url, headers={"Api-Key": bench.api_key}) as http:
        answer = await http.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/idle"})
        answer.raise_for_status()
        webhook_id = str(answer.json()["id"])
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(bench.mongo_url)
    now = time.time()
    try:
        store = client["jobstream"]["webhook_deliveries"]
        for start in range(0, deliveries, 5000):
            await store.insert_many([
                {
                    "_id": f"msg_idle{i:08d}", "webhook_id": webhook_id,
                    "organization_id": ORGANIZATION, "event_id": f"ev_idle{i}",
                    "event_type": "job.completed", "job_id": f"job_idle{i}", "body": "{}",
                    "status": "succeeded", "attempts": 1, "created_at": now,
                    "next_attempt_at": now, "delivered_at": now,
                }
                for i in range(start, min(start + 5000, deliveries))
            ], ordered=False)  # fmt: skip
    finally:
        await client.close()
    return webhook_id


async def run_idle(
    bench: BenchStack, *, seconds: float, settle_seconds: float = 10.0, deliveries: int = 100_000
) -> dict[str, Any]:
    webhook_id = await seed_webhook_history(bench, deliveries=deliveries) if deliveries else None
    try:
        return await _measure_idle(bench, seconds=seconds, settle_seconds=settle_seconds) | {
            "webhook_deliveries_stored": deliveries
        }
    finally:
        if webhook_id is not None:  # later phases' jobs must not make deliveries to it
            headers = {"Api-Key": bench.api_key}
            async with httpx.AsyncClient(base_url=bench.url, headers=headers) as http:
                await http.delete(f"/v1/webhooks/{webhook_id}")


async def _measure_idle(
    bench: BenchStack, *, seconds: float, settle_seconds: float
) -> dict[str, Any]:
    await asyncio.sleep(settle_seconds)
    before, started = bench.cpu_seconds(), time.monotonic()
    store_before = await bench.store_commands()
    await asyncio.sleep(seconds)
    after, window = bench.cpu_seconds(), time.monotonic() - started
    store_after = await bench.store_commands()
    percent = {
        name: round((after[name] - before.get(name, 0.0)) / window * 100, 2) for name in after
    }
    commands = {
        name: round(sum(used.values()) - sum(store_before.get(name, {}).values()))
        for name, used in store_after.items()
    }
    janitor_and_store = round(percent.get("janitor", 0.0) + percent.get("ferretdb", 0.0), 2)
    return {
        "window_seconds": round(window, 1),
        "cpu_percent_of_one_core": percent,
        "janitor_and_store_percent": janitor_and_store,
        "store_commands": commands,
    }
