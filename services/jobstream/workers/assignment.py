"""What a worker learns when it is assigned partitions: their fence, and when to start.

- The partitions' end offsets at assignment are their fence: a command past it that the outbox
  relay did not publish is its first copy (gateway/group_commit.py), so it needs no read-model
  check; before it, a previous owner may have run it.
- New work waits until the projector has applied `jobs.events` as it stands now, so jobs a dead
  owner finished are seen as finished by the read-model check, not run again (bounded by
  `projector_wait_seconds`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition

from jobstream.adapters.kafka import KafkaGroupProgress
from jobstream.settings import WorkerSettings

log = logging.getLogger(__name__)


@dataclass
class Assignment:
    settings: WorkerSettings
    consumer: AIOKafkaConsumer
    projector: KafkaGroupProgress | None
    fence: dict[TopicPartition, int] = field(default_factory=dict)
    _projected: asyncio.Event = field(default_factory=asyncio.Event)
    _gate_task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self._projected.set()

    async def ready(self) -> None:
        await self._projected.wait()

    async def on_assigned(self, assigned: set[TopicPartition]) -> None:
        for tp in assigned:
            self.fence.pop(tp, None)  # until known, every command is checked
        try:
            self.fence.update(await self.consumer.end_offsets(list(assigned)))
        except Exception:  # noqa: BLE001 - without a fence every command is checked
            log.warning("could not read the partitions' ends", exc_info=True)
        if self.projector is None:
            return
        self._projected.clear()
        if self._gate_task is not None:
            self._gate_task.cancel()
        self._gate_task = asyncio.create_task(self._await_projector(self.projector))

    async def _await_projector(self, projector: KafkaGroupProgress) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + self.settings.projector_wait_seconds
        next_warning = started + 30
        try:
            fence = await projector.log_end()
            while not await projector.caught_up(fence):
                now = loop.time()
                if now > deadline:
                    log.error("projector still behind; running without waiting longer")
                    break
                if now > next_warning:
                    log.warning("waiting for the projector", extra={"seconds": int(now - started)})
                    next_warning = now + 30
                await asyncio.sleep(0.1)
        except Exception:  # noqa: BLE001 - the read-model check still runs; do not stall
            log.warning("could not check the projector's progress", exc_info=True)
        finally:
            self._projected.set()
