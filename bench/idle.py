"""Idle cost with a large read model: CPU of every process while nothing is submitted.

Run after the list phase has seeded its largest read model (1,000,000 jobs by default): the
janitor's passes (outbox relay every 5 s, expiry from the expiry index, the idempotency purge
every 60 s) must not make the store scan the jobs. Reported as percent of one core per process
over the window, after a settling pause for list queries the gateway gave up on.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.stack import BenchStack


async def run_idle(
    bench: BenchStack, *, seconds: float, settle_seconds: float = 10.0
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
