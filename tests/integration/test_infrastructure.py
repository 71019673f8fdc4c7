"""The infrastructure the suite starts is real: a Kafka broker, a MongoDB-wire server and S3."""

from __future__ import annotations

import uuid

import pytest
from aiobotocore.session import get_session
from aiokafka import AIOKafkaProducer, TopicPartition
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient

from jobstream.adapters.kafka import make_consumer
from jobstream.adapters.kafka_topics import ensure_topics
from jobstream.devstack.stack import StackLayout

pytestmark = pytest.mark.integration


async def test_kafka_idempotent_produce_and_group_commit(infra_stack: StackLayout) -> None:
    bootstrap = infra_stack.ports.kafka_bootstrap
    topic = f"it-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, {topic: (2, {})})
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = [
            await producer.send_and_wait(topic, f"m{i}".encode(), key=f"job_{i % 3}".encode())
            for i in range(12)
        ]
    finally:
        await producer.stop()
    # Same key, same partition: the per-job ordering the design relies on.
    by_key: dict[int, set[int]] = {}
    for i, meta in enumerate(sent):
        by_key.setdefault(i % 3, set()).add(meta.partition)
    assert all(len(parts) == 1 for parts in by_key.values())

    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(topic, bootstrap=bootstrap, group_id=group, client_id="it")
    await consumer.start()
    try:
        received: list[bytes] = []
        while len(received) < 12:
            batch = await consumer.getmany(timeout_ms=5000)
            assert batch, "no records within the deadline"
            received += [rec.value for recs in batch.values() for rec in recs]
        await consumer.commit()
        committed = {p: await consumer.committed(TopicPartition(topic, p)) for p in (0, 1)}
    finally:
        await consumer.stop()
    assert sorted(received) == sorted(f"m{i}".encode() for i in range(12))
    assert sum(v or 0 for v in committed.values()) == 12


async def test_ferretdb_insert_index_query(infra_stack: StackLayout) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(infra_stack.ports.mongo_url)
    try:
        coll = client[f"it_{uuid.uuid4().hex[:8]}"]["jobs"]
        await coll.create_index(
            [("org", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
        )
        await coll.insert_many(
            [
                {"_id": f"job_{i:03d}", "org": "o1" if i % 2 else "o2", "created_at": i}
                for i in range(20)
            ]
        )
        cursor = coll.find({"org": "o1", "created_at": {"$gt": 10}}).sort(
            [("created_at", DESCENDING), ("_id", DESCENDING)]
        )
        found = [doc["_id"] async for doc in cursor.limit(3)]
        names = {ix["name"] async for ix in await coll.list_indexes()}
    finally:
        await client.close()
    assert found == ["job_019", "job_017", "job_015"]
    assert "org_1_created_at_-1__id_-1" in names


async def test_s3_put_get_delete(infra_stack: StackLayout) -> None:
    body = bytes(range(256)) * 4096  # 1 MiB, every byte value
    key = f"it/{uuid.uuid4().hex}"
    async with get_session().create_client(
        "s3",
        endpoint_url=infra_stack.ports.s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ) as s3:
        await s3.put_object(Bucket=infra_stack.bucket, Key=key, Body=body)
        got = await s3.get_object(Bucket=infra_stack.bucket, Key=key)
        async with got["Body"] as stream:
            assert await stream.read() == body
        await s3.delete_object(Bucket=infra_stack.bucket, Key=key)
        listing = await s3.list_objects_v2(Bucket=infra_stack.bucket, Prefix=key)
    assert listing.get("KeyCount", 0) == 0
