"""The projector core against an in-memory store: what it reads, and that replays never regress."""

from __future__ import annotations

from collections.abc import Sequence

from jobstream.core.record import JobRecord
from jobstream.core.state import apply
from jobstream.projector.core import EventRecord, Projector
from jobstream_schemas.events import JobEvent, encode
from tests.unit.test_state import T0, created, make_event


class CountingStore:
    """Documents by id; counts read queries, documents read and documents written."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[JobRecord, int]] = {}
        self.queries = 0
        self.reads = 0
        self.writes = 0

    async def get_many_with_offsets(
        self, job_ids: Sequence[str]
    ) -> dict[str, tuple[JobRecord, int]]:
        self.queries += 1
        self.reads += len(job_ids)
        return {j: self.docs[j] for j in job_ids if j in self.docs}

    async def write_many(self, items: Sequence[tuple[JobRecord, int]]) -> None:
        self.writes += len(items)
        for record, offset in items:
            self.docs[record.id] = (record, offset)


def records(
    events: Sequence[JobEvent], *, first_offset: int, partition: int = 0, repeatable: bool = False
) -> list[EventRecord]:
    return [
        EventRecord(
            "jobs.events",
            partition,
            first_offset + i,
            e.job_id.encode(),
            encode(e),
            repeatable=repeatable,
        )
        for i, e in enumerate(events)
    ]


def history() -> list[JobEvent]:
    return [created(), make_event("started", 1, 1, T0), make_event("completed", 1, 1, T0)]


async def test_a_second_copy_of_job_created_never_puts_a_finished_job_back() -> None:
    """The outbox relay re-publishes job.created when the first copy's acknowledgement was lost;
    the copy lands at a later offset, possibly after a restart emptied the cache."""
    store = CountingStore()
    await Projector(store).apply_batch(records(history(), first_offset=10))  # type: ignore[arg-type]
    restarted = Projector(store)  # type: ignore[arg-type]
    await restarted.apply_batch(records(history()[:1], first_offset=500))
    record, _ = store.docs[created().job_id]
    assert record.status == "completed"


async def test_a_replay_after_a_crash_is_fenced_by_the_stored_offset() -> None:
    store = CountingStore()
    await Projector(store).apply_batch(records(history(), first_offset=10))  # type: ignore[arg-type]
    restarted = Projector(store)  # type: ignore[arg-type]
    await restarted.apply_batch(records(history()[:2], first_offset=10))
    record, offset = store.docs[created().job_id]
    assert (record.status, offset) == ("completed", 12)


async def test_the_misses_of_one_batch_are_read_in_one_query_and_hits_not_at_all() -> None:
    store = CountingStore()
    projector = Projector(store)  # type: ignore[arg-type]
    events = [
        make_event("started", 1, 1, T0).model_copy(update={"job_id": f"job_{i:021d}"})
        for i in range(20)
    ]
    await projector.apply_batch(records(events, first_offset=0))
    assert (store.queries, store.reads) == (1, 20)
    completed = [
        make_event("completed", 1, 1, T0).model_copy(update={"job_id": e.job_id})
        for e in events[:5]
    ]
    await projector.apply_batch(records(completed, first_offset=20))
    assert (store.queries, store.reads) == (1, 20)  # all five were cached


async def test_events_that_change_nothing_cause_no_write() -> None:
    """The gateway stores the job before publishing job.created: projecting it changes nothing."""
    store = CountingStore()
    stored = apply(None, created()).job
    assert stored is not None
    store.docs[stored.id] = (stored, -1)
    projector = Projector(store)  # type: ignore[arg-type]
    await projector.apply_batch(records(history()[:1], first_offset=7))
    assert store.writes == 0
    await projector.apply_batch(records(history()[1:], first_offset=8))
    assert store.writes == 1
    record, offset = store.docs[stored.id]
    assert (record.status, offset) == ("completed", 9)


class RecordingFiler:
    """The expiry index: (kind, partition, minute) -> job ids filed."""

    def __init__(self) -> None:
        self.filed: dict[tuple[str, int, int], set[str]] = {}

    async def file(self, *, kind: str, partition: int, by_minute: dict[int, list[str]]) -> None:
        for minute, ids in by_minute.items():
            self.filed.setdefault((kind, partition, minute), set()).update(ids)


async def test_created_jobs_are_filed_under_their_expiry_bucket_of_their_partition() -> None:
    """Also when the gateway already stored the document (job.created then changes nothing) and
    again, idempotently, when the event is redelivered."""
    store, filer = CountingStore(), RecordingFiler()
    job = apply(None, created()).job
    assert job is not None
    store.docs[job.id] = (job, -1)  # what the gateway inserted
    projector = Projector(store, expiry=filer, expiry_bucket_seconds=60)  # type: ignore[arg-type]
    await projector.apply_batch(records(history()[:1], first_offset=7, partition=3))
    await Projector(
        store, expiry=filer
    ).apply_batch(  # type: ignore[arg-type]
        records(history()[:1], first_offset=7, partition=3)
    )
    assert list(filer.filed.values()) == [{job.id}]
    ((kind, partition, minute),) = filer.filed
    assert (kind, partition) == ("expire", 3)
    assert minute >= job.expires_at // 60


async def test_events_that_leave_expires_at_alone_file_nothing() -> None:
    store, filer = CountingStore(), RecordingFiler()
    projector = Projector(store, expiry=filer)  # type: ignore[arg-type]
    await projector.apply_batch(records(history()[:1], first_offset=1))
    filer.filed.clear()
    await projector.apply_batch(records(history()[1:], first_offset=2))
    assert filer.filed == {}


async def test_a_new_job_past_the_fence_is_neither_read_nor_written_for_its_creation() -> None:
    """The gateway stored it before publishing job.created: its first copy needs no read."""
    store = CountingStore()
    stored = apply(None, created()).job
    assert stored is not None
    store.docs[stored.id] = (stored, -1)
    projector = Projector(store, fence={0: 100})  # type: ignore[arg-type]
    await projector.apply_batch(records(history()[:1], first_offset=100))
    assert (store.reads, store.writes) == (0, 0)
    await projector.apply_batch(records(history()[1:], first_offset=101))
    assert (store.reads, store.writes) == (0, 1)
    assert store.docs[stored.id][0].status == "completed"


async def test_a_copy_of_job_created_that_may_repeat_past_the_fence_is_read_and_changes_nothing() -> (
    None
):
    store = CountingStore()
    await Projector(store).apply_batch(records(history(), first_offset=10))  # type: ignore[arg-type]
    reads = store.reads
    restarted = Projector(store, fence={0: 400})  # type: ignore[arg-type]
    await restarted.apply_batch(records(history()[:1], first_offset=500, repeatable=True))
    assert store.reads == reads + 1
    assert store.docs[created().job_id][0].status == "completed"


async def test_a_job_created_before_the_fence_is_read() -> None:
    store = CountingStore()
    await Projector(store, fence={0: 50}).apply_batch(records(history(), first_offset=10))  # type: ignore[arg-type]
    assert store.reads == 1
