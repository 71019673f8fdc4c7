"""The list-jobs query core: parsing, the filename regex subset, filters, sort, cursors, pages.

The paging properties run the emitted filters through a small in-memory evaluator that knows
exactly the MongoDB operators `build_filter` emits, and fails on any other.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream.core.listing import (
    ListQuery,
    ListQueryError,
    Page,
    build_filter,
    check_filename_regex,
    cursor_lookup,
    encode_metadata_pair,
    page_envelope,
    parse_list_query,
    sort_spec,
)

Doc = dict[str, Any]
ORG = "org_a"


def parse(**params: str | list[str]) -> ListQuery:
    return parse_list_query({k: [v] if isinstance(v, str) else v for k, v in params.items()})


def error_field(**params: str | list[str]) -> str:
    with pytest.raises(ListQueryError) as info:
        parse(**params)
    assert info.value.message
    return info.value.field


# ---- an in-memory evaluator of the emitted filter ------------------------------------------


def matches(doc: Doc, flt: dict[str, Any]) -> bool:
    for key, cond in flt.items():
        if key == "$and":
            ok = all(matches(doc, sub) for sub in cond)
        elif key == "$or":
            ok = any(matches(doc, sub) for sub in cond)
        else:
            assert not key.startswith("$"), f"unexpected top-level operator {key}"
            ok = field_matches(doc.get(key), cond)
        if not ok:
            return False
    return True


def field_matches(value: Any, cond: Any) -> bool:
    candidates = value if isinstance(value, list) else [value]
    if not (isinstance(cond, dict) and any(k.startswith("$") for k in cond)):
        return cond in candidates
    flags = re.IGNORECASE if "i" in cond.get("$options", "") else 0
    assert set(cond.get("$options", "")) <= {"i"}
    return all(
        op_matches(candidates, op, arg, flags) for op, arg in cond.items() if op != "$options"
    )


def op_matches(candidates: list[Any], op: str, arg: Any, flags: int) -> bool:
    present = [c for c in candidates if c is not None]
    if op == "$lt":
        return any(c < arg for c in present)
    if op == "$gt":
        return any(c > arg for c in present)
    if op == "$gte":
        return any(c >= arg for c in present)
    if op == "$in":
        return any(c in arg for c in candidates)
    if op == "$all":
        return all(a in candidates for a in arg)
    if op == "$regex":
        return any(isinstance(c, str) and re.search(arg, c, flags) for c in candidates)
    raise AssertionError(f"unexpected operator {op}")


def run(docs: Sequence[Doc], query: ListQuery, org: str = ORG) -> Page[Doc]:
    """What the gateway does against MongoDB, against a list."""
    lookup = cursor_lookup(query, organization_id=org)
    anchor = None
    if lookup is not None:
        found = [d for d in docs if matches(d, lookup)]
        anchor = (found[0]["created_at"], found[0]["_id"]) if found else None
    flt = build_filter(query, organization_id=org, anchor=anchor)
    ((_, direction), (id_field, id_direction)) = sort_spec(query)
    assert id_field == "_id"
    assert direction == id_direction
    hits = sorted(
        (d for d in docs if matches(d, flt)),
        key=lambda d: (d["created_at"], d["_id"]),
        reverse=direction == -1,
    )
    return page_envelope(hits[: query.limit + 1], query=query, id_of=lambda d: d["_id"])


def job(job_id: str, created_at: int, **fields: Any) -> Doc:
    return {"_id": job_id, "organization_id": ORG, "created_at": created_at, **fields}


# ---- parsing ------------------------------------------------------------------------------


def test_defaults() -> None:
    query = parse_list_query({})
    assert query == ListQuery()
    assert (query.limit, query.order, query.include_request, query.include_response) == (
        20,
        "desc",
        False,
        False,
    )


def test_lists_repeated_comma_joined_or_both_blanks_stripped_and_deduplicated() -> None:
    query = parse(status=["queued,failed", " completed ", "", "queued, ,"])
    assert query.statuses == ("queued", "failed", "completed")


def test_id_and_job_id_merge() -> None:
    assert parse(id="job_a,job_b", job_id=["job_c", "job_a"]).ids == ("job_a", "job_b", "job_c")


def test_node_and_block_ids_merge() -> None:
    query = parse(workflow_node_id="n1", workflow_block_id=["b1,n1"])
    assert query.workflow_node_ids == ("n1", "b1")


def test_every_list_parameter() -> None:
    query = parse(
        endpoint="/v1/documents/extract,/v1/parses",
        source="api,WORKFLOW",
        project_id="p1",
        workflow_id=["w1", "w2"],
        model="gpt-4.1",
        document_type=[".PDF,png", "pdf", "."],
    )
    assert query.endpoints == ("/v1/documents/extract", "/v1/parses")
    assert query.sources == ("api", "workflow")
    assert query.project_ids == ("p1",)
    assert query.workflow_ids == ("w1", "w2")
    assert query.models == ("gpt-4.1",)
    assert query.document_types == ("pdf", "png")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("1", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("", False),
    ],
)
def test_booleans(raw: str, expected: bool) -> None:
    query = parse(include_request=raw, include_response=raw)
    assert (query.include_request, query.include_response) == (expected, expected)


@pytest.mark.parametrize("name", ["include_request", "include_response"])
@pytest.mark.parametrize("raw", ["yes", "2", "t", "on", "truee"])
def test_bad_booleans(name: str, raw: str) -> None:
    assert error_field(**{name: raw}) == name


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("100", 100), ("20", 20), (" 7 ", 7)])
def test_limits(raw: str, expected: int) -> None:
    assert parse(limit=raw).limit == expected


@pytest.mark.parametrize("raw", ["0", "101", "-1", "ten", "1.5", "+5", "99999999999999"])
def test_bad_limits(raw: str) -> None:
    assert error_field(limit=raw) == "limit"


def test_limit_with_include_response() -> None:
    assert parse(include_response="true", limit="20").limit == 20
    assert parse(include_response="true").limit == 20
    assert parse(include_response="false", limit="100").limit == 100
    assert error_field(include_response="true", limit="21") == "limit"


def test_repeated_scalar_takes_the_last_value() -> None:
    assert parse(limit=["5", "7"]).limit == 7
    assert parse(order=["asc", "desc"]).order == "desc"


def test_order() -> None:
    assert parse(order="asc").order == "asc"
    assert parse(order="DESC").order == "desc"
    assert error_field(order="newest") == "order"


def test_after_before_exclusive() -> None:
    assert parse(after="job_1").after == "job_1"
    assert parse(before="job_1").before == "job_1"
    assert error_field(after="job_1", before="job_2") == "before"


def test_unknown_parameters_are_ignored() -> None:
    assert parse(foo="bar", page="3", expand="x") == ListQuery()


@pytest.mark.parametrize(("name", "raw"), [("status", "done"), ("status", "queued,nope")])
def test_bad_status(name: str, raw: str) -> None:
    assert error_field(**{name: raw}) == "status"


def test_statuses_and_sources_all_accepted() -> None:
    every = "validating,queued,in_progress,completed,failed,cancelled,expired"
    assert len(parse(status=every).statuses) == 7
    assert parse(source="api,project,workflow").sources == ("api", "project", "workflow")
    assert error_field(source="sdk") == "source"


def test_dates() -> None:
    query = parse(from_date="2026-01-31", to_date="2026-02-01")
    assert (query.from_date, query.to_date) == (date(2026, 1, 31), date(2026, 2, 1))


@pytest.mark.parametrize("name", ["from_date", "to_date"])
@pytest.mark.parametrize("raw", ["2026-02-30", "2026-1-5", "20260105", "2026-01-05T00:00:00", "x"])
def test_bad_dates(name: str, raw: str) -> None:
    assert error_field(**{name: raw}) == name


def test_metadata() -> None:
    raw = json.dumps({"batch": "b-1", "customer": "ünï"})
    assert parse(metadata=raw).metadata == {"batch": "b-1", "customer": "ünï"}
    assert parse(metadata="{}").metadata == {}


@pytest.mark.parametrize("raw", ["[1]", '"x"', "{bad", '{"a": 1}', '{"a": null}', '{"a": ["b"]}'])
def test_bad_metadata(raw: str) -> None:
    assert error_field(metadata=raw) == "metadata"


def test_filename_filters_keep_their_spaces() -> None:
    query = parse(filename_contains=" final ", filename_regex=r"^scan_ ")
    assert (query.filename_contains, query.filename_regex) == (" final ", "^scan_ ")
    assert parse(filename_contains="", filename_regex="") == ListQuery()


# ---- the filename_regex subset ------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        "invoice",
        "^invoice",
        r"^invoice_2026\.pdf$",
        r"\.pdf$",
        "scan..pdf",
        r"a\$b",
        r"\\server",
        r"report \(final\)",
        r"\[draft\]",
        r"a\{1\}",
        r"\*\+\?\|",
        "über-rechnung",
        "^",
        "$",
        "^$",
        "x" * 256,
        "^" + "x" * 255,
        re.escape("any text: (a|b) [c] {d} *+? ^$ \\ #~&-\t\n"),
    ],
)
def test_regex_subset_accepts(pattern: str) -> None:
    check_filename_regex(pattern)
    assert parse(filename_regex=pattern).filename_regex == (pattern or None)


@pytest.mark.parametrize(
    "pattern",
    [
        "inv.*",
        "a+",
        "colou?r",
        "a{2}",
        "a{",
        "(invoice)",
        "(?=x)",
        "(?i)invoice",
        r"(a)\1",
        r"\1",
        "a|b",
        "[abc]",
        "a]",
        "a}",
        ")",
        r"\d",
        r"\w+",
        r"\bword",
        r"\x41",
        r"\Ainvoice",
        "a^b",
        "a$b",
        "^^a",
        "a$$",
        "trailing\\",
        r"\é",
        "x" * 257,
    ],
)
def test_regex_subset_rejects(pattern: str) -> None:
    with pytest.raises(ListQueryError) as info:
        check_filename_regex(pattern)
    assert info.value.field == "filename_regex"
    assert error_field(filename_regex=pattern) == "filename_regex"


@given(st.text(max_size=60))
def test_regex_subset_contains_every_escaped_literal(text: str) -> None:
    check_filename_regex(re.escape(text))
    check_filename_regex("^" + re.escape(text) + "$")


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=20))
def test_regex_subset_only_compiles_to_literal_search(pattern: str) -> None:
    try:
        check_filename_regex(pattern)
    except ListQueryError:
        return
    compiled = re.compile(pattern)  # accepted patterns always compile
    assert compiled.groups == 0


# ---- filters ------------------------------------------------------------------------------


def flt(query: ListQuery | None = None, anchor: tuple[int, str] | None = None) -> dict[str, Any]:
    return build_filter(query or ListQuery(), organization_id=ORG, anchor=anchor)


def test_filter_is_always_scoped_to_the_organization() -> None:
    assert flt() == {"organization_id": ORG}
    other = {**job("job_1", 5), "organization_id": "org_b"}
    assert not matches(other, flt())
    assert matches(job("job_1", 5), flt())


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"id": "job_1"}, "_id"),
        ({"status": "queued"}, "status"),
        ({"endpoint": "/v1/parses"}, "endpoint"),
        ({"source": "project"}, "source"),
        ({"project_id": "p1"}, "project_id"),
        ({"workflow_id": "w1"}, "workflow_id"),
        ({"workflow_node_id": "n1"}, "workflow_node_ids"),
        ({"model": "m1"}, "model"),
        ({"document_type": "PDF"}, "document_types"),
    ],
)
def test_one_value_is_an_equality(params: dict[str, str], key: str) -> None:
    value = next(iter(params.values()))
    assert flt(parse(**params)) == {"organization_id": ORG, key: value.lower().lstrip(".")}


def test_several_values_are_an_in() -> None:
    query = parse(status="queued,failed", workflow_block_id="b1", workflow_node_id="n1")
    assert flt(query) == {
        "organization_id": ORG,
        "status": {"$in": ["queued", "failed"]},
        "workflow_node_ids": {"$in": ["n1", "b1"]},
    }


def test_document_types_are_normalized_even_when_built_by_hand() -> None:
    query = ListQuery(document_types=(".PDF", "Png", "pdf"))
    assert flt(query)["document_types"] == {"$in": ["pdf", "png"]}
    doc = job("job_1", 1, document_types=["jpg", "png"])
    assert matches(doc, flt(query))
    assert not matches(doc, flt(ListQuery(document_types=("pdf",))))


def test_array_fields_match_any_element() -> None:
    doc = job("job_1", 1, workflow_node_ids=["n1", "b7"], document_types=["pdf"])
    assert matches(doc, flt(parse(workflow_block_id="b7")))
    assert matches(doc, flt(parse(workflow_node_id="zz,n1")))
    assert not matches(doc, flt(parse(workflow_node_id="n2")))


def test_metadata_filter_requires_every_pair() -> None:
    query = parse(metadata=json.dumps({"batch": "b1", "who": "ünï"}))
    pairs = [encode_metadata_pair("batch", "b1"), encode_metadata_pair("who", "ünï")]
    assert flt(query) == {"organization_id": ORG, "metadata_pairs": {"$all": pairs}}
    assert pairs[1] == '["who","ünï"]'
    stored = [*pairs, encode_metadata_pair("x", "y")]
    assert matches(job("job_1", 1, metadata_pairs=stored), flt(query))
    assert not matches(job("job_1", 1, metadata_pairs=pairs[:1]), flt(query))


def test_metadata_pair_encoding_does_not_confuse_keys_and_values() -> None:
    assert encode_metadata_pair("a,b", "c") != encode_metadata_pair("a", "b,c")
    assert encode_metadata_pair('a"', "b") == '["a\\"","b"]'


def test_filename_contains_is_a_case_insensitive_escaped_regex() -> None:
    query = parse(filename_contains="Inv (1).PDF")
    assert flt(query) == {
        "organization_id": ORG,
        "filenames": {"$regex": re.escape("Inv (1).PDF"), "$options": "i"},
    }
    assert matches(job("j", 1, filenames=["a.png", "my inv (1).pdf"]), flt(query))
    assert not matches(job("j", 1, filenames=["inv (1)xpdf"]), flt(query))


def test_filename_regex_is_a_case_sensitive_regex() -> None:
    query = parse(filename_regex=r"^scan_..\.pdf$")
    assert flt(query) == {"organization_id": ORG, "filenames": {"$regex": r"^scan_..\.pdf$"}}
    assert matches(job("j", 1, filenames=["x", "scan_01.pdf"]), flt(query))
    assert not matches(job("j", 1, filenames=["SCAN_01.pdf", "ascan_01.pdf"]), flt(query))


def test_both_filename_filters_need_an_and() -> None:
    query = parse(filename_contains="inv", filename_regex=r"\.pdf$", status="failed")
    assert flt(query) == {
        "$and": [
            {"organization_id": ORG},
            {"status": "failed"},
            {"filenames": {"$regex": "inv", "$options": "i"}},
            {"filenames": {"$regex": r"\.pdf$"}},
        ]
    }
    doc = job("j", 1, status="failed", filenames=["INV.pdf"])
    assert matches(doc, flt(query))
    # Each filename filter is satisfied by some file of the job, not necessarily the same one.
    assert matches({**doc, "filenames": ["INV.png", "x.pdf"]}, flt(query))
    assert not matches({**doc, "filenames": ["INV.png", "x.txt"]}, flt(query))


def test_dates_are_inclusive_utc_days() -> None:
    query = parse(from_date="2026-03-01", to_date="2026-03-02")
    start, end = 1_772_323_200, 1_772_323_200 + 2 * 86_400  # 2026-03-01T00:00Z, 03-03T00:00Z
    assert flt(query) == {"organization_id": ORG, "created_at": {"$gte": start, "$lt": end}}
    assert matches(job("j", start), flt(query))
    assert matches(job("j", end - 1), flt(query))
    assert not matches(job("j", start - 1), flt(query))
    assert not matches(job("j", end), flt(query))
    assert flt(parse(to_date="9999-12-31"))["created_at"] == {"$lt": 253_402_300_800}
    assert flt(parse(from_date="1970-01-01"))["created_at"] == {"$gte": 0}


def test_same_day_range_and_reversed_range() -> None:
    day = flt(parse(from_date="1970-01-02", to_date="1970-01-02"))["created_at"]
    assert day == {"$gte": 86_400, "$lt": 172_800}
    empty = flt(parse(from_date="1970-01-03", to_date="1970-01-02"))["created_at"]
    assert empty == {"$gte": 172_800, "$lt": 172_800}  # matches nothing, no error


@pytest.mark.parametrize(
    ("cursor", "order", "op"),
    [
        ("after", "desc", "$lt"),
        ("after", "asc", "$gt"),
        ("before", "desc", "$gt"),
        ("before", "asc", "$lt"),
    ],
)
def test_cursor_operators(cursor: str, order: str, op: str) -> None:
    query = parse(**{cursor: "job_m", "order": order})
    assert flt(query, anchor=(50, "job_m")) == {
        "organization_id": ORG,
        "$or": [{"created_at": {op: 50}}, {"created_at": 50, "_id": {op: "job_m"}}],
    }


def test_cursor_combines_with_the_date_range_without_and() -> None:
    query = parse(after="job_m", from_date="1970-01-01", status="queued")
    assert set(flt(query, anchor=(5, "job_m"))) == {
        "organization_id",
        "status",
        "created_at",
        "$or",
    }


def test_cursor_lookup_is_scoped() -> None:
    assert cursor_lookup(ListQuery(), organization_id=ORG) is None
    assert cursor_lookup(parse(before="job_x"), organization_id=ORG) == {
        "_id": "job_x",
        "organization_id": ORG,
    }


def test_missing_cursor_job_is_a_query_error() -> None:
    for cursor in ("after", "before"):
        with pytest.raises(ListQueryError) as info:
            flt(parse(**{cursor: "job_gone"}), anchor=None)
        assert info.value.field == cursor


def test_anchor_without_cursor_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="anchor"):
        flt(ListQuery(), anchor=(1, "job_1"))


# ---- sort and pages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "direction"),
    [
        ({}, -1),
        ({"order": "asc"}, 1),
        ({"after": "j"}, -1),
        ({"after": "j", "order": "asc"}, 1),
        ({"before": "j"}, 1),
        ({"before": "j", "order": "asc"}, -1),
    ],
)
def test_sort_spec(params: dict[str, str], direction: int) -> None:
    assert sort_spec(parse(**params)) == [("created_at", direction), ("_id", direction)]


def ids(page: Page[str]) -> tuple[list[str], str | None, str | None, bool, str | None, str | None]:
    return (
        page.data,
        page.first_id,
        page.last_id,
        page.has_more,
        page.list_metadata_before,
        page.list_metadata_after,
    )


def envelope(items: list[str], **params: str) -> Page[str]:
    return page_envelope(items, query=parse(**params), id_of=lambda item: item)


def test_page_empty() -> None:
    assert ids(envelope([])) == ([], None, None, False, None, None)
    assert ids(envelope([], before="j")) == ([], None, None, False, None, None)


def test_page_forward_exact_and_extra() -> None:
    assert ids(envelope(["a", "b"], limit="2")) == (["a", "b"], "a", "b", False, "a", None)
    assert ids(envelope(["a", "b", "c"], limit="2")) == (["a", "b"], "a", "b", True, "a", "b")
    assert ids(envelope(["a"], limit="2", after="z")) == (["a"], "a", "a", False, "a", None)


def test_page_before_flips_back_and_has_more_means_more_before() -> None:
    # Fetched nearest-first in reverse order; the extra item is the farthest one back.
    page = envelope(["c", "b", "a"], limit="2", before="d")
    assert ids(page) == (["b", "c"], "b", "c", True, "b", "c")
    page = envelope(["c", "b"], limit="2", before="d")
    assert ids(page) == (["b", "c"], "b", "c", False, "b", None)
    page = envelope(["c", "b"], limit="2", before="d", order="asc")
    assert ids(page) == (["b", "c"], "b", "c", False, "b", None)


def test_pages_with_filters_against_the_evaluator() -> None:
    docs = [job(f"job_{i:02d}", i // 3, status="failed" if i % 2 else "queued") for i in range(20)]
    docs.append({**job("job_zz", 3, status="failed"), "organization_id": "org_b"})
    first = run(docs, parse(status="failed", limit="3"))
    assert first.data == [docs[i] for i in (19, 17, 15)]
    second = run(docs, parse(status="failed", limit="3", after=first.last_id or ""))
    assert [d["_id"] for d in second.data] == ["job_13", "job_11", "job_09"]
    back = run(docs, parse(status="failed", limit="3", before=second.first_id or ""))
    assert back.data == first.data
    assert not back.has_more


# ---- paging properties --------------------------------------------------------------------

Walk = Callable[[ListQuery], Page[Doc]]


def walk_forward(fetch: Walk, query: ListQuery) -> list[Page[Doc]]:
    pages = [fetch(query)]
    while pages[-1].has_more:
        assert len(pages) < 500, "paging does not terminate"
        assert pages[-1].list_metadata_after == pages[-1].last_id
        pages.append(fetch(dataclasses.replace(query, after=pages[-1].last_id)))
    return pages


def walk_backward(fetch: Walk, query: ListQuery, start: Page[Doc]) -> list[Page[Doc]]:
    pages = [start]
    while pages[0].first_id is not None:
        page = fetch(dataclasses.replace(query, after=None, before=pages[0].first_id))
        if not page.data:
            break
        pages.insert(0, page)
        if not page.has_more:
            break
        assert len(pages) < 500, "paging does not terminate"
    return pages


def flatten(pages: list[Page[Doc]]) -> list[str]:
    return [d["_id"] for page in pages for d in page.data]


items_strategy = st.dictionaries(
    keys=st.text(alphabet="abcdefgh", min_size=1, max_size=3).map(lambda s: f"job_{s}"),
    values=st.tuples(st.integers(0, 6), st.sampled_from(["queued", "failed"]), st.booleans()),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    items=items_strategy,
    limit=st.integers(1, 7),
    order=st.sampled_from(["asc", "desc"]),
    only_failed=st.booleans(),
)
def test_walks_visit_every_item_once_in_order(
    items: dict[str, tuple[int, str, bool]], limit: int, order: str, only_failed: bool
) -> None:
    docs = [
        {
            **job(job_id, created_at, status=status),
            "organization_id": ORG if mine else "org_b",
        }
        for job_id, (created_at, status, mine) in items.items()
    ]
    query = parse(limit=str(limit), order=order, status="failed" if only_failed else "")
    visible = [d for d in docs if d["organization_id"] == ORG]
    visible = [d for d in visible if d["status"] == "failed" or not only_failed]
    expected = [
        d["_id"]
        for d in sorted(visible, key=lambda d: (d["created_at"], d["_id"]), reverse=order == "desc")
    ]

    def fetch(q: ListQuery) -> Page[Doc]:
        return run(docs, q)

    forward = walk_forward(fetch, query)
    assert flatten(forward) == expected
    assert all(len(page.data) == limit for page in forward[:-1])
    assert not forward[-1].has_more
    backward = walk_backward(fetch, query, forward[-1])
    assert flatten(backward) == expected
    fetched_backward = backward[:-1]  # the last one is where the backward walk started
    assert all(len(page.data) == limit for page in fetched_backward[1:])
    assert all(page.has_more for page in fetched_backward[1:])
    assert not any(page.has_more for page in fetched_backward[:1])
