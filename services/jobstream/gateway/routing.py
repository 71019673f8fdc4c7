"""What the API description must say but routes do not: the `endpoint` enum of the deployment,
and the answer to a request no route takes (405 with `Allow` when the path exists, else 404)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from jobstream.core.endpoints import ENDPOINT_SLUGS, NOOP_ENDPOINT
from jobstream.gateway.http import error_response
from jobstream.settings import GatewaySettings

ANY_METHOD = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]
ENDPOINT_MODELS = ("JobCreate", "JobPublic")


def endpoint_names(settings: GatewaySettings) -> list[str]:
    names = sorted(ENDPOINT_SLUGS)
    return [*names, NOOP_ENDPOINT] if settings.noop_endpoint_enabled else names


def install_endpoint_enum(app: FastAPI, settings: GatewaySettings) -> None:
    """Make `endpoint` an enum of every name this deployment accepts, in requests and jobs."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        schemas = document.get("components", {}).get("schemas", {})
        for name in ENDPOINT_MODELS:
            prop = schemas.get(name, {}).get("properties", {}).get("endpoint")
            if prop is not None:
                prop["enum"] = endpoint_names(settings)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(request: Request) -> set[str]:
    """The methods the API description lists for this path (empty when it has no such path). A
    literal path (`/v1/jobs/batch`) wins over a template that also matches (`/v1/jobs/{id}`)."""
    path = request.url.path
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    if path in paths:
        return {method.upper() for method in paths[path]}
    methods: set[str] = set()
    for template, operations in paths.items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            methods |= {method.upper() for method in operations}
    return methods


def no_route(request: Request) -> Response:
    methods = allowed_methods(request)
    if not methods:
        return error_response(404, "not_found", f"No route {request.url.path}.")
    allow = ", ".join(sorted(methods))
    response = error_response(
        405, "method_not_allowed", f"{request.method} is not allowed here; use {allow}.",
        {"allow": sorted(methods)},
    )  # fmt: skip
    response.headers["Allow"] = allow
    return response
