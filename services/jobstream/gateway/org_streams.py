"""`GET /v1/events`: the organization's events as they happen, as Server-Sent Events, with the
list filters (`job_id`/`id`, `status`, `endpoint`, `metadata`). Fed by the gateway's one tail
consumer (`streams.EventHub`); a job's endpoint and metadata come from its `job.created` event,
or, for a job created before the stream, from one read of the job (kept for the stream's life):
no polling. Each event's `id:` is a cursor over every partition (each one's next offset, after
that event, dot-joined): `Last-Event-ID` replays, partition by partition, every record between
it and the subscription's positions, then the stream follows the tail, skipping what the cursor
covers — no gap, no repeat, each job's events in order (a job's events share a partition)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from jobstream.core.errors import InvalidRequestError, JobNotFoundError
from jobstream.core.listing import ListQuery, encode_metadata_pair, parse_list_query
from jobstream.gateway.deps import ERRORS, DepsDep, OrgDep
from jobstream.gateway.service import JobService
from jobstream.gateway.stream_items import Item, next_items, sse
from jobstream.gateway.streams import EventHub
from jobstream_schemas.events import JobCreated, JobEvent

router = APIRouter(tags=["jobs"])
# The status a job has after each event (cancel_requested leaves it as it was: no status).
STATUS_AFTER = {
    "job.created.v1": "queued", "job.retry_requested.v1": "queued",
    "job.started.v1": "in_progress", "job.progress.v1": "in_progress",
    "job.completed.v1": "completed", "job.failed.v1": "failed",
    "job.cancelled.v1": "cancelled", "job.expired.v1": "expired",
    "job.artifacts_purged.v1": "expired",
}  # fmt: skip


def facts_of(endpoint: str, metadata: dict[str, str] | None) -> tuple[str, frozenset[str]]:
    pairs = (metadata or {}).items()
    return endpoint, frozenset(encode_metadata_pair(k, v) for k, v in pairs)


@dataclass
class EventFilter:
    query: ListQuery
    jobs: JobService
    organization_id: str
    facts: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)

    async def _facts(self, event: JobEvent) -> tuple[str, frozenset[str]] | None:
        if isinstance(event, JobCreated):
            pairs = (event.payload.metadata or {}).items()
            found = (
                event.payload.endpoint,
                frozenset(encode_metadata_pair(k, v) for k, v in pairs),
            )
            self.facts[event.job_id] = found
        if event.job_id not in self.facts:
            try:
                record = await self.jobs.get_record(
                    event.job_id, organization_id=self.organization_id
                )
            except JobNotFoundError:
                return None
            pairs = (record.metadata or {}).items()
            self.facts[event.job_id] = (
                record.endpoint, frozenset(encode_metadata_pair(k, v) for k, v in pairs),
            )  # fmt: skip
        return self.facts[event.job_id]

    async def wants(self, event: JobEvent) -> bool:
        q = self.query
        if q.ids and event.job_id not in q.ids:
            return False
        if q.statuses and STATUS_AFTER.get(event.type) not in q.statuses:
            return False
        if not (q.endpoints or q.metadata):
            return True
        facts = await self._facts(event)
        if facts is None:
            return False
        endpoint, pairs = facts
        if q.endpoints and endpoint not in q.endpoints:
            return False
        wanted = {encode_metadata_pair(k, v) for k, v in q.metadata.items()}
        return wanted <= pairs


def cursor_text(positions: dict[int, int]) -> str:
    """The resumable cursor: every partition's next offset, in partition order, dot-joined."""
    return ".".join(str(positions[p]) for p in sorted(positions))


def parse_cursor(last_event_id: str | None, partitions: int) -> dict[int, int] | None:
    """`Last-Event-ID` of an organization stream as positions; `422 invalid_last_event_id` for
    anything else (a job stream's `<partition>-<offset>`, another partition count)."""
    if not last_event_id:
        return None
    parts = last_event_id.split(".")
    if len(parts) != partitions or not all(part.isdigit() for part in parts):
        raise InvalidRequestError(
            "Last-Event-ID is not a cursor of an organization's event stream.",
            code="invalid_last_event_id", details={"header": "Last-Event-ID"},
        )  # fmt: skip
    return {p: int(part) for p, part in enumerate(parts)}


@dataclass
class OrgStream:
    """One organization stream: `positions` says, per partition, up to where every record has
    been sent or filtered out, so its text after any event is a cursor to resume right there."""

    hub: EventHub
    chooser: EventFilter
    heartbeat: float
    positions: dict[int, int] = field(default_factory=dict)

    async def choose(self, item: Item) -> str | None:
        """The SSE text of a record past the positions that the filters want (else None)."""
        if item.offset < self.positions.get(item.partition, 0):
            return None  # already covered (a cursor from a gateway whose tail was ahead)
        self.positions[item.partition] = item.offset + 1
        if item.organization != self.chooser.organization_id:
            return None
        if not await self.chooser.wants(item.event):
            return None
        return sse(item, cursor=cursor_text(self.positions))[0]

    async def replay(self, until: dict[int, int]) -> AsyncIterator[str]:
        """What happened between the cursor and the subscription, partition by partition."""
        for partition in sorted(until):
            start = self.positions.get(partition, 0)
            async for records in self.hub.read(partition, start=start, until=until[partition]):
                for r in records:
                    if text := await self.choose(Item(partition, r.offset, r.value or b"")):
                        yield text
            self.positions[partition] = max(start, until[partition])

    async def events(self, cursor: dict[int, int] | None) -> AsyncIterator[str]:
        org = self.chooser.organization_id
        queue, subscribed = self.hub.subscribe_organization(org)
        try:
            yield ": connected\n\n"
            self.positions = dict(subscribed if cursor is None else cursor)
            async for text in self.replay(subscribed if cursor is not None else {}):
                yield text
            while True:
                if not (items := await next_items(queue, heartbeat=self.heartbeat)):
                    yield ": ping\n\n"
                    continue
                texts = [chosen for item in items if (chosen := await self.choose(item))]
                if texts:
                    yield "".join(texts)
        finally:
            self.hub.unsubscribe_organization(org, queue)


@router.get(
    "/v1/events",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "SSE"}},
)
async def stream_events(
    request: Request, deps: DepsDep, org: OrgDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:  # fmt: skip
    """The organization's events from now on (or right after `Last-Event-ID`, an earlier event's
    `id:`), as Server-Sent Events; filters as on `GET /v1/jobs` (`job_id`, `status` = the job's
    status after the event, `endpoint`, `metadata`)."""
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    chooser = EventFilter(parse_list_query(params), deps.jobs, org)
    hub: EventHub = deps.extras["event_hub"]
    await hub.start()
    cursor = parse_cursor(last_event_id, len(hub.position))
    heartbeat = float(deps.extras.get("sse_heartbeat_seconds", 15.0))
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    stream = OrgStream(hub, chooser, heartbeat).events(cursor)
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
