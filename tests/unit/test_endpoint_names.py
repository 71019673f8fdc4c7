"""Endpoint-name views (as submitted / generated SDK) and the version-less path aliases."""

from __future__ import annotations

import pytest

from jobstream.core.endpoints import ENDPOINT_SLUGS, GEN_B_ENDPOINTS, gen_b_name, slug_for
from jobstream.core.listing import ListQuery
from jobstream.core.principal import endpoint_names_of
from jobstream.gateway.naming import NO_ENDPOINT, list_query_for, present_job
from jobstream.gateway.versioning import versioned_path
from jobstream_schemas.api import JobPublic


def job(endpoint: str) -> JobPublic:
    return JobPublic(
        id="job_x", status="queued", endpoint=endpoint, created_at=1, expires_at=2,
        organization_id="org",
    )  # fmt: skip


# The generated SDK fills templates through `/v1/edits` (with a `template_id`): its enum has no
# template-fill name, so template fills are shown as edits.
FILLS = {"/v1/edit/templates/fill", "/v1/edits/templates/fill"}


def test_every_equivalent_names_the_same_worker() -> None:
    for stored in ENDPOINT_SLUGS:
        shown = gen_b_name(stored)
        if shown is not None:
            assert shown in GEN_B_ENDPOINTS
            if stored not in FILLS:
                assert slug_for(shown) == slug_for(stored), stored


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("/v1/documents/extract", "/v1/extractions"),
        ("/v1/documents/parse", "/v1/parses"),
        ("/v1/edit/templates/generate", "/v1/edits/templates/generate"),
        ("/v1/parses", "/v1/parses"),
        ("/v1/files/analyze", "/v1/files/analyze"),  # no equivalent: unchanged
    ],
)
def test_gen_b_view_renames_legacy_names_only(stored: str, shown: str) -> None:
    assert present_job(job(stored), "gen_b").endpoint == shown
    assert present_job(job(stored), "as_submitted").endpoint == stored


def test_gen_b_list_filter_matches_the_legacy_names_it_shows() -> None:
    query = list_query_for(ListQuery(endpoints=("/v1/parses",)), "gen_b")
    assert set(query.endpoints) == {"/v1/parses", "/v1/documents/parse"}
    unfiltered = list_query_for(ListQuery(), "gen_b")
    assert "/v1/documents/parse" in unfiltered.endpoints
    assert "/v1/files/analyze" not in unfiltered.endpoints
    assert "/v1/diagnostics/noop" not in unfiltered.endpoints
    nothing = list_query_for(ListQuery(endpoints=("/v1/files/analyze",)), "gen_b")
    assert nothing.endpoints == (NO_ENDPOINT,)
    assert list_query_for(ListQuery(endpoints=("/v1/x",)), "as_submitted").endpoints == ("/v1/x",)


def test_endpoint_names_values() -> None:
    assert endpoint_names_of("Gen-B") == "gen_b"
    assert endpoint_names_of("as-submitted") == "as_submitted"
    assert endpoint_names_of("v2") is None


@pytest.mark.parametrize(
    ("path", "rewritten"),
    [
        ("/jobs", "/v1/jobs"),
        ("/jobs/job_1/cancel", "/v1/jobs/job_1/cancel"),
        ("/webhooks", "/v1/webhooks"),
        ("/v1/jobs", None),
        ("/health", None),
        ("/metrics", None),
        ("/jobsx", None),
    ],
)
def test_versionless_paths(path: str, rewritten: str | None) -> None:
    assert versioned_path(path) == rewritten
