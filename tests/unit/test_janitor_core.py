"""The janitor pass over in-memory fakes: the outbox relay, and expiry and purge driven by the
expiry index (only `_id` reads, nothing read while no bucket has passed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from jobstream.core.expiry import bucket_minute
from jobstream.core.record import JobRecord
from jobstream.core.state import apply
from jobstream.janitor.core import Janitor
from jobstream.janitor.expiry import ExpirySweep
from jobstream.settings import JanitorSettings
from jobstream_schemas.events import decode_event
from tests.unit.test_state import created

NOW = 1_780_000_020.0  # the start of a minute


class Fakes:
    """The outbox, job store, expiry index, publisher and blob store; records what was read."""

    def __init__(self) -> None:
        self.jobs: dict[str, JobRecord] = {}
        self.filed: dict[tuple[str, int, int], set[str]] = {}
        self.cursors: dict[str, int] = {}
        self.reads: list[str] = []
        self.sent: list[Any] = []
        self.deleted_prefixes: list[str] = []

    async def due(self, **_: Any) -> list[Any]:
        self.reads.append("outbox")
        return []

    async def depth(self) -> int:
        return 0

    async def get(self, job_id: str, **_: Any) -> JobRecord | None:
        self.reads.append(f"job {job_id}")
        return self.jobs.get(job_id)

    async def file(
        self, *, kind: str, partition: int, by_minute: Mapping[int, Sequence[str]]
    ) -> None:
        for minute, ids in by_minute.items():
            self.filed.setdefault((kind, minute, partition), set()).update(ids)

    async def get_many_with_offsets(self, job_ids: Sequence[str]) -> dict[str, Any]:
        self.reads += [f"job {job_id}" for job_id in job_ids]
        return {j: (self.jobs[j], -1) for j in job_ids if j in self.jobs}

    async def buckets(
        self, *, kind: str, minutes: Sequence[int], partitions: Sequence[int]
    ) -> dict[tuple[int, int], list[str]]:
        self.reads.append(f"query buckets {kind}")
        self.reads += [f"bucket {kind} {m} {p}" for m in minutes for p in partitions]
        return {
            (m, p): sorted(self.filed[(kind, m, p)])
            for m in minutes
            for p in partitions
            if (kind, m, p) in self.filed
        }

    async def drop(self, *, kind: str, minute: int, partition: int) -> None:
        self.filed.pop((kind, minute, partition), None)

    async def cursor(self, kind: str) -> int | None:
        return self.cursors.get(kind)

    async def set_cursor(self, kind: str, minute: int) -> None:
        self.cursors[kind] = minute

    async def send_unordered(self, messages: list[Any]) -> None:
        self.sent += [decode_event(m.value) for m in messages]

    async def delete_prefix(self, *, prefix: str) -> None:
        self.deleted_prefixes.append(prefix)

    def add_job(self, job_id: str, *, expires_at: int, status: str = "queued") -> JobRecord:
        job = cast(JobRecord, apply(None, created()).job).model_copy(
            update={"id": job_id, "expires_at": expires_at, "status": status}
        )
        self.jobs[job_id] = job
        return job


def janitor(fakes: Fakes, *, partitions: int = 2) -> Janitor:
    settings = JanitorSettings(first_sweep_lookback_buckets=0)
    f = cast(Any, fakes)
    sweep = ExpirySweep(settings, f, f, f, f, partitions=partitions)
    return Janitor(settings, f, f, sweep, None)


async def test_a_pass_with_no_bucket_passed_reads_no_job_and_no_bucket() -> None:
    fakes = Fakes()
    for i in range(1000):  # many jobs stored and filed, none due
        fakes.add_job(f"job_{i}", expires_at=int(NOW) + 7 * 86400)
    the_janitor = janitor(fakes)
    await the_janitor.run_pass(now=NOW)
    fakes.reads.clear()
    await the_janitor.run_pass(now=NOW + 30)  # same minute: nothing passed since
    assert fakes.reads == ["outbox"]


async def test_a_job_expires_after_its_bucket_passed_then_its_artifacts_are_purged() -> None:
    fakes = Fakes()
    the_janitor = janitor(fakes)
    await the_janitor.run_pass(now=NOW)  # the cursor starts at the last passed minute
    job = fakes.add_job("job_due", expires_at=int(NOW) + 90)
    minute = bucket_minute(due_at=job.expires_at, now=NOW)
    await fakes.file(kind="expire", partition=1, by_minute={minute: [job.id]})
    assert (await the_janitor.run_pass(now=job.expires_at - 1)).expired == 0
    report = await the_janitor.run_pass(now=(minute + 1) * 60)
    assert report.expired == 1
    assert [e.type for e in fakes.sent] == ["job.expired.v1"]
    assert ("expire", minute, 1) not in fakes.filed
    fakes.jobs[job.id] = job.model_copy(update={"status": "expired"})  # the projector applied it
    report = await the_janitor.run_pass(now=(minute + 3) * 60)
    assert report.purged == 1
    assert fakes.deleted_prefixes == [f"jobs/{job.id}/"]
    assert fakes.sent[-1].type == "job.artifacts_purged.v1"


async def test_a_retried_job_in_an_old_bucket_is_left_to_its_new_one() -> None:
    fakes = Fakes()
    the_janitor = janitor(fakes)
    await the_janitor.run_pass(now=NOW)
    minute = int(NOW) // 60 + 1
    fakes.add_job("job_retried", expires_at=int(NOW) + 7 * 86400)  # moved by the retry
    await fakes.file(kind="expire", partition=0, by_minute={minute: ["job_retried"]})
    report = await the_janitor.run_pass(now=(minute + 1) * 60)
    assert (report.expired, fakes.sent) == (0, [])


async def test_a_purge_before_the_expiry_was_applied_is_tried_again_next_minute() -> None:
    fakes = Fakes()
    the_janitor = janitor(fakes)
    await the_janitor.run_pass(now=NOW)
    job = fakes.add_job("job_slow", expires_at=int(NOW) + 10)  # expired, not yet applied
    minute = int(NOW) // 60 + 1
    await fakes.file(kind="purge", partition=0, by_minute={minute: [job.id]})
    later = (minute + 1) * 60
    assert (await the_janitor.run_pass(now=later)).purged == 0
    assert ("purge", minute + 1, 0) in fakes.filed or ("purge", minute + 2, 0) in fakes.filed


async def test_catching_up_after_downtime_reads_each_passed_bucket_once() -> None:
    fakes = Fakes()
    the_janitor = janitor(fakes, partitions=3)
    await the_janitor.run_pass(now=NOW)
    fakes.reads.clear()
    await the_janitor.run_pass(now=NOW + 10 * 60)  # ten minutes later
    buckets = [r for r in fakes.reads if r.startswith("bucket expire")]
    assert len(buckets) == len(set(buckets)) == 10 * 3
    assert fakes.reads.count("query buckets expire") == 1  # one query for all thirty
    assert not [r for r in fakes.reads if r.startswith("job ")]
