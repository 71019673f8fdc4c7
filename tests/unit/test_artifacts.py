"""Offloading large `data:` strings out of a request and restoring them byte-exact."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstream.adapters.blobs import (
    BlobNotFoundError,
    BlobStore,
    InMemoryBlobStore,
    fetch_refs,
    put_blobs,
)
from jobstream.core.artifacts import (
    BLOB_CONTENT_TYPE,
    ArtifactIntegrityError,
    ArtifactMissingError,
    ArtifactRef,
    apply_pointer_replacements,
    offload_large_strings,
    parse_pointer,
    placeholder_for,
    restore_strings,
)

PREFIX = "org_1/job_1/request"


def data_url(size: int, mime: str = "application/pdf") -> str:
    raw = bytes(i % 251 for i in range(size))
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def offload(request: dict[str, Any], threshold: int = 64) -> Any:
    return offload_large_strings(request, key_prefix=PREFIX, threshold_bytes=threshold)


def round_trip(request: dict[str, Any], threshold: int = 64) -> dict[str, Any]:
    stored, refs, blobs = offload(request, threshold)
    return restore_strings(stored, refs, {b.key: b.data for b in blobs})


def test_nested_dicts_and_lists_round_trip_in_walk_order() -> None:
    big_a, big_b, big_c = data_url(300), data_url(400, "image/png"), data_url(500)
    request = {
        "document": {"filename": "a.pdf", "url": big_a},
        "documents": [{"url": big_b}, [1, 2.5, None, True, {"deep": [big_c]}]],
        "model": "x",
    }
    stored, refs, blobs = offload(request)
    assert [r.pointer for r in refs] == [
        "/document/url",
        "/documents/0/url",
        "/documents/1/4/deep/0",
    ]
    assert [b.key for b in blobs] == [f"{PREFIX}/0", f"{PREFIX}/1", f"{PREFIX}/2"]
    assert [b.data for b in blobs] == [s.encode() for s in (big_a, big_b, big_c)]
    assert {b.content_type for b in blobs} == {BLOB_CONTENT_TYPE}
    assert stored["document"] == {"filename": "a.pdf", "url": placeholder_for(f"{PREFIX}/0")}
    assert stored["documents"][1][4]["deep"][0] == f"jobstream-artifact:{PREFIX}/2"
    assert restore_strings(stored, refs, {b.key: b.data for b in blobs}) == request


def test_threshold_is_strict_and_counts_utf8_bytes() -> None:
    at = "data:text/plain," + "x" * (64 - 16)  # exactly 64 bytes
    above = "data:text/plain," + "é" * 25  # 41 characters, 66 UTF-8 bytes
    plain = "y" * 1000  # long, but not a data: URL
    stored, refs, _ = offload({"at": at, "above": above, "plain": plain})
    assert len(at.encode()) == 64
    assert stored["at"] == at
    assert stored["plain"] == plain
    assert [r.pointer for r in refs] == ["/above"]
    assert refs[0].size == len(above.encode()) == 66


def test_nothing_to_offload_returns_an_equal_copy() -> None:
    request = {"a": [{"b": "data:,small"}], "n": 1}
    stored, refs, blobs = offload(request)
    assert (stored, refs, blobs) == (request, [], [])
    assert stored is not request
    assert stored["a"] is not request["a"]


def test_pointer_tokens_are_escaped_per_rfc6901() -> None:
    big = data_url(200)
    request = {"a/b": {"m~n": big}, "~1": [big], "": {"x": big}}
    stored, refs, _ = offload(request)
    assert [r.pointer for r in refs] == ["/a~1b/m~0n", "/~01/0", "//x"]
    assert stored["a/b"]["m~n"] == placeholder_for(f"{PREFIX}/0")
    assert parse_pointer("/a~1b/m~0n") == ["a/b", "m~n"]
    assert parse_pointer("/~01/0") == ["~1", "0"]
    assert round_trip(request) == request


def test_placeholder_lookalike_written_by_the_user_is_left_alone() -> None:
    big = data_url(200)
    lookalike = placeholder_for(f"{PREFIX}/0")
    request = {"note": lookalike, "doc": big}
    stored, refs, blobs = offload(request)
    assert stored == {"note": lookalike, "doc": lookalike}
    restored = restore_strings(stored, refs, {b.key: b.data for b in blobs})
    assert restored == request
    assert restored["note"] == lookalike


def test_inputs_are_never_mutated() -> None:
    request: dict[str, Any] = {
        "docs": [{"url": data_url(300)}, {"url": data_url(9)}],
        "k": {"v": [1]},
    }
    before = copy.deepcopy(request)
    stored, refs, blobs = offload(request)
    assert request == before
    stored_before = copy.deepcopy(stored)
    restored = restore_strings(stored, refs, {b.key: b.data for b in blobs})
    assert stored == stored_before
    assert restored == request
    restored["k"]["v"].append(2)
    assert request["k"]["v"] == [1]
    assert stored["k"]["v"] == [1]


def test_restore_detects_tampered_content() -> None:
    stored, refs, blobs = offload({"doc": data_url(300)})
    good = blobs[0].data
    flipped = bytes([good[0] ^ 1]) + good[1:]
    with pytest.raises(ArtifactIntegrityError) as same_size:
        restore_strings(stored, refs, {refs[0].key: flipped})
    assert same_size.value.key == refs[0].key
    assert "sha256" in str(same_size.value)
    with pytest.raises(ArtifactIntegrityError, match="size"):
        restore_strings(stored, refs, {refs[0].key: good + b"x"})


def test_restore_reports_missing_content_by_key() -> None:
    stored, refs, _ = offload({"a": data_url(300), "b": data_url(300)})
    with pytest.raises(ArtifactMissingError) as missing:
        restore_strings(stored, refs, {})
    assert missing.value.key == f"{PREFIX}/0"


def test_restore_refuses_a_pointer_that_does_not_hold_the_placeholder() -> None:
    _, refs, blobs = offload({"doc": data_url(300)})
    contents = {b.key: b.data for b in blobs}
    for broken in ({"doc": "something else"}, {}, {"doc": ["x"]}):
        with pytest.raises(ArtifactIntegrityError) as err:
            restore_strings(broken, refs, contents)
        assert err.value.key == refs[0].key


def test_apply_pointer_replacements_copies_and_checks() -> None:
    document = {"a": [{"b": "old"}]}
    assert apply_pointer_replacements(document, {"/a/0/b": ("old", "new")}) == {"a": [{"b": "new"}]}
    assert document == {"a": [{"b": "old"}]}
    with pytest.raises(LookupError):
        apply_pointer_replacements(document, {"/a/1/b": ("old", "new")})
    with pytest.raises(LookupError):
        apply_pointer_replacements(document, {"/a/0/b": ("other", "new")})


def test_lone_surrogates_round_trip() -> None:
    weird = json.loads('"data:text/plain,\\ud800' + "z" * 100 + '"')
    assert round_trip({"s": weird}) == {"s": weird}


def test_ref_dict_round_trip_and_validation() -> None:
    ref = ArtifactRef(key="k/0", pointer="/a~1b", size=3, sha256="ab")
    assert ArtifactRef.from_dict(json.loads(json.dumps(ref.to_dict()))) == ref
    with pytest.raises(ValueError, match="size"):
        ArtifactRef.from_dict({**ref.to_dict(), "size": True})
    with pytest.raises(ValueError, match="malformed"):
        ArtifactRef.from_dict({"key": "k"})


async def test_in_memory_store_put_blobs_fetch_refs_restore() -> None:
    store: BlobStore = InMemoryBlobStore()
    request = {"documents": [{"url": data_url(5000)}, {"url": data_url(7000)}]}
    stored, refs, blobs = offload(request)
    await put_blobs(store, blobs)
    contents = await fetch_refs(store, refs)
    assert restore_strings(stored, refs, contents) == request
    assert await store.delete_prefix(prefix=f"{PREFIX}/") == 2
    with pytest.raises(ArtifactMissingError):
        await fetch_refs(store, refs)
    with pytest.raises(BlobNotFoundError):
        await store.get(key=refs[0].key)
    with pytest.raises(ValueError, match="empty prefix"):
        await store.delete_prefix(prefix="")


# --- property: offload then restore is the identity ------------------------------------------

_data_urls = st.builds(
    lambda mime, body: f"data:{mime};base64,{body}",
    st.sampled_from(["application/pdf", "image/png", "text/plain"]),
    # Any code point, lone surrogates included: json.loads produces them from "\\ud800".
    st.text(st.characters(exclude_categories=()), max_size=120),
)
_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | _data_urls
    | st.just(placeholder_for(f"{PREFIX}/0"))
)
_json = st.recursive(
    _leaves,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(alphabet="ab/~0 ", max_size=4), children, max_size=5),
    max_leaves=30,
)
_requests = st.dictionaries(st.text(alphabet="ab/~1", max_size=4), _json, max_size=5)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(request=_requests, threshold=st.integers(min_value=0, max_value=80))
def test_property_restore_after_offload_is_identity(
    request: dict[str, Any], threshold: int
) -> None:
    before = copy.deepcopy(request)
    stored, refs, blobs = offload_large_strings(
        request, key_prefix=PREFIX, threshold_bytes=threshold
    )
    assert request == before
    assert len(refs) == len(blobs) == len({r.pointer for r in refs})
    assert all(b.data.decode("utf-8", "surrogatepass").startswith("data:") for b in blobs)
    restored = restore_strings(stored, refs, {b.key: b.data for b in blobs})
    assert restored == request
    assert json.dumps(restored, sort_keys=True) == json.dumps(request, sort_keys=True)
