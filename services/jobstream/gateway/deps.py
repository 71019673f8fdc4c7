"""What routes depend on: the shared services, the caller's principal and organization, the
endpoint-name view, and the error responses every operation declares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel

from jobstream.core.errors import AuthenticationError, InvalidRequestError
from jobstream.core.principal import EndpointNames, Principal, endpoint_names_of
from jobstream.gateway.auth import ApiKeyResolver
from jobstream_schemas.api import ErrorBody

if TYPE_CHECKING:
    from jobstream.gateway.idempotency import IdempotencyGuard
    from jobstream.gateway.service import JobService
    from jobstream.gateway.webhooks import WebhookService

JSON = "application/json"
ENDPOINT_NAMES_HEADER = "Jobstream-Endpoint-Names"


@dataclass
class GatewayDeps:
    """What the routes need; built from settings in production, from fakes in tests."""

    jobs: JobService
    keys: ApiKeyResolver
    idempotency: IdempotencyGuard | None = None
    webhooks: WebhookService | None = None
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


async def get_deps(request: Request) -> GatewayDeps:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
    # per request that cost the gateway about 8 % of its CPU under load.
    return request.app.state.deps  # type: ignore[no-any-return]


DepsDep = Annotated[GatewayDeps, Depends(get_deps)]


async def principal(
    deps: DepsDep, api_key: Annotated[str | None, Header(alias="Api-Key")] = None
) -> Principal:
    """The caller, from its `Api-Key` header."""
    if not api_key:
        raise AuthenticationError("Send an Api-Key header.", code="missing_api_key")
    found = await deps.keys.principal(api_key)
    if found is None:
        raise AuthenticationError("Unknown API key.", code="invalid_api_key")
    return found


PrincipalDep = Annotated[Principal, Depends(principal)]


async def organization(caller: PrincipalDep) -> str:
    """The caller's organization, from its `Api-Key` header."""
    return caller.organization_id


OrgDep = Annotated[str, Depends(organization)]


async def endpoint_names(
    caller: PrincipalDep,
    requested: Annotated[
        str | None,
        Header(
            alias=ENDPOINT_NAMES_HEADER,
            description="`as-submitted` or `gen-b`: how job endpoint names are shown "
            "(default: the API key's setting)",
        ),
    ] = None,
) -> EndpointNames:
    """The endpoint-name view: the request header, else the API key's setting."""
    if requested is None:
        return caller.endpoint_names
    names = endpoint_names_of(requested)
    if names is None:
        raise InvalidRequestError(
            f"{ENDPOINT_NAMES_HEADER} must be `as-submitted` or `gen-b`.",
            code="invalid_header", details={"header": ENDPOINT_NAMES_HEADER},
        )  # fmt: skip
    return names


NamesDep = Annotated[EndpointNames, Depends(endpoint_names)]

ERROR_MEANINGS = {
    400: "Not allowed in the resource's state (e.g. cancel of a finished job)",
    401: "Missing or unknown Api-Key",
    404: "Unknown, or another organization's",
    409: "Conflicts with a concurrent change or a request still running",
    413: "Request body too large",
    422: "Invalid request (stable `code` in the body)",
    429: "Too many requests",
    503: "A dependency is unavailable; retry later",
}
# Every operation declares every error it can answer, with the error body.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in ERROR_MEANINGS.items()
}


def json_response(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status, media_type=JSON)
