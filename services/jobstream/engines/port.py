"""The Engine port: one method per document operation, typed requests in, typed results out.

Every result carries per-field evidence (page, box, matched label) and likelihoods in 0-1, and the
usage it cost. Pure types: no I/O. Engines raise `EngineError` subclasses with stable codes
(`validation_error`, `model_not_available`, `provider_error`, `timeout`); `ProviderUnavailableError`
is transient (the worker retries it with backoff within the job's deadline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from jobstream.core.errors import CodedError
from jobstream.documents.model import Box, Document


class EngineError(CodedError):
    """An operation that cannot give an answer; `code` is the failed job's error code."""

    code = "provider_error"


class InvalidEngineRequestError(EngineError):
    """The request cannot be served as given (e.g. an invalid JSON Schema: say which keyword)."""

    code = "validation_error"


class ModelNotAvailableError(EngineError):
    code = "model_not_available"


class ProviderUnavailableError(EngineError):
    """Transient: throttled (429), 5xx or unreachable; `retry_after` as the server said."""

    code = "provider_error"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Usage:
    credits: float = 0.0  # pages processed
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where an answer came from."""

    page: int | None = None  # 1-based
    box: Box | None = None
    label: str | None = None  # the label or cue that matched
    text: str | None = None  # the source text of the value


@dataclass(frozen=True, slots=True)
class ExtractRequest:
    json_schema: dict[str, Any]
    model: str = "retab-small"
    n_consensus: int = 1
    instructions: str | None = None
    additional_messages: tuple[dict[str, Any], ...] = ()
    image_resolution_dpi: int = 192
    page_images: tuple[bytes, ...] = ()  # PNG per page, for vision models (empty: text only)


@dataclass(frozen=True, slots=True)
class ExtractResult:
    data: dict[str, Any]  # the object, shaped by the schema; unsupported values are None
    likelihoods: dict[str, Any]  # same keys and nesting as `data`, leaves in 0-1
    evidence: dict[str, Evidence] = field(default_factory=dict)  # keyed by JSON path ("a.b.0.c")
    usage: Usage = Usage()
    choices: tuple[dict[str, Any], ...] = ()  # the n_consensus individual answers, when > 1


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class ClassifyRequest:
    categories: tuple[Category, ...]
    model: str = "retab-small"
    first_n_pages: int | None = None
    context: str | None = None
    n_consensus: int = 1
    page_images: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassifyResult:
    category: str
    reasoning: str
    likelihood: float
    evidence: tuple[Evidence, ...] = ()
    usage: Usage = Usage()
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Subdocument:
    name: str
    description: str = ""
    partition_key: str | None = None


@dataclass(frozen=True, slots=True)
class SplitRequest:
    subdocuments: tuple[Subdocument, ...]
    model: str = "retab-small"
    context: str | None = None
    n_consensus: int = 1
    page_images: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class Partition:
    key: str
    pages: tuple[int, ...]  # 1-based


@dataclass(frozen=True, slots=True)
class SplitPart:
    name: str
    pages: tuple[int, ...]  # 1-based, contiguous
    likelihood: float
    partitions: tuple[Partition, ...] = ()


@dataclass(frozen=True, slots=True)
class SplitResult:
    splits: tuple[SplitPart, ...]
    usage: Usage = Usage()
    choices: tuple[tuple[SplitPart, ...], ...] = ()  # the n_consensus individual answers, when > 1


@dataclass(frozen=True, slots=True)
class PartitionRequest:
    key: str  # what groups pages, e.g. "invoice number"
    instructions: str | None = None
    model: str = "retab-small"
    n_consensus: int = 1
    page_images: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class PartitionResult:
    partitions: tuple[Partition, ...]
    usage: Usage = Usage()
    choices: tuple[tuple[Partition, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class SchemaRequest:
    model: str = "retab-small"
    instructions: str | None = None


@dataclass(frozen=True, slots=True)
class SchemaResult:
    json_schema: dict[str, Any]
    usage: Usage = Usage()


FieldType = Literal["text", "checkbox"]


@dataclass(frozen=True, slots=True)
class FormFieldSpec:
    """A fillable field as the API's FormField describes it."""

    key: str
    type: FieldType
    description: str
    box: Box
    page: int  # 1-based
    options: tuple[str, ...] = ()  # radio groups and choice lists: the only values accepted
    max_length: int | None = None  # the most characters a text field takes (comb, MaxLen)


@dataclass(frozen=True, slots=True)
class FillRequest:
    fields: tuple[FormFieldSpec, ...]
    instructions: str  # `Label: value` lines, free sentences or a JSON object
    model: str = "retab-small"


@dataclass(frozen=True, slots=True)
class FillResult:
    values: dict[str, Any]  # field key -> value (str, or bool for checkboxes), None = not given
    likelihoods: dict[str, float]
    warnings: tuple[str, ...] = ()
    usage: Usage = Usage()


class Engine(Protocol):
    """What an operation needs from a model. Implementations: local, OpenAI-compatible."""

    async def extract(self, document: Document, request: ExtractRequest) -> ExtractResult: ...

    async def classify(self, document: Document, request: ClassifyRequest) -> ClassifyResult: ...

    async def split(self, document: Document, request: SplitRequest) -> SplitResult: ...

    async def partition(self, document: Document, request: PartitionRequest) -> PartitionResult: ...

    async def generate_schema(
        self, documents: tuple[Document, ...], request: SchemaRequest
    ) -> SchemaResult: ...

    async def fill_form(self, document: Document, request: FillRequest) -> FillResult: ...
