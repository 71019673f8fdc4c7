"""The janitor on FerretDB with many jobs stored: an idle pass sends the store nothing, and a pass
over a due bucket reads only by `_id` (equality or `$in`, the filters FerretDB serves from its
`_id` index); a bucket filed in many chunks, and once more after a crash, yields each job once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from jobstream.adapters.mongo import MongoJobStore, to_document
from jobstream.adapters.mongo_expiry import MongoExpiryIndex
from jobstream.core.expiry import bucket_minute
from jobstream.core.record import JobRecord
from jobstream.core.state import apply
from jobstream.devstack.stack import StackLayout
from jobstream.janitor.expiry import ExpirySweep
from jobstream.settings import JanitorSettings
from tests.integration.monitored import Commands, monitored_database
from tests.unit.test_state import created

pytestmark = pytest.mark.integration
NOW = 1_780_000_020.0  # the start of a minute
STORED, DUE = 5_000, 40


class Sent:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def send_unordered(self, messages: list[Any]) -> None:
        self.messages += messages


@pytest.fixture
async def store(infra_stack: StackLayout) -> AsyncIterator[tuple[Any, Commands]]:
    async with monitored_database(infra_stack.ports.mongo_url, "janitor") as (db, commands):
        template = cast(JobRecord, apply(None, created()).job)
        far = int(NOW) + 7 * 86400
        docs = [
            to_document(
                template.model_copy(
                    update={"id": f"job_{i:021d}", "expires_at": far if i >= DUE else int(NOW) + 5}
                ),
                offset=None,
            )
            for i in range(STORED)
        ]
        for start in range(0, STORED, 1000):
            await db.jobs.insert_many(docs[start : start + 1000])
        yield db, commands


async def test_idle_and_due_passes_read_only_by_id(store: tuple[Any, Commands]) -> None:
    db, commands = store
    index, sent = MongoExpiryIndex(db), Sent()
    minute = bucket_minute(due_at=int(NOW) + 5, now=NOW)
    await index.file(
        kind="expire", partition=2, by_minute={minute: [f"job_{i:021d}" for i in range(DUE)]}
    )
    sweep = ExpirySweep(
        JanitorSettings(first_sweep_lookback_buckets=0), MongoJobStore(db), index,
        cast(Any, sent), cast(Any, None), partitions=6,
    )  # fmt: skip
    await sweep.run(now=NOW)
    commands.seen.clear()
    await sweep.run(now=NOW + 50)  # nothing passed since: nothing is read
    assert commands.seen == []

    expired, _ = await sweep.run(now=(minute + 1) * 60)
    assert expired == len(sent.messages) == DUE
    finds = [cmd for name, cmd in commands.seen if name == "find"]
    assert finds, "nothing was read: nothing tested"
    for cmd in finds:  # by `_id`, equal to one or in a list (both served by the `_id` index)
        by_id = cmd["filter"].get("_id")
        listed = by_id.get("$in") if isinstance(by_id, dict) else None
        assert set(cmd["filter"]) == {"_id"}, cmd["filter"]
        assert isinstance(by_id, str) or (
            set(by_id) == {"$in"} and all(isinstance(i, str) for i in listed)
        ), cmd["filter"]
    (jobs_read,) = [cmd for cmd in finds if cmd["find"] == "jobs"]  # the due bucket's, at once
    assert sorted(jobs_read["filter"]["_id"]["$in"]) == [f"job_{i:021d}" for i in range(DUE)]


async def test_a_bucket_filed_in_chunks_and_again_yields_each_job_once(
    store: tuple[Any, Commands],
) -> None:
    db, _ = store
    index = MongoExpiryIndex(db)
    minute = bucket_minute(due_at=int(NOW) + 5, now=NOW)
    ids = [f"job_{i:021d}" for i in range(120)]
    for start in range(0, 120, 10):  # twelve projector batches
        await index.file(kind="expire", partition=1, by_minute={minute: ids[start : start + 10]})
    await index.file(kind="expire", partition=1, by_minute={minute: ids[30:40]})  # redelivered
    await index.file(kind="expire", partition=1, by_minute={minute: ids[35:45]})  # new boundary
    assert await index.bucket(kind="expire", minute=minute, partition=1) == ids
    header = await db.expiry_index.find_one({"_id": f"expire:{minute}:p1"})
    assert len(header["chunks"]) == 13 and "jobs" not in header
    await index.drop(kind="expire", minute=minute, partition=1)
    assert await index.bucket(kind="expire", minute=minute, partition=1) == []
    assert await db.expiry_index.count_documents({}) == 0
