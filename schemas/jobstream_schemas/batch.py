"""`POST /v1/jobs/batch`: many creates in one call, answered item by item in request order."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from jobstream_schemas.api import ErrorDetail, JobPublic


class JobBatchCreate(BaseModel):
    """Up to `JOBSTREAM_GATEWAY_BATCH_MAX_JOBS` (1,000) job creates; each item is a `JobCreate`,
    validated on its own (an invalid item fails alone)."""

    jobs: list[Any] = Field(
        min_length=1, description="JobCreate bodies: {endpoint, request, metadata?}"
    )


class JobBatchItemError(BaseModel):
    """An item that was not created, with the error a single create would have answered."""

    error: ErrorDetail


class JobBatchResult(BaseModel):
    """One entry per submitted item, in request order: the created Job, or the item's error."""

    object: Literal["list"] = "list"
    data: list[JobPublic | JobBatchItemError]
