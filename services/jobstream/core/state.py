"""The job state machine: one pure function, `apply(job, event)`, used by every writer and reader.

Invariants (shared DESIGN.md): events of an older attempt are ignored; re-applying an event is a
no-op; the first terminal event of an attempt wins; an accepted cancel is final; retry starts
attempt N+1 in place; any state may expire. The outcome says what happened, for metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from jobstream.core.record import JobRecord, filter_fields
from jobstream_schemas.events import (
    JobArtifactsPurged,
    JobCancelled,
    JobCancelRequested,
    JobCompleted,
    JobCreated,
    JobEvent,
    JobExpired,
    JobFailed,
    JobProgressed,
    JobRetryRequested,
    JobStarted,
)

RETRYABLE_STATUSES = frozenset({"failed", "cancelled", "expired"})


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # already reflected in the state
    STALE = "stale"  # an older attempt's event
    DROPPED_TERMINAL = "dropped_terminal"  # a second terminal event of the attempt
    IGNORED = "ignored"  # not applicable in this state (e.g. an event before job.created)


@dataclass(frozen=True)
class Applied:
    job: JobRecord | None
    outcome: Outcome


def _ts(event: JobEvent) -> int:
    return int(event.occurred_at.timestamp())


def apply(job: JobRecord | None, event: JobEvent) -> Applied:
    """The job after `event`, and what the event did."""
    if isinstance(event, JobCreated):
        return _created(job, event)
    if job is None:
        return Applied(None, Outcome.IGNORED)
    if isinstance(event, JobRetryRequested):
        return _retry_requested(job, event)
    if event.attempt < job.attempt:
        return Applied(job, Outcome.STALE)
    if isinstance(event, JobExpired):
        return _expired(job)
    if isinstance(event, JobArtifactsPurged):
        if job.artifacts_purged:
            return Applied(job, Outcome.DUPLICATE)
        return _changed(job, artifacts_purged=True, request=None, artifacts=(), response=None)
    if event.attempt > job.attempt:
        # Cannot happen in partition order (retry_requested precedes the new attempt's events).
        return Applied(job, Outcome.IGNORED)
    if isinstance(event, JobCancelRequested):
        return _cancel_requested(job, event)
    if isinstance(event, JobStarted):
        return _started(job, event)
    if isinstance(event, JobProgressed):
        if job.status != "in_progress":
            return Applied(job, Outcome.IGNORED)
        if job.progress == event.payload:
            return Applied(job, Outcome.DUPLICATE)
        return _changed(job, progress=event.payload)
    return _terminal(job, event)


def _changed(job: JobRecord, **changes: Any) -> Applied:
    return Applied(job.model_copy(update=changes), Outcome.APPLIED)


def _created(job: JobRecord | None, event: JobCreated) -> Applied:
    if job is not None:
        return Applied(job, Outcome.DUPLICATE)
    p = event.payload
    record = JobRecord(
        id=event.job_id,
        organization_id=event.organization_id,
        status="queued",
        endpoint=p.endpoint,
        slug=p.slug,
        created_at=p.created_at,
        expires_at=p.expires_at,
        metadata=p.metadata,
        request=p.request,
        artifacts=tuple(p.artifacts),
        warnings=tuple(p.warnings) if p.warnings else None,
        attempt=event.attempt,
        filters=filter_fields(p.request, p.metadata),
    )
    return Applied(record, Outcome.APPLIED)


def _started(job: JobRecord, event: JobStarted) -> Applied:
    if job.is_terminal:
        return Applied(job, Outcome.DROPPED_TERMINAL)
    try_number = event.payload.try_number
    if try_number <= job.current_try:
        return Applied(job, Outcome.DUPLICATE)
    return _changed(
        job,
        status="in_progress",
        started_at=job.started_at or _ts(event),
        last_attempt_at=_ts(event),
        current_try=try_number,
        attempt_count=job.attempt_count + 1,
        last_failure_code=retry_of.code
        if (retry_of := event.payload.retry_of)
        else job.last_failure_code,
    )


def _terminal(job: JobRecord, event: JobCompleted | JobFailed | JobCancelled) -> Applied:
    if job.is_terminal:
        return Applied(job, Outcome.DROPPED_TERMINAL)
    if job.cancelled or isinstance(event, JobCancelled):
        # Cancel is final: a completion racing an accepted cancel still ends `cancelled`.
        return _changed(job, status="cancelled", cancelled=True, completed_at=_ts(event))
    if isinstance(event, JobCompleted):
        return _changed(
            job,
            status="completed",
            response=event.payload.response,
            response_artifact=event.payload.response_artifact,
            completed_at=_ts(event),
            progress=None,
        )
    error = event.payload.error
    return _changed(
        job, status="failed", error=error, last_failure_code=error.code, completed_at=_ts(event)
    )


def _cancel_requested(job: JobRecord, event: JobCancelRequested) -> Applied:
    if job.is_terminal or job.cancelled:
        return Applied(job, Outcome.DUPLICATE if job.cancelled else Outcome.IGNORED)
    if job.status == "in_progress":
        # The worker aborts the handler and reports job.cancelled.
        return _changed(job, cancelled=True)
    return _changed(job, status="cancelled", cancelled=True, completed_at=_ts(event))


def _retry_requested(job: JobRecord, event: JobRetryRequested) -> Applied:
    if event.attempt <= job.attempt:
        return Applied(job, Outcome.DUPLICATE)
    if not retryable(job):
        return Applied(job, Outcome.IGNORED)
    return _changed(
        job,
        status="queued",
        attempt=event.attempt,
        current_try=0,
        cancelled=False,
        error=None,
        response=None,
        response_artifact=None,
        started_at=None,
        completed_at=None,
        progress=None,
        expires_at=event.payload.expires_at,
    )


def _expired(job: JobRecord) -> Applied:
    if job.status == "expired":
        return Applied(job, Outcome.DUPLICATE)
    # The request stays stored (hidden) until the artifacts are purged, so an expired job
    # remains retryable while its artifacts remain.
    return _changed(job, status="expired", response=None, response_artifact=None, progress=None)


def retryable(job: JobRecord) -> bool:
    """Retry in place is allowed from failed, cancelled, and expired while artifacts remain."""
    if job.status not in RETRYABLE_STATUSES:
        return False
    return not (job.status == "expired" and job.artifacts_purged)
