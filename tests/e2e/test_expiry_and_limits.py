"""Expiry with a short retention, artifact purge, and the body-size limit (413).

These run through a second gateway process with its own settings on the same stack: the
gateway is stateless, so two of them side by side is also how production scales it.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from aiobotocore.session import get_session

from jobstream.devstack.infra import free_port
from jobstream.devstack.services import cli_path
from jobstream.devstack.stack import ServiceSpec
from tests.e2e.conftest import RunningStack
from tests.e2e.test_jobs_api import NOOP

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def short_gateway(running_stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    port = free_port()
    spec = ServiceSpec(
        "gateway-short",
        [cli_path(), "gateway"],
        {
            "JOBSTREAM_GATEWAY_PORT": str(port),
            "JOBSTREAM_GATEWAY_RETENTION_SECONDS": "3",
            "JOBSTREAM_GATEWAY_MAX_BODY_BYTES": "200000",
            "JOBSTREAM_GATEWAY_OFFLOAD_THRESHOLD_BYTES": "1000",
        },
        f"http://127.0.0.1:{port}/health",
    )
    await running_stack.start_and_wait([spec])
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Api-Key": running_stack.keys["org_a"]},
            timeout=30,
        ) as client:
            yield client
    finally:
        running_stack.stop("gateway-short")


async def _keys_under(stack: RunningStack, prefix: str) -> list[str]:
    async with get_session().create_client(
        "s3", endpoint_url=stack.layout.ports.s3_endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    ) as s3:  # fmt: skip
        listing = await s3.list_objects_v2(Bucket=stack.layout.bucket, Prefix=prefix)
    return [obj["Key"] for obj in listing.get("Contents", [])]


async def test_a_job_expires_its_request_is_emptied_and_artifacts_purged(
    noop_worker: RunningStack, short_gateway: httpx.AsyncClient
) -> None:
    url = "data:application/octet-stream;base64," + base64.b64encode(os.urandom(6000)).decode()
    resp = await short_gateway.post(
        "/v1/jobs",
        json={"endpoint": NOOP, "request": {"document": {"filename": "f.bin", "url": url}}},
    )
    assert resp.status_code == 200, resp.text
    job = resp.json()
    assert job["expires_at"] - job["created_at"] == 3
    assert await _keys_under(noop_worker, f"jobs/{job['id']}/")  # the document was offloaded
    async with noop_worker.client() as client:
        expired = await noop_worker.job_when(
            client,
            job["id"],
            lambda j: j["status"] == "expired",
            params={"include_request": "true", "include_response": "true"},
        )
        assert (expired["request"], expired["response"]) == (None, None)

        async def purged() -> bool:
            return not await _keys_under(noop_worker, f"jobs/{job['id']}/")

        from tests.e2e.conftest import wait_for

        await wait_for(purged, timeout=30, what="artifacts to be purged")
        record = (await client.get(f"/v1/jobs/{job['id']}")).json()
        assert record["status"] == "expired"  # the record stays

        async def refused() -> httpx.Response | None:
            retry = await client.post(f"/v1/jobs/{job['id']}/retry")
            return retry if retry.status_code == 400 else None

        retry = await wait_for(refused, timeout=30, what="retry to be refused once purged")
    assert retry.json()["detail"]["code"] == "job_not_retryable"


async def test_bodies_over_the_limit_get_413_whether_declared_or_streamed(
    short_gateway: httpx.AsyncClient,
) -> None:
    big = {"endpoint": NOOP, "request": {"blob": "x" * 300_000}}
    declared = await short_gateway.post("/v1/jobs", json=big)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(30):
            yield b" " * 10_000

    streamed = await short_gateway.post(
        "/v1/jobs", content=chunks(), headers={"content-type": "application/json"}
    )
    for resp in (declared, streamed):
        assert resp.status_code == 413, resp.text
        assert resp.json()["detail"]["code"] == "payload_too_large"
