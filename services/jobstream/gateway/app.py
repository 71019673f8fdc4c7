"""The gateway service: settings → adapters → use cases → routes, plus /metrics and /health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import Response

from jobstream.adapters.metrics import render
from jobstream.core.errors import AuthenticationError
from jobstream.core.listing import parse_list_query
from jobstream.gateway.auth import ApiKeyResolver
from jobstream.gateway.http import RequestContextMiddleware, error_response, install_error_handlers
from jobstream.gateway.openapi import install_endpoint_bodies
from jobstream.gateway.service import Answer, JobService
from jobstream.settings import GatewaySettings
from jobstream_schemas.api import ErrorBody, JobCreate, JobList, JobPublic, JobStatusPublic

log = logging.getLogger(__name__)
JSON = "application/json"


@dataclass
class GatewayDeps:
    """What the routes need; built from settings in production, from fakes in tests."""

    jobs: JobService
    keys: ApiKeyResolver
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


async def build_deps(settings: GatewaySettings) -> GatewayDeps:
    from jobstream.bootstrap import connect_gateway

    return await connect_gateway(settings)


def _json(model: JobPublic | JobList | JobStatusPublic, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status, media_type=JSON)


def _answer(answer: Answer) -> Response:
    return _json(answer.job, 202 if answer.delayed else 200)


async def get_deps(request: Request) -> GatewayDeps:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
    # per request that cost the gateway about 8 % of its CPU under load.
    return request.app.state.deps  # type: ignore[no-any-return]


DepsDep = Annotated[GatewayDeps, Depends(get_deps)]


async def organization(
    deps: DepsDep, api_key: Annotated[str | None, Header(alias="Api-Key")] = None
) -> str:
    """The caller's organization, from its `Api-Key` header."""
    if not api_key:
        raise AuthenticationError("Send an Api-Key header.", code="missing_api_key")
    org = await deps.keys.organization(api_key)
    if org is None:
        raise AuthenticationError("Unknown API key.", code="invalid_api_key")
    return org


OrgDep = Annotated[str, Depends(organization)]
FlagQuery = Annotated[bool, Query()]

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 404, 409, 413, 422)
}


def create_app(
    settings: GatewaySettings | None = None, *, deps: GatewayDeps | None = None
) -> FastAPI:
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
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    install_endpoint_bodies(app)

    @app.post("/v1/jobs", response_model=JobPublic, responses=ERRORS, tags=["jobs"])
    async def create_job(
        body: JobCreate,
        deps: DepsDep,
        org: OrgDep,
        traceparent: Annotated[str | None, Header()] = None,
    ) -> Response:
        """Create a job; 202 with warning `dispatch_delayed` when stored but not yet dispatched."""
        return _answer(
            await deps.jobs.submit_job(body, organization_id=org, traceparent=traceparent)
        )

    @app.get("/v1/jobs", response_model=JobList, responses=ERRORS, tags=["jobs"])
    async def list_jobs(request: Request, deps: DepsDep, org: OrgDep) -> Response:
        """List jobs, newest first by default, with cursor paging and filters."""
        params = {key: request.query_params.getlist(key) for key in request.query_params}
        query = parse_list_query(params)
        return _json(await deps.jobs.list_jobs(query, organization_id=org))

    @app.get("/v1/jobs/{job_id}", response_model=JobPublic, responses=ERRORS, tags=["jobs"])
    async def get_job(
        job_id: str, deps: DepsDep, org: OrgDep, include_request: FlagQuery = False,
        include_response: FlagQuery = False,
    ) -> Response:  # fmt: skip
        """Retrieve a job; request and response only when asked for."""
        job = await deps.jobs.get_job(
            job_id, organization_id=org, include_request=include_request,
            include_response=include_response,
        )  # fmt: skip
        return _json(job)

    @app.get(
        "/v1/jobs/{job_id}/status", response_model=JobStatusPublic, responses=ERRORS, tags=["jobs"]
    )
    async def get_status(job_id: str, deps: DepsDep, org: OrgDep) -> Response:
        """Lifecycle fields only: the cheapest call for tight polling."""
        record = await deps.jobs.get_record(job_id, organization_id=org)
        return _json(record.status_view())

    @app.post("/v1/jobs/{job_id}/cancel", response_model=JobPublic, responses=ERRORS, tags=["jobs"])
    async def cancel_job(job_id: str, deps: DepsDep, org: OrgDep) -> Response:
        """Cancel a job; running work is aborted. No body, or `{}`, is accepted."""
        return _answer(await deps.jobs.cancel_job(job_id, organization_id=org))

    @app.post("/v1/jobs/{job_id}/retry", response_model=JobPublic, responses=ERRORS, tags=["jobs"])
    async def retry_job(job_id: str, deps: DepsDep, org: OrgDep) -> Response:
        """Retry a failed, cancelled or expired job in place (same id, next attempt)."""
        return _answer(await deps.jobs.retry_job(job_id, organization_id=org))

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        body, content_type = render()
        return Response(body, media_type=content_type)

    @app.get("/health", include_in_schema=False)
    async def health() -> Response:
        return Response('{"status":"ok"}', media_type=JSON)

    @app.api_route(
        "/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False
    )
    async def not_found(path: str) -> Response:
        return error_response(404, "not_found", f"No route /{path}.")

    return app
