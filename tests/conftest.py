"""Shared fixtures: an isolated copy of the real infrastructure, started once per test session.

The suite never touches a `make up` stack: it uses free ports and a temporary run directory, and
always stops what it started (fixture finalizer), even when tests fail.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from jobstream.devstack import infra, stack

_STARTED: list[stack.StackLayout] = []


def _stop_started(signum: int, _frame: object) -> None:
    """Killed (CI timeout, Ctrl-C twice, kill): pytest would skip finalizers, so stop our processes
    here; they run in their own sessions and would otherwise outlive the run."""
    for layout in _STARTED:
        stack.stop_all(layout)
    os._exit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, _stop_started)


@pytest.fixture(scope="session")
def test_run_dir() -> Iterator[Path]:
    """A fresh run directory; kept (and printed) with JOBSTREAM_TEST_KEEP_RUN_DIR=1 for its logs."""
    if os.environ.get("JOBSTREAM_TEST_KEEP_RUN_DIR"):
        path = Path(tempfile.mkdtemp(prefix="jobstream-test-"))
        print(f"\ntest run directory (kept): {path}")
        yield path
        return
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
    _STARTED.append(layout)
    try:
        await stack.start_infra(layout)
        logging.getLogger("aiokafka").setLevel(logging.WARNING)
        yield layout
    finally:
        await asyncio.to_thread(stack.stop_all, layout)
