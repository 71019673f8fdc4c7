"""Which consumed messages are surely the first copy of themselves in the log.

Consumers skip their read-model check for those: the projector for `job.created`, the workers
for commands. Other messages, and everything before a consumer's assignment fence, are checked.

A message the gateway publishes can appear twice. When Kafka does not acknowledge in time, the
outbox relay publishes it again later, with a `relayed` header. Relayed copies may repeat a
message already in the log, so they are always checked. The gateway's own copy is usually the
first, but not always: its producer may hold a batch through a broker outage and deliver it once
the broker is back, after the relay's copy. aiokafka 0.14 can: a batch re-enqueued after a
failed send waits while the client refreshes metadata, and a batch's expiry is checked only
when a send fails or its partition has no leader, not when it is sent again.

So the gateway stamps each message with `relay-not-before`: the earliest time (its clock, ms)
at which the relay may publish a copy of it. The topics keep the broker's append time as each
record's timestamp (`message.timestamp.type=LogAppendTime`). A copy the broker appended more
than CLOCK_MARGIN_SECONDS before that time precedes every relayed copy. A copy without the
header, or on a topic that keeps the producer's time, is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from jobstream.adapters.mongo import OutboxMessage

RELAYED_HEADER = "relayed"
"""Set by the outbox relay on the copies it publishes."""

RELAY_NOT_BEFORE_HEADER = "relay-not-before"
"""Set by the gateway: the earliest time, in ms since the epoch, the relay may publish a copy."""

CLOCK_MARGIN_SECONDS = 5.0
"""How far apart the clocks of the gateway, the janitor and the brokers may be."""

LOG_APPEND_TIME = 1
"""A record's `timestamp_type` when its timestamp is the broker's append time."""

TOPIC_TIMESTAMPS = {"message.timestamp.type": "LogAppendTime"}
"""The config of the topics whose consumers apply this rule (adapters/kafka.py topic_plan)."""

Headers = Sequence[tuple[str, bytes]] | None


def _header(headers: Headers, name: str) -> bytes | None:
    return next((value for key, value in headers or () if key == name), None)


def is_relayed(headers: Headers) -> bool:
    """Whether the outbox relay published this copy."""
    return _header(headers, RELAYED_HEADER) is not None


def as_relayed(message: OutboxMessage) -> OutboxMessage:
    """The message as the relay publishes it: marked as a possible repeat."""
    if is_relayed(message.headers):
        return message
    return replace(message, headers=(*message.headers, (RELAYED_HEADER, b"1")))


def relayable_after(message: OutboxMessage, at: float) -> OutboxMessage:
    """The message stamped with the earliest time (`at`, seconds) the relay may copy it."""
    kept = tuple(h for h in message.headers if h[0] != RELAY_NOT_BEFORE_HEADER)
    return replace(message, headers=(*kept, (RELAY_NOT_BEFORE_HEADER, b"%d" % int(at * 1000))))


def may_repeat(headers: Headers, *, timestamp_ms: int, timestamp_type: int) -> bool:
    """Whether an earlier copy of this record may be in the log (see the module docstring)."""
    if is_relayed(headers) or timestamp_type != LOG_APPEND_TIME:
        return True
    stamp = _header(headers, RELAY_NOT_BEFORE_HEADER)
    try:
        not_before_ms = int(stamp or b"")
    except ValueError:
        return True
    return timestamp_ms >= not_before_ms - CLOCK_MARGIN_SECONDS * 1000


def surely_first_copy(*, offset: int, fence: int | None, repeatable: bool) -> bool:
    """Whether a consumed message is surely the first copy of itself in the log: it lies past
    the partition's fence (the partition's end when this consumer was assigned it, so no
    earlier owner handled it) and no earlier copy of it can be in the log (`may_repeat`)."""
    return fence is not None and offset >= fence and not repeatable
