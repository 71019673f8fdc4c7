"""Shared fixtures: an isolated copy of the real infrastructure, started once per test session.

The suite never touches a `make up` stack: it uses free ports and a temporary run directory, and
always stops what it started (fixture finalizer), even when tests fail.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from jobstream.devstack import infra, stack


@pytest.fixture(scope="session")
def test_run_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="jobstream-test-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="session")
async def infra_stack(test_run_dir: Path) -> AsyncIterator[stack.StackLayout]:
    """Real Kafka, FerretDB and moto S3 on free ports, for the whole session."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    layout = stack.StackLayout(
        run_dir=test_run_dir,
        ports=infra.InfraPorts.free(),
        gateway_port=infra.free_port(),
        service_port_base=0,
        bucket="jobstream-test",
    )
    try:
        await stack.start_infra(layout)
        logging.getLogger("aiokafka").setLevel(logging.WARNING)
        yield layout
    finally:
        await asyncio.to_thread(stack.stop_all, layout)


def deadline_poll_interval() -> float:
    """How often tests poll a condition while they wait with a deadline."""
    return 0.05
