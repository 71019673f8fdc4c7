"""The benchmark's own arithmetic: percentiles, the open-loop schedule, the doc table splice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.__main__ import warms_up
from bench.gateway_latency import phase_summary
from bench.loadgen import open_loop, percentiles


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    values = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms
    summary = percentiles(values)
    assert (summary["p50"], summary["p95"], summary["p99"], summary["max"]) == (50, 95, 99, 100)
    assert percentiles([]) == {"count": 0}


async def test_open_loop_keeps_its_schedule_when_answers_are_slow() -> None:
    intended: list[float] = []

    async def slow(i: int, at: float) -> None:
        intended.append(at)
        await asyncio.sleep(0.2)  # much slower than the 5 ms between sends

    result = await open_loop(200, 20, slow)
    gaps = [b - a for a, b in zip(sorted(intended), sorted(intended)[1:], strict=False)]
    assert all(abs(gap - 0.005) < 1e-6 for gap in gaps)
    # open loop: all 20 left within ~0.1 s although each took 0.2 s to answer
    assert result.send_seconds < 0.19


async def test_open_loop_counts_failures_by_type() -> None:
    async def flaky(i: int, at: float) -> None:
        if i % 2:
            raise TimeoutError

    result = await open_loop(1000, 10, flaky)
    assert result.errors == {"TimeoutError": 5}


def test_the_table_replaces_only_its_block(tmp_path: Path) -> None:
    doc = report.build(
        {
            "jobstream": {"throughput_jobs_per_s": 200.0, "latency_ms": {"p50": 10.0}},
            "celery": {"throughput_jobs_per_s": 800.0, "latency_ms": {"p50": 1.0}},
            "raw_kafka": {"throughput_msgs_per_s": 20000.0, "latency_ms": {"p50": 2.0}},
        },
        args={"jobs": 10, "rate": 5.0},
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert doc["ratios"]["jobstream_over_celery.throughput"] == 0.25
    assert doc["ratios"]["jobstream_over_raw_kafka.throughput"] == 0.01
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Title\n\nbefore\n\n{report.BEGIN}\nold table\n{report.END}\n\nafter\n")
    report.write_table(doc, page, json_path=Path("bench/results/x.json"))
    text = page.read_text()
    assert "old table" not in text
    assert text.startswith("# Title\n\nbefore\n\n") and text.endswith("\n\nafter\n")
    assert "| 200.0 jobs/s |" in text and "**0.25**" in text


def test_a_documents_run_rewrites_only_the_documents_block(tmp_path: Path) -> None:
    documents = {
        "tools": "pdftotext version 24.02.0; tesseract 5.3.4",
        "text_pdf": {
            "label": "text PDF parse", "unit": "pages/s", "jobstream": 40.0,
            "baseline_label": "pdftotext -layout", "baseline": 80.0, "ratio": 0.5, "detail": {},
        },
        "extract": {"label": "extract jobs", "unit": "jobs/s", "jobstream": 12.0, "ratio": None},
        "ocr": {"error": "FileNotFoundError: tesseract"},
    }  # fmt: skip
    doc = report.build(
        {"documents": documents}, args={"jobs": 10, "rate": 5.0},
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    assert doc["ratios"]["documents.text_pdf_over_pdftotext"] == 0.5
    page = tmp_path / "benchmarks.md"
    page.write_text(
        f"# T\n\n{report.BEGIN}\npipeline table\n{report.END}\n\n"
        f"{report.DOCUMENTS_BEGIN}\nold documents\n{report.DOCUMENTS_END}\nend\n"
    )
    report.write_table(doc, page, json_path=Path("bench/results/x.json"))
    text = page.read_text()
    assert "pipeline table" in text and "old documents" not in text and text.endswith("\nend\n")
    assert (
        "| text PDF parse | 40.00 pages/s | pdftotext -layout | 80.00 pages/s | **0.5** |" in text
    )
    assert "| extract jobs | 12.00 jobs/s | none | n/a | n/a |" in text
    assert "| ocr | failed: FileNotFoundError: tesseract |" in text


def test_side_by_side_takes_turns_after_a_warm_up_each() -> None:
    from bench.documents import side_by_side

    calls: list[str] = []

    def ours() -> int:
        calls.append("ours")
        return 3

    def tool() -> int:
        calls.append("tool")
        return 5

    (ours_rate, ours_units), (tool_rate, tool_units) = side_by_side(ours, tool, seconds=0)
    assert calls == ["ours", "tool", "ours", "tool"]
    assert (ours_units, tool_units) == (3, 5) and ours_rate > 0 and tool_rate > 0


def test_the_event_stream_phase_counts_gaps_duplicates_and_order() -> None:
    from bench.sse_scoring import StreamLog, Truth, score, take_events

    def block(event_id: str, job: str, kind: str = "job.started") -> bytes:
        data = f'{{"id":"{event_id}","job_id":"{job}","type":"{kind}"}}'
        return f"id: 0-1\nevent: {kind}\ndata: {data}".encode()

    truth = Truth({"job_a": ["a1", "a2", "a3"], "job_b": ["b1", "b2"]},
                  {"a1": 10.0, "a2": 11.0, "a3": 12.0, "b1": 10.0, "b2": 11.0},
                  {"a1": 10.5, "a2": 11.5, "a3": 12.5, "b1": 10.5, "b2": 11.5})  # fmt: skip
    job = StreamLog("/v1/jobs/job_a/events", "job")
    for event_id, at in (("a1", 10.2), ("a3", 12.1), ("a2", 12.2), ("a2", 12.3)):
        take_events(job, block(event_id, "job_a"), at)  # a3 before a2, a2 twice
    org = StreamLog("/v1/events", "org")
    take_events(org, b": connected", 10.5)
    take_events(org, b": ping", 10.6)
    for event_id, job_id in (("a2", "job_a"), ("a3", "job_a"), ("b2", "job_b")):
        take_events(org, block(event_id, job_id), 12.5)  # a1 and b1 before it connected: gaps
    result = score([job, org], truth, ["job_a", "job_b"])
    assert (result["gaps"], result["duplicates"], result["jobs_out_of_order"]) == (2, 1, 1)
    assert result["events_expected"] == 3 + 5 and result["events_received"] == 4 + 3
    # live events only: job stream connected at 10.2 (a2, a3, a2 later), org at 10.5 (a2, a3, b2)
    assert result["delivery_latency_ms"]["count"] == 6
    assert org.connected_at == 10.5 and job.connected_at == 10.2


def test_an_event_stream_run_rewrites_only_its_block(tmp_path: Path) -> None:
    use = {"seconds": 1.0, "cpu_seconds": 0.5, "cpu_share_of_one_core": 0.5, "rss_mib": 160.0}
    run = {
        "streams": 1000, "org_streams": 100, "job_streams": 900, "jobs": 900, "connected": 1000,
        "drive_seconds": 9.5, "events_expected": 10, "events_received": 10, "gaps": 0,
        "duplicates": 0, "jobs_out_of_order": 0, "delivery_latency_ms": {"p50": 12.0, "p99": 80.0,
        "max": 90.0}, "gateway": {"rss_mib_before": 117.0, **{k: use for k, _ in report.SSE_ROWS}},
    }  # fmt: skip
    doc = report.build(
        {"sse_streams": run}, args={"jobs": 10, "rate": 5.0},
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# T\n\n{report.BEGIN}\npipeline table\n{report.END}\nend\n")
    report.write_table(doc, page, json_path=Path("bench/results/x.json"))
    text = page.read_text()
    assert text.startswith(f"# T\n\n{report.BEGIN}\npipeline table\n{report.END}\nend\n")
    assert "| 1,000 / 1,000 | 10 | 10 | 0 | 0 | 0 | 12.0 ms | 80.0 ms | 90.0 ms |" in text
    assert "| streams open, idle | 1.0 | 0.5 | 0.5 | 160.0 MiB |" in text


def test_every_phase_timed_on_the_broker_runs_on_a_warm_one() -> None:
    for phase in ("jobstream", "raw_kafka", "gateway", "sse"):
        assert warms_up({phase}, 3000), phase
    assert warms_up({"gateway", "list"}, 3000)
    assert not warms_up({"list"}, 3000)  # FerretDB's figures; Kafka's JIT does not enter them
    assert not warms_up({"documents", "celery"}, 3000)
    assert not warms_up({"gateway"}, 0)


def test_create_phases_are_read_as_the_difference_of_two_scrapes() -> None:
    before = {"store": {"count": 10, "sum": 1.0, "le=0.005": 4, "le=0.01": 10, "le=+Inf": 10}}
    after = {
        "store": {"count": 110, "sum": 2.0, "le=0.005": 54, "le=0.01": 108, "le=+Inf": 110},
        "queued": {"count": 5, "sum": 100.0, "le=0.005": 0, "le=+Inf": 5},
    }
    summary = phase_summary(before, after)
    # 100 new stores, 1.0 s between them; 98 of them within 10 ms, so the p99 is past it
    assert summary["store"] == {"count": 100, "mean_ms": 10.0, "p99_at_most_ms": None}
    assert summary["queued"]["mean_ms"] == 20_000.0
    after["store"]["le=0.025"] = 110
    assert phase_summary(before, after)["store"]["p99_at_most_ms"] == 25.0
    assert phase_summary(after, after) == {}  # nothing timed between the two
