"""The understanding end-to-end bench phase without a stack: its job bodies are valid extract and
classify requests, and its run rewrites only its own block of docs/benchmarks.md."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.understanding_e2e import ENDPOINTS, job_requests

from jobstream_schemas.operations import ClassifyBody, ExtractBody


def test_job_bodies_are_valid_extract_and_classify_requests() -> None:
    bodies = job_requests([b"%PDF-1.4 one", b"%PDF-1.4 two"])
    assert set(bodies) == set(ENDPOINTS) == {"extract", "classify"}
    for body in bodies["extract"]:
        request = ExtractBody.model_validate(body)
        assert request.json_schema["properties"]["vendor_name"] == {
            "type": "string", "description": "Who issued the invoice"
        }  # fmt: skip
    for body in bodies["classify"]:
        assert len(ClassifyBody.model_validate(body).categories) == 6
    assert bodies["extract"][1]["document"]["url"].startswith("data:application/pdf;base64,")


def run(throughput: float, p50: float, *, failed: int = 0) -> dict[str, object]:
    outcomes = {"completed": 300 - failed, **({"failed": failed} if failed else {})}
    return {
        "jobs": 300, "throughput_jobs_per_s": throughput, "outcomes": outcomes,
        "latency_ms": {"p50": p50, "p95": p50 * 2, "p99": p50 * 3},
        "create": {"offered_rps": 100.0, "errors": {}}, "load_average_1m": [1.5, 2.25],
    }  # fmt: skip


def test_an_understanding_run_rewrites_only_its_block(tmp_path: Path) -> None:
    extract = {**run(20.0, 15_000.0), "in_process": {"jobstream": 40.0}, "e2e_over_in_process": 0.5,
               "below_capacity": {**run(6.7, 120.0), "jobs": 100}}  # fmt: skip
    classify = {**run(25.0, 9_000.0, failed=2), "in_process": {"jobstream": 50.0},
                "e2e_over_in_process": 0.5}  # fmt: skip
    doc = report.build(
        {"understanding_e2e": {"extract": extract, "classify": classify}},
        args={"jobs": 10, "rate": 5.0}, started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    page = tmp_path / "benchmarks.md"
    page.write_text(
        f"# T\n\n{report.BEGIN}\npipeline table\n{report.END}\n\n"
        f"{report.DOCUMENTS_BEGIN}\ndocuments table\n{report.DOCUMENTS_END}\n\n"
        f"{report.UNDERSTANDING_BEGIN}\nold understanding\n{report.UNDERSTANDING_END}\nend\n"
    )
    report.write_table(doc, page, json_path=Path("bench/results/x.json"))
    text = page.read_text()
    assert "pipeline table" in text and "documents table" in text and text.endswith("\nend\n")
    assert "old understanding" not in text
    assert "| extract (invoice schema) | 40.00 jobs/s | 20.00 jobs/s | **0.5** |" in text
    assert (
        "| extract (invoice schema), saturated | 300 at 100.0/s | 20.00 jobs/s | 15.00 s | 30.00 s "
        "| 45.00 s | 300 completed | 1.5 → 2.2 |" in text
    )
    assert (
        "| extract (invoice schema), below capacity | 100 at 100.0/s | 6.70 jobs/s | 120 ms" in text
    )
    assert "| 298 completed, 2 failed | 1.5 → 2.2 |" in text


def test_a_failed_understanding_phase_says_so(tmp_path: Path) -> None:
    doc = report.build(
        {"understanding_e2e": {"error": "TimeoutError: terminal events"}},
        args={"jobs": 10, "rate": 5.0}, started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    page = tmp_path / "benchmarks.md"
    report.write_table(doc, page, json_path=Path("bench/results/x.json"))
    assert "The phase failed: `TimeoutError: terminal events`." in page.read_text()
