"""Webhooks on the real stack: endpoint management and URL checks, Standard Webhooks signatures
(verified with the `standardwebhooks` package), retries on 500s and on a receiver that is down,
a slow receiver that delays no other, the notifier killed mid-run, re-sending a delivery."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from jobstream.bootstrap import create_api_key
from jobstream.devstack.infra import free_port
from jobstream.devstack.services import service_specs
from tests.e2e.conftest import RunningStack, wait_for
from tests.e2e.faults import NOOP
from tests.e2e.receiver import Behaviour, Received, Receiver, serving

pytestmark = pytest.mark.e2e


async def register(client: httpx.AsyncClient, url: str, **extra: Any) -> dict[str, Any]:
    resp = await client.post("/v1/webhooks", json={"url": url, **extra})
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def noop_jobs(client: httpx.AsyncClient, n: int) -> list[str]:
    tag = uuid.uuid4().hex
    jobs = [{"endpoint": NOOP, "request": {}, "metadata": {"hook": tag}} for _ in range(n)]
    resp = await client.post("/v1/jobs/batch", json={"jobs": jobs})
    assert resp.status_code == 200, resp.text
    return [job["id"] for job in resp.json()["data"]]


async def own_organization(stack: RunningStack, name: str) -> httpx.AsyncClient:
    """A client of an organization of its own: no other test's jobs end on its endpoints (the
    stack is shared, and another test's job may end late, e.g. expired by the janitor)."""
    org = f"org_{name}_{uuid.uuid4().hex[:8]}"
    mongo_url = stack.layout.ports.mongo_url
    key = await create_api_key(mongo_url, "jobstream", organization_id=org, name=name)
    return httpx.AsyncClient(base_url=stack.url, headers={"Api-Key": key}, timeout=60)


def verified(hook: dict[str, Any], request: Received) -> dict[str, Any]:
    """The delivered event, after checking its signature as a receiver would."""
    payload: dict[str, Any] = Webhook(hook["secret"]).verify(request.body, request.headers)
    return payload


async def received_jobs(receiver: Receiver, path: str, ids: list[str], **kw: Any) -> None:
    async def all_there() -> bool:
        return set(ids) <= {json.loads(r.body)["job_id"] for r in receiver.at(path)}

    await wait_for(all_there, what=f"deliveries of {len(ids)} jobs to {path}", **kw)


async def test_endpoints_are_managed_per_organization(running_stack: RunningStack) -> None:
    async with running_stack.client("org_a") as a, running_stack.client("org_b") as b:
        hook = await register(a, "http://127.0.0.1:9/a", description="ours")
        assert hook["id"].startswith("wh_") and hook["secret"].startswith("whsec_")
        assert hook["events"] == ["job.completed", "job.failed", "job.cancelled"]
        shown = (await a.get(f"/v1/webhooks/{hook['id']}")).json()
        assert shown["secret"] is None and shown["url"] == hook["url"]
        assert hook["id"] in [h["id"] for h in (await a.get("/v1/webhooks")).json()["data"]]
        assert (await b.get(f"/v1/webhooks/{hook['id']}")).status_code == 404
        assert hook["id"] not in [h["id"] for h in (await b.get("/v1/webhooks")).json()["data"]]
        assert (await b.delete(f"/v1/webhooks/{hook['id']}")).status_code == 404
        assert (await a.delete(f"/v1/webhooks/{hook['id']}")).json()["deleted"] is True
        assert (await a.get(f"/v1/webhooks/{hook['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.com/x", "invalid_webhook_url"),
        ("http://user:pw@127.0.0.1/x", "invalid_webhook_url"),
        ("http://10.1.2.3/x", "invalid_webhook_url"),
        ("http://169.254.169.254/latest", "invalid_webhook_url"),
        ("http://[fd00::1]/x", "invalid_webhook_url"),
        ("http://no-such-host.invalid/x", "invalid_webhook_url"),
    ],
)
async def test_targets_are_checked(running_stack: RunningStack, url: str, code: str) -> None:
    async with running_stack.client() as client:
        resp = await client.post("/v1/webhooks", json={"url": url})
        assert resp.status_code == 422 and resp.json()["detail"]["code"] == code
        bad_event = await client.post(
            "/v1/webhooks", json={"url": "http://127.0.0.1:9/", "events": ["job.nope"]}
        )
        assert bad_event.status_code == 422


async def test_signed_deliveries_are_retried_until_accepted(noop_worker: RunningStack) -> None:
    async with serving() as receiver, noop_worker.client() as client:
        receiver.behaviour["/flaky"] = Behaviour(fail_first=3)
        hook = await register(
            client, receiver.url("/flaky"), events=["job.created", "job.completed"]
        )
        (job_id,) = await noop_jobs(client, 1)

        async def completed_delivered() -> bool:
            return any(
                json.loads(r.body)["type"] == "job.completed" for r in receiver.at("/flaky")[3:]
            )

        await wait_for(completed_delivered, what="the completion to get through")
        for request in receiver.at("/flaky"):
            event = verified(hook, request)
            assert event["job_id"] == job_id and event["object"] == "event"
        by_id = defaultdict(list)
        for request in receiver.at("/flaky"):
            by_id[request.headers["webhook-id"]].append(json.loads(request.body)["type"])
        assert sorted({t for types in by_id.values() for t in types}) == [
            "job.completed", "job.created",
        ]  # fmt: skip
        assert all(len(set(types)) == 1 for types in by_id.values())  # one event per webhook-id

        async def recorded() -> list[dict[str, Any]] | None:
            url = f"/v1/webhooks/{hook['id']}/deliveries"
            data: list[dict[str, Any]] = (await client.get(url)).json()["data"]
            return data if all(d["status"] == "succeeded" for d in data) and data else None

        deliveries = await wait_for(recorded, what="the deliveries to be recorded as succeeded")
        assert sum(d["attempts"] for d in deliveries) == len(receiver.at("/flaky"))
        assert {d["id"] for d in deliveries} == set(by_id)


async def test_a_receiver_that_is_down_gets_everything_later(noop_worker: RunningStack) -> None:
    port = free_port()
    async with noop_worker.client() as client:
        hook = await register(client, f"http://127.0.0.1:{port}/later")
        ids = await noop_jobs(client, 5)

        async def refused_twice() -> bool:
            url = f"/v1/webhooks/{hook['id']}/deliveries"
            data = (await client.get(url)).json()["data"]
            return len(data) == 5 and all(d["attempts"] >= 2 and d["last_error"] for d in data)

        await wait_for(refused_twice, what="attempts on the closed port")
        async with serving(port) as receiver:
            await received_jobs(receiver, "/later", ids)
            for request in receiver.at("/later"):
                assert verified(hook, request)["type"] == "job.completed"


async def test_a_slow_receiver_delays_no_other(noop_worker: RunningStack) -> None:
    async with serving() as receiver, noop_worker.client() as client:
        receiver.behaviour["/slow"] = Behaviour(stall_seconds=2.5)
        await register(client, receiver.url("/slow"))
        await register(client, receiver.url("/fast"))
        ids = await noop_jobs(client, 16)
        await received_jobs(receiver, "/fast", ids)
        # 4 attempts at a time, 2.5 s each: the slow one is far behind when the fast one is done.
        assert len(receiver.at("/slow")) < len(ids)
        await received_jobs(receiver, "/slow", ids, timeout=60)


async def test_notifier_killed_mid_run_every_event_arrives(noop_worker: RunningStack) -> None:
    stack = noop_worker
    (notifier,) = [s for s in service_specs(stack.layout, {}) if s.name == "notifier"]
    async with serving() as receiver, await own_organization(stack, "crash") as client:
        receiver.behaviour["/crash"] = Behaviour(stall_seconds=0.05)
        hook = await register(client, receiver.url("/crash"))
        ids = await noop_jobs(client, 60)

        async def some_delivered() -> bool:
            return len(receiver.at("/crash")) >= 5

        await wait_for(some_delivered, what="the first deliveries")
        stack.stop("notifier", hard=True)
        await stack.start_and_wait([notifier])
        await received_jobs(receiver, "/crash", ids, timeout=90)
        per_id: dict[str, set[str]] = defaultdict(set)
        for request in receiver.at("/crash"):
            per_id[request.headers["webhook-id"]].add(verified(hook, request)["job_id"])
        # At least once: a repeat (an attempt the kill cut off) carries the same webhook-id.
        assert len(per_id) == len(ids) and all(len(jobs) == 1 for jobs in per_id.values())


async def test_a_delivery_can_be_sent_again(noop_worker: RunningStack) -> None:
    async with serving() as receiver, noop_worker.client() as client:
        hook = await register(client, receiver.url("/again"))
        ids = await noop_jobs(client, 1)
        await received_jobs(receiver, "/again", ids)
        url = f"/v1/webhooks/{hook['id']}/deliveries"
        (delivery,) = (await client.get(url)).json()["data"]
        resent = await client.post(f"{url}/{delivery['id']}/retry")
        assert resent.status_code == 200 and resent.json()["status"] == "pending"

        async def twice() -> bool:
            return len(receiver.at("/again")) == 2

        await wait_for(twice, what="the re-sent delivery")
        assert {r.headers["webhook-id"] for r in receiver.at("/again")} == {delivery["id"]}
        missing = await client.post(f"{url}/msg_nope/retry")
        assert missing.status_code == 404


async def test_a_thousand_events_reach_one_receiver(noop_worker: RunningStack) -> None:
    """Webhooks at volume: 1,000 jobs of one batch, each completion delivered once, signed, to
    one endpoint of an organization of its own (no other test's endpoints share its events)."""
    async with serving() as receiver, await own_organization(noop_worker, "hooks") as client:
        hook = await register(client, receiver.url("/many"), events=["job.completed"])
        ids = await noop_jobs(client, 1000)

        async def all_there() -> bool:
            return len({r.headers["webhook-id"] for r in receiver.at("/many")}) >= len(ids)

        await wait_for(all_there, timeout=120, interval=0.5, what="1,000 deliveries")
        requests = receiver.at("/many")
        delivered = [verified(hook, r)["job_id"] for r in requests]
        assert sorted(set(delivered)) == sorted(ids)
        assert len(requests) == len(ids)  # none twice: the notifier was not restarted
        assert (await client.delete(f"/v1/webhooks/{hook['id']}")).status_code == 200
