"""HTTP plumbing: the contract's error body, request ids, body-size limit and request metrics."""

from __future__ import annotations

import os
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobstream.adapters.metrics import HTTP_LATENCY, HTTP_REQUESTS
from jobstream.core import errors
from jobstream.core.listing import ListQueryError
from jobstream_schemas.api import ErrorBody, ErrorDetail

STATUS_BY_ERROR: dict[type[errors.JobstreamError], int] = {
    errors.InvalidRequestError: 422,
    errors.AuthenticationError: 401,
    errors.JobNotFoundError: 404,
    errors.NotCancellableError: 400,
    errors.CancelConflictError: 409,
    errors.NotRetryableError: 400,
    errors.RetryConflictError: 409,
    errors.IdempotencyConflictError: 409,
}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> Response:
    body = ErrorBody(detail=ErrorDetail(code=code, message=message, details=details))
    return Response(
        body.model_dump_json(exclude_none=True), status_code=status, media_type="application/json"
    )


def domain_error_response(exc: errors.JobstreamError) -> Response:
    """A domain error as the contract's error body, with the status its kind maps to."""
    return error_response(STATUS_BY_ERROR.get(type(exc), 400), exc.code, exc.message, exc.details)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    items = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        msg = str(err.get("msg", "invalid"))
        if loc == ["request"] and err.get("type") == "dict_type":
            msg = "must be a JSON object"
        items.append({"field": ".".join(loc) or "body", "message": msg})
    text = "; ".join(f"{i['field']}: {i['message']}" for i in items) or "Invalid request."
    return text, items


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.JobstreamError)
    async def _domain(_: Request, exc: errors.JobstreamError) -> Response:
        return domain_error_response(exc)

    @app.exception_handler(errors.ListUnavailableError)
    async def _list_unavailable(_: Request, exc: errors.ListUnavailableError) -> Response:
        response = error_response(503, exc.code, exc.message, exc.details)
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response

    @app.exception_handler(ListQueryError)
    async def _list_query(_: Request, exc: ListQueryError) -> Response:
        return error_response(422, "invalid_query", exc.message, {"field": exc.field})

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        message, items = _validation_message(exc)
        return error_response(422, "validation_error", message, {"errors": items})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        response = error_response(exc.status_code, code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(BodyTooLargeError)
    async def _too_large_stream(_: Request, exc: BodyTooLargeError) -> Response:
        return error_response(413, "payload_too_large", "Request body too large.")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        return error_response(500, "internal_error", "Internal error; see the gateway log.")


class RequestContextMiddleware:
    """Echo or assign `x-request-id`, cap the body size (413), record request metrics."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode() or os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500}
        over_limit = {"hit": False}

        async def send_with_id(message: Message) -> None:
            if over_limit["hit"]:
                # The body crossed the limit while the app read it: answer 413, not the app's error.
                if message["type"] == "http.response.start":
                    status_holder["status"] = 413
                    await _too_large(self.max_body_bytes, _with_request_id(send, request_id))
                return
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            status_holder["status"] = 413
            await _too_large(self.max_body_bytes, _with_request_id(send, request_id))
        else:
            receive_limited = _limited(receive, self.max_body_bytes, over_limit)
            await self.app(scope, receive_limited, send_with_id)
        route = _route_of(scope)
        HTTP_REQUESTS.labels(route, scope["method"], str(status_holder["status"])).inc()
        HTTP_LATENCY.labels(route, scope["method"]).observe(time.perf_counter() - started)


class BodyTooLargeError(Exception):
    pass


def _with_request_id(send: Send, request_id: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [
                *message.get("headers", []),
                (b"x-request-id", request_id.encode()),
            ]
        await send(message)

    return wrapped


def _limited(receive: Receive, limit: int, over_limit: dict[str, bool]) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                over_limit["hit"] = True
                raise BodyTooLargeError
        return message

    return wrapped


async def _too_large(limit: int, send: Send) -> None:
    response = error_response(
        413, "payload_too_large", f"Request body exceeds {limit} bytes.", {"max_bytes": limit}
    )
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))
