"""The notifier's scheduler loop: attempts what its schedule says is due (notifier/schedule.py),
at most `concurrency_per_endpoint` at once per endpoint, so a slow or failing receiver holds only
its own slots. Each attempt first reads its delivery by `_id` and goes ahead only if it is still
pending and due, or re-sent: a note in the re-send inbox, acknowledged once that attempt has
ended, so a re-send survives a notifier crash and an outcome written over its `pending`. While
idle the loop reads only the inbox and the endpoints, both small: never the deliveries, however
many are stored."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence

from jobstream.adapters.metrics import WEBHOOKS_IN_FLIGHT
from jobstream.adapters.mongo_webhooks import MongoDeliveryStore, Resend
from jobstream.notifier.core import Doc, Sender, WebhookCache
from jobstream.notifier.schedule import DeliverySchedule
from jobstream.settings import NotifierSettings

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, sender: Sender, cache: WebhookCache, settings: NotifierSettings) -> None:
        self.sender, self.cache, self.settings = sender, cache, settings
        self.schedule = DeliverySchedule(
            slots=settings.concurrency_per_endpoint, capacity=settings.schedule_per_endpoint
        )
        self.tasks: set[asyncio.Task[None]] = set()
        self.wake = asyncio.Event()  # set: something may be due now (new, re-sent, a free slot)
        self._inbox_read_at = float("-inf")  # monotonic; read once per poll interval
        self._resends: dict[str, Resend] = {}  # delivery id -> the inbox note it is sent for

    @property
    def deliveries(self) -> MongoDeliveryStore:
        return self.sender.deliveries

    async def load(self) -> None:
        """At start: every pending delivery, in one read, earliest first (past an endpoint's
        capacity the rest is read back once those are through). The consumer and the sends run
        meanwhile: a delivery found twice is held once."""
        while True:
            try:
                async for webhook_id, delivery_id, due in self.deliveries.all_pending():
                    self.schedule.add(webhook_id, delivery_id, due)
            except Exception:
                log.exception("reading the pending deliveries failed; retrying")
                await asyncio.sleep(self.settings.backoff_base_seconds)
                continue
            self.wake.set()
            return

    def recorded(self, docs: Sequence[Doc]) -> None:
        """Deliveries the consumer just recorded (or found recorded: then a read says so)."""
        for doc in docs:
            self.schedule.add(doc["webhook_id"], doc["_id"], float(doc["next_attempt_at"]))
        if docs:
            self.wake.set()

    async def tick(self) -> None:
        if time.monotonic() >= self._inbox_read_at + self.settings.poll_interval_seconds:
            self._inbox_read_at = time.monotonic()
            for note in await self.deliveries.resends():
                if self._resends.get(note.delivery_id) != note:  # new, or asked for again
                    self._resends[note.delivery_id] = note
                    self.schedule.add(note.webhook_id, note.delivery_id, time.time(), always=True)
        for webhook_id in set(self.schedule.endpoints()) - set(self.cache.by_id):
            await self._drop_deleted(webhook_id)
        for webhook_id in self.schedule.wants_refill(time.time()):
            await self._refill(webhook_id)
        for webhook_id, delivery_id in self.schedule.take(time.time()):
            task = asyncio.create_task(self.send(webhook_id, delivery_id))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def send(self, webhook_id: str, delivery_id: str) -> None:
        next_due: float | None = None
        WEBHOOKS_IN_FLIGHT.inc()
        try:
            next_due = await self._attempt(webhook_id, delivery_id)
        except Exception:
            log.exception("delivery attempt failed", extra={"delivery": delivery_id})
            next_due = time.time() + self.settings.backoff_base_seconds  # still pending
        finally:
            WEBHOOKS_IN_FLIGHT.dec()
            self.schedule.done(webhook_id, delivery_id, next_due)
            self.wake.set()  # a slot is free: the endpoint's next delivery need not wait

    async def _attempt(self, webhook_id: str, delivery_id: str) -> float | None:
        """Attempt the delivery if it is re-sent, or still pending and due; when it is due next.
        A re-send's note is acknowledged once its attempt has ended, whatever the outcome."""
        note = self._resends.get(delivery_id)
        hook = self.cache.by_id.get(webhook_id)
        delivery = None if hook is None else await self.deliveries.by_id(delivery_id)
        if hook is None or delivery is None:
            next_due = None
        elif note is None and delivery["status"] != "pending":
            return None
        elif note is None and float(delivery["next_attempt_at"]) > time.time():
            return float(delivery["next_attempt_at"])  # the schedule's entry was older
        else:
            next_due = await self.sender.attempt(delivery, hook)
        if note is not None:
            await self.deliveries.resent(note)
            if self._resends.get(delivery_id) == note:
                del self._resends[delivery_id]
        return next_due

    async def run(self, stop: asyncio.Event) -> None:
        loading = asyncio.create_task(self.load())
        try:
            await self._loop(stop)
        finally:
            loading.cancel()

    async def _loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.cache.covering(time.time() - 1.0)
                await self.tick()
            except Exception:
                log.exception("scheduler pass failed; retrying")
            wait = self.settings.poll_interval_seconds  # for the re-send inbox
            due = self.schedule.next_due()
            if due is not None:
                wait = max(0.0, min(wait, due - time.time()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=wait)
            self.wake.clear()

    async def _drop_deleted(self, webhook_id: str) -> None:
        """An endpoint the cache no longer has: once the store confirms it is gone (deleting is
        for good), its deliveries are deleted and forgotten, and its re-send notes acknowledged.
        A delivery recorded for it later brings it back here, so none is left pending."""
        if await self.cache.hooks.exists(webhook_id):
            await self.cache.refresh()  # registered after the cache's read: its attempts need it
            return
        dropped = await self.deliveries.drop_for(webhook_id)
        self.schedule.forget(webhook_id)
        for note in [n for n in self._resends.values() if n.webhook_id == webhook_id]:
            await self.deliveries.resent(note)
            del self._resends[note.delivery_id]
        log.info("endpoint deleted", extra={"webhook_id": webhook_id, "deliveries": dropped})

    async def _refill(self, webhook_id: str) -> None:
        limit = self.schedule.capacity
        entries = await self.deliveries.pending_for(
            webhook_id=webhook_id, limit=limit, exclude=self.schedule.in_flight(webhook_id)
        )
        self.schedule.refilled(webhook_id, entries, complete=len(entries) < limit)
