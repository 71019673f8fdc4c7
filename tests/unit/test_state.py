"""Properties of the pure state machine `apply()` under duplicated, stale and racing events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream.core.record import JobRecord
from jobstream.core.state import Outcome, apply
from jobstream_schemas.api import JobError, JobResponse
from jobstream_schemas.events import (
    JobArtifactsPurged,
    JobCancelled,
    JobCancelRequested,
    JobCompleted,
    JobCompletedPayload,
    JobCreated,
    JobCreatedPayload,
    JobEvent,
    JobExpired,
    JobFailed,
    JobFailedPayload,
    JobProgressed,
    JobProgressPayload,
    JobRetryRequested,
    JobRetryRequestedPayload,
    JobStarted,
    JobStartedPayload,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
IDS = {"job_id": "job_aaaaaaaaaaaaaaaaaaaaa", "organization_id": "org_1"}
TERMINAL = {"completed", "failed", "cancelled"}


def created() -> JobCreated:
    payload = JobCreatedPayload(
        endpoint="/v1/documents/parse",
        slug="parse",
        request={"document": {"filename": "a.pdf", "url": "data:,x"}, "model": "m"},
        metadata={"workflow_id": "wf"},
        created_at=1000,
        expires_at=2000,
    )
    return JobCreated(**IDS, attempt=1, occurred_at=T0, payload=payload)


def make_event(kind: str, attempt: int, n: int, at: datetime) -> JobEvent:
    common = {**IDS, "attempt": attempt, "occurred_at": at}
    match kind:
        case "started":
            return JobStarted(**common, payload=JobStartedPayload(try_number=n))
        case "progress":
            return JobProgressed(**common, payload=JobProgressPayload(completed=n))
        case "completed":
            body = JobCompletedPayload(response=JobResponse(status_code=200, body={"n": n}))
            return JobCompleted(**common, payload=body)
        case "failed":
            error = JobError(code=f"e{n}", message="boom")
            return JobFailed(**common, payload=JobFailedPayload(error=error))
        case "cancel_requested":
            return JobCancelRequested(**common)
        case "cancelled":
            return JobCancelled(**common)
        case "expired":
            return JobExpired(**common)
        case _:
            return JobArtifactsPurged(**common)


KINDS = [
    "started", "progress", "completed", "failed", "cancel_requested", "cancelled",
    "retry", "expired", "purged", "duplicate",
]  # fmt: skip


@st.composite
def histories(draw: st.DrawFn) -> list[JobEvent]:
    """Event streams as they can appear on one partition: emitters race and redeliver, but no
    event refers to an attempt before the retry that announced it."""
    events: list[JobEvent] = [created()]
    max_attempt = 1
    for step in range(draw(st.integers(0, 30))):
        at = T0 + timedelta(seconds=step + 1)
        kind = draw(st.sampled_from(KINDS))
        if kind == "duplicate":
            events.append(draw(st.sampled_from(events)))
        elif kind == "retry":
            max_attempt += 1
            payload = JobRetryRequestedPayload(expires_at=5000 + step)
            events.append(
                JobRetryRequested(**IDS, attempt=max_attempt, occurred_at=at, payload=payload)
            )
        else:
            attempt = draw(st.integers(max(1, max_attempt - 1), max_attempt))
            events.append(make_event(kind, attempt, draw(st.integers(1, 3)), at))
    return events


def fold(events: list[JobEvent]) -> list[tuple[JobRecord | None, Outcome]]:
    job: JobRecord | None = None
    trace = []
    for event in events:
        result = apply(job, event)
        job = result.job
        trace.append((job, result.outcome))
    return trace


@given(histories())
@settings(max_examples=400, deadline=None)
def test_reapplying_an_event_is_a_no_op(events: list[JobEvent]) -> None:
    job: JobRecord | None = None
    for event in events:
        once = apply(job, event).job
        again = apply(once, event)
        assert again.job == once
        assert again.outcome is not Outcome.APPLIED or once is None
        job = once


@given(histories())
@settings(max_examples=400, deadline=None)
def test_immediate_redelivery_changes_nothing(events: list[JobEvent]) -> None:
    doubled = [e for event in events for e in (event, event)]
    assert fold(doubled)[-1][0] == fold(events)[-1][0]


@given(histories())
@settings(max_examples=400, deadline=None)
def test_one_terminal_state_per_attempt_and_cancel_is_final(events: list[JobEvent]) -> None:
    previous: JobRecord | None = None
    terminal_attempts: list[int] = []
    cancel_accepted: set[int] = set()
    for job, _outcome in fold(events):
        assert job is not None
        if previous is not None:
            assert job.attempt >= previous.attempt
            assert job.attempt_count >= previous.attempt_count
            entered = job.status in TERMINAL and (
                previous.status not in TERMINAL or previous.attempt != job.attempt
            )
            if entered:
                assert job.attempt not in terminal_attempts
                terminal_attempts.append(job.attempt)
            if job.cancelled:
                cancel_accepted.add(job.attempt)
            if job.attempt in cancel_accepted:
                assert job.status not in {"completed", "failed"}
        previous = job


@given(histories())
@settings(max_examples=300, deadline=None)
def test_stale_attempt_events_never_change_the_job(events: list[JobEvent]) -> None:
    job: JobRecord | None = None
    for event in events:
        result = apply(job, event)
        if job is not None and event.attempt < job.attempt:
            assert result.job == job
        job = result.job


def test_happy_path_and_retry_in_place() -> None:
    events: list[JobEvent] = [
        created(),
        make_event("started", 1, 1, T0),
        make_event("failed", 1, 7, T0 + timedelta(seconds=5)),
    ]
    job = fold(events)[-1][0]
    assert job is not None
    assert (job.status, job.last_failure_code, job.attempt_count) == ("failed", "e7", 1)
    retry = JobRetryRequested(
        **IDS, attempt=2, occurred_at=T0, payload=JobRetryRequestedPayload(expires_at=9999)
    )
    job = apply(job, retry).job
    assert job is not None
    assert (job.status, job.attempt, job.error, job.expires_at) == ("queued", 2, None, 9999)
    assert job.last_failure_code == "e7"  # survives retries
    job = apply(job, make_event("started", 2, 1, T0)).job
    job = apply(job, make_event("completed", 2, 1, T0 + timedelta(seconds=9))).job
    assert job is not None
    assert (job.status, job.attempt_count, job.completed_at) == ("completed", 2, 1767225609)
    assert job.filters["filenames"] == ["a.pdf"]
    assert job.filters["source"] == "workflow"


def test_cancel_of_a_queued_job_ends_it_at_once_and_a_racing_start_is_dropped() -> None:
    job = apply(None, created()).job
    result = apply(job, make_event("cancel_requested", 1, 1, T0))
    assert result.job is not None
    assert (result.job.status, result.job.cancelled) == ("cancelled", True)
    assert apply(result.job, make_event("started", 1, 1, T0)).outcome is Outcome.DROPPED_TERMINAL


def test_cancel_of_a_running_job_wins_over_a_racing_completion() -> None:
    job = apply(None, created()).job
    job = apply(job, make_event("started", 1, 1, T0)).job
    job = apply(job, make_event("cancel_requested", 1, 1, T0)).job
    assert job is not None
    assert (job.status, job.cancelled) == ("in_progress", True)
    job = apply(job, make_event("completed", 1, 1, T0)).job
    assert job is not None
    assert job.status == "cancelled"
    assert job.response is None


def test_expiry_then_purge_makes_the_job_unretryable() -> None:
    job = apply(None, created()).job
    job = apply(job, make_event("failed", 1, 1, T0)).job
    job = apply(job, make_event("expired", 1, 1, T0)).job
    assert job is not None
    assert job.status == "expired"
    assert job.public(include_request=True).request is None
    job = apply(job, make_event("purged", 1, 1, T0)).job
    retry = JobRetryRequested(
        **IDS, attempt=2, occurred_at=T0, payload=JobRetryRequestedPayload(expires_at=1)
    )
    assert apply(job, retry).outcome is Outcome.IGNORED
