"""List latency over a large read model: first page and a deep `after` page, p50 / p99.

The read model is seeded in bulk straight into MongoDB (documents exactly as the projector
writes them, one organization, creation times one second apart), then the gateway's
`GET /v1/jobs` is timed closed loop (one request at a time) for both pages, at each of several
sizes on the way up, so the growth is visible. Failed requests are counted, not fatal: the
gateway gives up on the database after its operation timeout (20 s) and answers 500. The same
query is also timed straight against the database without a timeout ("query_seconds"), so a
page too slow for the gateway still has a number.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import aiohttp
from pymongo import AsyncMongoClient

from bench.loadgen import percentiles
from bench.stack import BenchStack
from jobstream.adapters.mongo import MongoJobStore, to_document
from jobstream.core import listing
from jobstream.core.endpoints import NOOP_ENDPOINT
from jobstream.core.ids import new_job_id
from jobstream.core.record import JobRecord
from jobstream_schemas.api import JobResponse

TEMPLATE_ID = "job_" + "T" * 21
TEMPLATE_CREATED_AT = 1_000_000_000


def _template(organization_id: str) -> dict[str, Any]:
    record = JobRecord(
        id=TEMPLATE_ID,
        organization_id=organization_id,
        status="completed",
        endpoint=NOOP_ENDPOINT,
        slug="noop",
        created_at=TEMPLATE_CREATED_AT,
        expires_at=TEMPLATE_CREATED_AT + 7 * 86_400,
        metadata={"seeded": "true"},
        request={},
        response=JobResponse(status_code=200, body={"ok": True}),
        started_at=TEMPLATE_CREATED_AT,
        completed_at=TEMPLATE_CREATED_AT,
        attempt_count=1,
    )
    return to_document(record, offset=None)


async def seed_jobs(
    mongo_url: str, *, organization_id: str, count: int, newest_at: int, batch: int = 2000
) -> list[str]:
    """Insert `count` completed jobs, oldest first, one second apart up to `newest_at`.

    Returns the ids in creation order (oldest first). Documents are the template's with the
    id and times substituted, so seeding costs the database's time rather than pydantic's.
    """
    template = _template(organization_id)
    record_json: str = template["record"]
    created_text = str(TEMPLATE_CREATED_AT)
    expires_text = str(TEMPLATE_CREATED_AT + 7 * 86_400)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    ids: list[str] = []
    try:
        jobs = client["jobstream"]["jobs"]
        first = newest_at - count + 1
        for start in range(0, count, batch):
            docs = []
            for i in range(start, min(start + batch, count)):
                job_id = new_job_id()
                created = first + i
                expires = created + 7 * 86_400
                doc = dict(template)
                doc["_id"] = job_id
                doc["created_at"] = created
                doc["expires_at"] = expires
                doc["record"] = (
                    record_json.replace(TEMPLATE_ID, job_id)
                    .replace(expires_text, str(expires))
                    .replace(created_text, str(created))
                )
                docs.append(doc)
                ids.append(job_id)
            await jobs.insert_many(docs, ordered=False)
    finally:
        await client.close()
    return ids


async def time_list(bench: BenchStack, params: dict[str, str], *, requests: int) -> dict[str, Any]:
    """Closed-loop GET /v1/jobs with `params`, `requests` times: percentiles (ms) of the
    successful ones, failures by status."""
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    headers = {"Api-Key": bench.api_key}
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(bench.url, headers=headers, timeout=timeout) as session:
        for _ in range(requests):
            started = time.perf_counter()
            async with session.get("/v1/jobs", params=params) as resp:
                body = await resp.json()
            if resp.status == 200 and body.get("data"):
                latencies.append(time.perf_counter() - started)
            else:
                code = body.get("detail", {}).get("code") if isinstance(body, dict) else None
                failures[f"{resp.status} {code}"] += 1
    return {**percentiles(latencies), "failed": dict(failures)}


async def time_query(mongo_url: str, *, organization_id: str, after: str | None) -> float:
    """Seconds the gateway's list query takes straight against the database, no timeout."""
    params = {"limit": ["100"], **({"after": [after]} if after else {})}
    query = listing.parse_list_query(params)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        store = MongoJobStore(client["jobstream"])
        started = time.perf_counter()
        anchor = await store.anchor(after, organization_id=organization_id) if after else None
        await store.find(
            filter=listing.build_filter(query, organization_id=organization_id, anchor=anchor),
            sort=listing.sort_spec(query),
            limit=query.limit + 1,
        )
        return round(time.perf_counter() - started, 3)
    finally:
        await client.close()


async def run_list_latency(
    bench: BenchStack, *, sizes: list[int], requests: int, organization_id: str
) -> dict[str, Any]:
    """Seed up to each size in turn (oldest jobs first) and time both pages at each."""
    results: dict[str, Any] = {"limit": 100, "requests_per_page": requests, "sizes": {}}
    ids: list[str] = []
    newest_at = int(time.time()) - 86_400 - max(sizes)
    for size in sorted(sizes):
        started = time.monotonic()
        more = size - len(ids)
        ids += await seed_jobs(
            bench.mongo_url, organization_id=organization_id, count=more,
            newest_at=newest_at + size,
        )  # fmt: skip
        seeded = time.monotonic() - started
        deep = ids[len(ids) // 10]  # 90 % of the way down the newest-first order
        results["sizes"][str(size)] = {
            "seed_seconds": round(seeded, 1),
            "first_page": await time_list(bench, {"limit": "100"}, requests=requests),
            "deep_after_page": await time_list(
                bench, {"limit": "100", "after": deep}, requests=requests
            ),
            "query_seconds": {
                "first_page": await time_query(
                    bench.mongo_url, organization_id=organization_id, after=None
                ),
                "deep_after_page": await time_query(
                    bench.mongo_url, organization_id=organization_id, after=deep
                ),
            },
            "peak_rss_mib": bench.peak_rss_mib(["gateway", "ferretdb"]),
        }
    return results
