"""Low-watermark offset tracking: commit only up to the lowest unfinished message of a partition.

Messages of a partition finish out of order when jobs run concurrently; committing the low
watermark means a crash re-delivers the unfinished jobs and nothing else.
"""

from __future__ import annotations

from collections import deque


class PartitionOffsets:
    """Offsets received on one partition, in order, and which of them are finished."""

    def __init__(self) -> None:
        self._pending: deque[int] = deque()
        self._done: set[int] = set()
        self._next = -1  # offset to commit when nothing is pending

    def received(self, offset: int) -> None:
        self._pending.append(offset)
        self._next = max(self._next, offset + 1)

    def finished(self, offset: int) -> None:
        self._done.add(offset)
        while self._pending and self._pending[0] in self._done:
            self._done.discard(self._pending.popleft())

    def committable(self) -> int | None:
        """The offset to commit (the next one to read after a restart); None before any message."""
        if self._pending:
            return self._pending[0]
        return self._next if self._next >= 0 else None

    def __len__(self) -> int:
        return len(self._pending)
