"""The client's retry policy: 429/503 retried after Retry-After (seconds or HTTP date) or a
backoff, up to max_retries; other errors raise JobsAPIError with the API's code. (httpx's mock
transport stands in for the gateway; the client on the real stack is in tests/e2e/.)"""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from jobstream.client import AsyncJobsClient, JobsAPIError, JobsClient, RetryPolicy, retry_delay

JOB = {"id": "job_1", "object": "job", "status": "queued", "endpoint": "/v1/documents/parse",
       "created_at": 1, "expires_at": 2, "organization_id": "org"}  # fmt: skip


def answers(*responses: httpx.Response) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    return httpx.MockTransport(handler), seen


def busy(status: int, retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = {"detail": {"code": "rate_limited" if status == 429 else "unavailable", "message": "x"}}
    return httpx.Response(status, json=body, headers=headers)


def test_429_then_503_are_retried_after_retry_after_and_the_job_returned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    transport, seen = answers(busy(429, "2"), busy(503, later), httpx.Response(200, json=JOB))
    with JobsClient("http://api", "k", transport=transport) as client:
        job = client.create("/v1/documents/parse", {"document": {}}, idempotency_key="idem-1")
    assert job.id == "job_1"
    assert len(seen) == 3
    assert {r.headers["Idempotency-Key"] for r in seen} == {"idem-1"}
    assert seen[0].headers["Api-Key"] == "k"
    assert waits[0] == 2.0
    assert 25 < waits[1] <= 30


def test_retries_stop_at_max_retries_with_the_last_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda _: None)
    transport, seen = answers(*(busy(503) for _ in range(3)))
    policy = RetryPolicy(max_retries=2)
    client = JobsClient("http://api", "k", transport=transport, retry=policy)
    with client, pytest.raises(JobsAPIError) as caught:
        client.get("job_1")
    assert (caught.value.status, caught.value.code, len(seen)) == (503, "unavailable", 3)


def test_other_errors_are_not_retried_and_keep_their_code() -> None:
    body = {"detail": {"code": "job_not_found", "message": "No job job_x."}}
    transport, seen = answers(httpx.Response(404, json=body))
    client = JobsClient("http://api", "k", transport=transport)
    with client, pytest.raises(JobsAPIError) as caught:
        client.cancel("job_x")
    assert (caught.value.status, caught.value.code, len(seen)) == (404, "job_not_found", 1)


def test_backoff_without_retry_after_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_max=4.0)
    top = [policy.delay(attempt, None, now=0.0, jitter=0.5) for attempt in range(6)]
    assert top == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]  # half of min(4, 2**attempt)
    assert policy.delay(5, None, now=0.0, jitter=0.0) == 0.0


NOW = 1_800_000_000.0
POLICY = RetryPolicy(max_retries=3, backoff_base=1.0, backoff_max=10.0)


def decision(attempt: int, response: httpx.Response | None, jitter: float = 0.5) -> float | None:
    return retry_delay(POLICY, attempt, response, now=NOW, jitter=jitter)


def test_the_retry_decision_is_a_pure_function_of_its_inputs() -> None:
    at = email.utils.formatdate(NOW + 42, usegmt=True)
    assert decision(0, busy(429, "7")) == 7.0  # Retry-After seconds
    assert decision(1, busy(503, at)) == 42.0  # an HTTP date, from `now`
    assert decision(0, busy(503, "9999")) == 60.0  # capped at 6 x backoff_max
    assert decision(0, busy(503, email.utils.formatdate(NOW - 5, usegmt=True))) == 0.0
    assert decision(2, busy(503, "soon")) == 2.0  # garbage header: backoff, 0.5 x 2**2
    assert decision(2, busy(503, "soon")) == decision(2, busy(503, "soon"))  # no hidden state
    assert decision(1, None, jitter=0.25) == 0.5  # connection failed: backoff
    assert decision(3, busy(429, "1")) is None  # max_retries reached: final
    assert decision(3, None) is None
    for final in (httpx.Response(200), httpx.Response(404), httpx.Response(500)):
        assert decision(0, final) is None


async def test_the_async_client_retries_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    queue = [busy(429, "1"), httpx.Response(200, json=JOB)]
    transport = httpx.MockTransport(lambda _: queue.pop(0))
    async with AsyncJobsClient("http://api", "k", transport=transport) as client:
        job = await client.get("job_1")
    assert (job.id, waits) == ("job_1", [1.0])


def test_a_connection_failure_is_retried_then_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    client = JobsClient("http://api", "k", transport=httpx.MockTransport(refuse),
                        retry=RetryPolicy(max_retries=2))  # fmt: skip
    with client, pytest.raises(httpx.ConnectError):
        client.status("job_1")
    assert (len(calls), len(waits)) == (3, 2)
