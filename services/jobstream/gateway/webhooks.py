"""`/v1/webhooks`: register, list, show and delete endpoints; list and re-send deliveries.

A target must be an http(s) URL whose host resolves only to public addresses (loopback and
private ranges by setting): checked here and again by the notifier before every attempt, since
DNS can change in between."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query
from fastapi.responses import Response

from jobstream.adapters.mongo_webhooks import MongoDeliveryStore, MongoWebhookStore
from jobstream.core.errors import JobNotFoundError
from jobstream.core.webhooks import (
    check_url,
    forbidden_address,
    invalid_url,
    new_secret,
    new_webhook_id,
)
from jobstream.gateway.deps import ERRORS, DepsDep, OrgDep, json_response
from jobstream.settings import CommonSettings
from jobstream_schemas.webhooks import (
    DEFAULT_WEBHOOK_EVENTS,
    DeliveryStatus,
    WebhookCreate,
    WebhookDeleted,
    WebhookDelivery,
    WebhookDeliveryList,
    WebhookList,
    WebhookPublic,
)

router = APIRouter(tags=["webhooks"])


async def resolved_addresses(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port)
    return sorted({str(info[4][0]) for info in infos})


async def check_target(url: str, settings: CommonSettings) -> None:
    """422 `invalid_webhook_url` unless the URL is well formed and resolves to allowed hosts."""
    parts = urlsplit(check_url(url))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await resolved_addresses(parts.hostname or "", port)
    except OSError as exc:
        raise invalid_url(url, f"does not resolve ({exc.strerror or exc})") from exc
    bad = forbidden_address(
        addresses, allow_loopback=settings.webhook_allow_loopback,
        allow_private=settings.webhook_allow_private,
    )  # fmt: skip
    if bad is not None:
        raise invalid_url(url, f"resolves to {bad}, a loopback, private or reserved address")


def webhook_view(doc: dict[str, Any], *, with_secret: bool = False) -> WebhookPublic:
    return WebhookPublic(
        id=doc["_id"], url=doc["url"], events=doc["events"], description=doc.get("description"),
        created_at=int(doc["created_at"]), secret=doc["secret"] if with_secret else None,
    )  # fmt: skip


def _ts(value: Any) -> int | None:
    return None if value is None else int(value)


def delivery_view(doc: dict[str, Any]) -> WebhookDelivery:
    pending = doc["status"] == "pending"
    return WebhookDelivery(
        id=doc["_id"], webhook_id=doc["webhook_id"], event_id=doc["event_id"],
        event_type=doc["event_type"], job_id=doc["job_id"], status=doc["status"],
        attempts=doc.get("attempts", 0), created_at=int(doc["created_at"]),
        next_attempt_at=_ts(doc.get("next_attempt_at")) if pending else None,
        last_attempt_at=_ts(doc.get("last_attempt_at")),
        last_status_code=doc.get("last_status_code"), last_error=doc.get("last_error"),
        delivered_at=_ts(doc.get("delivered_at")),
    )  # fmt: skip


@dataclass
class WebhookService:
    settings: CommonSettings
    hooks: MongoWebhookStore
    deliveries: MongoDeliveryStore

    async def owned(self, webhook_id: str, organization_id: str) -> dict[str, Any]:
        doc = await self.hooks.get(webhook_id, organization_id=organization_id)
        if doc is None:
            raise JobNotFoundError(f"Webhook {webhook_id!r} not found.")
        return doc


def service_of(deps: Any) -> WebhookService:
    webhooks: WebhookService = deps.webhooks
    return webhooks


@router.post("/v1/webhooks", response_model=WebhookPublic, responses=ERRORS)
async def create_webhook(body: WebhookCreate, deps: DepsDep, org: OrgDep) -> Response:
    """Register an endpoint; the answer's `secret` (shown once) verifies the signatures."""
    service = service_of(deps)
    await check_target(body.url, service.settings)
    doc = {
        "_id": new_webhook_id(), "organization_id": org, "url": body.url,
        "events": list(dict.fromkeys(body.events or DEFAULT_WEBHOOK_EVENTS)),
        "description": body.description, "secret": new_secret(), "created_at": time.time(),
    }  # fmt: skip
    await service.hooks.add(doc)
    return json_response(webhook_view(doc, with_secret=True))


@router.get("/v1/webhooks", response_model=WebhookList, responses=ERRORS)
async def list_webhooks(deps: DepsDep, org: OrgDep) -> Response:
    docs = await service_of(deps).hooks.for_organization(organization_id=org)
    return json_response(WebhookList(data=[webhook_view(d) for d in docs]))


@router.get("/v1/webhooks/{webhook_id}", response_model=WebhookPublic, responses=ERRORS)
async def get_webhook(webhook_id: str, deps: DepsDep, org: OrgDep) -> Response:
    return json_response(webhook_view(await service_of(deps).owned(webhook_id, org)))


@router.delete("/v1/webhooks/{webhook_id}", response_model=WebhookDeleted, responses=ERRORS)
async def delete_webhook(webhook_id: str, deps: DepsDep, org: OrgDep) -> Response:
    """Delete an endpoint and its deliveries (pending ones are no longer sent)."""
    if not await service_of(deps).hooks.delete(webhook_id, organization_id=org):
        raise JobNotFoundError(f"Webhook {webhook_id!r} not found.")
    return json_response(WebhookDeleted(id=webhook_id))


@router.get(
    "/v1/webhooks/{webhook_id}/deliveries", response_model=WebhookDeliveryList, responses=ERRORS
)
async def list_deliveries(
    webhook_id: str, deps: DepsDep, org: OrgDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20, status: DeliveryStatus | None = None,
) -> Response:  # fmt: skip
    """The endpoint's deliveries, newest first."""
    service = service_of(deps)
    await service.owned(webhook_id, org)
    docs = await service.deliveries.for_webhook(webhook_id=webhook_id, limit=limit, status=status)
    return json_response(WebhookDeliveryList(data=[delivery_view(d) for d in docs]))


@router.post(
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    response_model=WebhookDelivery, responses=ERRORS,
)  # fmt: skip
async def retry_delivery(webhook_id: str, delivery_id: str, deps: DepsDep, org: OrgDep) -> Response:
    """Send a delivery again now (whatever its status), with the same `webhook-id`."""
    service = service_of(deps)
    await service.owned(webhook_id, org)
    if await service.deliveries.get(delivery_id, webhook_id=webhook_id) is None:
        raise JobNotFoundError(f"Delivery {delivery_id!r} not found.")
    await service.deliveries.resend(delivery_id, webhook_id=webhook_id)
    doc = await service.deliveries.get(delivery_id, webhook_id=webhook_id)
    return json_response(delivery_view(doc or {}))
