"""Prometheus metrics, all defined here so names and labels stay consistent across services."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)

HTTP_REQUESTS = Counter(
    "jobstream_http_requests_total", "HTTP requests", ["route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "jobstream_http_request_seconds", "HTTP latency", ["route", "method"], buckets=LATENCY_BUCKETS
)
JOBS_CREATED = Counter("jobstream_jobs_created_total", "Jobs created", ["endpoint"])
DISPATCH_DELAYED = Counter(
    "jobstream_dispatch_delayed_total", "Messages left to the outbox relay", ["kind"]
)
TRANSITIONS = Counter(
    "jobstream_job_transitions_total", "State transitions applied", ["slug", "status"]
)
QUEUE_WAIT = Histogram(
    "jobstream_job_queue_wait_seconds", "created → started", ["slug"], buckets=JOB_BUCKETS
)
RUN_TIME = Histogram(
    "jobstream_job_run_seconds", "started → terminal", ["slug", "outcome"], buckets=JOB_BUCKETS
)
EVENTS_NOT_APPLIED = Counter(
    "jobstream_events_not_applied_total",
    "Events the projector did not apply: duplicate, stale, dropped_terminal, ignored",
    ["outcome", "type"],
)
PROJECTOR_APPLY = Histogram(
    "jobstream_projector_batch_seconds", "Projector batch apply+write latency",
    buckets=LATENCY_BUCKETS,
)  # fmt: skip
PROJECTOR_BATCH = Histogram(
    "jobstream_projector_batch_size", "Events per projector batch",
    buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000),
)  # fmt: skip
CONSUMER_LAG = Gauge(
    "jobstream_consumer_lag", "Messages behind the log end", ["group", "topic", "partition"]
)
OUTBOX_DEPTH = Gauge("jobstream_outbox_depth", "Outbox entries waiting for the relay")
DLQ_MESSAGES = Counter("jobstream_dlq_messages_total", "Messages sent to the DLQ", ["source"])
IN_FLIGHT = Gauge("jobstream_worker_jobs_in_flight", "Jobs running in this worker", ["slug"])
WORKER_RETRIES = Counter("jobstream_worker_retries_total", "Transient-error retries", ["slug"])
WORKER_TIMEOUTS = Counter("jobstream_worker_timeouts_total", "Jobs that timed out", ["slug"])
WORKER_SKIPPED = Counter(
    "jobstream_worker_skipped_total", "Commands skipped (stale, terminal, cancelled)",
    ["slug", "reason"],
)  # fmt: skip
JOBS_EXPIRED = Counter("jobstream_jobs_expired_total", "Jobs expired by the janitor")


def render() -> tuple[bytes, str]:
    """The exposition text and its content type, for a `/metrics` route."""
    return generate_latest(), CONTENT_TYPE_LATEST
