"""The list query core against FerretDB: every emitted operator is accepted and paging is exact.

Seeds ~250 jobs of two organizations (many sharing a `created_at`), creates `LIST_INDEXES`, then
walks every filter forwards with `after` and backwards with `before`, in both orders, and compares
with what plain Python says should match.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from jobstream.core.listing import (
    LIST_INDEXES,
    ListQuery,
    ListQueryError,
    Page,
    build_filter,
    cursor_lookup,
    encode_metadata_pair,
    page_envelope,
    parse_list_query,
    sort_spec,
)
from jobstream.devstack.stack import StackLayout

pytestmark = pytest.mark.integration

Doc = dict[str, Any]
Jobs = AsyncCollection[Doc]
ORG, OTHER = "org_main", "org_other"
DAY0 = 1_772_323_200  # 2026-03-01T00:00:00Z
FILENAMES = ["Invoice_7.PDF", "invoice-2026.pdf", "scan_01.png", "scan_1.png", "report (final).pdf"]
ENDPOINTS = ["/v1/documents/extract", "/v1/parses", "/v1/documents/split"]
STATUSES = ["queued", "in_progress", "completed", "failed", "cancelled"]


def make_job(rng: random.Random, org: str) -> Doc:
    filenames = rng.sample(FILENAMES, rng.randint(1, 2))
    metadata = {
        k: rng.choice(vals.split()) for k, vals in (("batch", "b0 b1 b2"), ("customer", "c0 c1"))
    }
    metadata = {k: v for k, v in metadata.items() if rng.random() < 0.7}
    workflow_id = rng.choice([None, "wf_1", "wf_2"])
    created_at = DAY0 + rng.randint(0, 40) * 4 * 3600  # ~7 days, many ties
    return {
        "_id": f"job_{uuid.UUID(int=rng.getrandbits(128)).hex[:21]}",
        "organization_id": org,
        "status": rng.choice(STATUSES),
        "endpoint": rng.choice(ENDPOINTS),
        "created_at": created_at,
        "expires_at": created_at + 7 * 86_400,
        "filenames": filenames,
        "document_types": sorted({name.rsplit(".", 1)[1].lower() for name in filenames}),
        "project_id": rng.choice([None, "proj_1"]),
        "model": rng.choice([None, "gpt-4.1", "retab-small"]),
        "workflow_id": workflow_id,
        "workflow_node_ids": [rng.choice(["node_1", "block_9"])] if workflow_id else [],
        "source": "workflow" if workflow_id else rng.choice(["api", "project"]),
        "metadata": metadata,
        "metadata_pairs": [encode_metadata_pair(k, v) for k, v in metadata.items()],
    }


@pytest.fixture(scope="module")
async def seeded(infra_stack: StackLayout) -> AsyncIterator[tuple[Jobs, list[Doc]]]:
    rng = random.Random(20260301)
    docs = [make_job(rng, ORG) for _ in range(200)] + [make_job(rng, OTHER) for _ in range(50)]
    client: AsyncMongoClient[Doc] = AsyncMongoClient(infra_stack.ports.mongo_url)
    database = f"it_listing_{uuid.uuid4().hex[:8]}"
    try:
        jobs = client[database]["jobs"]
        for keys in LIST_INDEXES:
            await jobs.create_index(keys)
        await jobs.insert_many(docs)
        yield jobs, docs
    finally:
        await client.drop_database(database)
        await client.close()


async def fetch(jobs: Jobs, query: ListQuery, org: str = ORG) -> Page[Doc]:
    lookup = cursor_lookup(query, organization_id=org)
    anchor = None
    if lookup is not None:
        found = await jobs.find_one(lookup, {"created_at": 1})
        anchor = (found["created_at"], found["_id"]) if found else None
    flt = build_filter(query, organization_id=org, anchor=anchor)
    cursor = jobs.find(flt).sort(sort_spec(query)).limit(query.limit + 1)
    return page_envelope(await cursor.to_list(), query=query, id_of=lambda d: str(d["_id"]))


async def walk_forward(jobs: Jobs, query: ListQuery) -> list[Page[Doc]]:
    pages = [await fetch(jobs, query)]
    while pages[-1].has_more:
        assert len(pages) < 300
        pages.append(await fetch(jobs, dataclasses.replace(query, after=pages[-1].last_id)))
    return pages


async def walk_backward(jobs: Jobs, query: ListQuery, start: Page[Doc]) -> list[Page[Doc]]:
    pages = [start]
    while pages[0].first_id is not None:
        page = await fetch(jobs, dataclasses.replace(query, before=pages[0].first_id))
        if not page.data:
            break
        pages.insert(0, page)
        if not page.has_more:
            break
        assert len(pages) < 300
    return pages


def flat(pages: list[Page[Doc]]) -> list[str]:
    return [d["_id"] for page in pages for d in page.data]


def names_match(doc: Doc, pattern: str, flags: int = 0) -> bool:
    return any(re.search(pattern, name, flags) for name in doc["filenames"])


Case = tuple[dict[str, str], Callable[[Doc], bool]]
CASES: dict[str, Case] = {
    "all": ({"limit": "9"}, lambda d: True),
    "statuses": ({"status": "failed,cancelled"}, lambda d: d["status"] in {"failed", "cancelled"}),
    "one-status": ({"status": "completed"}, lambda d: d["status"] == "completed"),
    "endpoint": ({"endpoint": "/v1/parses"}, lambda d: d["endpoint"] == "/v1/parses"),
    "metadata-one": (
        {"metadata": json.dumps({"batch": "b1"})},
        lambda d: d["metadata"].get("batch") == "b1",
    ),
    "metadata-two": (
        {"metadata": json.dumps({"batch": "b1", "customer": "c0"}), "limit": "3"},
        lambda d: d["metadata"].get("batch") == "b1" and d["metadata"].get("customer") == "c0",
    ),
    "dates": (
        {"from_date": "2026-03-02", "to_date": "2026-03-04"},
        lambda d: DAY0 + 86_400 <= d["created_at"] < DAY0 + 4 * 86_400,
    ),
    "contains": (
        {"filename_contains": "INVOICE"},
        lambda d: names_match(d, "invoice", re.IGNORECASE),
    ),
    "contains-metachars": (
        {"filename_contains": "(final).PDF"},
        lambda d: "report (final).pdf" in d["filenames"],
    ),
    "regex": ({"filename_regex": r"^scan_..\.png$"}, lambda d: "scan_01.png" in d["filenames"]),
    "regex-and-contains": (
        {"filename_regex": r"\.pdf$", "filename_contains": "-2026"},
        lambda d: names_match(d, r"\.pdf$") and names_match(d, "-2026"),
    ),
    "document-type": ({"document_type": ".PNG"}, lambda d: "png" in d["document_types"]),
    "source-project": ({"source": "project"}, lambda d: d["source"] == "project"),
    "workflow-block": (
        {"workflow_block_id": "block_9", "workflow_id": "wf_1,wf_2"},
        lambda d: "block_9" in d["workflow_node_ids"],
    ),
    "model-project": (
        {"model": "gpt-4.1", "project_id": "proj_1"},
        lambda d: d["model"] == "gpt-4.1" and d["project_id"] == "proj_1",
    ),
    "combined": (
        {
            "status": "queued,completed,failed",
            "metadata": json.dumps({"customer": "c1"}),
            "from_date": "2026-03-02",
            "document_type": "pdf",
            "limit": "2",
        },
        lambda d: d["status"] in {"queued", "completed", "failed"}
        and d["metadata"].get("customer") == "c1"
        and d["created_at"] >= DAY0 + 86_400
        and "pdf" in d["document_types"],
    ),
}


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("case", list(CASES))
async def test_walks_are_exact_in_both_directions(
    seeded: tuple[Jobs, list[Doc]], case: str, order: str
) -> None:
    jobs, docs = seeded
    params, predicate = CASES[case]
    query = parse_list_query(
        {"limit": ["7"], "order": [order]} | {k: [v] for k, v in params.items()}
    )
    mine = [d for d in docs if d["organization_id"] == ORG and predicate(d)]
    expected = [
        d["_id"]
        for d in sorted(mine, key=lambda d: (d["created_at"], d["_id"]), reverse=order == "desc")
    ]
    assert expected, "the seed should exercise every filter"

    forward = await walk_forward(jobs, query)
    assert flat(forward) == expected
    assert all(len(page.data) == query.limit for page in forward[:-1])
    backward = await walk_backward(jobs, query, forward[-1])
    assert flat(backward) == expected
    assert all(d["organization_id"] == ORG for page in forward + backward for d in page.data)


async def test_other_organization_is_invisible(seeded: tuple[Jobs, list[Doc]]) -> None:
    jobs, docs = seeded
    theirs = next(d for d in docs if d["organization_id"] == OTHER)
    page = await fetch(jobs, parse_list_query({"id": [theirs["_id"]]}))
    assert page.data == []
    with pytest.raises(ListQueryError) as info:
        await fetch(jobs, parse_list_query({"after": [theirs["_id"]]}))
    assert info.value.field == "after"
    page = await fetch(jobs, parse_list_query({"id": [theirs["_id"]]}), org=OTHER)
    assert [d["_id"] for d in page.data] == [theirs["_id"]]


async def test_ids_filter_and_indexes(seeded: tuple[Jobs, list[Doc]]) -> None:
    jobs, docs = seeded
    wanted = sorted((d for d in docs if d["organization_id"] == ORG), key=lambda d: d["_id"])[:3]
    query = parse_list_query({"id": [wanted[0]["_id"]], "job_id": [f"{wanted[1]['_id']},nope"]})
    page = await fetch(jobs, query)
    assert {d["_id"] for d in page.data} == {wanted[0]["_id"], wanted[1]["_id"]}
    assert not page.has_more
    names = {ix["name"] async for ix in await jobs.list_indexes()}
    assert "organization_id_1_created_at_-1__id_-1" in names
    assert len(names) == len(LIST_INDEXES) + 1  # and _id_
