"""`POST /v1/jobs`: the answer to a create, and a fast path that serves it without FastAPI.

`create_answer` is the whole operation once the request is parsed and its caller known; the
FastAPI route (app.py) and `FastCreatePath` both call it. The fast path is an ASGI layer in
front of the router: for a well-formed create from a known key it reads the body, validates it
with the same model and answers, skipping route matching and dependency solving, which cost
about half of the gateway's CPU per create under load. Anything else (bad JSON, a body that
does not validate, a missing or unknown key, a bad header, another route) is handed to FastAPI
unchanged, body included, so every error keeps the one shape and code the routes give it.
With tracing on, every create takes the route: the request's SERVER span is FastAPI's.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobstream.adapters import tracing
from jobstream.core import errors
from jobstream.core.principal import EndpointNames, endpoint_names_of
from jobstream.gateway.deps import ENDPOINT_NAMES_HEADER, GatewayDeps, json_response
from jobstream.gateway.http import BodyTooLargeError, domain_error_response, error_response
from jobstream.gateway.idempotency import StoredAnswer, idempotently, replayable
from jobstream.gateway.naming import present_job
from jobstream_schemas.api import JobCreate, JobPublic

log = logging.getLogger(__name__)
CREATE_PATH = "/v1/jobs"


async def create_answer(
    deps: GatewayDeps, body: JobCreate, *, organization_id: str, names: EndpointNames,
    traceparent: str | None, idempotency_key: str | None,
) -> Response:  # fmt: skip
    """Submit the job (once per idempotency key) and answer 200, or 202 when dispatch is
    delayed; a replay of a keyed request carries `Idempotent-Replayed: true`."""
    if idempotency_key is None:
        answer = await deps.jobs.submit_job(
            body, organization_id=organization_id, traceparent=traceparent
        )
        return json_response(present_job(answer.job, names), 202 if answer.delayed else 200)

    async def submit() -> StoredAnswer:
        answer = await deps.jobs.submit_job(
            body, organization_id=organization_id, traceparent=traceparent
        )
        return StoredAnswer(202 if answer.delayed else 200, answer.job.model_dump_json())

    stored = await idempotently(
        deps.idempotency, organization_id=organization_id, key=idempotency_key,
        operation="jobs.create", body=body.model_dump(mode="json"), produce=submit,
    )  # fmt: skip
    job = present_job(JobPublic.model_validate_json(stored.body), names)
    return replayable(json_response(job, stored.status), stored)


class FastCreatePath:
    """Serves the happy path of `POST /v1/jobs` before routing (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route: Route | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != CREATE_PATH
            or tracing.enabled()  # FastAPI's telemetry makes the request's SERVER span
        ):  # fmt: skip
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if not headers.get(b"content-type", b"").startswith(b"application/json"):
            await self.app(scope, receive, send)
            return
        try:
            raw = await _read_body(receive)
        except BodyTooLargeError:  # the request middleware answers 413 in place of this
            await error_response(413, "payload_too_large", "Request body too large.")(
                scope, receive, send
            )
            return
        served = await self._serve(scope, headers, raw)
        if served is None:
            await self.app(scope, _replay(raw, receive), send)
            return
        scope["route"] = self._create_route(scope)
        await served(scope, receive, send)

    async def _serve(
        self, scope: Scope, headers: dict[bytes, bytes], raw: bytes
    ) -> Response | None:
        """The answer, or None to let FastAPI answer (every case that is not the happy path)."""
        deps: GatewayDeps = scope["app"].state.deps
        key = headers.get(b"api-key")
        try:
            principal = await deps.keys.principal(key.decode("latin-1")) if key else None
        except Exception:  # noqa: BLE001 - the store is down: FastAPI's route meets it and says so
            return None
        if principal is None:
            return None
        names: EndpointNames | None = principal.endpoint_names
        requested = headers.get(ENDPOINT_NAMES_HEADER.lower().encode())
        if requested is not None:
            names = endpoint_names_of(requested.decode("latin-1"))
        if names is None:
            return None
        try:
            body = JobCreate.model_validate(json.loads(raw))
        except (ValueError, ValidationError):  # JSON decode errors are ValueErrors
            return None
        try:
            return await create_answer(
                deps, body, organization_id=principal.organization_id, names=names,
                traceparent=_text(headers.get(b"traceparent")),
                idempotency_key=_text(headers.get(b"idempotency-key")),
            )  # fmt: skip
        except errors.JobstreamError as exc:
            return domain_error_response(exc)
        except Exception:
            log.exception("create failed")
            return error_response(500, "internal_error", "Internal error; see the gateway log.")

    def _create_route(self, scope: Scope) -> Route | None:
        """The FastAPI route this path stands in for (the request metrics are labelled by it)."""
        if self._route is None:
            for route in scope["app"].router.routes:
                if getattr(route, "path", None) == CREATE_PATH and "POST" in (
                    getattr(route, "methods", None) or ()
                ):
                    self._route = route
                    break
        return self._route


def _text(header: bytes | None) -> str | None:
    return None if header is None else header.decode("latin-1")  # as Starlette decodes headers


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(raw: bytes, receive: Receive) -> Receive:
    """A receive that gives the already-read body once, then the connection's own messages."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            message: dict[str, Any] = {"type": "http.request", "body": raw, "more_body": False}
            return message
        return await receive()

    return replayed
