"""How the event-stream phase is scored: what each stream received (`StreamLog`, filled from
the raw SSE blocks), the truth read back from `jobs.events` (each job's events in log order, when
each happened and when it was sent to Kafka), and gaps, duplicates, order and latency per stream.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.loadgen import percentiles

Received = tuple[str, str, float]  # event id, job id, received at (wall)


@dataclass
class StreamLog:
    path: str
    kind: str  # "job" or "org"
    connected_at: float | None = None
    received: list[Received] = field(default_factory=list)
    completed: set[str] = field(default_factory=set)
    error: str | None = None


@dataclass(frozen=True)
class Truth:
    """Each job's events in log order, and when each event happened."""

    order: dict[str, list[str]]
    occurred_at: dict[str, float]
    sent_at: dict[str, float] = field(default_factory=dict)  # the record's Kafka timestamp


def take_events(log: StreamLog, block: bytes, at: float) -> None:
    """Record one SSE block (lines up to a blank line) read at `at`."""
    if block.startswith(b": connected"):
        log.connected_at = at
        return
    data = block.find(b"\ndata: ")
    if data < 0:
        return  # a ping
    event = orjson.loads(block[data + 7 :])
    log.received.append((event["id"], event["job_id"], at))
    if event["type"] == "job.completed":
        log.completed.add(event["job_id"])
    log.connected_at = log.connected_at or at


@dataclass
class TruthReader:
    """Follows `jobs.events` from where the consumer stands (its end at the phase's start) while
    the phase runs: every job's events in log order, and a plain Kafka consumer's receipt time
    of each (the baseline the streams' latency compares with)."""

    consumer: AIOKafkaConsumer
    tps: list[TopicPartition]
    truth: Truth = field(default_factory=lambda: Truth({}, {}, {}))
    consumed_at: dict[str, float] = field(default_factory=dict)

    async def follow(self) -> None:
        while True:
            for records in (await self.consumer.getmany(timeout_ms=200, max_records=5000)).values():
                at = time.time()
                for record in records:
                    self.take(orjson.loads(record.value or b"{}"), record.timestamp / 1000, at)

    def take(self, event: dict[str, Any], sent_at: float, at: float) -> None:
        event_id = event["event_id"]
        self.truth.order.setdefault(event["job_id"], []).append(event_id)
        self.truth.occurred_at[event_id] = datetime.fromisoformat(event["occurred_at"]).timestamp()
        self.truth.sent_at[event_id] = sent_at
        self.consumed_at[event_id] = at

    async def caught_up(self) -> bool:
        ends = await self.consumer.end_offsets(self.tps)
        return all([await self.consumer.position(tp) >= ends[tp] for tp in self.tps])

    def baseline_ms(self, jobs: list[str]) -> dict[str, float]:
        """Kafka timestamp to a plain consumer's receipt, for the jobs' events."""
        ids = [e for job in jobs for e in self.truth.order.get(job, [])]
        return percentiles([self.consumed_at[e] - self.truth.sent_at[e] for e in ids])


def score(logs: list[StreamLog], truth: Truth, jobs: list[str]) -> dict[str, Any]:
    """Gaps, duplicates and order per stream against the log; latency of live events."""
    gaps = dups = unordered = 0
    latencies: list[float] = []
    from_kafka: list[float] = []
    errors = Counter(log.error for log in logs if log.error)
    for log in logs:
        wanted = [log.path.split("/")[3]] if log.kind == "job" else jobs
        expected = {e for job in wanted for e in truth.order.get(job, [])}
        got = [event_id for event_id, _, _ in log.received]
        dups += len(got) - len(set(got))
        gaps += len(expected - set(got))
        by_job: dict[str, list[str]] = {}
        for event_id, job, at in log.received:
            by_job.setdefault(job, []).append(event_id)
            happened = truth.occurred_at.get(event_id)
            if happened is not None and log.connected_at and happened >= log.connected_at:
                latencies.append(at - happened)
                from_kafka.append(at - truth.sent_at.get(event_id, happened))
        unordered += sum(
            1 for job, seq in by_job.items() if seq != [e for e in truth.order[job] if e in seq]
        )
    return {
        "events_expected": sum(
            len(truth.order.get(log.path.split("/")[3], [])) if log.kind == "job"
            else sum(len(truth.order.get(j, [])) for j in jobs)
            for log in logs
        ),
        "events_received": sum(len(log.received) for log in logs),
        "gaps": gaps, "duplicates": dups, "jobs_out_of_order": unordered,
        "errors": dict(errors), "delivery_latency_ms": percentiles(latencies),
        "latency_from_kafka_timestamp_ms": percentiles(from_kafka),
    }  # fmt: skip
