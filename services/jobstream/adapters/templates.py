"""Form templates in the read model (`templates` collection) and their files in the blob store.

A template's metadata and fields are one MongoDB document (the public record kept as a JSON
string, as `jobs` does, next to the fields that queries filter and sort on); its PDF and a copy
of its fields live in the blob store under `templates/<organization>/<id>/`, where the fill
worker reads them (a key scoped by organization: no other organization's job can reach them).
Lists page by keyset on `(created_at, _id)`, never by skip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from jobstream.adapters.blobs import BlobNotFoundError, BlobStore
from jobstream.adapters.mongo import fetch_all
from jobstream.adapters.mongo_indexes import create_missing_indexes
from jobstream_schemas.forms import FormField, TemplatePublic

Doc = dict[str, Any]
Order = Literal["asc", "desc"]
TEMPLATE_INDEXES = [[("organization_id", 1), ("created_at", -1), ("_id", -1)]]


def template_prefix(*, organization_id: str, template_id: str) -> str:
    return f"templates/{organization_id}/{template_id}/"


def template_pdf_key(*, organization_id: str, template_id: str) -> str:
    return (
        template_prefix(organization_id=organization_id, template_id=template_id) + "document.pdf"
    )


def template_fields_key(*, organization_id: str, template_id: str) -> str:
    prefix = template_prefix(organization_id=organization_id, template_id=template_id)
    return prefix + "template.json"


@dataclass(frozen=True)
class StoredTemplate:
    """What the fill worker needs of a template: its PDF, its fields and its file's name."""

    template_id: str
    filename: str
    pdf: bytes
    form_fields: list[FormField]


class TemplateNotFoundError(LookupError):
    """No such template for this organization (never created, deleted, or someone else's)."""


class TemplateStore(Protocol):
    async def insert(self, *, template: TemplatePublic, organization_id: str) -> None: ...
    async def get(self, *, template_id: str, organization_id: str) -> TemplatePublic | None: ...
    async def page(
        self, *, organization_id: str, limit: int, order: Order, after: str | None,
        before: str | None,
    ) -> tuple[list[TemplatePublic], bool]: ...  # fmt: skip
    async def delete(self, *, template_id: str, organization_id: str) -> bool: ...
    async def replace(self, *, template: TemplatePublic, organization_id: str) -> None: ...


class MongoTemplateStore:
    """The `templates` collection, scoped by organization on every call."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._templates: AsyncCollection[Doc] = db["templates"]

    async def ensure_indexes(self) -> None:
        await create_missing_indexes(self._templates, TEMPLATE_INDEXES)

    async def insert(self, *, template: TemplatePublic, organization_id: str) -> None:
        await self._templates.insert_one(
            {
                "_id": template.id, "organization_id": organization_id,
                "created_at": template.created_at, "name": template.name,
                "record": template.model_dump_json(),
            }
        )  # fmt: skip

    async def get(self, *, template_id: str, organization_id: str) -> TemplatePublic | None:
        doc = await self._templates.find_one({"_id": template_id})
        if doc is None or doc.get("organization_id") != organization_id:
            return None
        return TemplatePublic.model_validate_json(doc["record"])

    async def page(
        self, *, organization_id: str, limit: int, order: Order, after: str | None,
        before: str | None,
    ) -> tuple[list[TemplatePublic], bool]:  # fmt: skip
        """One page of `limit` templates and whether more follow in the paging direction."""
        forward = before is None
        descending = (order == "desc") == forward
        query: Doc = {"organization_id": organization_id}
        cursor_id = after if forward else before
        if cursor_id is not None:
            anchor = await self._templates.find_one({"_id": cursor_id})
            if anchor is None or anchor.get("organization_id") != organization_id:
                return [], False
            op = "$lt" if descending else "$gt"
            query["$or"] = [
                {"created_at": {op: anchor["created_at"]}},
                {"created_at": anchor["created_at"], "_id": {op: cursor_id}},
            ]
        direction = DESCENDING if descending else ASCENDING
        cursor = (
            self._templates.find(query, {"record": 1})
            .sort([("created_at", direction), ("_id", direction)])
            .limit(limit + 1)
        )
        docs = await fetch_all(cursor, limit=limit + 1)
        items = [TemplatePublic.model_validate_json(d["record"]) for d in docs[:limit]]
        return (items if forward else items[::-1]), len(docs) > limit

    async def replace(self, *, template: TemplatePublic, organization_id: str) -> None:
        await self._templates.replace_one(
            {"_id": template.id, "organization_id": organization_id},
            {
                "organization_id": organization_id, "created_at": template.created_at,
                "name": template.name, "record": template.model_dump_json(),
            },
        )  # fmt: skip

    async def delete(self, *, template_id: str, organization_id: str) -> bool:
        result = await self._templates.delete_one(
            {"_id": template_id, "organization_id": organization_id}
        )
        return result.deleted_count == 1


class InMemoryTemplateStore:
    """A `TemplateStore` in a dict, for unit tests."""

    def __init__(self) -> None:
        self.templates: dict[str, tuple[str, TemplatePublic]] = {}

    async def insert(self, *, template: TemplatePublic, organization_id: str) -> None:
        self.templates[template.id] = (organization_id, template)

    async def get(self, *, template_id: str, organization_id: str) -> TemplatePublic | None:
        org, template = self.templates.get(template_id, ("", None))
        return template if org == organization_id else None

    async def page(
        self, *, organization_id: str, limit: int, order: Order, after: str | None,
        before: str | None,
    ) -> tuple[list[TemplatePublic], bool]:  # fmt: skip
        mine = sorted(
            (t for org, t in self.templates.values() if org == organization_id),
            key=lambda t: (t.created_at, t.id), reverse=order == "desc",
        )  # fmt: skip
        ids = [t.id for t in mine]
        if before is not None:
            if before not in ids:
                return [], False
            earlier = mine[: ids.index(before)]
            return earlier[-limit:], len(earlier) > limit
        if after is not None:
            if after not in ids:
                return [], False
            mine = mine[ids.index(after) + 1 :]
        return mine[:limit], len(mine) > limit

    async def replace(self, *, template: TemplatePublic, organization_id: str) -> None:
        self.templates[template.id] = (organization_id, template)

    async def delete(self, *, template_id: str, organization_id: str) -> bool:
        if await self.get(template_id=template_id, organization_id=organization_id) is None:
            return False
        del self.templates[template_id]
        return True


async def store_template_files(
    blobs: BlobStore, *, organization_id: str, template: TemplatePublic, pdf: bytes | None
) -> None:
    """The template's PDF (unless None: kept) and fields, where the fill worker reads them."""
    ids = {"organization_id": organization_id, "template_id": template.id}
    if pdf is not None:
        await blobs.put(key=template_pdf_key(**ids), data=pdf, content_type="application/pdf")
    fields = {
        "filename": template.file.filename,
        "form_fields": [f.model_dump(mode="json") for f in template.form_fields],
    }
    await blobs.put(
        key=template_fields_key(**ids), data=json.dumps(fields).encode(),
        content_type="application/json",
    )  # fmt: skip


async def load_template_files(
    blobs: BlobStore, *, organization_id: str, template_id: str
) -> StoredTemplate:
    """The template's PDF and fields; `TemplateNotFoundError` when they are not there."""
    ids = {"organization_id": organization_id, "template_id": template_id}
    try:
        raw_fields = await blobs.get(key=template_fields_key(**ids))
        pdf = await blobs.get(key=template_pdf_key(**ids))
    except BlobNotFoundError as exc:
        raise TemplateNotFoundError(template_id) from exc
    stored = json.loads(raw_fields)
    fields = [FormField.model_validate(f) for f in stored["form_fields"]]
    return StoredTemplate(template_id, str(stored["filename"]), pdf, fields)


async def delete_template_files(
    blobs: BlobStore, *, organization_id: str, template_id: str
) -> None:
    await blobs.delete_prefix(
        prefix=template_prefix(organization_id=organization_id, template_id=template_id)
    )
