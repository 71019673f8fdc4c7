"""Request bodies of the understanding endpoints: extract, classify, split, partition, schemas.

Both generations' names share these models (a Gen B request is a Gen A request without the
legacy-only fields). Unknown fields are ignored, as the Retab API does (SDKs send `bust_cache`,
`stream`, ...). The answers are in `jobstream_schemas.results`. The eval endpoints take the same
body plus `expected`, the labeled answer the result is scored against.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DocumentInput(_Request):
    """A document as clients send it: a `data:` URL (or an `https:` URL where allowed)."""

    filename: str = Field("document", description="the document's name, e.g. invoice.pdf")
    url: str = Field(min_length=1, description="`data:<mime>;base64,...` or `https://...`")


class CategoryInput(_Request):
    name: str = Field(min_length=1)
    description: str = ""


class SubdocumentInput(_Request):
    name: str = Field(min_length=1)
    description: str = ""
    partition_key: str | None = Field(
        None, description="group this subdocument's pages by the value of this key"
    )


class ExtractBody(_Request):
    """`/v1/documents/extract`, `/v1/extractions`, `/v1/projects/extract`, `/v1/evals/extract/*`."""

    document: DocumentInput
    json_schema: dict[str, Any] = Field(description="JSON Schema of the object to extract")
    model: str = "retab-small"
    image_resolution_dpi: int = Field(192, ge=96, le=300)
    n_consensus: int = Field(1, ge=1, le=16)
    instructions: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    additional_messages: list[dict[str, Any]] | None = None
    project_id: str | None = Field(None, description="`/v1/projects/extract`: echoed only")
    expected: dict[str, Any] | None = Field(
        None, description="evals: the labeled object each extracted field is scored against"
    )


class ClassifyBody(_Request):
    """`/v1/documents/classify`, `/v1/classifications`, `/v1/evals/classify/process`."""

    document: DocumentInput
    categories: list[CategoryInput] = Field(min_length=1)
    model: str = "retab-small"
    first_n_pages: int | None = Field(None, ge=1)
    context: str | None = None
    instructions: str | None = None
    n_consensus: int = Field(1, ge=1, le=16)
    expected: str | None = Field(None, description="evals: the right category's name")


class ExpectedSplit(_Request):
    name: str
    pages: list[int]


class SplitBody(_Request):
    """`/v1/documents/split`, `/v1/splits`, `/v1/evals/split/process`, `/v1/evals/extract/split`."""

    document: DocumentInput
    subdocuments: list[SubdocumentInput] = Field(min_length=1)
    model: str = "retab-small"
    context: str | None = None
    instructions: str | None = None
    n_consensus: int = Field(1, ge=1, le=8)
    expected: list[ExpectedSplit] | None = Field(
        None, description="evals: the labeled parts (name and 1-based pages)"
    )


class PartitionBody(_Request):
    """`/v1/partitions`: pages grouped by the value of `key` (e.g. one group per invoice number)."""

    document: DocumentInput
    key: str = Field(min_length=1)
    instructions: str = ""
    model: str = "retab-small"
    n_consensus: int = Field(1, ge=1, le=8)


class SchemaGenerateBody(_Request):
    """`/v1/schemas/generate`: a JSON Schema of the fields the documents share."""

    documents: list[DocumentInput] = Field(min_length=1, max_length=20)
    model: str = "retab-small"
    instructions: str | None = None
