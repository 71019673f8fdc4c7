"""Template use cases: register, get, list, delete. Synchronous: no job, no Kafka.

A template is registered from a PDF (a `data:` URL; the gateway does not fetch) and the fields
template generation returned (possibly edited by the caller). The files go to the blob store
first, then the record to the read model, so a template that can be read can always be filled;
deleting removes the record first, so a template that is gone cannot be filled either.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from dataclasses import dataclass

from jobstream.adapters.blobs import BlobStore
from jobstream.adapters.templates import (
    Order,
    TemplateStore,
    delete_template_files,
    store_template_files,
)
from jobstream.core.documents import InvalidDocumentError, decode_data_url, file_id
from jobstream.core.errors import InvalidRequestError, JobstreamError
from jobstream_schemas.forms import (
    FileRef,
    TemplateCreate,
    TemplateList,
    TemplateListMetadata,
    TemplatePublic,
    TemplateUpdate,
)

_ALPHABET = string.ascii_letters + string.digits
TEMPLATE_ID = re.compile(r"^tpl_[A-Za-z0-9]{1,64}$")
MAX_LIMIT = 100


class TemplateNotFoundHTTPError(JobstreamError):
    code = "template_not_found"


class TemplateNotEditableError(JobstreamError):
    code = "template_not_editable"


def new_template_id() -> str:
    return "tpl_" + "".join(secrets.choice(_ALPHABET) for _ in range(21))


def looks_like_template_id(value: str) -> bool:
    return bool(TEMPLATE_ID.match(value))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class TemplateService:
    store: TemplateStore
    blobs: BlobStore

    async def create(self, body: TemplateCreate, *, organization_id: str) -> TemplatePublic:
        pdf = _pdf_bytes(body)
        template_id, now = new_template_id(), _now()
        template = TemplatePublic(
            id=template_id, template_id=template_id, name=body.name,
            file=FileRef(id=file_id(pdf), filename=body.document.filename,
                         mime_type="application/pdf"),
            form_fields=body.form_fields, field_count=len(body.form_fields),
            editable=body.editable, created_at=now, updated_at=now,
        )  # fmt: skip
        await store_template_files(
            self.blobs, organization_id=organization_id, template=template, pdf=pdf
        )
        await self.store.insert(template=template, organization_id=organization_id)
        return template

    async def get(self, template_id: str, *, organization_id: str) -> TemplatePublic:
        found = None
        if looks_like_template_id(template_id):
            found = await self.store.get(template_id=template_id, organization_id=organization_id)
        if found is None:
            raise TemplateNotFoundHTTPError(f"Template {template_id!r} not found.")
        return found

    async def list(
        self, *, organization_id: str, limit: int, order: Order, after: str | None,
        before: str | None,
    ) -> TemplateList:  # fmt: skip
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidRequestError(
                f"limit must be 1-{MAX_LIMIT}.", code="invalid_query", details={"field": "limit"}
            )
        items, more = await self.store.page(
            organization_id=organization_id, limit=limit, order=order, after=after, before=before
        )
        first = items[0].id if items else None
        last = items[-1].id if items else None
        # As the jobs list does: `has_more` is in the direction of travel.
        return TemplateList(
            data=items, first_id=first, last_id=last, has_more=more,
            list_metadata=TemplateListMetadata(before=first, after=last if more else None),
        )  # fmt: skip

    async def update(
        self, template_id: str, body: TemplateUpdate, *, organization_id: str
    ) -> TemplatePublic:
        """A new name and/or fields; the fields' copy the worker reads first, then the record."""
        current = await self.get(template_id, organization_id=organization_id)
        if not current.editable:
            raise TemplateNotEditableError(f"Template {template_id!r} was created not editable.")
        fields = current.form_fields if body.form_fields is None else body.form_fields
        updated = current.model_copy(
            update={"name": body.name or current.name, "form_fields": fields,
                    "field_count": len(fields), "updated_at": _now()}
        )  # fmt: skip
        await store_template_files(
            self.blobs, organization_id=organization_id, template=updated, pdf=None
        )
        await self.store.replace(template=updated, organization_id=organization_id)
        return updated

    async def delete(self, template_id: str, *, organization_id: str) -> None:
        await self.get(template_id, organization_id=organization_id)
        await self.store.delete(template_id=template_id, organization_id=organization_id)
        await delete_template_files(
            self.blobs, organization_id=organization_id, template_id=template_id
        )


def _pdf_bytes(body: TemplateCreate) -> bytes:
    url = body.document.url
    if not url.startswith("data:"):
        raise InvalidRequestError(
            "A template's document must be a data: URL of the PDF.",
            code="validation_error", details={"field": "document.url"},
        )  # fmt: skip
    try:
        decoded = decode_data_url(url, filename=body.document.filename)
    except InvalidDocumentError as exc:
        raise InvalidRequestError(
            exc.message, code="validation_error", details={"field": "document.url"}
        ) from exc
    if b"%PDF-" not in decoded.data[:1024]:
        raise InvalidRequestError(
            "A template's document must be a PDF.", code="unsupported_document_type",
            details={"field": "document"},
        )  # fmt: skip
    return decoded.data
