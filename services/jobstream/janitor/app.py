"""The janitor service: a pass (outbox relay, expiry, purge) every `interval_seconds`, the
idempotency-record purge considered every `sweep_interval_seconds`, plus /metrics and /health."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from jobstream.adapters.kafka import KafkaEventPublisher
from jobstream.adapters.mongo import MongoJobStore, MongoOutbox, connect
from jobstream.adapters.mongo_expiry import MongoExpiryIndex
from jobstream.adapters.mongo_idempotency import MongoIdempotencyStore
from jobstream.adapters.ops_http import OpsServer, ops_app
from jobstream.bootstrap import connect_blobs
from jobstream.janitor.core import Janitor
from jobstream.janitor.expiry import ExpirySweep
from jobstream.janitor.idempotency import IdempotencyPurge
from jobstream.settings import JanitorSettings

log = logging.getLogger(__name__)


async def run_janitor(settings: JanitorSettings, *, stop: asyncio.Event) -> None:
    client, db = connect(settings.mongo_url, settings.mongo_database)
    publisher = KafkaEventPublisher.for_service(settings, client_id="janitor")
    blobs = await connect_blobs(settings)
    ops = OpsServer(
        ops_app(lambda: {"status": "ok"}), host=settings.host, port=settings.metrics_port
    )
    await publisher.start()
    # The projector files expiry per events partition: read as many as the topic has.
    known = await publisher.producer.partitions_for(settings.events_topic) or set()
    expiry = ExpirySweep(
        settings, MongoJobStore(db), MongoExpiryIndex(db), publisher, blobs,
        partitions=max(settings.events_partitions, len(known)),
    )  # fmt: skip
    purge = IdempotencyPurge(
        MongoIdempotencyStore(db), ttl_seconds=settings.idempotency_ttl_seconds,
        min_interval_seconds=settings.idempotency_purge_min_interval_seconds,
    )  # fmt: skip
    janitor = Janitor(settings, MongoOutbox(db), publisher, expiry, purge)
    await ops.start()
    next_sweep = 0.0
    try:
        while not stop.is_set():
            try:
                sweep = time.monotonic() >= next_sweep
                if sweep:
                    next_sweep = time.monotonic() + settings.sweep_interval_seconds
                report = await janitor.run_pass(sweep=sweep)
                if report.relayed or report.expired or report.purged:
                    log.info("janitor pass", extra=vars(report))
            except Exception:
                log.exception("janitor pass failed; retrying next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.interval_seconds)
    finally:
        await ops.stop()
        await publisher.stop()
        await blobs.close()
        await client.close()
