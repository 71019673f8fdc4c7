"""How endpoint names are shown: as submitted (the contract), or in the generated SDK's enum.

The generated Retab SDK (0.0.142-0.0.148) parses `Job.endpoint` as a closed enum of the newer
names, so one legacy-named job in a list page makes its whole `jobs.list()` raise. For a client
in the `gen_b` view, a legacy name is shown as its newer equivalent, the `endpoint` list filter
matches the legacy names it stands for, and lists leave out the few jobs whose endpoint has no
equivalent (they would break the page). Stored names never change.
"""

from __future__ import annotations

import dataclasses

from jobstream.core.endpoints import gen_b_name, gen_b_presentable, names_shown_as_gen_b
from jobstream.core.listing import ListQuery
from jobstream.core.principal import EndpointNames
from jobstream_schemas.api import JobList, JobPublic

NO_ENDPOINT = "(none)"  # never a stored name (creates accept known names only): matches nothing


def present_job(job: JobPublic, names: EndpointNames) -> JobPublic:
    """The job as the client's view names its endpoint (unchanged when it has no equivalent)."""
    if names != "gen_b":
        return job
    shown = gen_b_name(job.endpoint)
    if shown is None or shown == job.endpoint:
        return job
    return job.model_copy(update={"endpoint": shown})


def present_list(page: JobList, names: EndpointNames) -> JobList:
    if names != "gen_b":
        return page
    return page.model_copy(update={"data": [present_job(job, names) for job in page.data]})


def list_query_for(query: ListQuery, names: EndpointNames) -> ListQuery:
    """The stored-name query behind a client's list query."""
    if names != "gen_b":
        return query
    if query.endpoints:
        wanted = tuple(dict.fromkeys(n for e in query.endpoints for n in names_shown_as_gen_b(e)))
        # An endpoint the view cannot show matches nothing (never all jobs).
        return dataclasses.replace(query, endpoints=wanted or (NO_ENDPOINT,))
    return dataclasses.replace(query, endpoints=gen_b_presentable())
