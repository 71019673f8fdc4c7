"""Gateway use cases: submit, get, cancel, retry, list. No HTTP here; ports are injected.

The gateway writes a job's document once (the first insert); afterwards it only emits events
and answers cancel and retry with `apply()` on the state it read, without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobstream.adapters.blobs import BlobStore, fetch_refs, put_blobs
from jobstream.adapters.first_copy import relayable_after
from jobstream.adapters.kafka import PublishError, message_for
from jobstream.adapters.metrics import DISPATCH_DELAYED
from jobstream.adapters.mongo import OutboxMessage
from jobstream.core import listing
from jobstream.core.artifacts import ArtifactRef, offload_large_strings, restore_strings
from jobstream.core.documents import url_scheme_problem
from jobstream.core.endpoints import slug_for
from jobstream.core.errors import (
    CancelConflictError,
    InvalidRequestError,
    JobNotFoundError,
    ListUnavailableError,
    NotCancellableError,
    NotRetryableError,
    RetryConflictError,
    StoreTimeoutError,
)
from jobstream.core.ids import new_job_id
from jobstream.core.record import JobRecord
from jobstream.core.state import apply, retryable
from jobstream.gateway.group_commit import GroupCommit
from jobstream.gateway.ports import EventPublisher, JobStore, Outbox, PreparedJob
from jobstream.settings import GatewaySettings
from jobstream_schemas.api import (
    JobCreate,
    JobList,
    JobPublic,
    JobResponse,
    JobWarning,
    ListMetadata,
)
from jobstream_schemas.events import (
    ArtifactRefModel,
    CancelRequested,
    JobCancelRequested,
    JobCreated,
    JobCreatedPayload,
    JobRequested,
    JobRetryRequested,
    JobRetryRequestedPayload,
    RetryRequested,
    RunPayload,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """A job view and whether dispatch was delayed (202 + warning)."""

    job: JobPublic
    delayed: bool = False


DISPATCH_DELAYED_WARNING = JobWarning(
    code="dispatch_delayed",
    message="The job is stored but Kafka did not acknowledge in time; it will be dispatched "
    "shortly by the outbox relay.",
)


@dataclass
class JobService:
    """The gateway's use cases over its ports."""

    settings: GatewaySettings
    jobs: JobStore
    outbox: Outbox
    publisher: EventPublisher
    blobs: BlobStore

    def __post_init__(self) -> None:
        self._list_slots = asyncio.Semaphore(self.settings.max_concurrent_lists)
        self._group_commit = GroupCommit(self.jobs, self.outbox, self.publisher, self.settings)
        self.background: set[asyncio.Task[None]] = set()  # writes off the answer's path

    @property
    def enabled_slugs(self) -> set[str]:
        return set(self.settings.deployed_slugs)

    def _slug(self, endpoint: str) -> str:
        slug = slug_for(endpoint)
        if slug is None or (slug == "noop" and not self.settings.noop_endpoint_enabled):
            raise InvalidRequestError(
                f"Unknown endpoint {endpoint!r}.", code="unknown_endpoint",
                details={"field": "endpoint"},
            )  # fmt: skip
        if slug not in self.enabled_slugs:
            raise InvalidRequestError(
                f"Endpoint {endpoint!r} is known but no worker runs it on this deployment; "
                f"available: {', '.join(sorted(self.enabled_slugs))}.",
                code="endpoint_not_available",
                details={"field": "endpoint", "slug": slug},
            )
        return slug

    async def submit_job(
        self, body: JobCreate, *, organization_id: str, traceparent: str | None = None
    ) -> Answer:
        prepared = await self.prepare_job(
            body, organization_id=organization_id, traceparent=traceparent
        )
        delayed = await self._group_commit.commit(prepared)
        return Answer(self.view(prepared.record, delayed=delayed), delayed)

    async def prepare_job(
        self, body: JobCreate, *, organization_id: str, traceparent: str | None = None
    ) -> PreparedJob:
        """Validate the envelope, offload large strings, build the record and its messages
        (`job.created`, then the command): everything a create does before its writes."""
        slug = self._slug(body.endpoint)
        problem = url_scheme_problem(body.request, allow_http=self.settings.document_url_allow_http)
        if problem is not None:
            raise InvalidRequestError(
                problem[1], code="validation_error", details={"field": problem[0]}
            )
        job_id = new_job_id()
        now = int(time.time())
        stored, refs, blobs = offload_large_strings(
            body.request,
            key_prefix=f"jobs/{job_id}/request",
            threshold_bytes=self.settings.offload_threshold_bytes,
        )
        if blobs:
            await put_blobs(self.blobs, blobs)
        artifacts = [ArtifactRefModel(**vars(ref)) for ref in refs]
        created = JobCreated(
            job_id=job_id,
            organization_id=organization_id,
            attempt=1,
            payload=JobCreatedPayload(
                endpoint=body.endpoint, slug=slug, request=stored, artifacts=artifacts,
                metadata=body.metadata, created_at=now,
                expires_at=now + self.settings.retention_seconds,
            ),
        )  # fmt: skip
        record = _required(apply(None, created).job)
        command = JobRequested(
            job_id=job_id, organization_id=organization_id, attempt=1,
            payload=RunPayload(endpoint=body.endpoint, request=stored, artifacts=artifacts),
        )  # fmt: skip
        messages = (
            message_for(self.settings.events_topic, created, traceparent=traceparent),
            message_for(self.settings.commands_topic(slug), command, traceparent=traceparent),
        )
        return PreparedJob(record, messages, f"{job_id}:1:created")

    async def _dispatch(self, entry_id: str, messages: list[OutboxMessage], *, kind: str) -> bool:
        """Publish; when Kafka does not acknowledge in time, keep the messages in the outbox."""
        relay_delay = self.settings.outbox_relay_delay_seconds
        # the relay may copy them only once relay_delay has passed since a failure (below)
        messages = [relayable_after(m, time.time() + relay_delay) for m in messages]
        try:
            await self.publisher.publish(messages, timeout=self.settings.dispatch_timeout_seconds)
            return False
        except PublishError as exc:
            log.warning("dispatch delayed", extra={"entry": entry_id, "error": str(exc)})
            # Due once any late copy of the producer's own is in the log (group_commit.py).
            relay_after = time.time() + relay_delay
            await self.outbox.add(entry_id=entry_id, messages=messages, relay_after=relay_after)
            DISPATCH_DELAYED.labels(kind=kind).inc()
            return True

    @staticmethod
    def view(record: JobRecord, *, delayed: bool, **include: bool) -> JobPublic:
        job = record.public(**include)
        if delayed:
            job.warnings = [*(job.warnings or []), DISPATCH_DELAYED_WARNING]
        return job

    async def _load(self, job_id: str, organization_id: str) -> JobRecord:
        record = await self.jobs.get(job_id, organization_id=organization_id)
        if record is None:
            raise JobNotFoundError(f"Job {job_id!r} not found.")
        return record

    async def get_job(
        self, job_id: str, *, organization_id: str, include_request: bool, include_response: bool
    ) -> JobPublic:
        record = await self._load(job_id, organization_id)
        return await self._full_view(record, include_request, include_response)

    async def get_record(self, job_id: str, *, organization_id: str) -> JobRecord:
        return await self._load(job_id, organization_id)

    async def _full_view(
        self, record: JobRecord, include_request: bool, include_response: bool
    ) -> JobPublic:
        job = record.public(include_request=include_request, include_response=include_response)
        warnings: list[JobWarning] = []
        if job.request is not None and record.artifacts:
            job.request = await self._restore_request(record, warnings)
        if include_response and record.status == "completed" and record.response_artifact:
            job.response = await self._restore_response(record.response_artifact, warnings)
        if warnings:
            job.warnings = [*(job.warnings or []), *warnings]
        return job

    async def _restore_request(
        self, record: JobRecord, warnings: list[JobWarning]
    ) -> dict[str, Any] | None:
        refs = [ArtifactRef(**ref.model_dump()) for ref in record.artifacts]
        try:
            contents = await fetch_refs(self.blobs, refs)
            return restore_strings(record.request or {}, refs, contents)
        except Exception as exc:  # noqa: BLE001 - degrade, never fail the read
            log.warning("request restore failed", extra={"job_id": record.id, "error": str(exc)})
            warnings.append(
                JobWarning(
                    code="request_restore_failed",
                    message="The stored request could not be restored from artifact storage; "
                    "large embedded documents are shown as jobstream-artifact: references.",
                    details={"error": type(exc).__name__},
                )
            )
            return record.request

    async def _restore_response(
        self, ref: ArtifactRefModel, warnings: list[JobWarning]
    ) -> JobResponse | None:
        try:
            raw = await self.blobs.get(key=ref.key)
            return JobResponse.model_validate_json(raw)
        except Exception as exc:  # noqa: BLE001 - degrade, never fail the read
            warnings.append(
                JobWarning(
                    code="response_restore_failed",
                    message="The response body could not be loaded from artifact storage.",
                    details={"error": type(exc).__name__},
                )
            )
            return None

    async def cancel_job(self, job_id: str, *, organization_id: str) -> Answer:
        record = await self._load(job_id, organization_id)
        if record.is_terminal:
            raise NotCancellableError(
                f"Job {job_id!r} is already {record.status}; only validating, queued or "
                "in_progress jobs can be cancelled.",
                details={"status": record.status},
            )
        event = JobCancelRequested(
            job_id=job_id, organization_id=organization_id, attempt=record.attempt
        )
        after = _required(apply(record, event).job)
        messages = [
            message_for(self.settings.events_topic, event),
            message_for(
                self.settings.commands_topic(record.slug),
                CancelRequested(
                    job_id=job_id, organization_id=organization_id, attempt=record.attempt
                ),
            ),
        ]
        delayed = await self._dispatch(f"{job_id}:{record.attempt}:cancel", messages, kind="cancel")
        if not delayed:
            seen = await self._await_projection(
                job_id, organization_id, lambda j: j.attempt > record.attempt or j.is_terminal
            )
            if seen is not None and seen.attempt == record.attempt:
                if seen.status in ("completed", "failed"):
                    raise CancelConflictError(
                        f"Job {job_id!r} reached {seen.status} before the cancel took effect.",
                        details={"status": seen.status},
                    )
                after = seen
            elif seen is None:
                # Not yet projected (e.g. a worker slow to acknowledge): answer from apply().
                pass
        if after.status == "in_progress":
            # Cancel is final: the running attempt will end `cancelled`; answer with that end.
            after = after.model_copy(
                update={"status": "cancelled", "completed_at": int(event.occurred_at.timestamp())}
            )
        return Answer(self.view(after, delayed=delayed), delayed)

    async def _await_projection(
        self, job_id: str, organization_id: str, reached: Callable[[JobRecord], bool]
    ) -> JobRecord | None:
        """Poll the read model (by `_id`) until the projector shows our event's effect.

        Cancel and retry answer what a following GET will show (read your writes), and a cancel
        that lost to a completion already in the log is a 409, not a false 200. Bounded by
        `confirm_timeout_seconds`; None when the deadline passes first.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.confirm_timeout_seconds
        delay = 0.002
        while True:
            now = await self.jobs.get(job_id, organization_id=organization_id)
            if now is not None and reached(now):
                return now
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    async def retry_job(self, job_id: str, *, organization_id: str) -> Answer:
        record = await self._load(job_id, organization_id)
        if not retryable(record):
            self._refuse_retry(record)
        attempt = record.attempt + 1
        expires_at = int(time.time()) + self.settings.retention_seconds
        event = JobRetryRequested(
            job_id=job_id, organization_id=organization_id, attempt=attempt,
            payload=JobRetryRequestedPayload(expires_at=expires_at),
        )  # fmt: skip
        after = _required(apply(record, event).job)
        run = RunPayload(
            endpoint=record.endpoint, request=record.request or {}, artifacts=list(record.artifacts)
        )
        command = RetryRequested(
            job_id=job_id, organization_id=organization_id, attempt=attempt, payload=run
        )
        messages = [
            message_for(self.settings.events_topic, event),
            message_for(self.settings.commands_topic(record.slug), command),
        ]
        delayed = await self._dispatch(f"{job_id}:{attempt}:retry", messages, kind="retry")
        if not delayed:
            # Answer the reset (`queued`) once a following GET is sure to show it or later.
            await self._await_projection(job_id, organization_id, lambda j: j.attempt >= attempt)
        return Answer(self.view(after, delayed=delayed), delayed)

    @staticmethod
    def _refuse_retry(record: JobRecord) -> None:
        if record.status in ("validating", "queued", "in_progress"):
            raise RetryConflictError(
                f"Job {record.id!r} is {record.status}; retry a failed, cancelled or expired job.",
                details={"status": record.status},
            )
        reason = "its artifacts were purged" if record.status == "expired" else "it completed"
        raise NotRetryableError(
            f"Job {record.id!r} cannot be retried: {reason}.", details={"status": record.status}
        )

    async def _bounded_find(
        self, *, filter: dict[str, Any], sort: list[tuple[str, int]], limit: int
    ) -> list[JobRecord]:
        """A list query within the budget, at most `max_concurrent_lists` at once.

        On FerretDB a list costs time in proportion to the collection; past the budget the
        server stops the query itself (`maxTimeMS`, so a query given up on stops consuming the
        store) and the caller gets 503 `list_timeout` with Retry-After, as do lists beyond the
        concurrency limit, at once, instead of queueing behind the expensive ones.
        """
        budget = self.settings.list_budget_seconds
        retry_after = max(1, math.ceil(budget))
        if self._list_slots.locked():
            raise ListUnavailableError(
                "Too many lists are running on this gateway; retry later.",
                retry_after_seconds=retry_after,
            )
        async with self._list_slots:
            try:
                return await asyncio.wait_for(  # the client-side bound, should the server not
                    self.jobs.find(
                        filter=filter, sort=sort, limit=limit, max_time_ms=int(budget * 1000)
                    ),
                    timeout=budget + 1.0,
                )
            except (StoreTimeoutError, TimeoutError) as exc:
                raise ListUnavailableError(
                    f"The list did not finish within {budget:g} s; narrow its filters or retry.",
                    retry_after_seconds=retry_after,
                ) from exc

    async def list_jobs(self, query: listing.ListQuery, *, organization_id: str) -> JobList:
        anchor = None
        cursor = query.after or query.before
        if cursor:
            anchor = await self.jobs.anchor(cursor, organization_id=organization_id)
            if anchor is None:
                field = "after" if query.after else "before"
                raise InvalidRequestError(
                    f"Cursor job {cursor!r} not found.", code="invalid_query",
                    details={"field": field},
                )  # fmt: skip
        records = await self._bounded_find(
            filter=listing.build_filter(query, organization_id=organization_id, anchor=anchor),
            sort=listing.sort_spec(query),
            limit=query.limit + 1,
        )
        page = listing.page_envelope(records, query=query, id_of=lambda r: r.id)
        data = await asyncio.gather(
            *(self._full_view(r, query.include_request, query.include_response) for r in page.data)
        )
        return JobList(
            data=list(data),
            first_id=page.first_id,
            last_id=page.last_id,
            has_more=page.has_more,
            list_metadata=ListMetadata(
                before=page.list_metadata_before, after=page.list_metadata_after
            ),
        )


def _required(record: JobRecord | None) -> JobRecord:
    if record is None:
        raise RuntimeError("apply() returned no job for an existing job")
    return record
