"""List-jobs query core: parse the query string, build the MongoDB filter and sort, shape the page.

Pure: no I/O. The gateway parses `GET /v1/jobs` parameters with `parse_list_query`, looks up the
cursor job (`cursor_lookup`, scoped to the caller's organization) to get its `(created_at, _id)`,
runs `find(build_filter(...)).sort(sort_spec(...)).limit(query.limit + 1)` and hands the result to
`page_envelope`. Pagination is keyset on `(created_at, _id)`, never skip.

Query-string conventions: list parameters may be repeated, comma-joined, or both (blank items are
dropped); a repeated scalar parameter takes its last value (as FastAPI does); scalars are
stripped (except the filename filters, where spaces matter) and an empty one counts as absent;
unknown parameters are ignored, since SDKs add their own.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Generic, Literal, TypeVar

T = TypeVar("T")

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 100
MAX_LIMIT_WITH_RESPONSE: Final = 20
MAX_FILENAME_REGEX: Final = 256
STATUSES: Final = frozenset(
    {"validating", "queued", "in_progress", "completed", "failed", "cancelled", "expired"}
)
SOURCES: Final = frozenset({"api", "project", "workflow"})

# Compound indexes of `jobs` for the list query shapes (MongoDB; FerretDB's SQLite
# backend ignores them). An index can be walked backwards, so one (org, created_at desc, _id desc)
# serves both orders and both cursor directions; status and endpoint are the common equality
# filters of a job dashboard and get their own prefix (a status `$in` becomes a sort-merge of
# per-status ranges). metadata_pairs is multikey and selective (a correlation id, a customer
# id), so it earns its write cost; filenames does not: `filename_contains` is an unanchored,
# case-insensitive regex that no index bounds, and the other filters (project, workflow, model,
# document type, source) are rare enough to ride the org-wide scan in created_at order.
LIST_INDEXES: Final[list[list[tuple[str, int]]]] = [
    [("organization_id", 1), ("created_at", -1), ("_id", -1)],
    [("organization_id", 1), ("status", 1), ("created_at", -1), ("_id", -1)],
    [("organization_id", 1), ("endpoint", 1), ("created_at", -1), ("_id", -1)],
    [("organization_id", 1), ("metadata_pairs", 1), ("created_at", -1), ("_id", -1)],
]

# ListQuery list attribute → (query parameters it is read from, stored field it filters). In the
# filter one value is an equality and several an `$in` (on array fields: any element matches).
_LIST_FILTERS: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "ids": (("id", "job_id"), "_id"),
    "statuses": (("status",), "status"),
    "endpoints": (("endpoint",), "endpoint"),
    "sources": (("source",), "source"),
    "project_ids": (("project_id",), "project_id"),
    "workflow_ids": (("workflow_id",), "workflow_id"),
    "workflow_node_ids": (("workflow_node_id", "workflow_block_id"), "workflow_node_ids"),
    "models": (("model",), "model"),
    "document_types": (("document_type",), "document_types"),
}
_TRUE: Final = frozenset({"true", "1"})
_FALSE: Final = frozenset({"false", "0"})
# One token of the filename_regex subset: `.`, a backslash before an ASCII character that is not
# a letter or digit, or any character that is not a regex metacharacter.
_SAFE_TOKEN: Final = re.compile(r"\.|\\[\x00-/:-@\[-`{-\x7f]|[^\\^$.|?*+()\[\]{}]")


class ListQueryError(ValueError):
    """A list parameter is invalid; the gateway answers 422 `invalid_query` naming `field`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ListQuery:
    """A validated `GET /v1/jobs` query. Lists are de-duplicated and keep their request order."""

    limit: int = DEFAULT_LIMIT
    order: Literal["asc", "desc"] = "desc"
    after: str | None = None
    before: str | None = None
    ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    project_ids: tuple[str, ...] = ()
    workflow_ids: tuple[str, ...] = ()
    workflow_node_ids: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    filename_contains: str | None = None
    filename_regex: str | None = None
    document_types: tuple[str, ...] = ()
    from_date: date | None = None
    to_date: date | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    include_request: bool = False
    include_response: bool = False


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list answer, with the fields of the public list envelope.

    `has_more` means more items exist in the direction of travel (Stripe-like): after `last_id`
    for a first or `after` page, before `first_id` for a `before` page.
    """

    data: list[T]
    first_id: str | None
    last_id: str | None
    has_more: bool
    list_metadata_before: str | None
    list_metadata_after: str | None


def encode_metadata_pair(key: str, value: str) -> str:
    """The `metadata_pairs` element stored for one metadata pair (and matched by the filter):
    compact JSON, non-ASCII kept (plain strings are spelled out directly; same bytes)."""
    if _PLAIN.fullmatch(key) and _PLAIN.fullmatch(value):
        return f'["{key}","{value}"]'
    return json.dumps([key, value], separators=(",", ":"), ensure_ascii=False)


_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')


def document_type_of(name: str) -> str:
    """Normalize a document type: lowercase, without a leading dot (`.PDF` → `pdf`)."""
    return name.strip().lower().lstrip(".")


def parse_list_query(params: Mapping[str, Sequence[str]]) -> ListQuery:
    """Validate the query parameters (a multi-dict: name → every value in order).

    Raises `ListQueryError` naming the offending parameter.
    """
    lists = {attr: _list_param(params, names) for attr, (names, _) in _LIST_FILTERS.items()}
    statuses = _allowed("status", lists["statuses"], STATUSES)
    sources = _allowed("source", lists["sources"], SOURCES)
    after, before = _scalar(params, "after"), _scalar(params, "before")
    if after is not None and before is not None:
        raise ListQueryError("before", "after and before are mutually exclusive")
    include_response = _bool_param(params, "include_response")
    return ListQuery(
        limit=_limit(params, include_response=include_response),
        order=_order(params),
        after=after,
        before=before,
        ids=lists["ids"],
        statuses=statuses,
        endpoints=lists["endpoints"],
        sources=sources,
        project_ids=lists["project_ids"],
        workflow_ids=lists["workflow_ids"],
        workflow_node_ids=lists["workflow_node_ids"],
        models=lists["models"],
        filename_contains=_scalar(params, "filename_contains", strip=False),
        filename_regex=_filename_regex(params),
        document_types=_document_types(lists["document_types"]),
        from_date=_date_param(params, "from_date"),
        to_date=_date_param(params, "to_date"),
        metadata=_metadata(params),
        include_request=_bool_param(params, "include_request"),
        include_response=include_response,
    )


def check_filename_regex(pattern: str) -> None:
    """Accept only the safe `filename_regex` subset, else raise `ListQueryError`.

    The subset: at most 256 characters; an optional leading `^`, then a body, then an optional
    trailing unescaped `$`. The body is a sequence of: `.` (any character but a newline); a
    backslash followed by an ASCII character that is not a letter or digit (that character
    literally, e.g. `\\.`, `\\(`, `\\$`, `\\\\`); or any other character that is not one of
    `\\ ^ $ . | ? * + ( ) [ ] { }`. So no quantifiers, groups, lookarounds, alternation, character
    classes (nor `\\d`, `\\w`, `\\b`, …), backreferences or inline flags; `re.escape` of any
    text is in the subset. Matching is a case-sensitive search, so without `^` it matches
    anywhere in a filename. Every such pattern means the same in Python `re`, PCRE (MongoDB) and
    Go RE2 (FerretDB), and runs in linear time.
    """
    if len(pattern) > MAX_FILENAME_REGEX:
        raise ListQueryError("filename_regex", f"longer than {MAX_FILENAME_REGEX} characters")
    body = pattern.removeprefix("^")
    if body.endswith("$") and not _ends_escaped(body[:-1]):
        body = body[:-1]
    position = 0
    while position < len(body):
        token = _SAFE_TOKEN.match(body, position)
        if token is None:
            raise ListQueryError(
                "filename_regex",
                f"unsupported regex syntax at {body[position : position + 2]!r}: only a literal, "
                "optionally ^-anchored, with `.` and backslash-escaped punctuation is allowed",
            )
        position = token.end()
    try:
        re.compile(pattern)
    except re.error as exc:  # the subset always compiles; keep the check as a safety net
        raise ListQueryError("filename_regex", f"invalid regex: {exc}") from exc


def cursor_lookup(query: ListQuery, *, organization_id: str) -> dict[str, Any] | None:
    """The filter finding the `after`/`before` job, in the caller's organization only; or None."""
    cursor = query.after if query.after is not None else query.before
    if cursor is None:
        return None
    return {"_id": cursor, "organization_id": organization_id}


def build_filter(
    query: ListQuery, *, organization_id: str, anchor: tuple[int, str] | None
) -> dict[str, Any]:
    """The MongoDB filter of a list page.

    `anchor` is the `(created_at, _id)` of the job named by `after`/`before` (None without a
    cursor). A cursor whose job was not found (missing or another organization's) raises
    `ListQueryError` on that parameter.
    """
    clauses: list[dict[str, Any]] = [{"organization_id": organization_id}]
    for attr, (_, key) in _LIST_FILTERS.items():
        values: tuple[str, ...] = getattr(query, attr)
        if attr == "document_types":
            values = _document_types(values)
        if values:
            clauses.append({key: values[0] if len(values) == 1 else {"$in": list(values)}})
    if query.metadata:
        pairs = [encode_metadata_pair(k, v) for k, v in query.metadata.items()]
        clauses.append({"metadata_pairs": {"$all": pairs}})
    if query.filename_contains is not None:
        contains = {"$regex": re.escape(query.filename_contains), "$options": "i"}
        clauses.append({"filenames": contains})
    if query.filename_regex is not None:
        clauses.append({"filenames": {"$regex": query.filename_regex}})
    clauses += _date_clauses(query)
    clauses += _anchor_clauses(query, anchor)
    return _combine(clauses)


def sort_spec(query: ListQuery) -> list[tuple[str, int]]:
    """Sort keys of the fetch: `order`, reversed for a `before` page (flipped back later)."""
    direction = -1 if query.order == "desc" else 1
    if query.before is not None:
        direction = -direction
    return [("created_at", direction), ("_id", direction)]


def page_envelope(
    docs_in_query_order: Sequence[T], *, query: ListQuery, id_of: Callable[[T], str]
) -> Page[T]:
    """Shape up to `limit + 1` items fetched in `sort_spec` order into a page in `order`.

    The extra item only proves there are more in the direction of travel; it is never returned.
    For a `before` page that means more items before `first_id`, so a client walking backwards
    stops when `has_more` is false.
    """
    has_more = len(docs_in_query_order) > query.limit
    data = list(docs_in_query_order[: query.limit])
    if query.before is not None:
        data.reverse()
    first_id = id_of(data[0]) if data else None
    last_id = id_of(data[-1]) if data else None
    return Page(
        data=data,
        first_id=first_id,
        last_id=last_id,
        has_more=has_more,
        list_metadata_before=first_id,
        list_metadata_after=last_id if has_more else None,
    )


def _date_clauses(query: ListQuery) -> list[dict[str, Any]]:
    bounds: dict[str, int] = {}
    if query.from_date is not None:
        bounds["$gte"] = _midnight_utc(query.from_date)
    if query.to_date is not None:
        # Inclusive day: strictly before the next midnight (no timedelta, so 9999-12-31 works).
        bounds["$lt"] = _midnight_utc(query.to_date) + 86_400
    return [{"created_at": bounds}] if bounds else []


def _anchor_clauses(query: ListQuery, anchor: tuple[int, str] | None) -> list[dict[str, Any]]:
    cursor_field = "after" if query.after is not None else "before"
    if query.after is None and query.before is None:
        if anchor is not None:
            raise ValueError("anchor given for a query without after/before")
        return []
    if anchor is None:
        raise ListQueryError(cursor_field, "no such job")
    # after+desc and before+asc walk towards smaller keys; the other two towards larger ones.
    smaller = (query.order == "desc") == (cursor_field == "after")
    op = "$lt" if smaller else "$gt"
    created_at, job_id = anchor
    keyset = [{"created_at": {op: created_at}}, {"created_at": created_at, "_id": {op: job_id}}]
    return [{"$or": keyset}]


def _combine(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for clause in clauses:
        if merged.keys() & clause.keys():
            return {"$and": clauses}
        merged.update(clause)
    return merged


def _midnight_utc(day: date) -> int:
    return calendar.timegm(day.timetuple())


def _values(params: Mapping[str, Sequence[str]], name: str) -> Sequence[str]:
    values = params.get(name, ())
    return (values,) if isinstance(values, str) else values


def _list_param(params: Mapping[str, Sequence[str]], names: tuple[str, ...]) -> tuple[str, ...]:
    items = (
        item.strip()
        for name in names
        for value in _values(params, name)
        for item in value.split(",")
    )
    return tuple(dict.fromkeys(item for item in items if item))


def _scalar(params: Mapping[str, Sequence[str]], name: str, *, strip: bool = True) -> str | None:
    values = _values(params, name)
    value = values[-1] if values else ""
    return (value.strip() if strip else value) or None


def _allowed(name: str, values: tuple[str, ...], allowed: frozenset[str]) -> tuple[str, ...]:
    lowered = tuple(dict.fromkeys(v.lower() for v in values))
    unknown = [v for v in lowered if v not in allowed]
    if unknown:
        raise ListQueryError(
            name, f"unknown value {unknown[0]!r}; expected one of {', '.join(sorted(allowed))}"
        )
    return lowered


def _document_types(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in map(document_type_of, values) if t))


def _filename_regex(params: Mapping[str, Sequence[str]]) -> str | None:
    pattern = _scalar(params, "filename_regex", strip=False)
    if pattern is not None:
        check_filename_regex(pattern)
    return pattern


def _bool_param(params: Mapping[str, Sequence[str]], name: str) -> bool:
    value = _scalar(params, name)
    if value is None or value.lower() in _FALSE:
        return False
    if value.lower() in _TRUE:
        return True
    raise ListQueryError(name, f"expected true or false, got {value!r}")


def _limit(params: Mapping[str, Sequence[str]], *, include_response: bool) -> int:
    value = _scalar(params, "limit")
    if value is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,4}", value) or not 1 <= int(value) <= MAX_LIMIT:
        raise ListQueryError("limit", f"expected an integer from 1 to {MAX_LIMIT}, got {value!r}")
    if include_response and int(value) > MAX_LIMIT_WITH_RESPONSE:
        raise ListQueryError(
            "limit", f"at most {MAX_LIMIT_WITH_RESPONSE} with include_response=true"
        )
    return int(value)


def _order(params: Mapping[str, Sequence[str]]) -> Literal["asc", "desc"]:
    value = (_scalar(params, "order") or "desc").lower()
    if value == "asc":
        return "asc"
    if value == "desc":
        return "desc"
    raise ListQueryError("order", f"expected asc or desc, got {value!r}")


def _date_param(params: Mapping[str, Sequence[str]], name: str) -> date | None:
    value = _scalar(params, name)
    if value is None:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ListQueryError(name, f"expected a date YYYY-MM-DD, got {value!r}") from None


def _metadata(params: Mapping[str, Sequence[str]]) -> dict[str, str]:
    value = _scalar(params, "metadata")
    if value is None:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        raise ListQueryError("metadata", "expected a JSON object") from None
    if not isinstance(parsed, dict):
        raise ListQueryError("metadata", "expected a JSON object")
    if not all(isinstance(v, str) for v in parsed.values()):
        raise ListQueryError("metadata", "every metadata value must be a string")
    return parsed


def _ends_escaped(text: str) -> bool:
    """Whether `text` ends inside an escape, i.e. with an odd number of backslashes."""
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1
