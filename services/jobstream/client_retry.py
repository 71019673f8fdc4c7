"""The Jobs API client's retry decision and error answers, shared by the blocking and the
asyncio client (`jobstream.client`).

`retry_delay` is the one retry decision, a pure function of the policy, the attempt number and
its outcome (an answer, or None for a connection failure, where nothing reached the server), the
time and a jitter draw: 429 and 503 are retried up to `max_retries` times after `Retry-After`
(seconds or an HTTP date) or an exponential backoff with full jitter; so are connection failures.
Any other answer is final: returned, or raised as `JobsAPIError` with the API's stable code.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from typing import Any

import httpx

RETRYABLE = frozenset({429, 503})


class JobsAPIError(Exception):
    """An error answer: HTTP status, the contract's `detail.code`, message and details."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    backoff_base: float = 0.25
    backoff_max: float = 10.0

    def delay(
        self, attempt: int, response: httpx.Response | None, *, now: float, jitter: float
    ) -> float:
        """Retry-After when the answer has a valid one (seconds or an HTTP date; capped), else
        exponential backoff with full jitter (`jitter`: a draw in [0, 1))."""
        header = (response.headers.get("retry-after") or "").strip() if response else ""
        cap = self.backoff_max * 6
        if header.isdigit():
            return min(float(header), cap)
        try:
            when = email.utils.parsedate_to_datetime(header).timestamp() if header else None
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, min(when - now, cap))
        return jitter * min(self.backoff_max, self.backoff_base * 2.0**attempt)


def retry_delay(
    policy: RetryPolicy, attempt: int, response: httpx.Response | None, *, now: float,
    jitter: float,
) -> float | None:  # fmt: skip
    """The retry decision both clients make after attempt `attempt` (0-based), a pure function:
    None when the outcome is final (an answer to return or raise, or a connection failure —
    `response` None — past `max_retries`), else the seconds to wait before trying again."""
    if attempt >= policy.max_retries:
        return None
    if response is not None and response.status_code not in RETRYABLE:
        return None
    return policy.delay(attempt, response, now=now, jitter=jitter)


def final_response(
    response: httpx.Response | None, failure: httpx.ConnectError | None
) -> httpx.Response:
    """A final outcome: the answer, or the error it is (raised)."""
    if response is None:
        raise failure or httpx.ConnectError("no answer")
    if response.is_error:
        raise error_of(response)
    return response


def error_of(response: httpx.Response) -> JobsAPIError:
    """The error answer as the contract gives it (`detail.code`), or `http_error`."""
    try:
        detail = response.json()["detail"]
        return JobsAPIError(response.status_code, detail["code"], detail["message"],
                            detail.get("details"))  # fmt: skip
    except (ValueError, KeyError, TypeError):
        return JobsAPIError(response.status_code, "http_error", response.text[:200])
