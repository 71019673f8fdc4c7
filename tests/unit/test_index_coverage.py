"""Every list query shape the gateway emits is served by a declared index, in the order MongoDB
needs (equality fields, then the sort, then ranges on the sort keys): real MongoDB (docker-compose)
then reads only the page it returns. FerretDB ignores these indexes (it scans in Go); see
docs/decisions.md."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from jobstream.core.listing import LIST_INDEXES, build_filter, parse_list_query, sort_spec

INDEXED_FILTERS = {"status", "endpoint", "metadata_pairs"}
RANGE_OPS = {"$gt", "$gte", "$lt", "$lte"}
SHAPES: list[dict[str, list[str]]] = [
    {},
    {"status": ["completed"]},
    {"status": ["completed", "failed"]},
    {"endpoint": ["/v1/parses"]},
    {"metadata": ['{"batch":"b1"}']},
    {"metadata": ['{"batch":"b1","team":"x"}'], "status": ["failed"]},
    {"status": ["queued"], "endpoint": ["/v1/parses"]},
    {"from_date": ["2026-11-01"], "to_date": ["2026-11-30"]},
    {"status": ["completed"], "from_date": ["2026-11-01"]},
]


def fields(filter: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(equality fields, range fields) of a filter; `$in`/`$all` count as equality."""
    equality: set[str] = set()
    ranges: set[str] = set()
    for key, value in filter.items():
        if key == "$and":
            for clause in value:
                eq, rng = fields(clause)
                equality, ranges = equality | eq, ranges | rng
        elif key == "$or":  # the cursor's keyset: every field in it bounds the walk
            for clause in value:
                eq, rng = fields(clause)
                ranges |= eq | rng
        elif isinstance(value, dict) and set(value) & RANGE_OPS:
            ranges.add(key)
        else:
            equality.add(key)
    return equality, ranges


def serving_index(filter: dict[str, Any], sort: list[tuple[str, int]]) -> list[tuple[str, int]]:
    equality, ranges = fields(filter)
    for index in LIST_INDEXES:
        keys = [name for name, _ in index]
        n_equal = len(index) - len(sort)
        if n_equal < 1 or not set(keys[:n_equal]) <= equality:
            continue
        tail = index[n_equal:]
        same = all(f == s and d == sd for (f, d), (s, sd) in zip(tail, sort, strict=True))
        flipped = all(f == s and d == -sd for (f, d), (s, sd) in zip(tail, sort, strict=True))
        selective = not (equality & INDEXED_FILTERS) or set(keys[1:n_equal]) & INDEXED_FILTERS
        if (same or flipped) and ranges <= {s for s, _ in sort} and selective:
            return index
    raise AssertionError(f"no declared index serves {filter} sorted by {sort}")


@pytest.mark.parametrize(
    ("shape", "order", "cursor"),
    list(itertools.product(SHAPES, ["desc", "asc"], [None, "after", "before"])),
)
def test_every_list_shape_is_served_by_an_index(
    shape: dict[str, list[str]], order: str, cursor: str | None
) -> None:
    params = {**shape, "order": [order], **({cursor: ["job_anchor"]} if cursor else {})}
    query = parse_list_query(params)
    anchor = (1_780_000_000, "job_anchor") if cursor else None
    filter = build_filter(query, organization_id="org", anchor=anchor)
    assert serving_index(filter, sort_spec(query))[0] == ("organization_id", 1)


def test_the_checker_rejects_a_shape_no_index_serves() -> None:
    """The control: a sort no index has is refused."""
    with pytest.raises(AssertionError):
        serving_index({"organization_id": "org"}, [("expires_at", 1), ("_id", 1)])
