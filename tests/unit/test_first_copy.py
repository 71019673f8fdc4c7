"""A consumed copy is surely the first of its message only when the relay did not publish it and
the broker appended it before the relay could publish a copy (adapters/first_copy.py)."""

from __future__ import annotations

import pytest

from jobstream.adapters.first_copy import (
    CLOCK_MARGIN_SECONDS,
    LOG_APPEND_TIME,
    RELAY_NOT_BEFORE_HEADER,
    RELAYED_HEADER,
    as_relayed,
    may_repeat,
    relayable_after,
    surely_first_copy,
)
from jobstream.adapters.mongo import OutboxMessage

CREATE_TIME = 0
RELAY_AT = 1_800_000_000.0  # seconds
MARGIN_MS = int(CLOCK_MARGIN_SECONDS * 1000)


def stamped() -> OutboxMessage:
    return relayable_after(OutboxMessage("t", b"k", b"v", (("type", b"job.created"),)), RELAY_AT)


def repeatable(message: OutboxMessage, appended_ms: int, kind: int = LOG_APPEND_TIME) -> bool:
    return may_repeat(message.headers, timestamp_ms=appended_ms, timestamp_type=kind)


def test_the_gateway_stamps_the_relay_time_in_ms_once() -> None:
    message = relayable_after(stamped(), RELAY_AT + 60)
    assert message.headers == (
        ("type", b"job.created"), (RELAY_NOT_BEFORE_HEADER, b"%d" % ((RELAY_AT + 60) * 1000)),
    )  # fmt: skip


def test_a_copy_appended_well_before_the_relay_could_copy_it_is_the_first() -> None:
    assert repeatable(stamped(), int(RELAY_AT * 1000) - MARGIN_MS - 1) is False


@pytest.mark.parametrize("late_ms", [-MARGIN_MS, 0, 60_000])
def test_a_copy_appended_late_may_follow_a_relayed_one(late_ms: int) -> None:
    """The producer delivered it after an outage: the relay may already have copied it."""
    assert repeatable(stamped(), int(RELAY_AT * 1000) + late_ms) is True


def test_a_relayed_copy_may_repeat_whenever_it_was_appended() -> None:
    assert repeatable(as_relayed(stamped()), 0) is True


def test_without_the_broker_s_append_time_nothing_is_known() -> None:
    """On a topic that keeps the producer's time, the timestamp says nothing about delivery."""
    assert repeatable(stamped(), 0, kind=CREATE_TIME) is True


@pytest.mark.parametrize("value", [None, b"", b"soon"])
def test_a_copy_without_a_readable_relay_time_may_repeat(value: bytes | None) -> None:
    headers = (("type", b"job.created"),) + (
        () if value is None else ((RELAY_NOT_BEFORE_HEADER, value),)
    )
    assert may_repeat(headers, timestamp_ms=0, timestamp_type=LOG_APPEND_TIME) is True


def test_the_relay_marks_its_copies_once() -> None:
    message = OutboxMessage("t", b"k", b"v", (("type", b"job.created"),))
    once = as_relayed(message)
    assert as_relayed(once) == once
    assert once.headers == (("type", b"job.created"), (RELAYED_HEADER, b"1"))


@pytest.mark.parametrize(
    ("offset", "fence", "repeats", "first"),
    [(100, 100, False, True), (99, 100, False, False), (100, None, False, False),
     (100, 100, True, False)],
)  # fmt: skip
def test_first_copy_needs_the_fence_and_no_possible_repeat(
    offset: int, fence: int | None, repeats: bool, first: bool
) -> None:
    assert surely_first_copy(offset=offset, fence=fence, repeatable=repeats) is first
