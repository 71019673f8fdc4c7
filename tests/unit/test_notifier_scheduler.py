"""The notifier's scheduler refills an endpoint's slots as soon as a delivery ends: with a
backlog, deliveries to one endpoint go out back to back (at most `concurrency_per_endpoint` at
once), not a few per poll interval."""

from __future__ import annotations

import asyncio
from typing import Any

from jobstream.notifier.app import Scheduler
from jobstream.settings import NotifierSettings


class Backlog:
    """`deliveries` of the sender: a queue of due deliveries, each taken when attempted."""

    def __init__(self, n: int) -> None:
        self.pending = [{"_id": f"d{i}"} for i in range(n)]
        self.sent: list[str] = []
        self.drained = asyncio.Event()

    async def due(self, *, webhook_id: str, now: float, limit: int) -> list[dict[str, Any]]:
        return self.pending[:limit]


class Sender:
    def __init__(self, backlog: Backlog) -> None:
        self.deliveries = backlog
        self.most_at_once = self.now = 0

    async def attempt(self, delivery: dict[str, Any], hook: dict[str, Any]) -> bool:
        self.now += 1
        self.most_at_once = max(self.most_at_once, self.now)
        await asyncio.sleep(0)
        self.deliveries.pending.remove(delivery)
        self.deliveries.sent.append(delivery["_id"])
        if not self.deliveries.pending:
            self.deliveries.drained.set()
        self.now -= 1
        return True


class Cache:
    by_id = {"wh_1": {"_id": "wh_1"}}

    async def covering(self, occurred_at: float) -> None:
        return None


async def test_a_backlog_to_one_endpoint_drains_without_waiting_for_the_poll_interval() -> None:
    backlog = Backlog(40)
    sender = Sender(backlog)
    settings = NotifierSettings(poll_interval_seconds=3600, concurrency_per_endpoint=4)
    scheduler = Scheduler(sender, Cache(), settings)  # type: ignore[arg-type]
    stop = asyncio.Event()
    running = asyncio.create_task(scheduler.run(asyncio.Event(), stop))
    async with asyncio.timeout(30):  # an hour's poll interval: only the wake-ups can drain it
        await backlog.drained.wait()
    stop.set()
    scheduler.wake.set()
    await running
    assert sorted(backlog.sent) == sorted(f"d{i}" for i in range(40))
    assert sender.most_at_once <= 4


async def test_a_delivery_whose_attempt_ends_during_a_read_is_not_sent_again_from_it() -> None:
    """The read began before the attempt's outcome was written: it shows the delivery pending,
    with its old attempt count. Sending from that copy would repeat a delivered event."""
    settings = NotifierSettings(concurrency_per_endpoint=4)

    class StaleRead:
        def __init__(self) -> None:
            self.scheduler: Scheduler | None = None

        async def due(self, *, webhook_id: str, now: float, limit: int) -> list[dict[str, Any]]:
            assert self.scheduler is not None
            # d0's attempt ends while this read is under way (as a concurrent send would)
            self.scheduler.ended_meanwhile.add("d0")
            return [{"_id": "d0", "attempts": 0}, {"_id": "d1", "attempts": 0}]

    stale = StaleRead()
    sender = Sender(Backlog(0))
    sender.deliveries = stale  # type: ignore[assignment]
    scheduler = Scheduler(sender, Cache(), settings)  # type: ignore[arg-type]
    stale.scheduler = scheduler
    launched: list[str] = []

    async def send(delivery: dict[str, Any], hook: dict[str, Any], busy: set[str]) -> None:
        launched.append(delivery["_id"])

    scheduler.send = send  # type: ignore[method-assign]
    await scheduler.tick()
    await asyncio.gather(*scheduler.tasks)
    assert launched == ["d1"]
