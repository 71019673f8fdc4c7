"""Trace context through Kafka headers: a produce span takes the current span as parent, or,
with none (the outbox relay re-sending a stored message), the message's own traceparent."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from jobstream.adapters import tracing

EXPORTER = InMemorySpanExporter()
STORED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture(autouse=True)
def provider(monkeypatch: pytest.MonkeyPatch) -> None:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        sdk = TracerProvider()
        sdk.add_span_processor(SimpleSpanProcessor(EXPORTER))
        trace.set_tracer_provider(sdk)
    monkeypatch.setitem(tracing._state, "enabled", True)
    EXPORTER.clear()


def test_a_relayed_message_keeps_its_trace() -> None:
    headers = (("type", b"job.created.v1"), ("traceparent", STORED.encode()))
    with tracing.produce_span("jobs.events", headers) as sent:
        pass
    new = dict(sent)["traceparent"].decode()
    assert new.split("-")[1] == STORED.split("-")[1]  # same trace
    assert new.split("-")[2] != STORED.split("-")[2]  # the producer span is the new parent
    assert [k for k, _ in sent] == ["type", "traceparent"]
    (span,) = EXPORTER.get_finished_spans()
    assert span.parent is not None and format(span.parent.span_id, "016x") == "b7ad6b7169203331"


def test_a_message_sent_inside_a_span_is_its_child() -> None:
    with tracing.span("handle parse") as handler, tracing.produce_span("jobs.events", ()) as sent:
        pass
    trace_id = format(handler.get_span_context().trace_id, "032x")
    assert dict(sent)["traceparent"].decode().split("-")[1] == trace_id


def test_disabled_tracing_leaves_the_headers_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(tracing._state, "enabled", False)
    headers = (("traceparent", STORED.encode()),)
    with tracing.produce_span("jobs.events", headers) as sent:
        pass
    assert sent == headers
    assert EXPORTER.get_finished_spans() == ()
