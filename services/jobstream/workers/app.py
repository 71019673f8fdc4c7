"""A worker service: `jobstream worker <slug>` consumes `jobs.commands.<slug>` in group
`worker-<slug>` and runs that endpoint's handler under the shared runtime."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os

from aiokafka import ConsumerRebalanceListener, TopicPartition

from jobstream.adapters.kafka import KafkaEventPublisher, KafkaProjectorProgress, make_consumer
from jobstream.adapters.mongo import MongoJobStore, connect
from jobstream.adapters.ops_http import OpsServer, ops_app
from jobstream.bootstrap import connect_blobs
from jobstream.settings import WorkerSettings
from jobstream.workers.context import Handler
from jobstream.workers.diagnostics import handle_noop
from jobstream.workers.execution import Execution
from jobstream.workers.parse.handler import handle_parse
from jobstream.workers.runtime import WorkerRuntime

log = logging.getLogger(__name__)

HANDLERS: dict[str, Handler] = {"parse": handle_parse, "noop": handle_noop}


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self) -> None:
        self.runtime: WorkerRuntime | None = None

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        if self.runtime is not None:
            await self.runtime.on_revoked(set(revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("assigned", extra={"partitions": sorted(tp.partition for tp in assigned)})
        if self.runtime is not None:
            self.runtime.on_assigned()


async def run_worker(settings: WorkerSettings, *, stop: asyncio.Event) -> None:
    handler = HANDLERS.get(settings.slug)
    if handler is None:
        raise SystemExit(f"no handler for worker slug {settings.slug!r}; known: {sorted(HANDLERS)}")
    worker_id = f"{settings.slug}-{settings.instance}-{os.getpid()}"
    client, db = connect(settings.mongo_url, settings.mongo_database)
    publisher = KafkaEventPublisher(settings.kafka_bootstrap, client_id=worker_id)
    blobs = await connect_blobs(settings)

    def new_pool() -> concurrent.futures.ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        return concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context)

    consumer = make_consumer(
        bootstrap=settings.kafka_bootstrap, group_id=f"worker-{settings.slug}",
        client_id=worker_id, max_poll_records=settings.concurrency * 4,
    )  # fmt: skip
    listener = _Rebalance()
    consumer.subscribe([settings.commands_topic(settings.slug)], listener=listener)
    projector = KafkaProjectorProgress(settings.kafka_bootstrap, settings.events_topic)
    execution = Execution(settings, publisher, blobs, handler, worker_id, pool_factory=new_pool)
    runtime = WorkerRuntime(
        settings=settings, consumer=consumer, publisher=publisher, jobs=MongoJobStore(db),
        execution=execution, worker_id=worker_id, projector=projector,
    )  # fmt: skip
    listener.runtime = runtime
    await projector.start()
    health: dict[str, object] = {"status": "ok", "worker_id": worker_id}
    ops = OpsServer(ops_app(lambda: health), host=settings.host, port=settings.metrics_port)
    await publisher.start()
    await consumer.start()
    await ops.start()
    log.info("worker started", extra={"worker_id": worker_id})
    try:
        await runtime.run(stop)
    finally:
        await ops.stop()
        await consumer.stop()
        await projector.stop()
        await publisher.stop()
        await blobs.close()
        await client.close()
        execution.close()
