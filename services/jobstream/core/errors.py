"""Domain errors with stable codes; the gateway maps each kind to an HTTP status."""

from __future__ import annotations

from typing import Any


class CodedError(Exception):
    """A stable `code`, a human `message`, optional `details`: the shape every error that ends
    up in an API answer or a failed job has (the domain errors below, `DocumentError`,
    `EngineError`)."""

    code = "error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class JobstreamError(CodedError):
    """Base of the API's domain errors; the gateway maps each kind to an HTTP status."""


class InvalidRequestError(JobstreamError):
    code = "invalid_request"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, details=details)
        if code:
            self.code = code


class AuthenticationError(JobstreamError):
    code = "invalid_api_key"

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class JobNotFoundError(JobstreamError):
    code = "job_not_found"


class NotCancellableError(JobstreamError):
    code = "job_not_cancellable"


class CancelConflictError(JobstreamError):
    code = "cancel_conflict"


class NotRetryableError(JobstreamError):
    code = "job_not_retryable"


class RetryConflictError(JobstreamError):
    code = "job_active"


class IdempotencyConflictError(JobstreamError):
    """The first request with this Idempotency-Key is still running (409)."""

    code = "idempotency_key_in_progress"


class ListUnavailableError(JobstreamError):
    """A list that cannot be answered within the gateway's budget now: 503 with Retry-After."""

    code = "list_timeout"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message, details={"retry_after_seconds": retry_after_seconds})
        self.retry_after_seconds = retry_after_seconds


class StoreTimeoutError(Exception):
    """The store gave up on a query at its time limit (MongoDB's `maxTimeMS`)."""


class TransientError(Exception):
    """A failure worth retrying with backoff (network, throttling, unavailable dependency)."""


class PermanentError(Exception):
    """A failure that retrying cannot fix; fails the job with `code`."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
