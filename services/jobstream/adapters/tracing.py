"""OpenTelemetry traces: one trace per job, from the HTTP request through Kafka to the workers,
the projector and the webhook sender, linked by the W3C `traceparent` in every message's headers.

The gateway's request span (SERVER, child of the caller's `traceparent`) comes from FastAPI's
own telemetry (0.165, pinned), which starts once a tracer provider is installed; the spans below
are ours. Off by default. `JOBSTREAM_OTEL_ENABLED=true` installs a tracer provider exporting
OTLP over HTTP (endpoint, headers and batching from the standard `OTEL_EXPORTER_OTLP_*` and
`OTEL_BSP_*` variables); without it every span is OpenTelemetry's no-op and nothing is exported.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACER_NAME = "jobstream"
TRACEPARENT = "traceparent"
_propagator = TraceContextTextMapPropagator()
_state = {"enabled": False}
_provider: Any = None

Headers = Sequence[tuple[str, bytes]]


def configure(service: str, *, enabled: bool) -> None:
    """Install the exporting tracer provider for this process (once), when enabled."""
    global _provider
    if not enabled or _state["enabled"]:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"jobstream-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _provider = provider
    _state["enabled"] = True


def shutdown() -> None:
    """Flush and stop the exporter (services call it on the way out)."""
    if _provider is not None:
        _provider.shutdown()


def enabled() -> bool:
    return _state["enabled"]


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def context_from_traceparent(traceparent: str | None) -> otel_context.Context | None:
    if not traceparent:
        return None
    return _propagator.extract({TRACEPARENT: traceparent})


def traceparent_of(headers: Headers | None) -> str | None:
    """The `traceparent` a message's headers carry, if any."""
    for key, value in headers or ():
        if key == TRACEPARENT and value:
            return value.decode(errors="replace")
    return None


def context_from_headers(headers: Headers | None) -> otel_context.Context | None:
    return context_from_traceparent(traceparent_of(headers))


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(TRACEPARENT)


def with_traceparent(headers: Headers, traceparent: str | None) -> tuple[tuple[str, bytes], ...]:
    """The headers with `traceparent` set to the given one (others kept in order)."""
    kept = tuple((k, v) for k, v in headers if k != TRACEPARENT)
    return (*kept, (TRACEPARENT, traceparent.encode())) if traceparent else kept


@contextlib.contextmanager
def span(
    name: str, *, kind: SpanKind = SpanKind.INTERNAL, parent: otel_context.Context | None = None,
    attributes: dict[str, Any] | None = None,
) -> Iterator[Span]:  # fmt: skip
    """A span made current for the block; `parent` (from a message) when given, else the current
    one. A no-op span unless tracing is enabled."""
    with tracer().start_as_current_span(
        name, context=parent, kind=kind, attributes=attributes
    ) as current:
        yield current


@contextlib.contextmanager
def produce_span(topic: str, headers: Headers) -> Iterator[tuple[tuple[str, bytes], ...]]:
    """A PRODUCER span for one message; yields its headers carrying this span's traceparent.

    Its parent is the current span when there is one (the request, the handler); else the
    message's own traceparent (the outbox relay re-sending a stored message keeps its trace)."""
    if not enabled():
        yield tuple(headers)
        return
    parent = None
    if not trace.get_current_span().get_span_context().is_valid:
        parent = context_from_headers(headers)
    attributes = {"messaging.system": "kafka", "messaging.destination.name": topic}
    with span(f"send {topic}", kind=SpanKind.PRODUCER, parent=parent, attributes=attributes):
        yield with_traceparent(headers, current_traceparent())


def spans_for_batch(
    operation: str, messages: Sequence[tuple[str, Headers]], *, start_ns: int
) -> None:
    """A CONSUMER span per traced message of a batch handled as one (the projector's apply and
    write), each a child of its message's traceparent, all lasting from `start_ns` to now."""
    if not enabled():
        return
    end_ns = time.time_ns()
    for topic, headers in messages:
        parent = context_from_headers(headers)
        if parent is None:
            continue
        attributes = {"messaging.system": "kafka", "messaging.destination.name": topic}
        one = tracer().start_span(f"{operation} {topic}", context=parent, kind=SpanKind.CONSUMER,
                                  attributes=attributes, start_time=start_ns)  # fmt: skip
        one.end(end_time=end_ns)
