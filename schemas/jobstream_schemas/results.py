"""Response bodies (`job.response.body`) of the understanding endpoints, in both generations.

Gen A (legacy names, API_CONTRACT.md): extraction is an OpenAI chat completion with `parsed`,
`content` and `likelihoods`; classify `{result:{reasoning, classification}, usage}`; split
`{splits:[{name, pages, likelihood, votes, partitions}], usage}`; schemas/generate
`{object:"schema", created_at, json_schema, strict, usage}`. Gen B (`/v1/extractions`,
`/v1/classifications`, `/v1/splits`, `/v1/partitions`) answers resource records with `file`
(`file_` + blake2b-8 hex of the bytes) and an ISO-8601 `created_at` (DOCUMENTS.md). Eval
endpoints add `evaluation`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from jobstream_schemas.operations import (
    CategoryInput,
    ClassifyBody,
    ExtractBody,
    PartitionBody,
    SchemaGenerateBody,
    SplitBody,
    SubdocumentInput,
)


class UsageBody(BaseModel):
    """`credits` = pages processed; token counts are those of an LLM provider (0 locally)."""

    credits: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class FileRef(BaseModel):
    id: str = Field(description="`file_` + hex of the 8-byte blake2b digest of the bytes")
    filename: str
    mime_type: str


class FieldScore(BaseModel):
    expected: Any = None
    predicted: Any = None
    match: bool


class Evaluation(BaseModel):
    """Eval endpoints: how the answer compares with the request's `expected`."""

    score: float = Field(description="fraction of fields / parts / categories that match")
    fields: dict[str, FieldScore] = Field(default_factory=dict)


# ---- extraction ----------------------------------------------------------------------------


class CompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str = Field(description="the extracted object as JSON text")
    parsed: dict[str, Any]


class CompletionChoice(BaseModel):
    index: int = 0
    finish_reason: Literal["stop"] = "stop"
    message: CompletionMessage


class ExtractCompletion(BaseModel):
    """Gen A extraction: an OpenAI chat completion."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: UsageBody
    likelihoods: dict[str, Any] = Field(description="same keys as the object; leaves in 0-1")
    extraction_id: str
    evaluation: Evaluation | None = None


class ExtractionConsensus(BaseModel):
    choices: list[dict[str, Any]] = Field(default_factory=list)
    likelihoods: dict[str, Any] = Field(default_factory=dict)


class ExtractionRecord(BaseModel):
    """Gen B `/v1/extractions`."""

    id: str
    file: FileRef
    model: str
    json_schema: dict[str, Any]
    n_consensus: int
    image_resolution_dpi: int
    instructions: str | None = None
    output: dict[str, Any]
    status: Literal["completed"] = "completed"
    consensus: ExtractionConsensus
    metadata: dict[str, str] = Field(default_factory=dict)
    usage: UsageBody
    created_at: str = Field(description="ISO-8601")


# ---- classification ------------------------------------------------------------------------


class LegacyClassification(BaseModel):
    reasoning: str
    classification: str


class ClassifyResult(BaseModel):
    """Gen A `/v1/documents/classify`."""

    result: LegacyClassification
    likelihood: float
    usage: UsageBody
    evaluation: Evaluation | None = None


class ClassificationDecision(BaseModel):
    reasoning: str
    category: str


class ClassificationConsensus(BaseModel):
    choices: list[ClassificationDecision] = Field(default_factory=list)
    likelihood: float
    likelihoods: dict[str, float] = Field(description="{category: agreement}")


class ClassificationRecord(BaseModel):
    """Gen B `/v1/classifications`."""

    id: str
    file: FileRef
    model: str
    categories: list[CategoryInput]
    n_consensus: int
    output: ClassificationDecision
    consensus: ClassificationConsensus
    usage: UsageBody
    created_at: str


# ---- split and partition -------------------------------------------------------------------


class PartitionOut(BaseModel):
    key: str
    pages: list[int]


class LegacySplit(BaseModel):
    name: str
    pages: list[int]
    likelihood: float
    votes: list[Any] = Field(default_factory=list)
    partitions: list[PartitionOut] = Field(default_factory=list)


class SplitResultBody(BaseModel):
    """Gen A `/v1/documents/split` (and the split evals)."""

    splits: list[LegacySplit]
    usage: UsageBody
    evaluation: Evaluation | None = None


class SplitOut(BaseModel):
    name: str
    pages: list[int]
    partitions: list[PartitionOut] = Field(default_factory=list)


class SplitConsensus(BaseModel):
    choices: list[list[SplitOut]] = Field(default_factory=list)
    likelihoods: list[dict[str, float]] = Field(description="per part: {name: agreement}")


class SplitRecord(BaseModel):
    """Gen B `/v1/splits`."""

    id: str
    file: FileRef
    model: str
    subdocuments: list[SubdocumentInput]
    n_consensus: int
    output: list[SplitOut]
    status: Literal["completed"] = "completed"
    consensus: SplitConsensus
    usage: UsageBody
    created_at: str


class PartitionRecord(BaseModel):
    """Gen B `/v1/partitions`."""

    id: str
    file: FileRef
    model: str
    key: str
    instructions: str = ""
    n_consensus: int
    output: list[PartitionOut]
    usage: UsageBody
    created_at: str


# ---- schema generation ---------------------------------------------------------------------


class GeneratedSchema(BaseModel):
    """`/v1/schemas/generate`."""

    object: Literal["schema"] = "schema"
    created_at: int
    json_schema: dict[str, Any]
    strict: bool = True
    usage: UsageBody


# ---- which body goes with which endpoint (the OpenAPI document lists them) -----------------

ENDPOINT_BODIES: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "/v1/documents/extract": (ExtractBody, ExtractCompletion),
    "/v1/projects/extract": (ExtractBody, ExtractCompletion),
    "/v1/evals/extract/process": (ExtractBody, ExtractCompletion),
    "/v1/evals/extract/extract": (ExtractBody, ExtractCompletion),
    "/v1/extractions": (ExtractBody, ExtractionRecord),
    "/v1/documents/classify": (ClassifyBody, ClassifyResult),
    "/v1/evals/classify/process": (ClassifyBody, ClassifyResult),
    "/v1/classifications": (ClassifyBody, ClassificationRecord),
    "/v1/documents/split": (SplitBody, SplitResultBody),
    "/v1/evals/split/process": (SplitBody, SplitResultBody),
    "/v1/evals/extract/split": (SplitBody, SplitResultBody),
    "/v1/splits": (SplitBody, SplitRecord),
    "/v1/partitions": (PartitionBody, PartitionRecord),
    "/v1/schemas/generate": (SchemaGenerateBody, GeneratedSchema),
}
