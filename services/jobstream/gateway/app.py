"""The gateway service: settings → adapters → use cases → routes, plus /metrics and /health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import Response

from jobstream.adapters.metrics import render
from jobstream.core.listing import parse_list_query
from jobstream.core.principal import EndpointNames
from jobstream.gateway import batch, dashboard, org_streams, streams, webhooks
from jobstream.gateway.create import FastCreatePath, create_answer
from jobstream.gateway.deps import (
    ERRORS,
    JSON,
    DepsDep,
    GatewayDeps,
    NamesDep,
    OrgDep,
    json_response,
)
from jobstream.gateway.http import RequestContextMiddleware, install_error_handlers
from jobstream.gateway.idempotency import IdempotencyKeyHeader
from jobstream.gateway.naming import list_query_for, present_job, present_list
from jobstream.gateway.openapi import install_endpoint_bodies
from jobstream.gateway.routing import ANY_METHOD, install_endpoint_enum, no_route
from jobstream.gateway.service import Answer
from jobstream.gateway.versioning import UnversionedPathMiddleware
from jobstream.settings import GatewaySettings
from jobstream_schemas.api import JobCreate, JobList, JobPublic, JobStatusPublic

log = logging.getLogger(__name__)
ROUTERS = [
    batch.router,
    webhooks.router,
    streams.router,
    org_streams.router,
    dashboard.router,
]  # the API's route modules, included before the catch-all 404
__all__ = ["DepsDep", "GatewayDeps", "OrgDep", "create_app"]


async def build_deps(settings: GatewaySettings) -> GatewayDeps:
    from jobstream.bootstrap import connect_gateway

    return await connect_gateway(settings)


def _json(model: JobPublic | JobList | JobStatusPublic, status: int = 200) -> Response:
    return json_response(model, status)


def _answer(answer: Answer, names: EndpointNames) -> Response:
    return _json(present_job(answer.job, names), 202 if answer.delayed else 200)


FlagQuery = Annotated[bool, Query()]


def create_app(
    settings: GatewaySettings | None = None, *, deps: GatewayDeps | None = None,
    fast_create: bool = True,
) -> FastAPI:  # fmt: skip
    """The gateway app; `fast_create=False` serves every create through FastAPI's route (the
    fast path's tests compare the two, gateway/create.py)."""
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.deps = deps or await build_deps(settings)
        try:
            yield
        finally:
            for close in reversed(app.state.deps.closers):
                await close()

    app = FastAPI(
        title="jobstream Jobs API",
        version="1.0.0",
        description="Kafka-native asynchronous Jobs API, wire-compatible with the Retab Jobs API.",
        lifespan=lifespan,
    )
    if fast_create:
        app.add_middleware(FastCreatePath)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(UnversionedPathMiddleware)
    install_error_handlers(app)
    install_endpoint_bodies(app)
    install_endpoint_enum(app, settings)

    @app.post("/v1/jobs", response_model=JobPublic, responses=ERRORS, tags=["jobs"])
    async def create_job(
        body: JobCreate,
        deps: DepsDep,
        org: OrgDep,
        names: NamesDep,
        traceparent: Annotated[str | None, Header()] = None,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response:
        """Create a job; 202 with warning `dispatch_delayed` when stored but not yet dispatched.

        With an `Idempotency-Key`, a repeat of the same request within 24 h gets the first
        answer (header `Idempotent-Replayed: true`); another request with the key gets 422."""

        return await create_answer(
            deps, body, organization_id=org, names=names, traceparent=traceparent,
            idempotency_key=idempotency_key,
        )  # fmt: skip

    @app.get("/v1/jobs", response_model=JobList, responses=ERRORS, tags=["jobs"])
    async def list_jobs(request: Request, deps: DepsDep, org: OrgDep, names: NamesDep) -> Response:
        """List jobs, newest first by default, with cursor paging and filters."""
        params = {key: request.query_params.getlist(key) for key in request.query_params}
        query = list_query_for(parse_list_query(params), names)
        return _json(present_list(await deps.jobs.list_jobs(query, organization_id=org), names))

    @app.get("/v1/jobs/{job_id}", response_model=JobPublic, responses=ERRORS, tags=["jobs"])
    async def get_job(
        job_id: str, deps: DepsDep, org: OrgDep, names: NamesDep,
        include_request: FlagQuery = False, include_response: FlagQuery = False,
    ) -> Response:  # fmt: skip
        """Retrieve a job; request and response only when asked for."""
        job = await deps.jobs.get_job(
            job_id, organization_id=org, include_request=include_request,
            include_response=include_response,
        )  # fmt: skip
        return _json(present_job(job, names))

    @app.get(
        "/v1/jobs/{job_id}/status", response_model=JobStatusPublic, responses=ERRORS, tags=["jobs"]
    )
    async def get_status(job_id: str, deps: DepsDep, org: OrgDep) -> Response:
        """Lifecycle fields only: the cheapest call for tight polling."""
        record = await deps.jobs.get_record(job_id, organization_id=org)
        return _json(record.status_view())

    @app.post("/v1/jobs/{job_id}/cancel", response_model=JobPublic, responses=ERRORS, tags=["jobs"])
    async def cancel_job(job_id: str, deps: DepsDep, org: OrgDep, names: NamesDep) -> Response:
        """Cancel a job; running work is aborted. No body, or `{}`, is accepted."""
        return _answer(await deps.jobs.cancel_job(job_id, organization_id=org), names)

    @app.post("/v1/jobs/{job_id}/retry", response_model=JobPublic, responses=ERRORS, tags=["jobs"])
    async def retry_job(job_id: str, deps: DepsDep, org: OrgDep, names: NamesDep) -> Response:
        """Retry a failed, cancelled or expired job in place (same id, next attempt)."""
        return _answer(await deps.jobs.retry_job(job_id, organization_id=org), names)

    from jobstream.gateway.templates import router as templates_router

    app.include_router(templates_router)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        body, content_type = render()
        return Response(body, media_type=content_type)

    @app.get("/health", include_in_schema=False)
    async def health() -> Response:
        return Response('{"status":"ok"}', media_type=JSON)

    for router in ROUTERS:
        app.include_router(router)

    @app.api_route("/{path:path}", methods=ANY_METHOD, include_in_schema=False)
    async def not_found(request: Request) -> Response:
        return no_route(request)

    return app
