"""`metadata_pairs` elements are matched byte for byte by the list filter: the fast spelling of
plain strings must equal the JSON encoding for every string."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from jobstream.core.listing import encode_metadata_pair


@given(st.text(), st.text())
def test_the_encoding_is_compact_json_with_non_ascii_kept(key: str, value: str) -> None:
    expected = json.dumps([key, value], separators=(",", ":"), ensure_ascii=False)
    assert encode_metadata_pair(key, value) == expected


def test_quotes_backslashes_and_control_characters_are_escaped() -> None:
    assert encode_metadata_pair('a"b', "c\\d\n") == '["a\\"b","c\\\\d\\n"]'
