"""The form endpoints' bodies: template generation, filling (from a template or a document), and
templates as a resource (`/v1/edit/templates`, `/v1/edits/templates`).

The shapes are Retab's (`FormField`, `EditConfig`, `EditTemplate`); a checkbox's `value` is
`"true"` or `"false"`, a radio group or choice list is a `text` field whose description lists the
options it takes. Unknown request fields (`bust_cache`, ...) are ignored.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jobstream_schemas.results import FileRef as FileRef
from jobstream_schemas.results import UsageBody

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


class FormDocument(_Request):
    """A document as clients send it and as the API answers one (`url`: a data: URL)."""

    filename: str = Field("document.pdf", description="the file's name")
    url: str = Field(min_length=1, description="`data:application/pdf;base64,...` or `https://`")


class BBox(BaseModel):
    """A field's box, normalized to its page (0-1, origin top left); `page` is 1-based."""

    left: float = Field(ge=0, le=1)
    top: float = Field(ge=0, le=1)
    width: float = Field(ge=0, le=1)
    height: float = Field(ge=0, le=1)
    page: int = Field(ge=1)


class FormField(BaseModel):
    """One fillable field: `key` identifies it, `description` is its visible label."""

    model_config = ConfigDict(extra="ignore")

    key: str = Field(min_length=1, max_length=256)
    type: Literal["text", "checkbox"]
    description: str = Field(max_length=2000)
    bbox: BBox
    value: str | None = Field(None, description="the filled value; checkboxes: 'true'/'false'")


class FormSchema(BaseModel):
    form_fields: list[FormField]


class EditConfig(_Request):
    color: str = Field("#000080", description="hex color of the text drawn into flat forms")

    @field_validator("color")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not HEX_COLOR.match(value):
            raise ValueError(f"color must be a hex code like #000080, got {value[:20]!r}")
        return value


class TemplateGenerateRequest(_Request):
    """`/v1/edit/templates/generate`, `/v1/edits/templates/generate`."""

    document: FormDocument
    model: str = "retab-small"


class TemplateGenerateResponse(BaseModel):
    form_schema: FormSchema
    annotated_pdf: FormDocument = Field(description="the PDF with every field outlined, numbered")
    field_count: int


class TemplateFillRequest(_Request):
    """`/v1/edit/templates/fill`, `/v1/edits/templates/fill`."""

    template_id: str = Field(min_length=1)
    instructions: str = Field(min_length=1)
    model: str = "retab-small"
    config: EditConfig = Field(default_factory=EditConfig)


class AgentFillRequest(_Request):
    """`/v1/edit/agent/fill`, `/v1/edits`: a `document` (fields found as in generation) or a
    `template_id`, exactly one of them."""

    document: FormDocument | None = None
    template_id: str | None = None
    instructions: str = Field(min_length=1)
    model: str = "retab-small"
    config: EditConfig = Field(default_factory=EditConfig)


class FieldWarningModel(BaseModel):
    """A value that could not go into its field (the field is reported with `value: null`)."""

    code: str
    message: str
    key: str


class FillResponse(BaseModel):
    """`response.body` on the legacy names."""

    form_data: list[FormField]
    filled_document: FormDocument
    usage: UsageBody
    warnings: list[FieldWarningModel] = Field(default_factory=list)


class EditOutput(BaseModel):
    form_data: list[FormField]
    filled_document: FormDocument


class EditRecord(BaseModel):
    """`response.body` of `/v1/edits` and `/v1/edits/templates/fill` (Gen B)."""

    id: str
    object: Literal["edit"] = "edit"
    file: FileRef
    model: str
    instructions: str
    config: EditConfig
    template_id: str | None = None
    output: EditOutput
    usage: UsageBody
    warnings: list[FieldWarningModel] = Field(default_factory=list)
    created_at: str


# --- templates as a resource --------------------------------------------------------------------


class TemplateCreate(_Request):
    """`POST /v1/edit/templates` (and `/v1/edits/templates`)."""

    name: str = Field(min_length=1, max_length=256)
    document: FormDocument
    form_fields: list[FormField] = Field(max_length=2000)
    editable: bool = Field(True, description="whether the template may be changed later")


class TemplateUpdate(_Request):
    """`PATCH /v1/edit/templates/{id}`: a new name and/or new fields (editable templates only)."""

    name: str | None = Field(None, min_length=1, max_length=256)
    form_fields: list[FormField] | None = Field(None, max_length=2000)


class TemplatePublic(BaseModel):
    """A stored template (Retab's `EditTemplate`); `template_id` repeats `id`."""

    id: str
    template_id: str
    object: Literal["template"] = "template"
    name: str
    file: FileRef
    form_fields: list[FormField]
    field_count: int
    editable: bool
    created_at: str = Field(description="ISO 8601")
    updated_at: str


class TemplateListMetadata(BaseModel):
    before: str | None
    after: str | None


class TemplateList(BaseModel):
    object: Literal["list"] = "list"
    data: list[TemplatePublic]
    first_id: str | None
    last_id: str | None
    has_more: bool
    list_metadata: TemplateListMetadata


class TemplateDeleted(BaseModel):
    id: str
    object: Literal["template"] = "template"
    deleted: bool = True


ENDPOINT_BODIES: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "/v1/edit/templates/generate": (TemplateGenerateRequest, TemplateGenerateResponse),
    "/v1/edits/templates/generate": (TemplateGenerateRequest, TemplateGenerateResponse),
    "/v1/edit/templates/fill": (TemplateFillRequest, FillResponse),
    "/v1/edits/templates/fill": (TemplateFillRequest, EditRecord),
    "/v1/edit/agent/fill": (AgentFillRequest, FillResponse),
    "/v1/edits": (AgentFillRequest, EditRecord),
}
