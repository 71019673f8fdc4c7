"""The classify handler: a document and categories in, the category it belongs to out.

`/v1/documents/classify` (and its eval) answers `{result:{reasoning, classification},
likelihood, usage}` (Gen A); `/v1/classifications` a classification record (Gen B). The eval
endpoint scores the answer against the request's `expected` category when it has one.
"""

from __future__ import annotations

from collections import Counter

from jobstream.engines.port import Category, ClassifyRequest, ClassifyResult
from jobstream.workers import understanding as u
from jobstream.workers.context import JobContext
from jobstream.workers.evals import score_category
from jobstream_schemas.api import JobResponse
from jobstream_schemas.operations import ClassifyBody
from jobstream_schemas.results import (
    ClassificationConsensus,
    ClassificationDecision,
    ClassificationRecord,
    LegacyClassification,
)
from jobstream_schemas.results import (
    ClassifyResult as ClassifyBodyOut,
)


async def handle_classify(ctx: JobContext) -> JobResponse:
    body = u.parse_body(ctx, ClassifyBody)
    prepared = await u.prepare(ctx, body, first_n_pages=body.first_n_pages)
    document = prepared.document
    request = ClassifyRequest(
        categories=tuple(Category(name=c.name, description=c.description)
                         for c in body.categories),
        model=body.model, first_n_pages=body.first_n_pages, n_consensus=body.n_consensus,
        context=u.joined_context(body.context, body.instructions),
        page_images=prepared.page_images,
    )  # fmt: skip
    result = await u.run_engine(ctx, prepared.engine, "classify", document, request)
    usage = u.usage_body(result.usage, pages=document.page_count)
    if ctx.endpoint == "/v1/classifications":
        record = ClassificationRecord(
            id=u.record_id("clss", ctx), file=u.file_ref(body.document, document),
            model=body.model, categories=body.categories, n_consensus=body.n_consensus,
            output=ClassificationDecision(reasoning=result.reasoning, category=result.category),
            consensus=_consensus(result), usage=usage, created_at=u.now_iso(),
        )  # fmt: skip
        return JobResponse(status_code=200, body=record.model_dump(mode="json"))
    evaluation = None
    if ctx.endpoint.startswith("/v1/evals/") and body.expected is not None:
        evaluation = score_category(body.expected, result.category)
    answer = ClassifyBodyOut(
        result=LegacyClassification(reasoning=result.reasoning, classification=result.category),
        likelihood=result.likelihood, usage=usage, evaluation=evaluation,
    )  # fmt: skip
    return JobResponse(status_code=200, body=answer.model_dump(mode="json", exclude_none=True))


def _consensus(result: ClassifyResult) -> ClassificationConsensus:
    votes = Counter(result.choices or (result.category,))
    total = sum(votes.values())
    return ClassificationConsensus(
        choices=[ClassificationDecision(reasoning="", category=c) for c in result.choices],
        likelihood=result.likelihood,
        likelihoods={name: count / total for name, count in votes.items()},
    )
