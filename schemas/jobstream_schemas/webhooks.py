"""Webhook endpoints, their deliveries, and the public event JSON they (and the SSE streams)
carry. Deliveries are signed as the Standard Webhooks specification says."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

DeliveryStatus = Literal["pending", "succeeded", "failed"]
# Public event types: the `jobs.events` types without their version suffix.
PUBLIC_EVENT_TYPES: tuple[str, ...] = (
    "job.created",
    "job.started",
    "job.progress",
    "job.completed",
    "job.failed",
    "job.cancel_requested",
    "job.cancelled",
    "job.retry_requested",
    "job.expired",
    "job.artifacts_purged",
)
DEFAULT_WEBHOOK_EVENTS: tuple[str, ...] = ("job.completed", "job.failed", "job.cancelled")
PublicEventType = Literal[
    "job.created", "job.started", "job.progress", "job.completed", "job.failed",
    "job.cancel_requested", "job.cancelled", "job.retry_requested", "job.expired",
    "job.artifacts_purged",
]  # fmt: skip


class PublicEvent(BaseModel):
    """One job event as webhooks and event streams deliver it. `data` is the event's payload
    without internal fields (stored request, artifact references, worker ids); a completed
    job's response is fetched with `GET /v1/jobs/{id}?include_response=true`."""

    id: str = Field(description="The event id (unique; the same in every delivery and stream)")
    object: Literal["event"] = "event"
    type: PublicEventType
    job_id: str
    organization_id: str
    attempt: int
    created_at: int = Field(description="When the event happened (Unix seconds)")
    data: dict[str, Any]


class WebhookCreate(BaseModel):
    """Body of `POST /v1/webhooks`."""

    url: str = Field(min_length=1, max_length=2048, description="http(s) URL receiving POSTs")
    events: list[PublicEventType] | None = Field(
        None, min_length=1, description="Event types to deliver; default: the terminal ones"
    )
    description: str | None = Field(None, max_length=512)


class WebhookPublic(BaseModel):
    """A webhook endpoint. `secret` (`whsec_…`, the Standard Webhooks signing key) is shown
    only in the answer to its creation."""

    id: str
    object: Literal["webhook"] = "webhook"
    url: str
    events: list[PublicEventType]
    description: str | None = None
    created_at: int
    secret: str | None = None


class WebhookList(BaseModel):
    object: Literal["list"] = "list"
    data: list[WebhookPublic]


class WebhookDeleted(BaseModel):
    id: str
    object: Literal["webhook"] = "webhook"
    deleted: Literal[True] = True


class WebhookDelivery(BaseModel):
    """One event sent (or to send) to one endpoint. `id` is the `webhook-id` header, the same
    on every attempt, so receivers can drop duplicates."""

    id: str
    object: Literal["webhook.delivery"] = "webhook.delivery"
    webhook_id: str
    event_id: str
    event_type: PublicEventType
    job_id: str
    status: DeliveryStatus
    attempts: int
    created_at: int
    next_attempt_at: int | None = None
    last_attempt_at: int | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: int | None = None


class WebhookDeliveryList(BaseModel):
    object: Literal["list"] = "list"
    data: list[WebhookDelivery]
