"""A newcomer's simplest invoice, generated with fpdf2 (its pages inherit their MediaBox from
the page tree): the whole letterhead name with its legal form, an id printed after the
document's title word (`Invoice INV-2041`), and two label/value pairs on one line."""

from __future__ import annotations

from typing import Any

import pytest
from fpdf import FPDF

from jobstream.documents.loaders import load_document
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Document, TextBlock
from jobstream.engines.local.extract import extract_document

SCHEMA = {
    "type": "object",
    "properties": {
        "vendor_name": {"type": "string"},
        "invoice_number": {"type": "string"},
        "total": {"type": "number"},
        "currency": {"type": "string"},
    },
}


def fpdf_document(lines: list[str]) -> Document:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    for line in lines:
        pdf.cell(text=line)
        pdf.ln(10)
    data = bytes(pdf.output())
    return load_document(
        data, filename="inv.pdf", mime_type="application/pdf", options=LoadOptions()
    )


def extracted(lines: list[str], schema: dict[str, Any] = SCHEMA) -> dict[str, Any]:
    return extract_document(fpdf_document(lines), schema).data


def test_an_inherited_media_box_gives_the_page_its_size_and_words_their_boxes() -> None:
    """fpdf2 writes `/MediaBox` on the page tree, not on the page: the A4 page is A4 and the
    first line's words keep their height (they were squeezed to nothing above a Letter box)."""
    document = fpdf_document(["Northwind Trading Ltd", "Invoice INV-2041"])
    page = document.pages[0]
    assert (round(page.width), round(page.height)) == (595, 842)
    words = [w for b in page.blocks if isinstance(b, TextBlock) for ln in b.lines for w in ln.words]
    assert [w.text for w in words[:3]] == ["Northwind", "Trading", "Ltd"]
    for word in words:
        assert word.box is not None and 0.0 < word.box.top < word.box.bottom < 1.0


@pytest.mark.parametrize(
    ("lines", "vendor"),
    [
        (["Northwind Trading Ltd", "Invoice INV-2041", "Total: 1,250.00 EUR"],
         "Northwind Trading Ltd"),
        (["ACME GmbH", "Rechnung Nr. 2026-118", "Gesamtbetrag: 980,00 EUR"], "ACME GmbH"),
    ],
)  # fmt: skip
def test_the_whole_letterhead_name_with_its_legal_form_is_the_vendor(
    lines: list[str], vendor: str
) -> None:
    assert extracted(lines)["vendor_name"] == vendor
