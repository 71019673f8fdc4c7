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


# The generated SDK (Python `retab` 0.0.142-0.0.148) types `Job.endpoint` as this closed enum and
# rejects any other name when it parses a job or a list page.
GEN_B_ENDPOINTS: Final[tuple[str, ...]] = (
    "/v1/extractions",
    "/v1/parses",
    "/v1/splits",
    "/v1/partitions",
    "/v1/classifications",
    "/v1/schemas/generate",
    "/v1/edits",
    "/v1/edits/templates/generate",
    "/v1/evals/extract/process",
    "/v1/evals/extract/extract",
    "/v1/evals/extract/split",
)

# A stored name outside that enum → the enum member that names the same operation. Names with no
# such member (`/v1/files/analyze`, the split/classify evals, the diagnostic noop) are absent.
GEN_B_EQUIVALENTS: Final[dict[str, str]] = {
    "/v1/documents/extract": "/v1/extractions",
    "/v1/projects/extract": "/v1/extractions",
    "/v1/documents/parse": "/v1/parses",
    "/v1/documents/split": "/v1/splits",
    "/v1/documents/classify": "/v1/classifications",
    "/v1/edit/agent/fill": "/v1/edits",
    "/v1/edit/templates/fill": "/v1/edits",
    "/v1/edits/templates/fill": "/v1/edits",
    "/v1/edit/templates/generate": "/v1/edits/templates/generate",
}


def gen_b_name(endpoint: str) -> str | None:
    """How a generated-SDK client sees a stored endpoint name; None when it has no equivalent."""
    if endpoint in GEN_B_ENDPOINTS:
        return endpoint
    return GEN_B_EQUIVALENTS.get(endpoint)


def names_shown_as_gen_b(name: str) -> tuple[str, ...]:
    """Every stored name a generated-SDK client sees as `name` (for its `endpoint` list filter)."""
    stored = [stored for stored, shown in GEN_B_EQUIVALENTS.items() if shown == name]
    return (name, *stored) if name in GEN_B_ENDPOINTS else tuple(stored)


def gen_b_presentable() -> tuple[str, ...]:
    """Every stored name a generated-SDK client can be shown."""
    return (*GEN_B_ENDPOINTS, *GEN_B_EQUIVALENTS)
