"""What the notifier decides: which deliveries an event makes, how one attempt is sent and
signed, and what its outcome writes. One attempt's outcome only touches its own record."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from opentelemetry.trace import SpanKind, StatusCode

from jobstream.adapters import tracing
from jobstream.adapters.metrics import WEBHOOK_ABANDONED, WEBHOOK_DELIVERIES, WEBHOOK_DURATION
from jobstream.adapters.mongo_webhooks import MongoDeliveryStore, MongoWebhookStore
from jobstream.core.webhooks import (
    delivery_id,
    event_body,
    forbidden_address,
    public_event,
    retry_delay,
    signature,
    wants,
)
from jobstream.settings import NotifierSettings
from jobstream_schemas.events import JobEvent

log = logging.getLogger(__name__)
Doc = dict[str, Any]


@dataclass
class WebhookCache:
    """Every endpoint by organization, re-read when an event is newer than the last read: an
    event that happened after an endpoint was registered is always matched against it."""

    hooks: MongoWebhookStore
    by_org: dict[str, list[Doc]] = field(default_factory=dict)
    by_id: dict[str, Doc] = field(default_factory=dict)
    read_at: float = 0.0

    async def refresh(self) -> None:
        started = time.time()
        docs = await self.hooks.all()
        by_org: dict[str, list[Doc]] = {}
        for doc in docs:
            by_org.setdefault(doc["organization_id"], []).append(doc)
        self.by_org, self.by_id, self.read_at = by_org, {d["_id"]: d for d in docs}, started

    async def covering(self, occurred_at: float) -> None:
        if occurred_at >= self.read_at:
            await self.refresh()


def plan(
    event: JobEvent, hooks: Sequence[Doc], *, now: float, traceparent: str | None = None
) -> list[Doc]:
    """The deliveries an event makes: one per endpoint of its organization that wants its type
    and existed when it happened; the body is fixed here, so every attempt sends the same. The
    event message's `traceparent` is kept: each attempt's span joins the job's trace."""
    occurred = event.occurred_at.timestamp()
    matching = [h for h in hooks if wants(h["events"], event.type) and h["created_at"] <= occurred]
    if not matching:
        return []
    public = public_event(event)
    body = event_body(public).decode()
    common = {
        "organization_id": event.organization_id, "event_id": event.event_id,
        "event_type": public.type, "job_id": event.job_id, "body": body, "status": "pending",
        "attempts": 0, "created_at": now, "next_attempt_at": now,
    }  # fmt: skip
    if traceparent:
        common["traceparent"] = traceparent
    return [
        {"_id": delivery_id(event_id=event.event_id, webhook_id=h["_id"]), "webhook_id": h["_id"]}
        | common
        for h in matching
    ]


async def target_refused(url: str, settings: NotifierSettings) -> str | None:
    """Why the URL may not be called now (it resolves to a forbidden address), or None."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname or "", port)
    except OSError as exc:
        return f"does not resolve: {exc}"
    bad = forbidden_address(
        [str(i[4][0]) for i in infos], allow_loopback=settings.webhook_allow_loopback,
        allow_private=settings.webhook_allow_private,
    )  # fmt: skip
    return None if bad is None else f"resolves to the forbidden address {bad}"


@dataclass
class Sender:
    settings: NotifierSettings
    deliveries: MongoDeliveryStore
    client: httpx.AsyncClient

    async def attempt(self, delivery: Doc, hook: Doc) -> float | None:
        """One signed POST; the outcome is written to the delivery. Returns when it is due
        again (None: it is not, being delivered or given up)."""
        now = time.time()
        refused = await target_refused(hook["url"], self.settings)
        status: int | None = None
        error = refused
        if refused is None:
            body = delivery["body"].encode()
            timestamp = int(now)
            headers = {
                "content-type": "application/json", "user-agent": "jobstream-webhooks/1",
                "webhook-id": delivery["_id"], "webhook-timestamp": str(timestamp),
                "webhook-signature": signature(
                    secret=hook["secret"], msg_id=delivery["_id"], timestamp=timestamp, body=body
                ),
            }  # fmt: skip
            status, error = await self._post(delivery, hook, body, headers)
        changes = self.outcome(delivery, status, error, now)
        await self.deliveries.record_outcome(delivery["_id"], changes)
        WEBHOOK_DELIVERIES.labels(result="success" if error is None else "failure").inc()
        next_attempt_at: float | None = changes.get("next_attempt_at")
        return next_attempt_at

    async def _post(
        self, delivery: Doc, hook: Doc, body: bytes, headers: dict[str, str]
    ) -> tuple[int | None, str | None]:
        """The POST under a CLIENT span in the job's trace: (status code, error or None)."""
        attributes = {
            "http.request.method": "POST", "server.address": urlsplit(hook["url"]).hostname or "",
            "jobstream.webhook.id": hook["_id"], "jobstream.job_id": delivery["job_id"],
            "jobstream.webhook.attempt": int(delivery.get("attempts", 0)) + 1,
        }  # fmt: skip
        parent = tracing.context_from_traceparent(delivery.get("traceparent"))
        with tracing.span("webhook deliver", kind=SpanKind.CLIENT, parent=parent,
                          attributes=attributes) as span:  # fmt: skip
            try:
                with WEBHOOK_DURATION.time():
                    answer = await self.client.post(hook["url"], content=body, headers=headers)
            except httpx.HTTPError as exc:
                span.set_status(StatusCode.ERROR, type(exc).__name__)
                return None, f"{type(exc).__name__}: {exc}"[:300]
            span.set_attribute("http.response.status_code", answer.status_code)
            if 200 <= answer.status_code < 300:
                return answer.status_code, None
            span.set_status(StatusCode.ERROR, f"HTTP {answer.status_code}")
            return answer.status_code, f"HTTP {answer.status_code}"

    def outcome(self, delivery: Doc, status: int | None, error: str | None, now: float) -> Doc:
        attempts = int(delivery.get("attempts", 0)) + 1
        changes: Doc = {
            "attempts": attempts, "last_attempt_at": now, "last_status_code": status,
            "last_error": error,
        }  # fmt: skip
        if error is None:
            return {**changes, "status": "succeeded", "delivered_at": now}
        if now - float(delivery["created_at"]) >= self.settings.retry_for_seconds:
            WEBHOOK_ABANDONED.inc()
            return {**changes, "status": "failed"}
        delay = retry_delay(
            attempts, base=self.settings.backoff_base_seconds, cap=self.settings.backoff_max_seconds
        )
        return {**changes, "next_attempt_at": now + delay}
