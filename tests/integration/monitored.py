"""A throwaway FerretDB database whose client records the queries it sends (find, update,
delete, aggregate, count), for tests that prove what a component reads — or that it reads
nothing."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in ("find", "update", "delete", "aggregate", "count"):
            self.seen.append((event.command_name, event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


@contextlib.asynccontextmanager
async def monitored_database(
    mongo_url: str, prefix: str
) -> AsyncIterator[tuple[AsyncDatabase[dict[str, Any]], Commands]]:
    """A fresh database named `<prefix>_<random>` and the listener of its client; dropped after."""
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo_url, event_listeners=[commands]
    )
    db = client[f"{prefix}_{uuid.uuid4().hex[:8]}"]
    try:
        yield db, commands
    finally:
        await client.drop_database(db.name)
        await client.close()
