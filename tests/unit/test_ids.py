"""Job ids: the Retab shape, and bytewise order = creation order (also within one millisecond and
when the clock steps back)."""

from __future__ import annotations

from jobstream.core.ids import JOB_ID_LENGTH, looks_like_job_id, new_job_id


def test_ids_have_the_retab_shape() -> None:
    job_id = new_job_id()
    assert job_id.startswith("job_")
    assert len(job_id) == 4 + JOB_ID_LENGTH
    assert looks_like_job_id(job_id)
    assert not looks_like_job_id("job_" + "!" * JOB_ID_LENGTH)


def test_ids_sort_in_creation_order_within_a_millisecond_and_across_a_clock_step_back() -> None:
    ids = [new_job_id(now_ms=1_780_000_000_000) for _ in range(500)]
    ids += [new_job_id(now_ms=1_780_000_000_001 + i) for i in range(100)]
    ids += [new_job_id(now_ms=1_779_999_999_000) for _ in range(50)]  # the clock stepped back
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_later_milliseconds_sort_after_earlier_ones_across_processes() -> None:
    """Another process has its own sequence; the time prefix alone orders different ms."""
    early, late = new_job_id(now_ms=1_780_000_000_000), new_job_id(now_ms=1_780_000_005_000)
    assert early[4:13] < late[4:13]
