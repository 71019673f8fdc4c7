"""The notifier's schedule (pure) and its scheduler loop over an in-memory store: slots per
endpoint, the earliest time winning, re-sends during an attempt, overflow read back, and a
stale entry costing a read, never a second send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from jobstream.adapters.mongo_webhooks import Resend
from jobstream.notifier.schedule import DeliverySchedule
from jobstream.notifier.scheduler import Scheduler
from jobstream.settings import NotifierSettings


def test_each_endpoint_gets_its_slots_earliest_first() -> None:
    schedule = DeliverySchedule(slots=2)
    for i, due in enumerate([5.0, 1.0, 3.0, 2.0]):
        schedule.add("wh_a", f"a{i}", due)
    schedule.add("wh_b", "b0", 4.0)
    assert schedule.take(now=0.5) == []
    assert schedule.take(now=10) == [("wh_a", "a1"), ("wh_a", "a3"), ("wh_b", "b0")]
    assert schedule.take(now=10) == []  # wh_a's two slots are busy
    schedule.done("wh_a", "a1", None)
    assert schedule.take(now=10) == [("wh_a", "a2")]
    assert schedule.next_due() is None  # wh_a is full again, wh_b holds nothing more


def test_an_earlier_time_wins_and_a_delivery_is_held_once() -> None:
    schedule = DeliverySchedule(slots=4)
    schedule.add("wh_a", "d", 50.0)
    schedule.add("wh_a", "d", 10.0)
    schedule.add("wh_a", "d", 30.0)
    assert (len(schedule), schedule.next_due()) == (1, 10.0)
    assert schedule.take(now=10) == [("wh_a", "d")]
    assert schedule.take(now=100) == []  # the stale entry at 50 is gone with it


def test_asked_for_during_its_attempt_it_is_due_again_after() -> None:
    schedule = DeliverySchedule(slots=1)
    schedule.add("wh_a", "d", 1.0)
    assert schedule.take(now=1) == [("wh_a", "d")]
    schedule.add("wh_a", "d", 2.0)  # a re-send while the attempt runs
    assert schedule.take(now=5) == []
    schedule.done("wh_a", "d", None)  # delivered; the re-send still stands
    assert schedule.take(now=5) == [("wh_a", "d")]
    schedule.done("wh_a", "d", 60.0)  # failed: retried at 60
    assert (schedule.take(now=59), schedule.take(now=60)) == ([], [("wh_a", "d")])


def test_past_its_capacity_an_endpoint_is_read_back_from_the_store() -> None:
    schedule = DeliverySchedule(slots=4, capacity=3, refill_every=30)
    for i in range(5):
        schedule.add("wh_a", f"d{i}", float(i))
    assert (schedule.held("wh_a"), schedule.wants_refill(now=0)) == (3, [])
    taken = schedule.take(now=10)
    assert len(taken) == 3
    assert schedule.wants_refill(now=10) == ["wh_a"]  # holds nothing more in memory
    schedule.refilled("wh_a", [("d0", 0.0), ("d3", 3.0), ("d4", 4.0)], complete=True)
    assert schedule.take(now=10) == [("wh_a", "d3")]  # d0 is in flight: after its attempt
    assert schedule.wants_refill(now=11) == []  # complete: nothing more in the store


def test_an_overflowed_endpoint_backing_off_is_read_back_at_most_every_refill_interval() -> None:
    schedule = DeliverySchedule(slots=4, capacity=1, refill_every=30)
    schedule.add("wh_a", "d0", 100.0)
    schedule.add("wh_a", "d1", 0.0)  # does not fit: stays in the store
    assert schedule.wants_refill(now=1) == ["wh_a"]  # nothing due in memory
    schedule.refilled("wh_a", [("d1", 0.0)], complete=False)  # the store's earliest
    assert schedule.take(now=1) == [("wh_a", "d1")]
    assert schedule.wants_refill(now=2) == ["wh_a"]  # holds nothing: read back at once
    schedule.refilled("wh_a", [("d0", 100.0)], complete=False)  # backing off
    assert schedule.wants_refill(now=20) == []
    assert schedule.wants_refill(now=33) == ["wh_a"]


def test_a_deleted_endpoint_is_forgotten() -> None:
    schedule = DeliverySchedule(slots=4)
    schedule.add("wh_a", "d0", 0.0)
    schedule.forget("wh_a")
    assert (len(schedule), schedule.take(now=10), schedule.endpoints()) == (0, [], [])


class Store:
    """The scheduler's view of the delivery store, in memory."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = {d["_id"]: d for d in docs}
        self.notes: dict[str, Resend] = {}
        self.reads: list[str] = []

    async def by_id(self, delivery_id: str) -> dict[str, Any] | None:
        self.reads.append(delivery_id)
        return self.docs.get(delivery_id)

    async def resends(self, *, limit: int = 500) -> list[Resend]:
        return list(self.notes.values())

    async def resent(self, note: Resend) -> None:
        if self.notes.get(note.delivery_id) == note:
            del self.notes[note.delivery_id]

    def resend(self, delivery_id: str, token: str) -> None:
        """As the gateway does (the status it writes may be overwritten by an attempt)."""
        self.notes[delivery_id] = Resend("wh_1", delivery_id, token)

    async def all_pending(self) -> AsyncIterator[tuple[str, str, float]]:
        for d in self.docs.values():
            if d["status"] == "pending":
                yield d["webhook_id"], d["_id"], d["next_attempt_at"]

    async def pending_for(
        self, *, webhook_id: str, limit: int, exclude: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        pending = [d for d in self.docs.values() if d["status"] == "pending"]
        pending = [d for d in pending if d["_id"] not in exclude]
        return [(d["_id"], d["next_attempt_at"]) for d in pending][:limit]


class Sender:
    def __init__(self, store: Store) -> None:
        self.deliveries = store
        self.sent: list[str] = []
        self.most_at_once = self.now = 0
        self.drained = asyncio.Event()

    async def attempt(self, delivery: dict[str, Any], hook: dict[str, Any]) -> float | None:
        self.now += 1
        self.most_at_once = max(self.most_at_once, self.now)
        await asyncio.sleep(0)
        delivery["status"] = "succeeded"
        self.sent.append(delivery["_id"])
        if all(d["status"] != "pending" for d in self.deliveries.docs.values()):
            self.drained.set()
        self.now -= 1
        return None


class Cache:
    by_id = {"wh_1": {"_id": "wh_1"}}

    async def covering(self, occurred_at: float) -> None:
        return None


def pending(i: int) -> dict[str, Any]:
    return {"_id": f"d{i}", "webhook_id": "wh_1", "status": "pending", "next_attempt_at": 0.0}


async def test_a_backlog_to_one_endpoint_drains_without_waiting_for_the_poll_interval() -> None:
    store = Store([pending(i) for i in range(40)])
    sender = Sender(store)
    settings = NotifierSettings(
        poll_interval_seconds=3600, concurrency_per_endpoint=4, schedule_per_endpoint=10
    )
    scheduler = Scheduler(sender, Cache(), settings)  # type: ignore[arg-type]
    stop = asyncio.Event()
    running = asyncio.create_task(scheduler.run(stop))
    async with asyncio.timeout(30):  # an hour's poll interval: only the wake-ups can drain it
        await sender.drained.wait()
    stop.set()
    scheduler.wake.set()
    await running
    assert sorted(sender.sent) == sorted(f"d{i}" for i in range(40))
    assert sender.most_at_once <= 4


async def test_an_entry_for_a_delivery_no_longer_pending_costs_a_read_not_a_send() -> None:
    """The consumer re-reading an event after a crash hands over a delivery sent long ago."""
    done = pending(0) | {"status": "succeeded"}
    store = Store([done, pending(1)])
    sender = Sender(store)
    scheduler = Scheduler(sender, Cache(), NotifierSettings())  # type: ignore[arg-type]
    scheduler.recorded([done, pending(1)])
    await scheduler.tick()
    await asyncio.gather(*scheduler.tasks)
    assert (sender.sent, sorted(store.reads)) == (["d1"], ["d0", "d1"])


async def passes(scheduler: Scheduler, n: int) -> None:
    for _ in range(n):
        scheduler._inbox_read_at = float("-inf")  # each pass reads the inbox
        await scheduler.tick()
        await asyncio.gather(*scheduler.tasks)


async def test_a_re_send_is_attempted_whatever_the_status_and_once_per_request() -> None:
    """An attempt that ended after the re-send request may have written `succeeded` over the
    re-send's `pending`: the inbox note, not the status, says it is owed."""
    store = Store([pending(0) | {"status": "succeeded"}])
    sender = Sender(store)
    scheduler = Scheduler(sender, Cache(), NotifierSettings())  # type: ignore[arg-type]
    store.resend("d0", "t1")
    await passes(scheduler, 3)
    assert (sender.sent, store.notes) == (["d0"], {})
    store.resend("d0", "t2")
    await passes(scheduler, 2)
    assert sender.sent == ["d0", "d0"]


async def test_a_re_send_asked_for_during_its_attempt_is_sent_once_more() -> None:
    store = Store([pending(0)])
    sender = Sender(store)
    scheduler = Scheduler(sender, Cache(), NotifierSettings())  # type: ignore[arg-type]
    store.resend("d0", "t1")
    original = sender.attempt

    async def asked_again_meanwhile(delivery: dict[str, Any], hook: dict[str, Any]) -> float | None:
        if len(sender.sent) == 0:
            store.resend("d0", "t2")
            scheduler._inbox_read_at = float("-inf")
            await scheduler.tick()  # the new note is read while this attempt runs
        return await original(delivery, hook)

    sender.attempt = asked_again_meanwhile  # type: ignore[method-assign]
    scheduler._inbox_read_at = float("-inf")
    await scheduler.tick()
    await asyncio.gather(*scheduler.tasks)
    await passes(scheduler, 2)
    assert (sender.sent, store.notes) == (["d0", "d0"], {})
