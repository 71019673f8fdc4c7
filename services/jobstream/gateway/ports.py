"""The gateway's ports (what its use cases need from the store, the outbox and Kafka) and the
prepared job they exchange. Adapters: adapters/mongo.py, adapters/kafka.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from jobstream.adapters.mongo import OutboxMessage
from jobstream.core.record import JobRecord


class JobStore(Protocol):
    async def insert(self, record: JobRecord) -> None: ...
    async def insert_many(self, records: Sequence[JobRecord]) -> None: ...
    async def get(self, job_id: str, *, organization_id: str | None = None) -> JobRecord | None: ...
    async def find(
        self, *, filter: dict[str, Any], sort: Sequence[tuple[str, int]], limit: int,
        max_time_ms: int | None = None,
    ) -> list[JobRecord]: ...  # fmt: skip
    async def anchor(self, job_id: str, *, organization_id: str) -> tuple[int, str] | None: ...


class Outbox(Protocol):
    async def add(
        self, *, entry_id: str, messages: Sequence[OutboxMessage], relay_after: float | None = None,
        new: bool = False,
    ) -> None: ...  # fmt: skip
    async def remove(self, entry_id: str) -> None: ...


class EventPublisher(Protocol):
    async def publish(
        self, messages: Sequence[OutboxMessage], *, timeout: float | None = None
    ) -> None: ...
    async def publish_waves(
        self, waves: Sequence[Sequence[OutboxMessage]], *, timeout: float | None = None
    ) -> None: ...


@dataclass(frozen=True)
class PreparedJob:
    """A job ready to store and dispatch: its first record, its two messages (event, command)
    and the outbox entry id they are kept under if Kafka does not acknowledge in time."""

    record: JobRecord
    messages: tuple[OutboxMessage, OutboxMessage]
    outbox_id: str
