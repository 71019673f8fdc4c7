"""The composition root: builds each service's adapters from settings. No I/O at import time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobstream.adapters.blobs import S3BlobStore
from jobstream.adapters.kafka import KafkaEventPublisher
from jobstream.adapters.mongo import MongoApiKeys, MongoJobStore, MongoOutbox, connect
from jobstream.core.principal import EndpointNames
from jobstream.settings import CommonSettings, GatewaySettings

if TYPE_CHECKING:
    from jobstream.gateway.app import GatewayDeps


async def connect_blobs(settings: CommonSettings) -> S3BlobStore:
    return await S3BlobStore.connect(
        endpoint_url=settings.s3_endpoint,
        bucket=settings.s3_bucket,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        create_bucket=True,
    )


async def connect_gateway(settings: GatewaySettings) -> GatewayDeps:
    from jobstream.adapters.metrics import ENDPOINT_DEPLOYED
    from jobstream.adapters.mongo_idempotency import MongoIdempotencyStore
    from jobstream.adapters.mongo_webhooks import MongoDeliveryStore, MongoWebhookStore
    from jobstream.gateway.app import GatewayDeps
    from jobstream.gateway.auth import ApiKeyResolver
    from jobstream.gateway.idempotency import IdempotencyGuard
    from jobstream.gateway.service import JobService
    from jobstream.gateway.streams import EventHub
    from jobstream.gateway.webhooks import WebhookService

    for slug in settings.deployed_slugs:
        ENDPOINT_DEPLOYED.labels(slug).set(1)
    client, db = connect(settings.mongo_url, settings.mongo_database)
    jobs, outbox = MongoJobStore(db), MongoOutbox(db)
    await jobs.ensure_indexes()
    await outbox.ensure_indexes()
    publisher = KafkaEventPublisher.for_service(settings, client_id="gateway")
    await publisher.start()
    blobs = await connect_blobs(settings)
    service = JobService(
        settings=settings, jobs=jobs, outbox=outbox, publisher=publisher, blobs=blobs
    )

    async def close_mongo() -> None:
        await client.close()

    idempotency = MongoIdempotencyStore(db)
    await idempotency.ensure_indexes()
    guard = IdempotencyGuard(
        idempotency, ttl_seconds=settings.idempotency_ttl_seconds,
        wait_seconds=settings.idempotency_wait_seconds,
        lock_seconds=settings.idempotency_lock_seconds,
    )  # fmt: skip
    from jobstream.adapters.templates import MongoTemplateStore
    from jobstream.gateway.template_service import TemplateService

    template_store = MongoTemplateStore(db)
    await template_store.ensure_indexes()
    hub = EventHub(settings.kafka_bootstrap, settings.events_topic)  # started by the first stream
    hooks, deliveries = MongoWebhookStore(db), MongoDeliveryStore(db)
    await hooks.ensure_indexes()
    await deliveries.ensure_indexes()
    return GatewayDeps(
        jobs=service,
        webhooks=WebhookService(settings, hooks, deliveries),
        keys=ApiKeyResolver(MongoApiKeys(db)),
        idempotency=guard,
        extras={
            "templates": TemplateService(store=template_store, blobs=blobs),
            "event_hub": hub,
            "sse_heartbeat_seconds": settings.sse_heartbeat_seconds,
        },
        closers=[close_mongo, publisher.stop, blobs.close, hub.stop],
    )


async def create_api_key(
    mongo_url: str, database: str, *, organization_id: str, name: str | None,
    endpoint_names: EndpointNames = "as_submitted",
) -> str:  # fmt: skip
    """Issue a key on its own short-lived connection (CLI, `make up`, tests, benchmarks)."""
    from jobstream.gateway.auth import issue_api_key

    client, db = connect(mongo_url, database)
    try:
        return await issue_api_key(
            MongoApiKeys(db), organization_id=organization_id, name=name,
            endpoint_names=endpoint_names,
        )  # fmt: skip
    finally:
        await client.close()
