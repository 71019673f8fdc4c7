"""The outbox's stored form gives back every message byte for byte, whatever the bytes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jobstream.adapters.outbox_codec import (
    OutboxMessage,
    compress_messages,
    decompress_messages,
    pack_messages,
    unpack_messages,
)

messages = st.lists(
    st.builds(
        OutboxMessage,
        topic=st.text(min_size=1, max_size=40),
        key=st.binary(max_size=40),
        value=st.binary(max_size=400),
        headers=st.lists(st.tuples(st.text(max_size=20), st.binary(max_size=60)), max_size=4).map(
            tuple
        ),
    ),
    max_size=20,
)


@given(messages)
def test_packed_messages_come_back_the_same_in_order(sent: list[OutboxMessage]) -> None:
    assert unpack_messages(pack_messages(sent)) == tuple(sent)


@given(messages)
def test_compressed_messages_come_back_the_same_in_order(sent: list[OutboxMessage]) -> None:
    assert decompress_messages(compress_messages(sent)) == tuple(sent)


def test_a_groups_entry_is_stored_far_smaller_than_its_messages() -> None:
    value = b'{"type":"job.created.v1","organization_id":"org_1","payload":{"slug":"noop"}}'
    sent = [OutboxMessage("jobs.events", f"job_{i:021d}".encode(), value, ()) for i in range(200)]
    assert len(compress_messages(sent)) * 5 < len(pack_messages(sent))
