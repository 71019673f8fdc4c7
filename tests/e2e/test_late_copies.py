"""A copy of the gateway's own messages that the producer delivers late, after the relay could
have copied them, is checked against the read model like a relayed one: a finished job is
neither run again nor put back to `queued` (adapters/first_copy.py). Copies on time are not."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition

from jobstream.adapters.first_copy import RELAY_NOT_BEFORE_HEADER, RELAYED_HEADER
from jobstream.adapters.kafka import KafkaGroupProgress, topic_reader
from jobstream.devstack.services import service_specs
from jobstream.devstack.stack import ServiceSpec
from jobstream_schemas.events import decode_event
from tests.e2e.conftest import RunningStack, wait_for
from tests.e2e.test_jobs_api import NOOP, create

COMMANDS = "jobs.commands.noop"
NOOP_WORKER_PORT_OFFSET = 41  # RunningStack.noop_worker(1)


async def job_records(stack: RunningStack, job_id: str, *topics: str) -> list[Any]:
    """The job's records on `topics`, read to their current end, in log order per partition."""
    found: list[Any] = []
    reader = topic_reader(stack.layout.ports.kafka_bootstrap, *topics, client_id="e2e")
    async with reader as (consumer, tps):
        end = await consumer.end_offsets(tps)

        async def read() -> bool:
            for recs in (await consumer.getmany(timeout_ms=200, max_records=10_000)).values():
                found.extend(rec for rec in recs if rec.key == job_id.encode())
            return all([await consumer.position(tp) >= end[tp] for tp in tps])

        await wait_for(read, timeout=60, what=f"{', '.join(topics)} read to the end")
    return found


async def own_copies(stack: RunningStack, job_id: str) -> dict[str, Any]:
    """The gateway's job.created and command for the job, as the broker holds them."""
    found: dict[str, Any] = {}
    for rec in await job_records(stack, job_id, "jobs.events", COMMANDS):
        if rec.topic == COMMANDS:
            found["command"] = rec
        elif decode_event(rec.value).type == "job.created.v1":
            found["created"] = rec
    return found


def projector(stack: RunningStack) -> ServiceSpec:
    return next(s for s in service_specs(stack.layout, {}) if s.name == "projector")


def held_back(record: ConsumerRecord[bytes, bytes]) -> list[tuple[str, bytes]]:
    """The record's headers as a copy the producer kept past its relay time would carry them."""
    past = b"%d" % int((time.time() - 60) * 1000)
    headers = [(k, v) for k, v in record.headers if k != RELAY_NOT_BEFORE_HEADER]
    assert all(k != RELAYED_HEADER for k, _ in headers)  # the gateway's own copy
    return [*headers, (RELAY_NOT_BEFORE_HEADER, past)]


async def committed_past(stack: RunningStack, group: str, tp: TopicPartition, offset: int) -> bool:
    progress = KafkaGroupProgress(stack.layout.ports.kafka_bootstrap, tp.topic, group=group)
    return await progress.caught_up({tp: offset + 1})


def worker_skips(stack: RunningStack, job_id: str) -> list[str]:
    """The reasons the noop worker logged for skipping the job's commands (its log outlives
    restarts). Its group's committed offset would say less: the low watermark stays behind any
    unfinished command of the partition, however unrelated."""
    log_file = stack.layout.process(stack.noop_worker(1).name).log_file
    reasons = []
    for line in log_file.read_text(errors="replace").splitlines():
        if job_id in line and '"skipped"' in line:
            entry = json.loads(line)
            if (entry.get("msg"), entry.get("job_id")) == ("skipped", job_id):
                reasons.append(str(entry.get("reason")))
    return reasons


async def history(stack: RunningStack, job_id: str) -> list[tuple[str, int]]:
    """The job's events on jobs.events: (type, attempt) in log order."""
    events = [decode_event(rec.value) for rec in await job_records(stack, job_id, "jobs.events")]
    return [(event.type, event.attempt) for event in events]


async def test_late_copies_of_a_finished_job_s_messages_change_nothing(
    noop_worker: RunningStack,
) -> None:
    stack = noop_worker
    async with stack.client() as client:
        job = await create(client, NOOP, {})
        done = await stack.job_when(client, job["id"], lambda j: j["status"] == "completed")
        copies = await own_copies(stack, job["id"])
        # New owners remember nothing of the job (a late delivery comes after an outage, when
        # services restart); a job completed after the restart shows both are assigned.
        for name in ("projector", stack.noop_worker(1).name):
            stack.stop(name)
        await stack.start_and_wait([projector(stack), stack.noop_worker(1)])
        canary = await create(client, NOOP, {})
        await stack.job_when(client, canary["id"], lambda j: j["status"] == "completed")
        producer = AIOKafkaProducer(
            bootstrap_servers=stack.layout.ports.kafka_bootstrap, acks="all"
        )
        await producer.start()
        try:  # as delivered once the broker is back: events first, then the command
            sent = {}
            for name in ("created", "command"):
                rec = copies[name]
                meta = await producer.send_and_wait(
                    rec.topic, rec.value, key=rec.key, headers=held_back(rec)
                )
                sent[name] = (TopicPartition(meta.topic, meta.partition), meta.offset)
        finally:
            await producer.stop()
        tp, offset = sent["created"]
        await wait_for(
            lambda: committed_past(stack, "projector", tp, offset),
            timeout=30, what="the projector past the late job.created",
        )  # fmt: skip

        async def worker_done() -> bool:  # skipped it, or (the defect) ran the job again
            if worker_skips(stack, job["id"]):
                return True
            return (await history(stack, job["id"])).count(("job.started.v1", 1)) > 1

        await wait_for(
            worker_done, timeout=60, interval=0.5, what="the noop worker to handle the late command"
        )
        after = (await client.get(f"/v1/jobs/{job['id']}")).json()
    assert (after["status"], after["completed_at"]) == ("completed", done["completed_at"])
    # The restarted worker knows the job only from the read model ("terminal"); a copy that
    # comes again to the same process (the original may) is dropped from memory ("duplicate").
    skips = worker_skips(stack, job["id"])
    assert "terminal" in skips and set(skips) <= {"terminal", "duplicate"}, skips
    events = await history(stack, job["id"])
    assert events.count(("job.started.v1", 1)) == 1, events
    assert events.count(("job.completed.v1", 1)) == 1, events


def store_reads(stack: RunningStack) -> float:
    port = stack.layout.service_port_base + NOOP_WORKER_PORT_OFFSET
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith('jobstream_store_commands_total{command="find"}')
    )


async def test_commands_delivered_on_time_run_without_a_read_of_the_job(
    noop_worker: RunningStack,
) -> None:
    """The fast path holds on the real broker: the gateway's stamp and the broker's append time
    tell the worker that each fresh command is its first copy."""
    stack = noop_worker
    before = store_reads(stack)
    batch = uuid.uuid4().hex
    async with stack.client() as client:
        for i in range(10):
            job = await create(client, NOOP, {}, metadata={"batch": batch, "i": str(i)})
            await stack.job_when(client, job["id"], lambda j: j["status"] == "completed")
    assert store_reads(stack) == before
