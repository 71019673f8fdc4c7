"""Identifiers: `job_` + 21 URL-safe characters, like the Retab API's, that sort by creation time.

The first 9 characters encode the creation time in milliseconds (42 bits) and a per-process
sequence number (12 bits) in an alphabet listed in ASCII order, so that ids compare (bytewise, as
MongoDB compares strings) in creation order; the other 12 are random (72 bits). Lists sort by
`(created_at, id)` and the public `created_at` is whole seconds, so jobs created within the same
second list in creation order rather than in random order. Ids from two gateways in the same
millisecond order by their random part.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Final

# The 64 URL-safe characters in ASCII order: "-" < digits < upper case < "_" < lower case.
_ALPHABET: Final = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
JOB_ID_LENGTH: Final = 21
_TIME_CHARS: Final = 9  # 54 bits: milliseconds << 12 | sequence
_SEQUENCE_BITS: Final = 12
_RANDOM_CHARS: Final = JOB_ID_LENGTH - _TIME_CHARS
_lock = threading.Lock()
_last: list[int] = [0]  # the last (ms << 12 | sequence) handed out by this process


def _encode(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 64)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def _next_stamp(now_ms: int) -> int:
    """Strictly increasing within the process, even when the clock steps back."""
    with _lock:
        stamp = max(now_ms << _SEQUENCE_BITS, _last[0] + 1)
        _last[0] = stamp
        return stamp


def new_job_id(*, now_ms: int | None = None) -> str:
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    stamp = _encode(_next_stamp(ms), _TIME_CHARS)
    # 72 random bits in one read of the OS's generator (12 characters of 6 bits each)
    random_part = _encode(secrets.randbits(6 * _RANDOM_CHARS), _RANDOM_CHARS)
    return f"job_{stamp}{random_part}"


def looks_like_job_id(value: str) -> bool:
    body = value.removeprefix("job_")
    return value.startswith("job_") and len(body) == JOB_ID_LENGTH and set(body) <= set(_ALPHABET)
