"""Public endpoint names (both Retab generations) and the worker slug each one maps to."""

from __future__ import annotations

from typing import Final

# Every endpoint name a Retab client may send, mapped to the worker slug that runs it.
ENDPOINT_SLUGS: Final[dict[str, str]] = {
    # legacy generation
    "/v1/documents/extract": "extract",
    "/v1/documents/parse": "parse",
    "/v1/documents/split": "split",
    "/v1/documents/classify": "classify",
    "/v1/schemas/generate": "schema_generate",
    "/v1/edit/agent/fill": "agent_fill",
    "/v1/edit/templates/fill": "template_fill",
    "/v1/edit/templates/generate": "template_generate",
    "/v1/projects/extract": "extract",
    # newer generation
    "/v1/extractions": "extract",
    "/v1/parses": "parse",
    "/v1/splits": "split",
    "/v1/partitions": "split",
    "/v1/classifications": "classify",
    "/v1/edits": "agent_fill",
    "/v1/edits/templates/fill": "template_fill",
    "/v1/edits/templates/generate": "template_generate",
    "/v1/files/analyze": "analyze",
    # evals, listed by the public docs
    "/v1/evals/extract/process": "extract",
    "/v1/evals/split/process": "split",
    "/v1/evals/classify/process": "classify",
    "/v1/evals/extract/extract": "extract",
    "/v1/evals/extract/split": "split",
}

# A diagnostic endpoint that does nothing, for benchmarks; accepted only when enabled by a setting.
NOOP_ENDPOINT: Final = "/v1/diagnostics/noop"
NOOP_SLUG: Final = "noop"


def slug_for(endpoint: str) -> str | None:
    """The worker slug for an endpoint name, or None when the name is unknown."""
    if endpoint == NOOP_ENDPOINT:
        return NOOP_SLUG
    return ENDPOINT_SLUGS.get(endpoint)
