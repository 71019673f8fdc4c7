"""The API description: every operation declares every error status with the error body,
`endpoint` is an enum of the deployment's names, and a 405 names the allowed methods."""

from __future__ import annotations

import httpx
import pytest

from jobstream.core.endpoints import NOOP_ENDPOINT
from jobstream.gateway.app import create_app
from jobstream.gateway.deps import ERROR_MEANINGS
from jobstream.settings import GatewaySettings


def test_every_operation_declares_every_error() -> None:
    document = create_app(GatewaySettings.model_construct()).openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            missing = {str(code) for code in ERROR_MEANINGS} - declared
            assert not missing, f"{method.upper()} {path} lacks {missing}"
            body = operation["responses"]["400"]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorBody"}


def test_endpoint_is_an_enum_of_the_deployment() -> None:
    plain = create_app(GatewaySettings.model_construct()).openapi()
    schemas = plain["components"]["schemas"]
    assert "/v1/documents/parse" in schemas["JobCreate"]["properties"]["endpoint"]["enum"]
    assert NOOP_ENDPOINT not in schemas["JobPublic"]["properties"]["endpoint"]["enum"]
    bench = create_app(GatewaySettings.model_construct(noop_endpoint_enabled=True)).openapi()
    assert (
        NOOP_ENDPOINT
        in bench["components"]["schemas"]["JobCreate"]["properties"]["endpoint"]["enum"]
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v1/jobs", "GET, POST"),
        ("OPTIONS", "/v1/jobs/batch", "POST"),  # the literal path, not /v1/jobs/{job_id}
        ("DELETE", "/v1/jobs/job_x", "GET"),
        ("PATCH", "/jobs/job_x/cancel", "POST"),  # version-less alias
        ("TRACE", "/v1/webhooks", "GET, POST"),
    ],
)
async def test_405_names_the_allowed_methods(method: str, path: str, allow: str) -> None:
    app = create_app(GatewaySettings.model_construct())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        resp = await c.request(method, path)
    assert resp.status_code == 405 and resp.headers["allow"] == allow
    assert resp.json()["detail"]["code"] == "method_not_allowed"


async def test_unknown_paths_are_404() -> None:
    app = create_app(GatewaySettings.model_construct())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        resp = await c.get("/v1/nothing/here")
    assert resp.status_code == 404 and "allow" not in resp.headers
