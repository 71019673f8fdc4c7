"""The topics a deployment uses, created with their configs and kept at them on upgrade."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from jobstream.adapters.first_copy import TOPIC_TIMESTAMPS
from jobstream.settings import CommonSettings

log = logging.getLogger(__name__)


def topic_plan(settings: CommonSettings) -> dict[str, tuple[int, dict[str, str]]]:
    """Every topic the deployment uses: name → (partitions, configs)."""
    # jobs.events is the source of truth that `projector rebuild` replays: keep it forever.
    # Their consumers tell first copies by the broker's append time (adapters/first_copy.py).
    plan = {
        settings.events_topic: (
            settings.events_partitions,
            {"retention.ms": "-1", **TOPIC_TIMESTAMPS},
        ),
        settings.dlq_topic: (1, {}),
    }
    for slug in settings.deployed_slugs:
        plan[settings.commands_topic(slug)] = (settings.commands_partitions, TOPIC_TIMESTAMPS)
    return plan


async def ensure_topics(bootstrap: str, plan: dict[str, tuple[int, dict[str, str]]]) -> list[str]:
    """Create the missing topics (replication 1 per broker count is the operator's setting) and
    give the existing ones the planned configs (an upgrade: LogAppendTime came later)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, parts, 1, topic_configs=configs)
            for name, (parts, configs) in plan.items()
            if name not in existing
        ]
        if missing:
            await admin.create_topics(missing)
        await _align_configs(admin, {n: c for n, (_, c) in plan.items() if n in existing and c})
        return [t.name for t in missing]
    finally:
        await admin.close()


DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs v1+: a value set on the topic itself


async def _align_configs(admin: AIOKafkaAdminClient, wanted: dict[str, dict[str, str]]) -> None:
    """Set the planned configs that differ. AlterConfigs replaces a topic's whole set, so the
    values already set on the topic (an operator's, say) are sent along and kept."""
    if not wanted:
        return
    topic = ConfigResourceType.TOPIC
    described = await admin.describe_configs([ConfigResource(topic, name) for name in wanted])
    changes = []
    for response in described:
        if response.API_VERSION < 1:  # no config source to tell the topic's own values by
            log.warning("topic configs not checked: DescribeConfigs v0")
            return
        for _error, _message, _type, name, entries in response.resources:
            own = {e[0]: e[1] for e in entries if e[3] == DYNAMIC_TOPIC_CONFIG}
            if any(own.get(key) != value for key, value in wanted[name].items()):
                changes.append(ConfigResource(topic, name, configs={**own, **wanted[name]}))
    if changes:
        await admin.alter_configs(changes)
        log.warning("topic configs updated", extra={"topics": [c.name for c in changes]})
