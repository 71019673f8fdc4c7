"""LocalEngine: the Engine port on the local, deterministic engine (no network, no model).

Every operation is a pure function of the Document and the request (`extract.py`,
`classify.py`, `split.py`, `schema_gen.py`); the async methods only call them, since a document
of a few pages takes milliseconds. `usage.credits` is the number of pages read.
"""

from __future__ import annotations

from jobstream.documents.model import Document
from jobstream.engines.local.classify import classify_document
from jobstream.engines.local.extract import extract_document
from jobstream.engines.local.forms import fill_form_locally
from jobstream.engines.local.schema_gen import generate_schema
from jobstream.engines.local.split import partition_pages, split_document
from jobstream.engines.port import (
    ClassifyRequest,
    ClassifyResult,
    ExtractRequest,
    ExtractResult,
    FillRequest,
    FillResult,
    InvalidEngineRequestError,
    Partition,
    PartitionRequest,
    PartitionResult,
    SchemaRequest,
    SchemaResult,
    SplitPart,
    SplitRequest,
    SplitResult,
    Usage,
)


def _credits(document: Document, first_n_pages: int | None = None) -> Usage:
    pages = document.page_count if not first_n_pages else min(first_n_pages, document.page_count)
    return Usage(credits=float(pages))


class LocalEngine:
    """Deterministic layout + lexicon + type coercion; the default engine for every model name."""

    async def extract(self, document: Document, request: ExtractRequest) -> ExtractResult:
        return extract_document(document, request.json_schema)

    async def classify(self, document: Document, request: ClassifyRequest) -> ClassifyResult:
        if not request.categories:
            raise InvalidEngineRequestError(
                "categories must name at least one category", details={"field": "categories"}
            )
        categories = [(c.name, c.description) for c in request.categories]
        decision = classify_document(
            document, categories, first_n_pages=request.first_n_pages, context=request.context
        )
        return ClassifyResult(
            category=request.categories[decision.index].name,
            reasoning=decision.reasoning,
            likelihood=decision.likelihood,
            usage=_credits(document, request.first_n_pages),
        )

    async def split(self, document: Document, request: SplitRequest) -> SplitResult:
        if not request.subdocuments:
            raise InvalidEngineRequestError(
                "subdocuments must name at least one subdocument", details={"field": "subdocuments"}
            )
        pairs = [(s.name, s.description) for s in request.subdocuments]
        keys = {s.name: s.partition_key for s in request.subdocuments}
        parts: list[SplitPart] = []
        for name, pages, likelihood in split_document(document, pairs, context=request.context):
            key = keys.get(name)
            partitions: tuple[Partition, ...] = ()
            if key:
                grouped = partition_pages(document, pages, key)
                partitions = tuple(Partition(key=k, pages=tuple(p)) for k, p in grouped)
            parts.append(SplitPart(name, tuple(pages), likelihood, partitions))
        return SplitResult(splits=tuple(parts), usage=_credits(document))

    async def partition(self, document: Document, request: PartitionRequest) -> PartitionResult:
        if not request.key.strip():
            raise InvalidEngineRequestError("key must not be empty", details={"field": "key"})
        pages = [page.number for page in document.pages]
        grouped = partition_pages(document, pages, request.key)
        partitions = tuple(Partition(key=k, pages=tuple(p)) for k, p in grouped)
        return PartitionResult(partitions=partitions, usage=_credits(document))

    async def generate_schema(
        self, documents: tuple[Document, ...], request: SchemaRequest
    ) -> SchemaResult:
        if not documents:
            raise InvalidEngineRequestError(
                "documents must hold at least one document", details={"field": "documents"}
            )
        schema = generate_schema(list(documents), instructions=request.instructions)
        credits = float(sum(document.page_count for document in documents))
        return SchemaResult(json_schema=schema, usage=Usage(credits=credits))

    async def fill_form(self, document: Document, request: FillRequest) -> FillResult:
        return fill_form_locally(document, request)
