"""`GET /v1/events`: the organization's events as they happen, as Server-Sent Events, with the
list filters (`job_id`/`id`, `status`, `endpoint`, `metadata`). Fed by the gateway's one tail
consumer (`streams.EventHub`); a job's endpoint and metadata come from its `job.created` event,
or, for a job created before the stream, from one read of the job (kept for the stream's life):
no polling. Live only: a client that reconnects resumes per job with `GET /v1/jobs/{id}/events`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from jobstream.core.errors import JobNotFoundError
from jobstream.core.listing import ListQuery, encode_metadata_pair, parse_list_query
from jobstream.gateway.deps import ERRORS, DepsDep, OrgDep
from jobstream.gateway.service import JobService
from jobstream.gateway.streams import EventHub, sse
from jobstream_schemas.events import JobCreated, JobEvent, decode_event

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


async def organization_stream(
    hub: EventHub, chooser: EventFilter, heartbeat: float
) -> AsyncIterator[str]:
    queue = hub.subscribe_organization(chooser.organization_id)
    try:
        yield ": connected\n\n"
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            if await chooser.wants(decode_event(item[2])):
                yield sse(item)[0]
    finally:
        hub.unsubscribe_organization(chooser.organization_id, queue)


@router.get(
    "/v1/events",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "SSE"}},
)
async def stream_events(request: Request, deps: DepsDep, org: OrgDep) -> StreamingResponse:
    """The organization's events from now on, as Server-Sent Events; filters as on `GET /v1/jobs`
    (`job_id`, `status` = the job's status after the event, `endpoint`, `metadata`)."""
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    chooser = EventFilter(parse_list_query(params), deps.jobs, org)
    hub: EventHub = deps.extras["event_hub"]
    await hub.start()
    heartbeat = float(deps.extras.get("sse_heartbeat_seconds", 15.0))
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    stream = organization_stream(hub, chooser, heartbeat)
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
