"""Forms on the real stack: generate a template from a PDF form, register it, fill it with one
sentence and open the result, for an AcroForm and a flat form; templates are org-scoped."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import pypdfium2 as pdfium
import pytest
from evaluation.corpus.forms import FormCase, form_cases
from pypdf import PdfReader

from jobstream.devstack.services import cli_path
from jobstream.devstack.stack import ServiceSpec
from jobstream.documents.loaders.pdf_readback import acroform_values, colored_text_in
from jobstream.documents.model import Box
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e
FORM_SLUGS = "template_generate,template_fill,agent_fill"
CASES = {case.name: case for case in form_cases()}
SENTENCE = "The applicant is Maria Lopez, email maria.lopez@example.com; she agrees to the terms."
RED = (1.0, 0.0, 0.0)


@pytest.fixture
async def forms_stack(running_stack: RunningStack) -> RunningStack:
    """One worker process running the three form endpoints."""
    port = running_stack.layout.service_port_base + 30
    spec = ServiceSpec(
        "worker-forms-1", [cli_path(), "worker", FORM_SLUGS],
        {"JOBSTREAM_WORKER_METRICS_PORT": str(port), "JOBSTREAM_WORKER_INSTANCE": "1"},
        f"http://127.0.0.1:{port}/health",
    )  # fmt: skip
    if not running_stack.layout.process(spec.name).is_running():
        await running_stack.start_and_wait([spec])
    return running_stack


def pdf_url(data: bytes) -> str:
    return "data:application/pdf;base64," + base64.b64encode(data).decode()


async def run(
    stack: RunningStack, client: httpx.AsyncClient, endpoint: str, request: dict[str, Any]
) -> dict[str, Any]:
    created = await client.post("/v1/jobs", json={"endpoint": endpoint, "request": request})
    assert created.status_code == 200, created.text
    return await stack.job_when(
        client, created.json()["id"], lambda j: j["status"] in ("completed", "failed"),
        timeout=120, params={"include_response": "true"},
    )  # fmt: skip


@pytest.mark.parametrize("name", ["acroform_application_en", "flat_registration_en"])
async def test_generate_register_and_fill_a_form_with_one_sentence(
    forms_stack: RunningStack, name: str
) -> None:
    case: FormCase = CASES[name]
    document = {"filename": f"{name}.pdf", "url": pdf_url(case.pdf)}
    async with forms_stack.client() as client:
        generated = await run(forms_stack, client, "/v1/edit/templates/generate",
                              {"document": document})  # fmt: skip
        assert generated["status"] == "completed", generated["error"]
        fields = generated["response"]["body"]["form_schema"]["form_fields"]
        assert [f["key"] for f in fields] == [e.key for e in case.fields]
        created = await client.post(
            "/v1/edit/templates", json={"name": name, "document": document, "form_fields": fields}
        )
        assert created.status_code == 200, created.text
        template_id = created.json()["id"]
        request = {"template_id": template_id, "instructions": SENTENCE,
                   "config": {"color": "#ff0000"}}  # fmt: skip
        filled = await run(forms_stack, client, "/v1/edit/templates/fill", request)
    assert filled["status"] == "completed", filled["error"]
    body = filled["response"]["body"]
    values = {f["key"]: f["value"] for f in body["form_data"]}
    pdf = base64.b64decode(body["filled_document"]["url"].split(",", 1)[1])
    assert pdf.startswith(case.pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1 and len(pdfium.PdfDocument(pdf)) == 1
    by_key = {f["key"]: f for f in fields}
    for key, value in values.items():
        if value is None or value == "false":
            continue
        if case.kind == "acroform":
            read = acroform_values(pdf)[key]
            assert read == value or (value == "true" and read not in ("Off", "")), key
        else:
            b = by_key[key]["bbox"]
            box = Box(b["left"], b["top"], b["width"], b["height"])
            read = colored_text_in(pdf, page=1, box=box, color=RED).replace("\n", " ")
            assert read == ("X" if value == "true" else value), key
    assert "Maria Lopez" in values.values() and "maria.lopez@example.com" in values.values()


async def test_templates_belong_to_their_organization(forms_stack: RunningStack) -> None:
    case = CASES["acroform_application_en"]
    document = {"filename": "form.pdf", "url": pdf_url(case.pdf)}
    field = {
        "key": "applicant.full_name",
        "type": "text",
        "description": "Full name",
        "bbox": {"left": 0.3, "top": 0.09, "width": 0.44, "height": 0.02, "page": 1},
    }
    async with forms_stack.client("org_a") as owner, forms_stack.client("org_b") as other:
        created = await owner.post(
            "/v1/edits/templates",
            json={"name": "mine", "document": document, "form_fields": [field]},
        )
        template_id = created.json()["id"]
        assert (await owner.get(f"/v1/edits/templates/{template_id}")).status_code == 200
        for answer in (await other.get(f"/v1/edits/templates/{template_id}"),
                       await other.delete(f"/v1/edit/templates/{template_id}")):  # fmt: skip
            assert answer.status_code == 404
            assert answer.json()["detail"]["code"] == "template_not_found"
        renamed = await owner.patch(f"/v1/edit/templates/{template_id}", json={"name": "ours"})
        assert renamed.status_code == 200 and renamed.json()["name"] == "ours"
        stolen_edit = await other.patch(f"/v1/edit/templates/{template_id}", json={"name": "x"})
        assert stolen_edit.status_code == 404
        listed = (await owner.get("/v1/edit/templates", params={"limit": 100})).json()
        assert template_id in [t["id"] for t in listed["data"]]
        request = {"template_id": template_id, "instructions": "Full name: Eve"}
        stolen = await run(forms_stack, other, "/v1/edits", request)
        assert stolen["status"] == "failed" and stolen["error"]["code"] == "template_not_found"
        mine = await run(forms_stack, owner, "/v1/edits", request)
        assert mine["status"] == "completed", mine["error"]
        assert mine["response"]["body"]["output"]["form_data"][0]["value"] == "Eve"
        assert (await owner.delete(f"/v1/edits/templates/{template_id}")).status_code == 200
        gone = await run(forms_stack, owner, "/v1/edit/templates/fill", request)
        assert gone["status"] == "failed" and gone["error"]["code"] == "template_not_found"


async def test_the_retab_sdk_manages_templates(forms_stack: RunningStack) -> None:
    """`client.edits.templates` of the Retab SDK (0.0.140) against the gateway, unchanged."""
    from retab import AsyncRetab, NotFoundError
    from retab.types.mime import MIMEData

    case = CASES["flat_registration_en"]
    field = {
        "key": "full_name",
        "type": "text",
        "description": "Full name",
        "bbox": {"left": 0.2, "top": 0.07, "width": 0.5, "height": 0.02, "page": 1},
    }
    async with AsyncRetab(
        api_key=forms_stack.keys["org_a"], base_url=f"{forms_stack.url}/v1", timeout=60
    ) as sdk:
        document = MIMEData(filename="registration.pdf", url=pdf_url(case.pdf))
        created = await sdk.edits.templates.create(
            name="registration", document=document, form_fields=[field]
        )
        assert created.id.startswith("tpl_") and created.field_count == 1
        await sdk.edits.templates.update(created.id, name="registration v2")
        fetched = await sdk.edits.templates.get(created.id)
        assert fetched.form_fields[0].description == "Full name"
        assert fetched.name == "registration v2"
        assert fetched.file.filename == "registration.pdf"
        listed = await sdk.edits.templates.list(limit=100)
        assert created.id in [t["id"] if isinstance(t, dict) else t.id for t in listed.data]
        await sdk.edits.templates.delete(created.id)
        with pytest.raises(NotFoundError):
            await sdk.edits.templates.get(created.id)
