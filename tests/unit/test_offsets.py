"""The low watermark never passes an unfinished message, whatever order jobs finish in."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream.workers.offsets import PartitionOffsets


def test_commits_up_to_the_lowest_unfinished() -> None:
    offsets = PartitionOffsets()
    assert offsets.committable() is None
    for o in (10, 11, 12):
        offsets.received(o)
    offsets.finished(12)
    assert offsets.committable() == 10
    offsets.finished(10)
    assert offsets.committable() == 11
    offsets.finished(11)
    assert offsets.committable() == 13
    assert len(offsets) == 0


@settings(deadline=None)  # a loaded CI machine is no reason to fail a pure property
@given(st.integers(1, 60).flatmap(lambda n: st.permutations(list(range(n)))))
def test_any_finish_order(order: list[int]) -> None:
    offsets = PartitionOffsets()
    for o in range(len(order)):
        offsets.received(100 + o)
    finished: set[int] = set()
    for o in order:
        offsets.finished(100 + o)
        finished.add(o)
        mark = offsets.committable()
        assert mark is not None
        # everything below the mark is finished, and the mark itself is not (or is the end)
        assert all(i in finished for i in range(mark - 100))
        assert mark - 100 == len(order) or (mark - 100) not in finished
