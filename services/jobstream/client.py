"""A small typed client for the Jobs API (httpx), synchronous and asynchronous.

    with JobsClient("http://127.0.0.1:8000", api_key) as jobs:
        job = jobs.create("/v1/documents/parse", {"document": {...}}, idempotency_key="k1")
        done = jobs.wait(job.id)

Answers are the API's own models (`jobstream_schemas.api`, `.batch`, `.webhooks`); idempotency
keys go in the `Idempotency-Key` header of creates and batches; webhooks are registered, listed,
deleted, and their deliveries listed and re-sent. 429 and 503 are retried (up to
`max_retries`) after the answer's `Retry-After` (seconds or an HTTP date) or an exponential
backoff; so are connection failures, where nothing reached the server. Other errors raise
`JobsAPIError` with the API's stable code.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from jobstream import client_calls as calls
from jobstream.client_calls import Call
from jobstream.client_retry import JobsAPIError, RetryPolicy, error_of, final_response, retry_delay
from jobstream_schemas import webhooks as hooks
from jobstream_schemas.api import JobList, JobPublic, JobStatusPublic
from jobstream_schemas.batch import JobBatchResult

T = TypeVar("T")

TERMINAL = frozenset({"completed", "failed", "cancelled", "expired"})
# The job status after each event type of the event stream (`events`).
EVENT_STATUS = {"job.created": "queued", "job.retry_requested": "queued",
                "job.started": "in_progress", "job.completed": "completed", "job.failed": "failed",
                "job.cancelled": "cancelled", "job.expired": "expired"}  # fmt: skip
__all__ = ["EVENT_STATUS", "TERMINAL", "AsyncJobsClient", "JobsAPIError", "JobsClient",
           "RetryPolicy", "WaitTimeoutError", "retry_delay"]  # fmt: skip


class WaitTimeoutError(TimeoutError):
    """The job was not terminal by the deadline."""


def _wait(policy: RetryPolicy, attempt: int, response: httpx.Response | None) -> float | None:
    """`retry_delay` on the clock with a jitter draw (the one decision both clients make)."""
    jitter = random.random()  # noqa: S311 - backoff jitter, not a secret
    return retry_delay(policy, attempt, response, now=time.time(), jitter=jitter)


def _headers(api_key: str) -> dict[str, str]:
    return {"Api-Key": api_key, "User-Agent": "jobstream-client"}


class JobsClient:
    """Blocking client; one connection pool, close it (or use `with`)."""

    def __init__(
        self, base_url: str, api_key: str, *, timeout: float = 30.0,
        retry: RetryPolicy | None = None, transport: httpx.BaseTransport | None = None,
    ) -> None:  # fmt: skip
        self.retry = retry or RetryPolicy()
        self._http = httpx.Client(base_url=base_url, headers=_headers(api_key), timeout=timeout,
                                  transport=transport)  # fmt: skip

    def __enter__(self) -> JobsClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One API call with the retry policy; raises JobsAPIError on an error answer."""
        attempt = 0
        while True:
            response, failure = None, None
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.ConnectError as exc:
                failure = exc
            wait = _wait(self.retry, attempt, response)
            if wait is None:
                return final_response(response, failure)
            time.sleep(wait)
            attempt += 1

    def call(self, call: Call[T]) -> T:
        return call.parse(self.request(call.method, call.path, **call.kwargs).content)

    def create(
        self, endpoint: str, request: Mapping[str, Any], *,
        metadata: Mapping[str, str] | None = None, idempotency_key: str | None = None,
    ) -> JobPublic:  # fmt: skip
        return self.call(calls.create_job(endpoint, request, metadata, idempotency_key))

    def create_batch(
        self, jobs: Sequence[Mapping[str, Any]], *, idempotency_key: str | None = None
    ) -> JobBatchResult:
        """`POST /v1/jobs/batch`: `data[i]` is the Job or the error of `jobs[i]`."""
        return self.call(calls.create_batch(jobs, idempotency_key))

    def get(
        self, job_id: str, *, include_request: bool = False, include_response: bool = False
    ) -> JobPublic:
        return self.call(calls.get_job(job_id, include_request, include_response))

    def status(self, job_id: str) -> JobStatusPublic:
        return self.call(calls.job_status(job_id))

    def list(self, **filters: Any) -> JobList:
        """One page; filters as the API names them (status, endpoint, limit, after, before...)."""
        return self.call(calls.list_jobs(filters))

    def cancel(self, job_id: str) -> JobPublic:
        return self.call(calls.job_action(job_id, "cancel"))

    def retry_job(self, job_id: str) -> JobPublic:
        return self.call(calls.job_action(job_id, "retry"))

    def create_webhook(
        self, url: str, *, events: Sequence[str] | None = None, description: str | None = None
    ) -> hooks.WebhookPublic:
        """Register an endpoint; the answer's `secret` (shown once) verifies signatures."""
        return self.call(calls.create_webhook(url, events, description))

    def list_webhooks(self) -> hooks.WebhookList:
        return self.call(calls.list_webhooks())

    def get_webhook(self, webhook_id: str) -> hooks.WebhookPublic:
        return self.call(calls.get_webhook(webhook_id))

    def delete_webhook(self, webhook_id: str) -> hooks.WebhookDeleted:
        return self.call(calls.delete_webhook(webhook_id))

    def deliveries(
        self, webhook_id: str, *, status: str | None = None, limit: int = 20
    ) -> hooks.WebhookDeliveryList:
        """The endpoint's deliveries, newest first."""
        return self.call(calls.deliveries(webhook_id, status, limit))

    def retry_delivery(self, webhook_id: str, delivery_id: str) -> hooks.WebhookDelivery:
        return self.call(calls.retry_delivery(webhook_id, delivery_id))

    def events(self, job_id: str, *, timeout: float = 600.0) -> Iterator[dict[str, Any]]:
        """`GET /v1/jobs/{id}/events` (server-sent events): each event's JSON, until the stream
        ends (after the job's terminal event). JobsAPIError 404 where the gateway lacks it."""
        limits = httpx.Timeout(timeout, read=60.0)  # the gateway pings idle streams
        headers = {"Accept": "text/event-stream"}
        with self._http.stream("GET", f"/v1/jobs/{job_id}/events", headers=headers,
                               timeout=limits) as response:  # fmt: skip
            if response.is_error:
                response.read()
                raise error_of(response)
            data: list[str] = []
            for line in response.iter_lines():
                if line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line and data:
                    yield json.loads("\n".join(data))
                    data = []

    def wait(self, job_id: str, *, timeout: float = 600.0, interval: float = 0.5) -> JobPublic:
        """Poll the cheap status route until the job is terminal, then return it in full."""
        deadline = time.monotonic() + timeout
        while self.status(job_id).status not in TERMINAL:
            if time.monotonic() > deadline:
                raise WaitTimeoutError(f"{job_id} not finished after {timeout:.0f}s")
            time.sleep(interval)
        return self.get(job_id, include_response=True)


class AsyncJobsClient:
    """The same calls for asyncio."""

    def __init__(
        self, base_url: str, api_key: str, *, timeout: float = 30.0,
        retry: RetryPolicy | None = None, transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:  # fmt: skip
        self.retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(base_url=base_url, headers=_headers(api_key),
                                       timeout=timeout, transport=transport)  # fmt: skip

    async def __aenter__(self) -> AsyncJobsClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        attempt = 0
        while True:
            response, failure = None, None
            try:
                response = await self._http.request(method, path, **kwargs)
            except httpx.ConnectError as exc:
                failure = exc
            wait = _wait(self.retry, attempt, response)
            if wait is None:
                return final_response(response, failure)
            await asyncio.sleep(wait)
            attempt += 1

    async def call(self, call: Call[T]) -> T:
        return call.parse((await self.request(call.method, call.path, **call.kwargs)).content)

    async def create(
        self, endpoint: str, request: Mapping[str, Any], *,
        metadata: Mapping[str, str] | None = None, idempotency_key: str | None = None,
    ) -> JobPublic:  # fmt: skip
        return await self.call(calls.create_job(endpoint, request, metadata, idempotency_key))

    async def create_batch(
        self, jobs: Sequence[Mapping[str, Any]], *, idempotency_key: str | None = None
    ) -> JobBatchResult:
        return await self.call(calls.create_batch(jobs, idempotency_key))

    async def get(
        self, job_id: str, *, include_request: bool = False, include_response: bool = False
    ) -> JobPublic:
        return await self.call(calls.get_job(job_id, include_request, include_response))

    async def status(self, job_id: str) -> JobStatusPublic:
        return await self.call(calls.job_status(job_id))

    async def list(self, **filters: Any) -> JobList:
        return await self.call(calls.list_jobs(filters))

    async def cancel(self, job_id: str) -> JobPublic:
        return await self.call(calls.job_action(job_id, "cancel"))

    async def retry_job(self, job_id: str) -> JobPublic:
        return await self.call(calls.job_action(job_id, "retry"))

    async def create_webhook(
        self, url: str, *, events: Sequence[str] | None = None, description: str | None = None
    ) -> hooks.WebhookPublic:
        """Register an endpoint; the answer's `secret` (shown once) verifies signatures."""
        return await self.call(calls.create_webhook(url, events, description))

    async def list_webhooks(self) -> hooks.WebhookList:
        return await self.call(calls.list_webhooks())

    async def get_webhook(self, webhook_id: str) -> hooks.WebhookPublic:
        return await self.call(calls.get_webhook(webhook_id))

    async def delete_webhook(self, webhook_id: str) -> hooks.WebhookDeleted:
        return await self.call(calls.delete_webhook(webhook_id))

    async def deliveries(
        self, webhook_id: str, *, status: str | None = None, limit: int = 20
    ) -> hooks.WebhookDeliveryList:
        """The endpoint's deliveries, newest first."""
        return await self.call(calls.deliveries(webhook_id, status, limit))

    async def retry_delivery(self, webhook_id: str, delivery_id: str) -> hooks.WebhookDelivery:
        return await self.call(calls.retry_delivery(webhook_id, delivery_id))

    async def wait(
        self, job_id: str, *, timeout: float = 600.0, interval: float = 0.5
    ) -> JobPublic:
        deadline = time.monotonic() + timeout
        while (await self.status(job_id)).status not in TERMINAL:
            if time.monotonic() > deadline:
                raise WaitTimeoutError(f"{job_id} not finished after {timeout:.0f}s")
            await asyncio.sleep(interval)
        return await self.get(job_id, include_response=True)
