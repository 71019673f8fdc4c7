"""Which minute bucket a job's expiry (or purge) is filed under. Pure.

Expiry is driven by `_id`-addressed buckets instead of a query over every job (on FerretDB every
query but `_id` equality reads the whole collection): the projector files each job under the
minute (`JOBSTREAM_EXPIRY_BUCKET_SECONDS`) its `expires_at` falls in, per events partition (one
writer per bucket document), and the janitor reads the buckets of minutes that have passed.

A bucket is never filed for a minute that has already begun: a lagging projector (or a retention
so short the job is due on arrival) files it under the next minute, which the janitor has not
read yet (it reads a minute only once it has passed), so no job is filed behind the janitor's
cursor, with clocks in step to within a minute.
"""

from __future__ import annotations

from typing import Literal

BucketKind = Literal["expire", "purge"]


def bucket_minute(*, due_at: int, now: float, seconds: int = 60) -> int:
    """The bucket (of `seconds`, a minute by default) a job due at `due_at` is filed under, seen
    at `now`: its due bucket, or the next one when that has begun already."""
    return max(due_at // seconds, int(now) // seconds + 1)


def last_passed_minute(now: float, *, seconds: int = 60) -> int:
    """The newest bucket that has fully passed at `now`: the janitor reads up to it."""
    return int(now) // seconds - 1


def bucket_id(kind: BucketKind, minute: int, partition: int) -> str:
    return f"{kind}:{minute}:p{partition}"
