"""The broker stamps our topics' records with its append time, which is what tells a consumer that
a copy was delivered late (adapters/first_copy.py); an existing topic is brought to that config
on upgrade without losing what an operator set on it."""

from __future__ import annotations

import time
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from jobstream.adapters.first_copy import LOG_APPEND_TIME, TOPIC_TIMESTAMPS, may_repeat
from jobstream.adapters.kafka import topic_reader
from jobstream.adapters.kafka_topics import ensure_topics, topic_plan
from jobstream.devstack.stack import StackLayout
from jobstream.settings import CommonSettings

pytestmark = pytest.mark.integration

OPERATORS = {"retention.ms": "123456789", "message.timestamp.type": "CreateTime"}


async def topic_configs(bootstrap: str, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    [(_, _, _, _, entries)] = response.resources
    return {e[0]: e[1] for e in entries}


def test_the_events_and_command_topics_keep_the_broker_s_time() -> None:
    settings = CommonSettings()
    plan = topic_plan(settings)
    assert plan[settings.events_topic][1]["message.timestamp.type"] == "LogAppendTime"
    for slug in settings.deployed_slugs:
        assert plan[settings.commands_topic(slug)][1] == TOPIC_TIMESTAMPS


async def test_an_existing_topic_gets_the_broker_s_time_and_keeps_its_other_configs(
    infra_stack: StackLayout,
) -> None:
    bootstrap = infra_stack.ports.kafka_bootstrap
    topic = f"it-ts-{uuid.uuid4().hex[:8]}"
    # as an earlier release (CreateTime) and an operator (retention) left it
    assert await ensure_topics(bootstrap, {topic: (1, OPERATORS)}) == [topic]
    assert await ensure_topics(bootstrap, {topic: (1, TOPIC_TIMESTAMPS)}) == []
    configs = await topic_configs(bootstrap, topic)
    assert configs["message.timestamp.type"] == "LogAppendTime"
    assert configs["retention.ms"] == OPERATORS["retention.ms"]


async def test_a_record_sent_long_ago_reads_as_appended_now_and_may_repeat(
    infra_stack: StackLayout,
) -> None:
    """A producer's own timestamp (here: a send an hour ago) does not survive: the consumer sees
    when the broker appended it, past the relay time the gateway stamped, so it is checked."""
    bootstrap = infra_stack.ports.kafka_bootstrap
    topic = f"it-ts-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, {topic: (1, TOPIC_TIMESTAMPS)})
    hour_ago = time.time() - 3600
    relay_at = int((hour_ago + 35) * 1000)
    headers = [("relay-not-before", b"%d" % relay_at)]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        before = time.time() * 1000
        await producer.send_and_wait(
            topic, b"late", key=b"job_1", headers=headers, timestamp_ms=int(hour_ago * 1000)
        )
        await producer.send_and_wait(topic, b"on time", key=b"job_1", headers=[
            ("relay-not-before", b"%d" % int((time.time() + 35) * 1000))
        ])  # fmt: skip
    finally:
        await producer.stop()
    async with topic_reader(bootstrap, topic, client_id="it") as (consumer, _):
        records = []
        while len(records) < 2:
            batch = await consumer.getmany(timeout_ms=5000)
            assert batch, "no records within the deadline"
            records += [r for recs in batch.values() for r in recs]
    late, on_time = records
    assert late.timestamp_type == LOG_APPEND_TIME
    assert late.timestamp >= before - 5000  # the broker's time, not the hour-old send
    assert (
        may_repeat(late.headers, timestamp_ms=late.timestamp, timestamp_type=LOG_APPEND_TIME)
        is True
    )
    assert (
        may_repeat(on_time.headers, timestamp_ms=on_time.timestamp, timestamp_type=LOG_APPEND_TIME)
        is False
    )
