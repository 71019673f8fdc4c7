"""`POST /v1/jobs` answers the same through the fast path and through FastAPI's route, for the
happy path and for every kind of bad request, and the fast path really bypasses the route."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jobstream.adapters.blobs import InMemoryBlobStore
from jobstream.adapters.mongo import OutboxMessage
from jobstream.core.idempotency import IdempotencyRecord
from jobstream.core.principal import Principal
from jobstream.core.record import JobRecord
from jobstream.gateway.app import create_app
from jobstream.gateway.auth import ApiKeyResolver, hash_key
from jobstream.gateway.deps import GatewayDeps, get_deps
from jobstream.gateway.idempotency import IdempotencyGuard
from jobstream.gateway.service import JobService
from jobstream.settings import GatewaySettings


class Keys:
    async def principal_for(self, key_hash: str) -> Principal | None:
        if key_hash == hash_key("key-gen-b"):
            return Principal(organization_id="org_a", endpoint_names="gen_b")
        return Principal(organization_id="org_a") if key_hash == hash_key("key-a") else None


class Store:
    def __init__(self) -> None:
        self.records: dict[str, JobRecord] = {}

    async def insert_many(self, records: Sequence[JobRecord]) -> None:
        self.records.update({record.id: record for record in records})


class Outbox:
    async def add(self, **_: Any) -> None: ...
    async def remove(self, entry_id: str) -> None: ...


class Publisher:
    def __init__(self) -> None:
        self.sent: list[OutboxMessage] = []

    async def publish_waves(
        self, waves: Sequence[Sequence[OutboxMessage]], *, timeout: float | None = None
    ) -> None:
        self.sent.extend(message for wave in waves for message in wave)


class Answers:
    def __init__(self) -> None:
        self.records: dict[str, IdempotencyRecord] = {}

    async def claim(self, record: IdempotencyRecord, *, organization_id: str) -> bool:
        return self.records.setdefault(record.id, record) is record

    async def get(self, record_id: str) -> IdempotencyRecord | None:
        return self.records.get(record_id)

    async def answer(self, *, record_id: str, nonce: str, status: int, body: str) -> None:
        self.records[record_id] = dataclasses.replace(
            self.records[record_id], status=status, body=body
        )

    async def release(self, *, record_id: str, nonce: str) -> None:
        self.records.pop(record_id, None)


@dataclasses.dataclass
class Gateway:
    client: TestClient
    store: Store
    publisher: Publisher
    deps: GatewayDeps


def gateway(*, fast: bool) -> Iterator[Gateway]:
    settings = GatewaySettings(noop_endpoint_enabled=True, max_body_bytes=4096)
    store, publisher = Store(), Publisher()
    jobs = JobService(settings=settings, jobs=store, outbox=Outbox(),  # type: ignore[arg-type]
                      publisher=publisher, blobs=InMemoryBlobStore())  # type: ignore[arg-type]  # fmt: skip
    guard = IdempotencyGuard(Answers(), ttl_seconds=3600, wait_seconds=1, lock_seconds=30)
    deps = GatewayDeps(jobs=jobs, keys=ApiKeyResolver(Keys()), idempotency=guard)
    with TestClient(create_app(settings, deps=deps, fast_create=fast)) as client:
        yield Gateway(client, store, publisher, deps)


@pytest.fixture
def fast() -> Iterator[Gateway]:
    yield from gateway(fast=True)


@pytest.fixture
def routed() -> Iterator[Gateway]:
    yield from gateway(fast=False)


NOOP = {"endpoint": "/v1/diagnostics/noop", "request": {"n": 1}, "metadata": {"batch": "b1"}}
CASES: dict[str, tuple[dict[str, str], Any]] = {
    "ok": ({"Api-Key": "key-a"}, NOOP),
    "gen-b key": ({"Api-Key": "key-gen-b"}, {**NOOP, "endpoint": "/v1/documents/parse"}),
    "gen-b header": (
        {"Api-Key": "key-a", "Jobstream-Endpoint-Names": "gen-b"},
        {**NOOP, "endpoint": "/v1/documents/parse"},
    ),
    "bad names header": ({"Api-Key": "key-a", "Jobstream-Endpoint-Names": "x"}, NOOP),
    "no key": ({}, NOOP),
    "unknown key": ({"Api-Key": "nope"}, NOOP),
    "not json": ({"Api-Key": "key-a"}, b"{nope"),
    "empty body": ({"Api-Key": "key-a"}, b""),
    "array body": ({"Api-Key": "key-a"}, []),
    "missing endpoint": ({"Api-Key": "key-a"}, {"request": {}}),
    "unknown endpoint": ({"Api-Key": "key-a"}, {**NOOP, "endpoint": "teleport"}),
    "request not an object": ({"Api-Key": "key-a"}, {**NOOP, "request": [1]}),
    "metadata not strings": ({"Api-Key": "key-a"}, {**NOOP, "metadata": {"a": 1}}),
    "too large": ({"Api-Key": "key-a"}, {**NOOP, "request": {"text": "x" * 5000}}),
    "empty idempotency key": ({"Api-Key": "key-a", "Idempotency-Key": ""}, NOOP),
    "text/plain": ({"Api-Key": "key-a", "Content-Type": "text/plain"}, b'{"endpoint":"noop"}'),
}

OK_CASES = {"ok", "gen-b key", "gen-b header"}


def post(client: TestClient, headers: dict[str, str], body: Any) -> tuple[int, Any, set[str]]:
    if isinstance(body, bytes):
        headers = {"Content-Type": "application/json", **headers}
        response = client.post("/v1/jobs", content=body, headers=headers)
    else:
        response = client.post("/v1/jobs", json=body, headers=headers)
    answer = response.json()
    if isinstance(answer, dict):
        for varying in ("id", "created_at", "updated_at", "expires_at"):
            answer.pop(varying, None)
    shown = {"idempotent-replayed", "content-type", "retry-after"} & set(response.headers)
    return response.status_code, answer, {f"{h}: {response.headers[h]}" for h in shown}


@pytest.mark.parametrize("case", CASES)
def test_the_fast_path_answers_as_the_route_does(fast: Gateway, routed: Gateway, case: str) -> None:
    headers, body = CASES[case]
    answer = post(fast.client, headers, body)
    assert answer == post(routed.client, headers, body)
    assert (answer[0] == 200) == (case in OK_CASES), answer
    if case.startswith("gen-b"):
        assert answer[1]["endpoint"] == "/v1/parses"


def test_a_keyed_create_replays_and_a_reused_key_conflicts_the_same_way(
    fast: Gateway, routed: Gateway
) -> None:
    keyed = {"Api-Key": "key-a", "Idempotency-Key": "k-1"}
    for gw in (fast, routed):
        first = gw.client.post("/v1/jobs", json=NOOP, headers=keyed)
        again = gw.client.post("/v1/jobs", json=NOOP, headers=keyed)
        assert again.json()["id"] == first.json()["id"]
        assert again.headers["Idempotent-Replayed"] == "true"
        assert len(gw.store.records) == 1
    assert post(fast.client, keyed, {**NOOP, "metadata": {"batch": "other"}}) == post(
        routed.client, keyed, {**NOOP, "metadata": {"batch": "other"}}
    )


def test_a_well_formed_create_does_not_go_through_the_route(fast: Gateway) -> None:
    def no_route() -> GatewayDeps:
        raise AssertionError("the FastAPI route ran")

    fast.client.app.dependency_overrides[get_deps] = no_route  # type: ignore[attr-defined]
    created = fast.client.post("/v1/jobs", json=NOOP, headers={"Api-Key": "key-a"})
    assert created.status_code == 200, created.text
    job = created.json()
    assert fast.store.records[job["id"]].status == job["status"] == "queued"
    assert [m.key for m in fast.publisher.sent] == [job["id"].encode()] * 2
    assert created.headers["x-request-id"]
