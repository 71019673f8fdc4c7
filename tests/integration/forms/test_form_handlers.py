"""The form handlers with the real loaders and PDF libraries, an inline CPU pool and in-memory
blob and template stores: generate, register, fill (both generations' shapes), and each bad
input's error code, with nothing half-written."""

from __future__ import annotations

import asyncio
import base64
import io
from typing import Any

import pytest
from evaluation.corpus.forms import FormCase, form_cases
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

from jobstream.adapters.blobs import InMemoryBlobStore
from jobstream.adapters.templates import InMemoryTemplateStore
from jobstream.core.errors import InvalidRequestError, PermanentError
from jobstream.gateway.template_service import TemplateService
from jobstream.settings import WorkerSettings
from jobstream.workers.agent_fill.handler import handle_agent_fill
from jobstream.workers.context import JobContext
from jobstream.workers.template_fill.handler import handle_template_fill
from jobstream.workers.template_generate.handler import handle_template_generate
from jobstream_schemas.forms import FormDocument, TemplateCreate

CASES = {case.name: case for case in form_cases()}
ACRO, FLAT = CASES["acroform_application_en"], CASES["flat_registration_en"]
SENTENCE = "The applicant is Maria Lopez, email maria.lopez@example.com; she agrees to the terms."


def data_url(data: bytes, mime: str = "application/pdf") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def decoded(url: str) -> bytes:
    return base64.b64decode(url.split(",", 1)[1])


def context(endpoint: str, request: dict[str, Any], blobs: InMemoryBlobStore | None = None,
            org: str = "org_a") -> JobContext:  # fmt: skip
    async def report(done: float, total: float | None = None, message: str | None = None) -> None:
        return None

    async def run_cpu(fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)  # off the loop, as the real pool is

    return JobContext(
        job_id="job_abcdefghijklmnopqrstu", organization_id=org, attempt=1, try_number=1,
        endpoint=endpoint, request=request, deadline=0.0, blobs=blobs or InMemoryBlobStore(),
        report_progress=report, run_cpu=run_cpu, settings=WorkerSettings(),
    )  # fmt: skip


async def generate(case: FormCase) -> dict[str, Any]:
    request = {"document": {"filename": f"{case.name}.pdf", "url": data_url(case.pdf)}}
    response = await handle_template_generate(context("/v1/edit/templates/generate", request))
    return response.body


async def register(case: FormCase, blobs: InMemoryBlobStore, org: str = "org_a") -> str:
    body = await generate(case)
    service = TemplateService(store=InMemoryTemplateStore(), blobs=blobs)
    template = await service.create(
        TemplateCreate(name=case.name, document=FormDocument(filename="f.pdf", url=data_url(case.pdf)),
                       form_fields=body["form_schema"]["form_fields"]),
        organization_id=org,
    )  # fmt: skip
    return template.id


@pytest.mark.parametrize("case", [ACRO, FLAT], ids=["acroform", "flat"])
async def test_generate_answers_the_fields_and_an_annotated_pdf(case: FormCase) -> None:
    body = await generate(case)
    fields = body["form_schema"]["form_fields"]
    assert body["field_count"] == len(fields) == len(case.fields)
    assert [f["key"] for f in fields] == [e.key for e in case.fields]
    assert all(0 <= f["bbox"]["left"] <= 1 and f["bbox"]["page"] == 1 for f in fields)
    annotated = decoded(body["annotated_pdf"]["url"])
    assert annotated != case.pdf and len(PdfReader(io.BytesIO(annotated)).pages) == 1


@pytest.mark.parametrize("case", [ACRO, FLAT], ids=["acroform", "flat"])
async def test_a_registered_template_fills_from_one_sentence(case: FormCase) -> None:
    blobs = InMemoryBlobStore()
    template_id = await register(case, blobs)
    request = {"template_id": template_id, "instructions": SENTENCE}
    body = (await handle_template_fill(context("/v1/edit/templates/fill", request, blobs))).body
    values = {f["key"]: f["value"] for f in body["form_data"]}
    name_key = "applicant.full_name" if case is ACRO else "full_name"
    terms_key = "terms" if case is ACRO else "i_agree_to_the_terms"
    assert values[name_key] == "Maria Lopez" and values[terms_key] == "true"
    assert len(values) == len(case.fields)
    assert decoded(body["filled_document"]["url"]).startswith(case.pdf)
    assert body["usage"]["credits"] == 1.0


async def test_gen_b_edits_answer_an_edit_record_from_a_template_or_a_document() -> None:
    blobs = InMemoryBlobStore()
    template_id = await register(ACRO, blobs)
    by_template = {"template_id": template_id, "instructions": SENTENCE}
    record = (await handle_agent_fill(context("/v1/edits", by_template, blobs))).body
    assert record["id"].startswith("edit_") and record["template_id"] == template_id
    assert record["file"]["id"].startswith("file_") and record["object"] == "edit"
    assert {f["key"]: f["value"] for f in record["output"]["form_data"]}["contact.email"] == (
        "maria.lopez@example.com"
    )
    by_document = {"document": {"filename": "f.pdf", "url": data_url(FLAT.pdf)},
                   "instructions": SENTENCE, "config": {"color": "#c00"}}  # fmt: skip
    record = (await handle_agent_fill(context("/v1/edits", by_document))).body
    assert record["template_id"] is None and record["config"]["color"] == "#c00"
    assert decoded(record["output"]["filled_document"]["url"]).startswith(FLAT.pdf)


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(ACRO.pdf)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xfa_only_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    xfa = StreamObject()
    xfa.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(xfa)}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "mime", "code"),
    [
        (encrypted_pdf(), "application/pdf", "document_encrypted"),
        (xfa_only_pdf(), "application/pdf", "unsupported_form"),
        (b"Name: ____\nDate: ____\n", "text/plain", "unsupported_document_type"),
    ],
    ids=["encrypted", "xfa-only", "not-a-pdf"],
)
async def test_documents_a_form_operation_cannot_take_fail_with_their_code(
    data: bytes, mime: str, code: str
) -> None:
    document = {"filename": "form.pdf", "url": data_url(data, mime)}
    with pytest.raises(PermanentError) as generated:
        await handle_template_generate(
            context("/v1/edit/templates/generate", {"document": document})
        )
    with pytest.raises(PermanentError) as filled:
        await handle_agent_fill(
            context("/v1/edit/agent/fill", {"document": document, "instructions": SENTENCE})
        )
    assert generated.value.code == filled.value.code == code


async def test_instructions_with_no_usable_value_fail_with_no_usable_values() -> None:
    request = {"document": {"filename": "f.pdf", "url": data_url(ACRO.pdf)},
               "instructions": "Please fill this in nicely, thank you."}  # fmt: skip
    with pytest.raises(PermanentError) as raised:
        await handle_agent_fill(context("/v1/edit/agent/fill", request))
    assert raised.value.code == "no_usable_values"


async def test_unknown_or_another_organizations_template_is_template_not_found() -> None:
    blobs = InMemoryBlobStore()
    template_id = await register(ACRO, blobs, org="org_b")
    for tpl in (template_id, "tpl_doesnotexist"):
        request = {"template_id": tpl, "instructions": SENTENCE}
        with pytest.raises(PermanentError) as raised:
            await handle_template_fill(context("/v1/edit/templates/fill", request, blobs))
        assert raised.value.code == "template_not_found"


@pytest.mark.parametrize(
    "request_body",
    [
        {"instructions": SENTENCE},
        {"template_id": "tpl_x", "document": {"url": "data:,x"}, "instructions": SENTENCE},
        {"template_id": "tpl_x", "instructions": SENTENCE, "config": {"color": "navy"}},
        {"template_id": "tpl_x", "instructions": ""},
    ],
    ids=["neither-source", "both-sources", "bad-color", "empty-instructions"],
)
async def test_malformed_fill_requests_are_validation_errors(request_body: dict[str, Any]) -> None:
    with pytest.raises(PermanentError) as raised:
        await handle_agent_fill(context("/v1/edits", request_body))
    assert raised.value.code == "validation_error"


async def test_registering_a_non_pdf_template_stores_nothing() -> None:
    blobs, store = InMemoryBlobStore(), InMemoryTemplateStore()
    service = TemplateService(store=store, blobs=blobs)
    body = TemplateCreate(name="x", document=FormDocument(url=data_url(b"hello", "text/plain")),
                          form_fields=[])  # fmt: skip
    with pytest.raises(InvalidRequestError) as raised:
        await service.create(body, organization_id="org_a")
    assert raised.value.code == "unsupported_document_type"
    assert blobs.blobs == {} and store.templates == {}
