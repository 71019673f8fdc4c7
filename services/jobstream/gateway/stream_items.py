"""What the gateway's tail hub hands its event streams: one `Item` per record of `jobs.events`,
decoded and rendered at most once however many streams send it (a hundred organization streams
of one organization share every record), and the queue read in batches with the heartbeat."""

from __future__ import annotations

import asyncio
import json

from jobstream.core.webhooks import public_event
from jobstream_schemas.events import JobEvent, decode_event


def organization_of(value: bytes) -> str | None:
    """The organization of an encoded event (None when it does not decode)."""
    try:
        org = json.loads(value).get("organization_id")
    except (ValueError, AttributeError):
        return None
    return None if org is None else str(org)


class Item:
    """One record (partition, offset, value); its event and SSE body are computed on first use."""

    __slots__ = ("_body", "_event", "_organization", "offset", "partition", "value")

    def __init__(self, partition: int, offset: int, value: bytes) -> None:
        self.partition, self.offset, self.value = partition, offset, value
        self._event: JobEvent | None = None
        self._body: tuple[str, str] | None = None
        self._organization: str | None | bool = False  # False: not read yet

    @property
    def organization(self) -> str | None:
        if self._organization is False:
            self._organization = organization_of(self.value)
        return self._organization  # type: ignore[return-value]

    @property
    def event(self) -> JobEvent:
        if self._event is None:
            self._event = decode_event(self.value)
        return self._event

    def body(self) -> tuple[str, str]:
        """(`event:` and `data:` lines, the public type)."""
        if self._body is None:
            public = public_event(self.event)
            self._body = (
                f"event: {public.type}\ndata: {public.model_dump_json()}\n\n",
                public.type,
            )
        return self._body


def sse(item: Item, *, cursor: str | None = None) -> tuple[str, str]:
    """The event as SSE text (`id:` the cursor given, else `<partition>-<offset>`), its type."""
    body, kind = item.body()
    return f"id: {cursor or f'{item.partition}-{item.offset}'}\n{body}", kind


async def next_items(
    queue: asyncio.Queue[Item], *, heartbeat: float, limit: int = 500
) -> list[Item]:
    """What waits in the queue (at most `limit`), else the next item within `heartbeat` seconds,
    else nothing. A stream that fell behind sends what waits as one write, not one per event."""
    if queue.empty():
        try:
            first = await asyncio.wait_for(queue.get(), timeout=heartbeat)
        except TimeoutError:
            return []
        items = [first]
    else:
        items = []
    while len(items) < limit and not queue.empty():
        items.append(queue.get_nowait())
    return items
