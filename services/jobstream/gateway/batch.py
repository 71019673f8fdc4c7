"""`POST /v1/jobs/batch`: validate each item on its own, store every valid job with one insert
and one outbox entry, dispatch them in two producer waves (all `job.created` events, then all
commands), and answer item by item in request order (the group commit's write,
gateway/group_commit.py). When Kafka does not acknowledge in time, every job of the batch carries
the `dispatch_delayed` warning and the relay publishes the entry (a copy of an event or command
already delivered is a no-op downstream)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import Response
from pydantic import ValidationError

from jobstream.core.errors import InvalidRequestError
from jobstream.core.principal import EndpointNames
from jobstream.gateway.deps import ERRORS, DepsDep, NamesDep, OrgDep, json_response
from jobstream.gateway.group_commit import store_and_dispatch
from jobstream.gateway.idempotency import (
    IdempotencyKeyHeader,
    StoredAnswer,
    idempotently,
    replayable,
)
from jobstream.gateway.naming import present_job
from jobstream.gateway.ports import PreparedJob
from jobstream.gateway.service import JobService
from jobstream_schemas.api import ErrorDetail, JobCreate
from jobstream_schemas.batch import JobBatchCreate, JobBatchItemError, JobBatchResult

router = APIRouter()
Item = PreparedJob | JobBatchItemError
Outcome = tuple[PreparedJob, bool] | JobBatchItemError  # (the job, dispatch delayed) or the error


def item_error(code: str, message: str, details: dict[str, Any] | None) -> JobBatchItemError:
    return JobBatchItemError(error=ErrorDetail(code=code, message=message, details=details))


def validation_error(exc: ValidationError) -> JobBatchItemError:
    items = [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
        for err in exc.errors()
    ]
    message = "; ".join(f"{i['field']}: {i['message']}" for i in items)
    return item_error("validation_error", message, {"errors": items})


async def prepare(
    service: JobService, raw: Any, *, organization_id: str, traceparent: str | None
) -> Item:
    try:
        body = JobCreate.model_validate(raw)
        return await service.prepare_job(
            body, organization_id=organization_id, traceparent=traceparent
        )
    except ValidationError as exc:
        return validation_error(exc)
    except InvalidRequestError as exc:
        return item_error(exc.code, exc.message, exc.details)


async def submit_batch(
    service: JobService, raws: list[Any], *, organization_id: str, traceparent: str | None = None
) -> list[Outcome]:
    """Each item prepared; the valid ones stored and dispatched together."""
    items = [
        await prepare(service, raw, organization_id=organization_id, traceparent=traceparent)
        for raw in raws
    ]
    jobs = [item for item in items if isinstance(item, PreparedJob)]
    delayed = False
    if jobs:
        delayed = await store_and_dispatch(
            jobs, store=service.jobs, outbox=service.outbox, publisher=service.publisher,
            settings=service.settings, background=service.background,
        )  # fmt: skip
    return [(item, delayed) if isinstance(item, PreparedJob) else item for item in items]


def result_of(items: list[Outcome]) -> JobBatchResult:
    data = [
        JobService.view(item[0].record, delayed=item[1]) if isinstance(item, tuple) else item
        for item in items
    ]
    return JobBatchResult(data=data)


def present(result: JobBatchResult, names: EndpointNames) -> JobBatchResult:
    data = [d if isinstance(d, JobBatchItemError) else present_job(d, names) for d in result.data]
    return JobBatchResult(data=data)


@router.post("/v1/jobs/batch", response_model=JobBatchResult, responses=ERRORS, tags=["jobs"])
async def create_jobs(
    body: JobBatchCreate,
    deps: DepsDep,
    org: OrgDep,
    names: NamesDep,
    idempotency_key: IdempotencyKeyHeader = None,
    traceparent: Annotated[str | None, Header()] = None,
) -> Response:
    """Create up to 1,000 jobs in one call; `data[i]` answers `jobs[i]`: the Job (with warning
    `dispatch_delayed` when stored but not yet dispatched) or `{"error": {code, message, details}}`.
    Valid items are created even when others fail. `Idempotency-Key` as on `POST /v1/jobs`."""
    limit = deps.jobs.settings.batch_max_jobs
    if len(body.jobs) > limit:
        raise InvalidRequestError(
            f"A batch holds at most {limit} jobs; this one has {len(body.jobs)}.",
            code="batch_too_large", details={"max_jobs": limit, "jobs": len(body.jobs)},
        )  # fmt: skip

    async def run() -> StoredAnswer:
        items = await submit_batch(
            deps.jobs, body.jobs, organization_id=org, traceparent=traceparent
        )
        return StoredAnswer(200, result_of(items).model_dump_json())

    stored = await idempotently(
        deps.idempotency, organization_id=org, key=idempotency_key, operation="jobs.batch",
        body=body.model_dump(mode="json"), produce=run,
    )  # fmt: skip
    result = present(JobBatchResult.model_validate_json(stored.body), names)
    return replayable(json_response(result, stored.status), stored)
