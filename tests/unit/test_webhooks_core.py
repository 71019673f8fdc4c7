"""Webhook rules: signatures a Standard Webhooks verifier accepts, address checks, the retry
schedule, which deliveries an event makes, and the public event shape."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from jobstream.core.webhooks import (
    delivery_id,
    forbidden_address,
    new_secret,
    public_event,
    retry_delay,
    signature,
)
from jobstream.notifier.core import plan
from jobstream_schemas.api import JobResponse
from jobstream_schemas.events import JobCompleted, JobCompletedPayload


def completed(at: float = 100.0) -> JobCompleted:
    payload = JobCompletedPayload(response=JobResponse(status_code=200, body={"big": "x"}))
    return JobCompleted(
        job_id="job_1", organization_id="org", attempt=1, payload=payload,
        occurred_at=datetime.fromtimestamp(at, UTC),
    )  # fmt: skip


def test_signatures_verify_with_the_reference_library() -> None:
    secret, body = new_secret(), json.dumps({"a": 1}).encode()
    headers = {
        "webhook-id": "msg_1", "webhook-timestamp": str(int(datetime.now(UTC).timestamp())),
    }  # fmt: skip
    headers["webhook-signature"] = signature(
        secret=secret, msg_id="msg_1", timestamp=int(headers["webhook-timestamp"]), body=body
    )
    assert Webhook(secret).verify(body, headers) == {"a": 1}
    with pytest.raises(Exception, match="signature"):
        Webhook(new_secret()).verify(body, headers)


@pytest.mark.parametrize(
    ("address", "loopback", "private", "refused"),
    [
        ("8.8.8.8", False, False, False),
        ("127.0.0.1", False, False, True),
        ("127.0.0.1", True, False, False),
        ("::1", True, False, False),
        ("10.0.0.1", True, False, True),
        ("169.254.169.254", True, False, True),
        ("fe80::1%eth0", False, False, True),
        ("192.168.1.1", False, True, False),
    ],
)
def test_forbidden_addresses(address: str, loopback: bool, private: bool, refused: bool) -> None:
    found = forbidden_address([address], allow_loopback=loopback, allow_private=private)
    assert (found is not None) is refused


def test_retry_delays_grow_are_capped_and_never_zero() -> None:
    rng = random.Random(1)
    delays = [retry_delay(n, base=5, cap=3600, rng=rng) for n in range(1, 20)]
    assert all(d > 0 for d in delays)
    assert 2.5 <= delays[0] <= 5 and 1800 <= delays[-1] <= 3600


def test_an_event_makes_one_delivery_per_wanting_endpoint_registered_before_it() -> None:
    hooks = [
        {"_id": "wh_a", "events": ["job.completed"], "created_at": 50.0},
        {"_id": "wh_b", "events": ["job.failed"], "created_at": 50.0},
        {"_id": "wh_c", "events": ["job.completed"], "created_at": 150.0},
    ]
    event = completed()
    (delivery,) = plan(event, hooks, now=200.0)
    assert delivery["_id"] == delivery_id(event_id=event.event_id, webhook_id="wh_a")
    assert delivery["webhook_id"] == "wh_a" and delivery["event_type"] == "job.completed"
    body = json.loads(delivery["body"])
    assert body["type"] == "job.completed" and "response" not in body["data"]


def test_delivery_ids_are_stable_per_event_and_endpoint() -> None:
    one = delivery_id(event_id="e", webhook_id="w")
    assert (
        one
        == delivery_id(event_id="e", webhook_id="w")
        != delivery_id(event_id="e", webhook_id="x")
    )


def test_public_events_drop_internal_fields() -> None:
    event = public_event(completed())
    assert event.type == "job.completed" and event.created_at == 100
    assert event.data == {}
