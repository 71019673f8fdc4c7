"""The worker runtime shared by every worker service.

- Up to `concurrency` jobs run at once; fetching never blocks on a running job, so cancels are
  read promptly, and a long job never stalls its partition.
- Offsets are committed up to the lowest unfinished message of each partition.
- Before running, a job is skipped if its attempt is stale, already terminal, or cancelled; the
  read model is asked only for commands that can be copies (before the assignment fence, or
  not surely first: adapters/first_copy.py).
- Cancel aborts the handler (asyncio cancellation); the attempt ends `cancelled`.
- Timeouts fail with `timeout`; TransientError retries with backoff and jitter up to `max_tries`;
  PermanentError fails with its code; undecodable commands go to the DLQ.
- On partition revocation, unfinished jobs of the lost partitions stop without an outcome (the new
  owner re-runs them); jobs already reporting their outcome finish first.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from jobstream.adapters.first_copy import may_repeat, surely_first_copy
from jobstream.adapters.kafka import KafkaEventPublisher, KafkaGroupProgress, dlq_message
from jobstream.adapters.metrics import (
    CONSUMER_LAG,
    DLQ_MESSAGES,
    IN_FLIGHT,
    WORKER_SKIPPED,
)
from jobstream.adapters.mongo import MongoJobStore
from jobstream.settings import WorkerSettings
from jobstream.workers.assignment import Assignment
from jobstream.workers.execution import Execution
from jobstream.workers.offsets import PartitionOffsets
from jobstream_schemas.events import (
    CancelRequested,
    JobRequested,
    RetryRequested,
    decode_command,
)

log = logging.getLogger(__name__)
COMMIT_INTERVAL_SECONDS = 0.5  # while running; on revoke and shutdown at once


@dataclass
class Running:
    """A command being handled: its task, where it came from, and its phase."""

    tp: TopicPartition
    offset: int
    task: asyncio.Task[None] | None = None
    cancel_requested: bool = False
    finishing: bool = False
    # A task cancelled before its first step never runs its body (nor its cleanup): until the
    # task has started, a stop is asked for with this flag, which the task sees first thing.
    started: bool = False
    stop_requested: bool = False
    headers: tuple[tuple[str, bytes], ...] = ()  # the command's (its traceparent links the trace)
    repeatable: bool = True  # an earlier copy of the command may be in the log (first_copy.py)


@dataclass
class WorkerRuntime:
    settings: WorkerSettings
    consumer: AIOKafkaConsumer
    publisher: KafkaEventPublisher
    jobs: MongoJobStore
    execution: Execution
    worker_id: str
    offsets: dict[TopicPartition, PartitionOffsets] = field(default_factory=dict)
    running: dict[tuple[str, int], Running] = field(default_factory=dict)
    cancelled: set[tuple[str, int]] = field(default_factory=set)
    # Jobs this instance finished lately: a re-published command (outbox relay after a late ack)
    # is skipped even before the projector has applied the outcome.
    finished: OrderedDict[tuple[str, int], None] = field(default_factory=OrderedDict)
    projector: KafkaGroupProgress | None = None
    _committed: dict[TopicPartition, int] = field(default_factory=dict)
    _last_commit: float = 0.0
    _slots: asyncio.Semaphore = field(init=False)
    assignment: Assignment = field(init=False)

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self.assignment = Assignment(self.settings, self.consumer, self.projector)

    async def on_assigned(self, assigned: set[TopicPartition]) -> None:
        await self.assignment.on_assigned(assigned)

    @property
    def group_id(self) -> str:
        return f"worker-{self.settings.slug}"

    @property
    def buffered(self) -> int:
        return sum(len(o) for o in self.offsets.values())

    async def run(self, stop: asyncio.Event) -> None:
        # Commands are small (documents live in S3), so the runtime keeps reading while jobs run:
        # a cancel behind queued commands is seen at once. It pauses only past a high bound.
        max_buffered = self.settings.max_buffered
        paused = False
        while not stop.is_set():
            if (self.buffered >= max_buffered) != paused:
                paused = not paused
                assignment = self.consumer.assignment()
                (self.consumer.pause if paused else self.consumer.resume)(*assignment)
            batch = await self.consumer.getmany(timeout_ms=200, max_records=500)
            for tp, records in batch.items():
                for rec in records:
                    repeatable = may_repeat(
                        rec.headers, timestamp_ms=rec.timestamp, timestamp_type=rec.timestamp_type
                    )
                    await self._receive(
                        tp, rec.offset, rec.key, rec.value, rec.headers, repeatable=repeatable
                    )
            await self.commit(every=COMMIT_INTERVAL_SECONDS)
        await self.stop_all(reason="shutdown")
        await self.commit()

    def _tracker(self, tp: TopicPartition) -> PartitionOffsets:
        return self.offsets.setdefault(tp, PartitionOffsets())

    def _finished(self, tp: TopicPartition, offset: int) -> None:
        tracker = self.offsets.get(tp)
        if tracker is not None:
            tracker.finished(offset)

    async def _receive(
        self, tp: TopicPartition, offset: int, key: bytes | None, value: bytes | None,
        headers: tuple[tuple[str, bytes], ...] = (), *, repeatable: bool = True,
    ) -> None:  # fmt: skip
        self._tracker(tp).received(offset)
        try:
            command = decode_command(value or b"")
        except ValidationError as exc:
            await self._to_dlq(tp, offset, key, value, f"undecodable command: {exc}")
            self._finished(tp, offset)
            return
        job_key = (command.job_id, command.attempt)
        if isinstance(command, CancelRequested):
            self._cancel(job_key)
            self._finished(tp, offset)
        elif job_key in self.running or job_key in self.finished:
            WORKER_SKIPPED.labels(self.settings.slug, "duplicate").inc()
            log.info("skipped", extra={"job_id": command.job_id, "reason": "duplicate"})
            self._finished(tp, offset)  # a duplicate of a job running or finished here
        else:
            running = Running(tp, offset, headers=tuple(headers or ()), repeatable=repeatable)
            self.running[job_key] = running
            running.task = asyncio.create_task(self._handle(command, running))

    def _cancel(self, job_key: tuple[str, int]) -> None:
        self.cancelled.add(job_key)
        running = self.running.get(job_key)
        if running is not None and running.task is not None and not running.finishing:
            running.cancel_requested = True
            _stop(running)

    async def _handle(self, command: JobRequested | RetryRequested, running: Running) -> None:
        job_key = (command.job_id, command.attempt)
        released = True
        try:
            running.started = True
            if running.stop_requested:
                raise asyncio.CancelledError
            delay = 0.5
            while not await self._handle_once(command, running):
                # Kafka or the read model failed us (not the handler): try the command again,
                # so its offset is released and the partition's watermark moves on.
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.backoff_max_seconds)
        except asyncio.CancelledError:
            if running.cancel_requested:
                await self.execution.report_cancelled(command)
            else:
                released = False  # revoked or shutting down: the next owner runs it
                raise
        finally:
            self.running.pop(job_key, None)
            self.cancelled.discard(job_key)
            if released:
                self._remember_finished(job_key)
                self._finished(running.tp, running.offset)

    def _remember_finished(self, job_key: tuple[str, int]) -> None:
        self.finished[job_key] = None
        if len(self.finished) > 50_000:
            self.finished.popitem(last=False)

    async def _handle_once(self, command: JobRequested | RetryRequested, running: Running) -> bool:
        """Skip or run the job; False when infrastructure failed and it should be tried again."""
        try:
            await self.assignment.ready()
            async with self._slots:
                if await self._should_skip(command, running):
                    return True
                IN_FLIGHT.labels(self.settings.slug).inc()
                try:
                    await self.execution.execute(command, running)
                finally:
                    IN_FLIGHT.labels(self.settings.slug).dec()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handling failed; will retry", extra={"job_id": command.job_id})
            running.finishing = False
            return False
        return True

    def _may_repeat(self, running: Running) -> bool:
        """Whether this command can be a copy of one handled before (adapters/kafka.py)."""
        return not surely_first_copy(
            offset=running.offset, fence=self.assignment.fence.get(running.tp),
            repeatable=running.repeatable,
        )  # fmt: skip

    async def _should_skip(self, command: JobRequested | RetryRequested, running: Running) -> bool:
        job_key = (command.job_id, command.attempt)
        reason = None
        if job_key in self.cancelled:
            reason = "cancelled"
        elif self._may_repeat(running):
            job = await self.jobs.get(command.job_id)
            if job is not None and job.attempt > command.attempt:
                reason = "stale"
            elif job is not None and job.attempt == command.attempt:
                reason = "terminal" if job.is_terminal else "cancelled" if job.cancelled else None
        if reason:
            WORKER_SKIPPED.labels(self.settings.slug, reason).inc()
            log.info("skipped", extra={"job_id": command.job_id, "reason": reason})
        return reason is not None

    async def _to_dlq(
        self, tp: TopicPartition, offset: int, key: bytes | None, value: bytes | None, error: str
    ) -> None:
        message = dlq_message(
            topic=self.settings.dlq_topic, key=key, value=value, source=tp.topic,
            partition=tp.partition, offset=offset, error=error,
        )  # fmt: skip
        await self.publisher.publish([message])
        DLQ_MESSAGES.labels(tp.topic).inc()
        log.warning(
            "sent to DLQ", extra={"topic": tp.topic, "offset": offset, "error": error[:200]}
        )

    async def commit(self, only: set[TopicPartition] | None = None, *, every: float = 0.0) -> None:
        """Commit each partition's low watermark when it moved (at most once per `every`
        seconds: a crash then re-delivers a little more, which the fence makes checked)."""
        now = asyncio.get_running_loop().time()
        if every and now < self._last_commit + every:
            return
        self._last_commit = now
        marks = {}
        for tp, tracker in self.offsets.items():
            mark = tracker.committable()
            if (
                (only is None or tp in only)
                and mark is not None
                and mark > self._committed.get(tp, -1)
            ):
                marks[tp] = mark
        if marks:
            await self.consumer.commit(marks)
            self._committed.update(marks)
        for tp in self.offsets:
            high = self.consumer.highwater(tp)
            if high is not None and tp in self._committed:
                lag = max(0, high - self._committed[tp])
                CONSUMER_LAG.labels(self.group_id, tp.topic, str(tp.partition)).set(lag)

    async def stop_all(self, *, reason: str, only: set[TopicPartition] | None = None) -> None:
        """Stop unfinished jobs (of `only` partitions); let those reporting an outcome finish."""
        tasks = []
        for running in list(self.running.values()):
            if running.task is None or (only is not None and running.tp not in only):
                continue
            if not running.finishing:
                _stop(running)
            tasks.append(running.task)
        if tasks:
            log.info("stopping jobs", extra={"count": len(tasks), "reason": reason})
            await asyncio.gather(*tasks, return_exceptions=True)

    async def on_revoked(self, revoked: set[TopicPartition]) -> None:
        await self.stop_all(reason="revoked", only=revoked)
        try:
            await self.commit(only=revoked)
        except Exception:  # noqa: BLE001 - the group moved on; the next owner re-runs the rest
            log.warning("commit on revoke failed", exc_info=True)
        for tp in revoked:
            self.offsets.pop(tp, None)
            self._committed.pop(tp, None)


def _stop(running: Running) -> None:
    """Cancel the command's task, or, if it has not started yet, have it stop as it starts."""
    if not running.started:
        running.stop_requested = True
    elif running.task is not None:
        running.task.cancel()
