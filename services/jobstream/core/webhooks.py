"""Webhook rules, pure: the public JSON of an event, Standard Webhooks signatures, delivery ids,
which addresses a target may resolve to, and the retry schedule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from jobstream.core.errors import InvalidRequestError
from jobstream_schemas.events import JobEvent
from jobstream_schemas.webhooks import PublicEvent

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
# Payload fields that are internal (stored shapes, storage references, worker identities).
INTERNAL_FIELDS = frozenset({"request", "artifacts", "response", "response_artifact", "worker_id"})


def public_type(event_type: str) -> str:
    """`job.completed.v1` → `job.completed`."""
    return event_type.rsplit(".", 1)[0] if event_type.endswith(".v1") else event_type


def public_event(event: JobEvent) -> PublicEvent:
    payload = event.payload.model_dump(mode="json", exclude_none=True)
    data = {key: value for key, value in payload.items() if key not in INTERNAL_FIELDS}
    return PublicEvent(
        id=event.event_id, type=public_type(event.type),  # type: ignore[arg-type]
        job_id=event.job_id, organization_id=event.organization_id, attempt=event.attempt,
        created_at=int(event.occurred_at.timestamp()), data=data,
    )  # fmt: skip


def new_webhook_id() -> str:
    return "wh_" + secrets.token_urlsafe(16)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def delivery_id(*, event_id: str, webhook_id: str) -> str:
    """Stable per (event, endpoint): the `webhook-id` of every attempt, and the record's `_id`
    (a re-consumed event inserts nothing new)."""
    return "msg_" + hashlib.sha256(f"{webhook_id}\x00{event_id}".encode()).hexdigest()[:32]


def signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "{msg_id}.{timestamp}.{body}">` keyed by the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host and no credentials; else 422 `invalid_webhook_url`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise invalid_url(url, "must be an http:// or https:// URL with a host and no userinfo")
    return url


def invalid_url(url: str, why: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"Webhook URL {url[:200]!r} {why}.", code="invalid_webhook_url", details={"field": "url"}
    )


def forbidden_address(
    addresses: Iterable[str], *, allow_loopback: bool, allow_private: bool
) -> str | None:
    """The first address a target may not reach (loopback, private, link-local, reserved), or
    None when every one is allowed."""
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        internal = (
            address.is_private or address.is_link_local or address.is_reserved
            or address.is_multicast or address.is_unspecified
        )  # fmt: skip
        if address.is_loopback and not allow_loopback:
            return text
        if internal and not address.is_loopback and not allow_private:
            return text
    return None


def retry_delay(
    attempts: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Exponential backoff with equal jitter: half the step fixed, half random (never zero)."""
    step: float = min(cap, base * 2.0 ** max(0, attempts - 1))
    jitter: float = (rng or random).uniform(0, step / 2)
    return step / 2 + jitter


def wants(events: Iterable[str], event_type: str) -> bool:
    return public_type(event_type) in set(events)


def event_body(event: PublicEvent) -> bytes:
    return event.model_dump_json().encode()


def as_dict(event: PublicEvent) -> dict[str, Any]:
    return event.model_dump(mode="json")
