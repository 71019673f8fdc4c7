"""PyMongo command listeners: store commands counted per service, open cursors audited.

`jobstream_store_commands_total{command}` is what `make bench` divides by the jobs it ran to
report store operations per job and per process (every service registers the counter through
`connect()`); the cursor audit is a FerretDB diagnostic, on with JOBSTREAM_MONGO_CURSOR_AUDIT.
"""

from __future__ import annotations

import logging
from typing import Any

from pymongo import monitoring

from jobstream.adapters.metrics import STORE_COMMANDS


class StoreCommandCounter(monitoring.CommandListener):
    """Counts each command sent to the store, by command name (`insert`, `find`, `update`...)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        STORE_COMMANDS.labels(event.command_name).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None


class OpenCursorAudit(monitoring.CommandListener):
    """Logs every reply that leaves a server-side cursor open (diagnostics for FerretDB)."""

    def __init__(self) -> None:
        self._commands: dict[int, Any] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in ("find", "aggregate", "getMore", "listIndexes"):
            self._commands[event.request_id] = dict(event.command)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        command = self._commands.pop(event.request_id, None)
        cursor = event.reply.get("cursor") if isinstance(event.reply, dict) else None
        if command is not None and cursor and cursor.get("id"):
            logging.getLogger(__name__).warning(
                "cursor left open", extra={"cursor_id": cursor["id"], "command": str(command)[:400]}
            )

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._commands.pop(event.request_id, None)
