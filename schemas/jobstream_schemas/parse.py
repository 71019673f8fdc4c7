"""The parse endpoints' bodies: the request (`/v1/documents/parse` and `/v1/parses` take the
same one), the legacy (Gen A) response and the `/v1/parses` (Gen B) record."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TableParsingFormat = Literal["html", "markdown", "json", "yaml"]


class ParseDocument(BaseModel):
    """A document as a client sends it."""

    model_config = ConfigDict(extra="ignore")

    filename: str | None = Field(None, description="the file's name; a hint for its format")
    url: str = Field(
        description="a `data:<mime>;base64,...` URL, or an `https://` URL the worker fetches"
    )


class ParseRequest(BaseModel):
    """`request` of a parse job. Unknown fields (e.g. `bust_cache`) are ignored."""

    model_config = ConfigDict(extra="ignore")

    document: ParseDocument
    model: str = Field("retab-small", description="echoed; parsing is local, whatever the model")
    table_parsing_format: TableParsingFormat = Field(
        "html", description="how tables are rendered inline in the pages' text"
    )
    image_resolution_dpi: int = Field(
        192, ge=96, le=300, description="resolution pages are rendered at for OCR"
    )
    instructions: str | None = Field(None, description="accepted and echoed (Gen B)")


class ParsedFile(BaseModel):
    """The parsed file: `id` is `file_` + hex of the 8-byte BLAKE2b digest of its bytes."""

    id: str
    filename: str
    mime_type: str


class ParseUsage(BaseModel):
    """`credits` = pages parsed."""

    credits: float


class ParseResponse(BaseModel):
    """`response.body` of a job on a legacy name (`/v1/documents/parse`)."""

    document: ParsedFile
    usage: ParseUsage
    pages: list[str] = Field(description="each page's text in reading order, tables inline")
    text: str = Field(description="the pages joined by blank lines")


class ParseOutput(BaseModel):
    pages: list[str]
    text: str


class ParseRecord(BaseModel):
    """`response.body` of a job on `/v1/parses`: the parse resource."""

    id: str = Field(description="`parse_` + the job's id without its `job_` prefix")
    file: ParsedFile
    model: str
    table_parsing_format: TableParsingFormat
    image_resolution_dpi: int
    instructions: str | None = None
    output: ParseOutput
    usage: ParseUsage
    created_at: str = Field(description="ISO 8601, UTC")


# Request and response body per endpoint name (the gateway's OpenAPI document shows them).
ENDPOINT_BODIES: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "/v1/documents/parse": (ParseRequest, ParseResponse),
    "/v1/parses": (ParseRequest, ParseRecord),
}
