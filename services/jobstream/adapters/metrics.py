"""Prometheus metrics, all defined here so names and labels stay consistent across services.

Conventions (`promtool check metrics` runs on every service's `/metrics` in the tests): base units
in the name (`_seconds`, `_messages`, `_events`), counters end in `_total`, durations are
histograms in seconds. Label `endpoint` is always the endpoint's slug (`parse`, `extract`, ...), the
one the worker service and its consumer group `worker-<slug>` are named after. The list, with what
each one means, is in docs/observability.md.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

# `<name>_created` series double every counter and histogram and no query here uses them.
disable_created_metrics()  # type: ignore[no-untyped-call]

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)

# --- gateway -------------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "jobstream_http_requests_total", "HTTP requests answered", ["route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "jobstream_http_request_duration_seconds", "HTTP request latency, first byte in to last out",
    ["route", "method"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
STORE_COMMANDS = Counter(
    "jobstream_store_commands_total", "Commands sent to the document store", ["command"]
)
CREATE_GROUP_SIZE = Histogram(
    "jobstream_gateway_create_group_jobs", "Creates stored and dispatched together (group commit)",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)  # fmt: skip
CREATE_PHASE = Histogram(
    "jobstream_gateway_create_phase_seconds",
    "Where creates wait (group commit): queued, per create, until its group starts; then per "
    "group the store write, the job.created wave's and the command wave's acknowledgements",
    ["phase"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
JOBS_CREATED = Counter("jobstream_jobs_created_total", "Jobs created", ["endpoint"])
DISPATCH_DELAYED = Counter(
    "jobstream_dispatch_delayed_total", "Messages left to the outbox relay", ["kind"]
)
ENDPOINT_DEPLOYED = Gauge(
    "jobstream_endpoint_deployed",
    "1 for each endpoint the gateway accepts jobs for (its worker service should be up)",
    ["endpoint"],
)

# --- projector -----------------------------------------------------------------------------------
TRANSITIONS = Counter(
    "jobstream_job_transitions_total", "Job state transitions applied", ["endpoint", "status"]
)
JOB_FAILURES = Counter(
    "jobstream_job_failures_total", "Attempts that ended failed, by error code",
    ["endpoint", "code"],
)  # fmt: skip
QUEUE_WAIT = Histogram(
    "jobstream_job_queue_wait_seconds", "created → first started", ["endpoint"],
    buckets=JOB_BUCKETS,
)  # fmt: skip
RUN_TIME = Histogram(
    "jobstream_job_run_duration_seconds", "started → completed, failed or cancelled",
    ["endpoint", "outcome"], buckets=JOB_BUCKETS,
)  # fmt: skip
EVENTS_NOT_APPLIED = Counter(
    "jobstream_events_not_applied_total",
    "Events the projector did not apply: duplicate, stale, dropped_terminal, ignored",
    ["outcome", "type"],
)
PROJECTOR_APPLY = Histogram(
    "jobstream_projector_batch_duration_seconds", "Projector batch apply + write latency",
    buckets=LATENCY_BUCKETS,
)  # fmt: skip
PROJECTOR_BATCH = Histogram(
    "jobstream_projector_batch_events", "Events per projector batch",
    buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000),
)  # fmt: skip
PROJECTOR_EVENT_LAG = Histogram(
    "jobstream_projector_event_lag_seconds",
    "From an event's occurred_at to the projector having written it",
    buckets=(*LATENCY_BUCKETS, 30, 60, 300),
)

# --- Kafka consumers (projector, workers) --------------------------------------------------------
CONSUMER_LAG = Gauge(
    "jobstream_kafka_consumer_lag_messages",
    "Messages between the group's committed offset and the log end, reported by the consumer",
    ["group", "topic", "partition"],
)
DLQ_MESSAGES = Counter("jobstream_dlq_messages_total", "Messages sent to the DLQ", ["source"])

# --- janitor -------------------------------------------------------------------------------------
OUTBOX_DEPTH = Gauge("jobstream_outbox_messages", "Outbox entries waiting for the relay")
OUTBOX_RELAYED = Counter(
    "jobstream_outbox_relayed_messages_total", "Outbox entries the janitor published to Kafka"
)
JOBS_EXPIRED = Counter("jobstream_jobs_expired_total", "Jobs expired by the janitor")
WEBHOOK_MESSAGES = Counter(
    "jobstream_webhook_messages_total", "Webhook deliveries recorded (one per event and endpoint)"
)
WEBHOOKS_IN_FLIGHT = Gauge("jobstream_webhook_attempts_in_flight", "Attempts being sent")

# --- workers -------------------------------------------------------------------------------------
WORKER_ENDPOINT = Gauge(
    "jobstream_worker_endpoint_info",
    "1 for each endpoint this worker process consumes (one process may run several)",
    ["endpoint"],
)
IN_FLIGHT = Gauge("jobstream_worker_jobs_in_flight", "Jobs running in this worker", ["endpoint"])
WORKER_RETRIES = Counter("jobstream_worker_retries_total", "Transient-error retries", ["endpoint"])
WORKER_TIMEOUTS = Counter("jobstream_worker_timeouts_total", "Jobs that timed out", ["endpoint"])
WORKER_SKIPPED = Counter(
    "jobstream_worker_skipped_total", "Commands skipped (stale, terminal, cancelled, duplicate)",
    ["endpoint", "reason"],
)  # fmt: skip

# --- documents (worker side; loaders call these) -------------------------------------------------
DOCUMENT_PAGES = Counter(
    "jobstream_document_pages_total",
    "Document pages loaded, by format (pdf, image, docx, ...) and source (text_layer, ocr, ...)",
    ["format", "source"],
)
DOCUMENT_LOAD = Histogram(
    "jobstream_document_load_duration_seconds", "Loading a request's document (all its pages)",
    ["format"], buckets=(*LATENCY_BUCKETS, 30, 60, 300),
)  # fmt: skip
OCR_SECONDS = Histogram(
    "jobstream_ocr_seconds", "Tesseract time per page OCR'd", buckets=(*LATENCY_BUCKETS, 30, 60)
)

# --- webhooks (notifier) -------------------------------------------------------------------------
WEBHOOK_DELIVERIES = Counter(
    "jobstream_webhook_deliveries_total",
    "Webhook delivery attempts by result: success (2xx), failure (other status, timeout, refused)",
    ["result"],
)
WEBHOOK_DURATION = Histogram(
    "jobstream_webhook_delivery_duration_seconds", "Webhook delivery attempt latency",
    buckets=(*LATENCY_BUCKETS, 30),
)  # fmt: skip
WEBHOOK_ABANDONED = Counter(
    "jobstream_webhook_deliveries_abandoned_total", "Webhook messages given up after the last retry"
)


# --- series known in advance, exported at 0 from the start ---------------------------------------
# Prometheus' advice: a counter whose label values are known is exported before its first event,
# so a rate reads 0 instead of nothing and the first event counts as an increase.


def export_worker_series(slug: str, *, command_topic: str) -> None:
    """A worker process consuming `slug`: its endpoint info and its counters at 0."""
    WORKER_ENDPOINT.labels(slug).set(1)
    WORKER_RETRIES.labels(slug)
    WORKER_TIMEOUTS.labels(slug)
    DLQ_MESSAGES.labels(command_topic)


def export_projector_series(*, events_topic: str) -> None:
    DLQ_MESSAGES.labels(events_topic)


def export_notifier_series() -> None:
    for result in ("success", "failure"):
        WEBHOOK_DELIVERIES.labels(result)


def render() -> tuple[bytes, str]:
    """The exposition text and its content type, for a `/metrics` route."""
    return generate_latest(), CONTENT_TYPE_LATEST
