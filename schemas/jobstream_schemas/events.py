"""Kafka messages: events on `jobs.events` and commands on `jobs.commands.<slug>`.

One envelope for all: `type` (versioned discriminator), `event_id` (uuid, for dedup), `job_id`,
`organization_id`, `attempt`, `occurred_at`, and a typed `payload`. Every message is keyed by
`job_id`, so a job's whole history sits on one partition, in order.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from jobstream_schemas.api import JobError, JobResponse, JobWarning


def new_event_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class ArtifactRefModel(BaseModel):
    """An S3 object holding a large string of the request, replaced at `pointer` (RFC 6901)."""

    key: str
    pointer: str
    size: int
    sha256: str


class Envelope(BaseModel):
    """Fields every message carries."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: str = Field(default_factory=new_event_id)
    job_id: str
    organization_id: str
    attempt: int = Field(ge=1)
    occurred_at: AwareDatetime = Field(default_factory=utcnow)


# ---- payloads ---------------------------------------------------------------------------------


class EmptyPayload(BaseModel):
    model_config = ConfigDict(frozen=True)


class JobCreatedPayload(BaseModel):
    """Everything needed to rebuild the job from the event stream alone."""

    model_config = ConfigDict(frozen=True)

    endpoint: str
    slug: str
    request: dict[str, Any] = Field(description="The request with large strings offloaded to S3")
    artifacts: list[ArtifactRefModel] = Field(default_factory=list)
    metadata: dict[str, str] | None = None
    created_at: int
    expires_at: int
    warnings: list[JobWarning] | None = None


class JobStartedPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    try_number: int = Field(1, ge=1, description="Execution within the attempt (transient retries)")
    worker_id: str = ""
    retry_of: JobError | None = Field(None, description="The transient error of the previous try")


class JobProgressPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    completed: float = 0
    total: float | None = None
    message: str | None = None


class JobCompletedPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    response: JobResponse | None = None
    response_artifact: ArtifactRefModel | None = Field(
        None, description="Set instead of `response` when the body was too large for a message"
    )


class JobFailedPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    error: JobError
    try_number: int = 1


class JobCancelRequestedPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason: str | None = None


class JobRetryRequestedPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    expires_at: int


class JobArtifactsPurgedPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    keys: list[str] = Field(default_factory=list)


# ---- events (jobs.events) -----------------------------------------------------------------------


class JobCreated(Envelope):
    type: Literal["job.created.v1"] = "job.created.v1"
    payload: JobCreatedPayload


class JobStarted(Envelope):
    type: Literal["job.started.v1"] = "job.started.v1"
    payload: JobStartedPayload = JobStartedPayload()


class JobProgressed(Envelope):
    type: Literal["job.progress.v1"] = "job.progress.v1"
    payload: JobProgressPayload


class JobCompleted(Envelope):
    type: Literal["job.completed.v1"] = "job.completed.v1"
    payload: JobCompletedPayload


class JobFailed(Envelope):
    type: Literal["job.failed.v1"] = "job.failed.v1"
    payload: JobFailedPayload


class JobCancelRequested(Envelope):
    type: Literal["job.cancel_requested.v1"] = "job.cancel_requested.v1"
    payload: JobCancelRequestedPayload = JobCancelRequestedPayload()


class JobCancelled(Envelope):
    type: Literal["job.cancelled.v1"] = "job.cancelled.v1"
    payload: EmptyPayload = EmptyPayload()


class JobRetryRequested(Envelope):
    type: Literal["job.retry_requested.v1"] = "job.retry_requested.v1"
    payload: JobRetryRequestedPayload


class JobExpired(Envelope):
    type: Literal["job.expired.v1"] = "job.expired.v1"
    payload: EmptyPayload = EmptyPayload()


class JobArtifactsPurged(Envelope):
    type: Literal["job.artifacts_purged.v1"] = "job.artifacts_purged.v1"
    payload: JobArtifactsPurgedPayload = JobArtifactsPurgedPayload()


JobEvent = Annotated[
    JobCreated
    | JobStarted
    | JobProgressed
    | JobCompleted
    | JobFailed
    | JobCancelRequested
    | JobCancelled
    | JobRetryRequested
    | JobExpired
    | JobArtifactsPurged,
    Field(discriminator="type"),
]
TERMINAL_EVENT_TYPES: frozenset[str] = frozenset(
    {"job.completed.v1", "job.failed.v1", "job.cancelled.v1"}
)

# ---- commands (jobs.commands.<slug>) -----------------------------------------------------------


class RunPayload(BaseModel):
    """What a worker needs to run the job without reading the read model for content."""

    model_config = ConfigDict(frozen=True)

    endpoint: str
    request: dict[str, Any]
    artifacts: list[ArtifactRefModel] = Field(default_factory=list)


class JobRequested(Envelope):
    type: Literal["cmd.job_requested.v1"] = "cmd.job_requested.v1"
    payload: RunPayload


class RetryRequested(Envelope):
    type: Literal["cmd.retry_requested.v1"] = "cmd.retry_requested.v1"
    payload: RunPayload


class CancelRequested(Envelope):
    type: Literal["cmd.cancel_requested.v1"] = "cmd.cancel_requested.v1"
    payload: JobCancelRequestedPayload = JobCancelRequestedPayload()


JobCommand = Annotated[JobRequested | RetryRequested | CancelRequested, Field(discriminator="type")]

EVENT_ADAPTER: TypeAdapter[JobEvent] = TypeAdapter(JobEvent)
COMMAND_ADAPTER: TypeAdapter[JobCommand] = TypeAdapter(JobCommand)


def decode_event(raw: bytes) -> JobEvent:
    return EVENT_ADAPTER.validate_json(raw)


def decode_command(raw: bytes) -> JobCommand:
    return COMMAND_ADAPTER.validate_json(raw)


def encode(message: BaseModel) -> bytes:
    return message.model_dump_json(exclude_none=True).encode()
