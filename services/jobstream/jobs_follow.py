"""Following one job to its end, for `jobstream jobs watch`: its status first, then each event of
its event stream (`GET /v1/jobs/{id}/events`), or, where the gateway does not serve the stream
(404), its status polled until it changes and ends."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from jobstream.client import EVENT_STATUS, TERMINAL, JobsAPIError, JobsClient

# (a status or an event type, the event's data or None, the event's time or None for now)
Say = Callable[[str, object, float | None], None]
POLL_INTERVAL_SECONDS = 0.3


def follow_job(client: JobsClient, job_id: str, *, timeout: float, say: Say) -> str | None:
    """The job's terminal status, or None when `timeout` passed first."""
    job = client.get(job_id)
    say(job.status, None, None)
    if job.status in TERMINAL:
        return job.status
    try:
        for event in client.events(job_id, timeout=timeout):
            status = EVENT_STATUS.get(str(event.get("type")))
            at = event.get("created_at")
            say(
                str(event.get("type")),
                event.get("data"),
                at if isinstance(at, int | float) else None,
            )
            if status in TERMINAL:
                return status
    except JobsAPIError as exc:
        if exc.status != 404:
            raise
    except httpx.ReadTimeout:
        return None
    return _poll(client, job_id, timeout=timeout, say=say)


def _poll(client: JobsClient, job_id: str, *, timeout: float, say: Say) -> str | None:
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.status(job_id).status
        if status != seen:
            seen = status
            say(status, None, None)
        if status in TERMINAL:
            return status
        time.sleep(POLL_INTERVAL_SECONDS)
    return None
