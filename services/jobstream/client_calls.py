"""What each Jobs API call sends and how its answer is read, shared by the blocking and the
asyncio client (`jobstream.client`): one `Call` per operation, built by the functions below."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from jobstream_schemas.api import JobList, JobPublic, JobStatusPublic
from jobstream_schemas.batch import JobBatchResult
from jobstream_schemas.webhooks import (
    WebhookDeleted,
    WebhookDelivery,
    WebhookDeliveryList,
    WebhookList,
    WebhookPublic,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API call: what to send and how to read the answer (shared by both clients)."""

    method: str
    path: str
    parse: Callable[[bytes], T]
    kwargs: dict[str, Any] = field(default_factory=dict)


def create_job(
    endpoint: str, request: Mapping[str, Any], metadata: Mapping[str, str] | None,
    idempotency_key: str | None,
) -> Call[JobPublic]:  # fmt: skip
    body: dict[str, Any] = {"endpoint": endpoint, "request": dict(request)}
    if metadata:
        body["metadata"] = dict(metadata)
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    return Call("POST", "/v1/jobs", JobPublic.model_validate_json,
                {"json": body, "headers": headers})  # fmt: skip


def create_batch(
    jobs: Sequence[Mapping[str, Any]], idempotency_key: str | None
) -> Call[JobBatchResult]:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    return Call("POST", "/v1/jobs/batch", JobBatchResult.model_validate_json,
                {"json": {"jobs": [dict(job) for job in jobs]}, "headers": headers})  # fmt: skip


def get_job(job_id: str, include_request: bool, include_response: bool) -> Call[JobPublic]:
    params = {"include_request": str(include_request).lower(),
              "include_response": str(include_response).lower()}  # fmt: skip
    return Call("GET", f"/v1/jobs/{job_id}", JobPublic.model_validate_json, {"params": params})


def job_status(job_id: str) -> Call[JobStatusPublic]:
    return Call("GET", f"/v1/jobs/{job_id}/status", JobStatusPublic.model_validate_json)


def list_jobs(filters: Mapping[str, Any]) -> Call[JobList]:
    params = {key: value for key, value in filters.items() if value is not None}
    return Call("GET", "/v1/jobs", JobList.model_validate_json, {"params": params})


def job_action(job_id: str, action: str) -> Call[JobPublic]:
    return Call("POST", f"/v1/jobs/{job_id}/{action}", JobPublic.model_validate_json)


def create_webhook(
    url: str, events: Sequence[str] | None, description: str | None
) -> Call[WebhookPublic]:
    body: dict[str, Any] = {"url": url}
    if events is not None:
        body["events"] = list(events)
    if description is not None:
        body["description"] = description
    return Call("POST", "/v1/webhooks", WebhookPublic.model_validate_json, {"json": body})


def list_webhooks() -> Call[WebhookList]:
    return Call("GET", "/v1/webhooks", WebhookList.model_validate_json)


def get_webhook(webhook_id: str) -> Call[WebhookPublic]:
    return Call("GET", f"/v1/webhooks/{webhook_id}", WebhookPublic.model_validate_json)


def delete_webhook(webhook_id: str) -> Call[WebhookDeleted]:
    return Call("DELETE", f"/v1/webhooks/{webhook_id}", WebhookDeleted.model_validate_json)


def deliveries(webhook_id: str, status: str | None, limit: int) -> Call[WebhookDeliveryList]:
    params: dict[str, Any] = {"limit": limit} | ({"status": status} if status else {})
    return Call("GET", f"/v1/webhooks/{webhook_id}/deliveries",
                WebhookDeliveryList.model_validate_json, {"params": params})  # fmt: skip


def retry_delivery(webhook_id: str, delivery_id: str) -> Call[WebhookDelivery]:
    path = f"/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"
    return Call("POST", path, WebhookDelivery.model_validate_json)
