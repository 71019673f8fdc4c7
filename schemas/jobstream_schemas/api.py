"""HTTP API models, wire-compatible with the Retab Jobs API (see shared API_CONTRACT.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

JobStatus = Literal[
    "validating", "queued", "in_progress", "completed", "failed", "cancelled", "expired"
]
TERMINAL_STATUSES: frozenset[str] = frozenset({"completed", "failed", "cancelled", "expired"})

METADATA_MAX_PAIRS = 16
METADATA_MAX_KEY_CHARS = 64
METADATA_MAX_VALUE_CHARS = 512


class JobError(BaseModel):
    """Why a job failed; `code` is stable and machine-readable."""

    code: str
    message: str
    details: dict[str, Any] | None = None


class JobWarning(BaseModel):
    """Something the caller should know that did not stop the call (e.g. `dispatch_delayed`)."""

    code: str
    message: str
    details: dict[str, Any] | None = None


class JobResponse(BaseModel):
    """What the synchronous endpoint would have answered."""

    status_code: int
    body: dict[str, Any]


class JobProgress(BaseModel):
    """What a running handler last reported (an extension: Retab clients ignore it)."""

    completed: float
    total: float | None = None
    message: str | None = None


class JobCreate(BaseModel):
    """Body of `POST /v1/jobs`."""

    model_config = ConfigDict(extra="ignore")

    endpoint: str = Field(min_length=1, max_length=256)
    request: dict[str, Any]
    metadata: dict[str, str] | None = None

    @field_validator("metadata")
    @classmethod
    def _metadata_within_limits(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        if len(value) > METADATA_MAX_PAIRS:
            raise ValueError(f"metadata has {len(value)} pairs; at most {METADATA_MAX_PAIRS}")
        for key, item in value.items():
            if not key or len(key) > METADATA_MAX_KEY_CHARS:
                limit = METADATA_MAX_KEY_CHARS
                raise ValueError(f"metadata key {key[:80]!r} must be 1-{limit} chars")
            if len(item) > METADATA_MAX_VALUE_CHARS:
                raise ValueError(
                    f"metadata value of {key!r} is {len(item)} chars; at most "
                    f"{METADATA_MAX_VALUE_CHARS}"
                )
        return value


class JobPublic(BaseModel):
    """The Job object of the API."""

    id: str
    object: Literal["job"] = "job"
    status: JobStatus
    endpoint: str
    request: dict[str, Any] | None = None
    response: JobResponse | None = None
    error: JobError | None = None
    warnings: list[JobWarning] | None = None
    created_at: int
    expires_at: int
    started_at: int | None = None
    completed_at: int | None = None
    last_attempt_at: int | None = None
    organization_id: str
    metadata: dict[str, str] | None = None
    cancelled: bool = False
    attempt_count: int = 0
    last_failure_code: str | None = None
    progress: JobProgress | None = None


class JobStatusPublic(BaseModel):
    """`GET /v1/jobs/{id}/status`: lifecycle fields only, for tight polling."""

    id: str
    object: Literal["job.status"] = "job.status"
    status: JobStatus
    cancelled: bool
    attempt_count: int
    created_at: int
    started_at: int | None = None
    completed_at: int | None = None
    last_attempt_at: int | None = None
    expires_at: int
    error: JobError | None = None
    last_failure_code: str | None = None
    progress: JobProgress | None = None


class ListMetadata(BaseModel):
    before: str | None
    after: str | None


class JobList(BaseModel):
    """`GET /v1/jobs`: one cursor page."""

    object: Literal["list"] = "list"
    data: list[JobPublic]
    first_id: str | None
    last_id: str | None
    has_more: bool
    list_metadata: ListMetadata


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorBody(BaseModel):
    """Every error answer: `{"detail": {"code", "message", "details"?}}`."""

    detail: ErrorDetail
