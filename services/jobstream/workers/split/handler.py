"""The split handler: a packet of pages in, its parts (which pages are which subdocument) out.

Serves `/v1/documents/split` and the split evals (Gen A `{splits:[...], usage}`), `/v1/splits`
(Gen B split record) and `/v1/partitions` (pages grouped by a key's value, Gen B partition
record). The evals score each expected part (name and exact pages) when `expected` is given.
"""

from __future__ import annotations

from jobstream.engines.port import (
    PartitionRequest,
    SplitPart,
    SplitRequest,
    SplitResult,
    Subdocument,
)
from jobstream.workers import understanding as u
from jobstream.workers.context import JobContext
from jobstream.workers.evals import score_splits
from jobstream_schemas.api import JobResponse
from jobstream_schemas.operations import PartitionBody, SplitBody
from jobstream_schemas.results import (
    LegacySplit,
    PartitionOut,
    PartitionRecord,
    SplitConsensus,
    SplitOut,
    SplitRecord,
    SplitResultBody,
)


async def handle_split(ctx: JobContext) -> JobResponse:
    if ctx.endpoint == "/v1/partitions":
        return await _partition(ctx)
    body = u.parse_body(ctx, SplitBody)
    prepared = await u.prepare(ctx, body)
    document = prepared.document
    request = SplitRequest(
        subdocuments=tuple(Subdocument(name=s.name, description=s.description,
                                       partition_key=s.partition_key) for s in body.subdocuments),
        model=body.model, n_consensus=body.n_consensus,
        context=u.joined_context(body.context, body.instructions),
        page_images=prepared.page_images,
    )  # fmt: skip
    result = await u.run_engine(ctx, prepared.engine, "split", document, request)
    usage = u.usage_body(result.usage, pages=document.page_count)
    parts = [_split_out(part) for part in result.splits]
    if ctx.endpoint == "/v1/splits":
        record = SplitRecord(
            id=u.record_id("splt", ctx), file=u.file_ref(body.document, document),
            model=body.model, subdocuments=body.subdocuments, n_consensus=body.n_consensus,
            output=parts, consensus=_consensus(result), usage=usage, created_at=u.now_iso(),
        )  # fmt: skip
        return JobResponse(status_code=200, body=record.model_dump(mode="json"))
    evaluation = None
    if ctx.endpoint.startswith("/v1/evals/") and body.expected is not None:
        expected = [(e.name, e.pages) for e in body.expected]
        evaluation = score_splits(expected, [(p.name, p.pages) for p in parts])
    legacy = [
        LegacySplit(name=p.name, pages=p.pages, likelihood=s.likelihood, partitions=p.partitions)
        for p, s in zip(parts, result.splits, strict=True)
    ]
    answer = SplitResultBody(splits=legacy, usage=usage, evaluation=evaluation)
    return JobResponse(status_code=200, body=answer.model_dump(mode="json", exclude_none=True))


async def _partition(ctx: JobContext) -> JobResponse:
    body = u.parse_body(ctx, PartitionBody)
    prepared = await u.prepare(ctx, body)
    document = prepared.document
    request = PartitionRequest(
        key=body.key, instructions=body.instructions or None, model=body.model,
        n_consensus=body.n_consensus, page_images=prepared.page_images,
    )  # fmt: skip
    result = await u.run_engine(ctx, prepared.engine, "partition", document, request)
    record = PartitionRecord(
        id=u.record_id("prtn", ctx), file=u.file_ref(body.document, document), model=body.model,
        key=body.key, instructions=body.instructions, n_consensus=body.n_consensus,
        output=[PartitionOut(key=p.key, pages=list(p.pages)) for p in result.partitions],
        usage=u.usage_body(result.usage, pages=document.page_count), created_at=u.now_iso(),
    )  # fmt: skip
    return JobResponse(status_code=200, body=record.model_dump(mode="json"))


def _split_out(part: SplitPart) -> SplitOut:
    partitions = [PartitionOut(key=p.key, pages=list(p.pages)) for p in part.partitions]
    return SplitOut(name=part.name, pages=list(part.pages), partitions=partitions)


def _consensus(result: SplitResult) -> SplitConsensus:
    choices = [[_split_out(part) for part in choice] for choice in result.choices]
    return SplitConsensus(
        choices=choices, likelihoods=[{"name": part.likelihood} for part in result.splits]
    )
