"""The endpoints' own bodies in the gateway's OpenAPI document.

`POST /v1/jobs` carries any endpoint's request in `request`, and a completed job its answer in
`response.body`, so the bodies are not reachable from the routes. They are added as components,
and `x-jobstream-endpoints` says which request and response schema goes with which endpoint name.
Registries: every `ENDPOINT_BODIES` mapping of the modules in `REGISTRIES` that exist.
"""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REGISTRIES = ("jobstream_schemas.results", "jobstream_schemas.parse", "jobstream_schemas.forms")
REF = "#/components/schemas/{model}"


def endpoint_bodies() -> dict[str, tuple[type[BaseModel], type[BaseModel]]]:
    bodies: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {}
    for name in REGISTRIES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        bodies.update(getattr(module, "ENDPOINT_BODIES", {}))
    return dict(sorted(bodies.items()))


def install_endpoint_bodies(app: FastAPI) -> None:
    """Make `app.openapi()` include every registered endpoint body."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        bodies = endpoint_bodies()
        models = sorted({m for pair in bodies.values() for m in pair}, key=lambda m: m.__name__)
        keys, definitions = models_json_schema(
            [(m, "validation" if _is_request(m, bodies) else "serialization") for m in models],
            ref_template=REF,
        )
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components.update(definitions.get("$defs", {}))
        document["x-jobstream-endpoints"] = {
            endpoint: {
                "request": keys[(request, "validation")],
                "response": keys[(response, "serialization")],
            }
            for endpoint, (request, response) in bodies.items()
        }
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _is_request(model: type[BaseModel], bodies: dict[str, tuple[type[BaseModel], Any]]) -> bool:
    return any(model is request for request, _ in bodies.values())
