"""Worker services: `jobstream worker <slug>[,<slug>...] | all`.

Each slug consumes `jobs.commands.<slug>` in group `worker-<slug>` and runs that endpoint's
handler under its own runtime, concurrency limit and CPU process pool. Several slugs can share
one process (a laptop runs a handful of processes); they then share the Kafka producer, the
MongoDB client, the blob store and one ops server (`/health`, `/metrics`). Production runs one
process per slug, so each endpoint scales on its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRebalanceListener, TopicPartition

from jobstream.adapters.blobs import BlobStore
from jobstream.adapters.kafka import KafkaEventPublisher, KafkaGroupProgress, make_consumer
from jobstream.adapters.metrics import export_worker_series
from jobstream.adapters.mongo import MongoJobStore, connect
from jobstream.adapters.ops_http import OpsServer, ops_app
from jobstream.bootstrap import connect_blobs
from jobstream.settings import WorkerSettings
from jobstream.workers.agent_fill.handler import handle_agent_fill
from jobstream.workers.classify.handler import handle_classify
from jobstream.workers.context import Handler
from jobstream.workers.cpu_pool import new_cpu_pool
from jobstream.workers.diagnostics import handle_noop
from jobstream.workers.execution import Execution
from jobstream.workers.extract.handler import handle_extract
from jobstream.workers.parse.handler import handle_parse
from jobstream.workers.runtime import WorkerRuntime
from jobstream.workers.schema_generate.handler import handle_schema_generate
from jobstream.workers.split.handler import handle_split
from jobstream.workers.template_fill.handler import handle_template_fill
from jobstream.workers.template_generate.handler import handle_template_generate

log = logging.getLogger(__name__)

HANDLERS: dict[str, Handler] = {
    "parse": handle_parse,
    "extract": handle_extract,
    "classify": handle_classify,
    "split": handle_split,
    "schema_generate": handle_schema_generate,
    "template_generate": handle_template_generate,
    "template_fill": handle_template_fill,
    "agent_fill": handle_agent_fill,
    "noop": handle_noop,
}
DIAGNOSTIC_SLUGS = frozenset({"noop"})


def implemented_slugs() -> list[str]:
    """Every endpoint slug with a handler (what `all` means), diagnostics left out."""
    return [slug for slug in HANDLERS if slug not in DIAGNOSTIC_SLUGS]


def parse_slugs(spec: str) -> list[str]:
    """`extract,classify` → ["extract", "classify"]; `all` → every implemented slug."""
    slugs: list[str] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        for slug in implemented_slugs() if part == "all" else [part]:
            if slug not in HANDLERS:
                raise SystemExit(f"no handler for worker slug {slug!r}; known: {sorted(HANDLERS)}")
            if slug not in slugs:
                slugs.append(slug)
    if not slugs:
        raise SystemExit("name at least one worker slug (or `all`)")
    return slugs


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self) -> None:
        self.runtime: WorkerRuntime | None = None

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        if self.runtime is not None:
            await self.runtime.on_revoked(set(revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("assigned", extra={"partitions": sorted(tp.partition for tp in assigned)})
        if self.runtime is not None:
            await self.runtime.on_assigned(set(assigned))


@dataclass
class _Shared:
    """What the slugs of one process share."""

    publisher: KafkaEventPublisher
    jobs: MongoJobStore
    blobs: BlobStore
    projector: KafkaGroupProgress


@asynccontextmanager
async def _shared(settings: WorkerSettings, client_id: str) -> AsyncIterator[_Shared]:
    client, db = connect(settings.mongo_url, settings.mongo_database)
    publisher = KafkaEventPublisher.for_service(settings, client_id=client_id)
    blobs = await connect_blobs(settings)
    projector = KafkaGroupProgress(settings.kafka_bootstrap, settings.events_topic)
    try:
        await projector.start()
        await publisher.start()
        yield _Shared(publisher, MongoJobStore(db), blobs, projector)
    finally:
        await projector.stop()
        await publisher.stop()
        await blobs.close()
        await client.close()


async def _run_slug(settings: WorkerSettings, shared: _Shared, stop: asyncio.Event) -> None:
    """One endpoint's consumer, group, runtime and pool, until `stop`."""
    slug = settings.slug
    worker_id = f"{slug}-{settings.instance}-{os.getpid()}"
    consumer = make_consumer(
        bootstrap=settings.kafka_bootstrap, group_id=f"worker-{slug}",
        client_id=worker_id, max_poll_records=settings.concurrency * 4,
    )  # fmt: skip
    listener = _Rebalance()
    consumer.subscribe([settings.commands_topic(slug)], listener=listener)
    execution = Execution(
        settings,
        shared.publisher,
        shared.blobs,
        HANDLERS[slug],
        worker_id,
        pool_factory=new_cpu_pool,
    )
    runtime = WorkerRuntime(
        settings=settings, consumer=consumer, publisher=shared.publisher, jobs=shared.jobs,
        execution=execution, worker_id=worker_id, projector=shared.projector,
    )  # fmt: skip
    listener.runtime = runtime
    await consumer.start()
    export_worker_series(slug, command_topic=settings.commands_topic(slug))
    log.info("worker started", extra={"worker_id": worker_id})
    try:
        await runtime.run(stop)
    finally:
        await consumer.stop()
        execution.close()


async def run_workers(settings: WorkerSettings, slugs: list[str], *, stop: asyncio.Event) -> None:
    """Every slug's worker side by side in this process; one failing stops them all."""
    slugs = parse_slugs(",".join(slugs))
    process_id = f"{'+'.join(slugs)}-{settings.instance}-{os.getpid()}"
    health: dict[str, Any] = {"status": "ok", "worker_id": process_id, "slugs": slugs}
    ops = OpsServer(ops_app(lambda: health), host=settings.host, port=settings.metrics_port)
    async with _shared(settings, process_id) as shared:
        await ops.start()
        try:
            async with asyncio.TaskGroup() as group:
                for slug in slugs:
                    own = settings.model_copy(update={"slug": slug})
                    group.create_task(_run_slug(own, shared, stop), name=f"worker-{slug}")
        finally:
            await ops.stop()


async def run_worker(settings: WorkerSettings, *, stop: asyncio.Event) -> None:
    """The worker of `settings.slug` (which may itself list several slugs, or say `all`)."""
    await run_workers(settings, parse_slugs(settings.slug), stop=stop)
