"""The notifier's own schedule: which delivery is due when, per endpoint, with at most `slots`
attempts in flight per endpoint and at most `capacity` waiting per endpoint. Pure: no I/O.

The store stays the truth. An entry is a hint to read the delivery by `_id` and attempt it if
it is still pending and due; a duplicate or stale entry costs one read, never a second send.
The notifier is a singleton (docs/decisions.md), so it knows every delivery that becomes due:
the ones it records, the retries it schedules, the re-sends the gateway leaves in the inbox,
and, at start, the store's pending ones. Nothing has to be looked for on a timer.

An endpoint whose backlog outgrows `capacity` is marked overflowed: what did not fit stays
pending in the store only, and is read back a page at a time (`wants_refill`): at once when
the endpoint holds nothing more, and at most once per `refill_every` seconds while what it holds
is not due.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field


@dataclass
class _Endpoint:
    heap: list[tuple[float, str]] = field(default_factory=list)  # (due, delivery id)
    live: int = 0  # scheduled deliveries (the heap may also hold stale entries)
    in_flight: set[str] = field(default_factory=set)
    overflowed: bool = False
    refilled_at: float = float("-inf")


@dataclass
class DeliverySchedule:
    slots: int
    capacity: int = 10_000
    refill_every: float = 30.0
    _endpoints: dict[str, _Endpoint] = field(default_factory=dict)
    _due: dict[str, float] = field(default_factory=dict)  # delivery id -> its live entry's due
    _again: dict[str, float] = field(default_factory=dict)  # in flight, asked for meanwhile

    def add(self, webhook_id: str, delivery_id: str, due: float, *, always: bool = False) -> None:
        """Schedule the delivery at `due` (or keep its earlier time if it has one); `always`:
        even past the endpoint's capacity (a re-send, which the store cannot give back)."""
        endpoint = self._endpoints.setdefault(webhook_id, _Endpoint())
        if delivery_id in endpoint.in_flight:  # scheduled again once this attempt ends
            self._again[delivery_id] = min(due, self._again.get(delivery_id, due))
            return
        known = self._due.get(delivery_id)
        if known is not None and known <= due:
            return
        if known is None and endpoint.live >= self.capacity and not always:
            endpoint.overflowed = True  # stays pending in the store; read back by a refill
            return
        if known is None:
            endpoint.live += 1
        self._due[delivery_id] = due
        heapq.heappush(endpoint.heap, (due, delivery_id))

    def take(self, now: float) -> list[tuple[str, str]]:
        """The (endpoint, delivery) pairs to attempt now, marked in flight, within each
        endpoint's free slots, earliest due first."""
        taken: list[tuple[str, str]] = []
        for webhook_id, endpoint in self._endpoints.items():
            while len(endpoint.in_flight) < self.slots and self._head(endpoint) <= now:
                _, delivery_id = heapq.heappop(endpoint.heap)
                del self._due[delivery_id]
                endpoint.live -= 1
                endpoint.in_flight.add(delivery_id)
                taken.append((webhook_id, delivery_id))
        return taken

    def done(self, webhook_id: str, delivery_id: str, next_due: float | None) -> None:
        """An attempt ended; `next_due` is when the delivery is due again (None: it is not)."""
        endpoint = self._endpoints.get(webhook_id)
        if endpoint is not None:
            endpoint.in_flight.discard(delivery_id)
        again = self._again.pop(delivery_id, None)
        times = [t for t in (next_due, again) if t is not None]
        if times:
            self.add(webhook_id, delivery_id, min(times))
        elif endpoint is not None and not (
            endpoint.live or endpoint.in_flight or endpoint.overflowed
        ):
            del self._endpoints[webhook_id]  # nothing left to remember of it

    def forget(self, webhook_id: str) -> None:
        """Drop an endpoint's entries (it was deleted); attempts in flight end on their own."""
        endpoint = self._endpoints.pop(webhook_id, None)
        if endpoint is not None:
            for _, delivery_id in endpoint.heap:
                self._due.pop(delivery_id, None)
            for delivery_id in endpoint.in_flight:
                self._again.pop(delivery_id, None)

    def wants_refill(self, now: float) -> list[str]:
        """Overflowed endpoints to read back from the store: those holding nothing, and those
        with nothing due that were not refilled lately (their held deliveries back off). Each
        is counted as refilled now; call `refilled` with what the store gave back."""
        wanted = []
        for webhook_id, endpoint in self._endpoints.items():
            idle = self._head(endpoint) > now and now - endpoint.refilled_at >= self.refill_every
            if endpoint.overflowed and (endpoint.live == 0 or idle):
                endpoint.refilled_at = now
                wanted.append(webhook_id)
        return wanted

    def refilled(
        self, webhook_id: str, entries: list[tuple[str, float]], *, complete: bool
    ) -> None:
        """The endpoint's earliest pending deliveries as the store holds them (`complete`: all
        of them) in place of what it held: the store is ahead of the schedule, and what is left
        out is due no earlier than what came back."""
        endpoint = self._endpoints.setdefault(webhook_id, _Endpoint())
        for _, delivery_id in endpoint.heap:
            self._due.pop(delivery_id, None)
        endpoint.heap, endpoint.live, endpoint.overflowed = [], 0, False
        for delivery_id, due in entries:
            self.add(webhook_id, delivery_id, due)
        endpoint.overflowed = endpoint.overflowed or not complete

    def next_due(self) -> float | None:
        """The earliest due time of an entry that a free slot could take."""
        heads = [self._head(e) for e in self._endpoints.values() if len(e.in_flight) < self.slots]
        due = min(heads, default=float("inf"))
        return None if due == float("inf") else due

    def in_flight(self, webhook_id: str) -> list[str]:
        endpoint = self._endpoints.get(webhook_id)
        return [] if endpoint is None else sorted(endpoint.in_flight)

    def endpoints(self) -> list[str]:
        return list(self._endpoints)

    def held(self, webhook_id: str) -> int:
        """Deliveries of the endpoint waiting in the schedule (its attempts in flight aside)."""
        endpoint = self._endpoints.get(webhook_id)
        return 0 if endpoint is None else endpoint.live

    def __len__(self) -> int:
        return len(self._due)

    def _head(self, endpoint: _Endpoint) -> float:
        """The endpoint's earliest live due time (stale heap entries are dropped)."""
        heap = endpoint.heap
        while heap and self._due.get(heap[0][1]) != heap[0][0]:
            heapq.heappop(heap)
        return heap[0][0] if heap else float("inf")
