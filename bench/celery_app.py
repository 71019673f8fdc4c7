"""The Celery side of the comparison: one no-op task, Redis as both broker and result backend.

The worker is started as `celery -A bench.celery_app worker ...` with `BENCH_REDIS_URL` in its
environment; `app` is built from that variable the first time it is looked up (so importing this
module never needs it). The benchmark client, `bench.celery_redis`, calls `make_app(url)` itself
for the redis-server it started.

Settings are Celery's defaults except where the comparison needs otherwise: late acks (a job is
only off the queue once it is done, like jobstream's commit-after-processing), JSON everywhere,
results kept an hour. Nothing here is tuned for throughput.
"""

from __future__ import annotations

import os
import time

from celery import Celery  # type: ignore[import-untyped]

REDIS_URL_ENV = "BENCH_REDIS_URL"
NOOP_TASK_NAME = "bench.noop"


def noop(payload: dict[str, object]) -> float:
    """Do nothing with `payload`; return the wall clock at completion (seconds since the epoch)."""
    del payload
    return time.time()


def make_app(redis_url: str) -> Celery:
    """A Celery app using the Redis at `redis_url` as broker and result backend."""
    app = Celery("bench", broker=redis_url, backend=redis_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,
        # worker_prefetch_multiplier is left at Celery's default (4 per pool process).
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        # Lets the client's threads (one submitting, one collecting results) share one result
        # backend, and so one pub/sub connection; the worker's pool processes are not threaded.
        result_backend_thread_safe=True,
    )
    app.task(name=NOOP_TASK_NAME, acks_late=True)(noop)
    return app


_worker_app: Celery | None = None


def __getattr__(name: str) -> Celery:
    """`bench.celery_app.app`: the worker's app, built on first use from `BENCH_REDIS_URL`."""
    global _worker_app
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _worker_app is None:
        url = os.environ.get(REDIS_URL_ENV)
        if not url:
            raise RuntimeError(f"{REDIS_URL_ENV} must be set to the benchmark's Redis URL")
        _worker_app = make_app(url)
    return _worker_app
