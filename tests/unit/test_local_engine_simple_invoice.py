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
from jobstream.engines.local.layout import page_view

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


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Invoice INV-2041", "INV-2041"),
        ("Rechnung 2026-118", "2026-118"),
        ("Facture F-2026-07", "F-2026-07"),
        ("INVOICE 2041", "2041"),
        ("Tax Invoice TI/2026/88", "TI/2026/88"),
        ("Faktura VAT FV/12/2026", "FV/12/2026"),
    ],
)
def test_an_identifier_after_the_title_word_is_the_invoice_number(line: str, number: str) -> None:
    result = extract_document(
        fpdf_document(["Northwind Trading Ltd", line, "Total: 1,250.00 EUR"]), SCHEMA
    )
    assert result.data["invoice_number"] == number
    assert 0 < result.likelihoods["invoice_number"] < 1.0  # no label printed
    assert result.evidence["invoice_number"].label == "after the title"


@pytest.mark.parametrize(
    "lines",
    [
        ["Invoice", "13.10.2026"],  # a date under the title
        ["Invoice 13.10.2026"],  # a date after it
        ["Invoice 1/2"],  # a page count
        ["Invoice 1,250.00 EUR"],  # an amount
        ["Invoice for services", "Reference 2041"],  # no identifier after the title
        ["Invoice INV-2041", "Invoice INV-2042"],  # two different numbers: which one?
        ["Pay invoice INV-2041 by Friday"],  # not the opening words of a line
    ],
)
def test_no_identifier_after_the_title_word_leaves_the_number_null(lines: list[str]) -> None:
    data = extracted(["Northwind Trading Ltd", *lines, "Total: 1,250.00 EUR"])
    assert data["invoice_number"] is None
    assert data["total"] == 1250.0


def test_a_labelled_number_wins_over_the_one_after_the_title() -> None:
    data = extracted(["Invoice INV-2041", "Invoice No.: 7781", "Total: 1,250.00 EUR"])
    assert data["invoice_number"] == "7781"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Invoice INV-2041  Total: 1,250.00 EUR",
         {"invoice_number": "INV-2041", "total": 1250.0, "currency": "EUR"}),
        ("Invoice No.: INV-2041  Total: 1,250.00 EUR",
         {"invoice_number": "INV-2041", "total": 1250.0, "currency": "EUR"}),
        ("Rechnung 2026-118   Gesamtbetrag: 980,00 EUR",
         {"invoice_number": "2026-118", "total": 980.0, "currency": "EUR"}),
    ],
)  # fmt: skip
def test_two_label_value_pairs_two_spaces_apart_are_both_read(
    line: str, expected: dict[str, Any]
) -> None:
    data = extracted(["Northwind Trading Ltd", line])
    assert data == {"vendor_name": "Northwind Trading Ltd", **expected}


def test_pairs_at_distinct_positions_on_one_line_are_both_read() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="ACME GmbH")
    pdf.ln(10)
    pdf.cell(text="Invoice INV-2041")
    pdf.set_x(120)
    pdf.cell(text="Total: 1,250.00 EUR")
    document = load_document(
        bytes(pdf.output()), filename="inv.pdf", mime_type="application/pdf",
        options=LoadOptions(),
    )  # fmt: skip
    data = extract_document(document, SCHEMA).data
    assert data == {"vendor_name": "ACME GmbH", "invoice_number": "INV-2041", "total": 1250.0,
                    "currency": "EUR"}  # fmt: skip


def test_single_spaces_keep_a_line_one_segment() -> None:
    """A name or a sentence set with single spaces is not cut into pieces; two spaces cut."""
    lines = ["Northwind Trading Ltd", "Invoice No. INV-2041 Total 1,250.00 EUR", "Due  in 30 days"]
    view = page_view(fpdf_document(lines).pages[0])
    assert [[seg.text for seg in row] for row in view.rows] == [
        ["Northwind Trading Ltd"],
        ["Invoice No. INV-2041 Total 1,250.00 EUR"],
        ["Due", "in 30 days"],
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Northwind Trading Ltd\nInvoice INV-2041  Total: 1,250.00 EUR\n",
        "Northwind Trading Ltd\nInvoice No.: INV-2041 Total: 1,250.00 EUR\n",
    ],
)
def test_a_label_with_its_colon_after_a_value_starts_the_next_pair_in_plain_text(
    text: str,
) -> None:
    """Formats without word boxes (text, DOCX) cannot show two spaces: `Total:` after a value
    still starts the next pair."""
    document = load_document(
        text.encode(), filename="inv.txt", mime_type="text/plain", options=LoadOptions()
    )
    assert extract_document(document, SCHEMA).data == {
        "vendor_name": "Northwind Trading Ltd", "invoice_number": "INV-2041", "total": 1250.0,
        "currency": "EUR",
    }  # fmt: skip


def test_a_generic_word_after_a_value_without_its_colon_is_no_label() -> None:
    text = "Northwind Trading Ltd\nInvoice No.: INV-2041\nShipping 2 total 150.00\nTotal: 99.00\n"
    document = load_document(
        text.encode(), filename="inv.txt", mime_type="text/plain", options=LoadOptions()
    )
    assert extract_document(document, SCHEMA).data["total"] == 99.0


def letterhead_document(name: str, legal_form: str, *, gap_mm: float) -> Document:
    """The name in 26 pt bold, its legal form in 12 pt on the same line (its own visual row)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", "B", size=26)
    pdf.set_xy(10, 10)
    pdf.cell(text=name)
    x = pdf.get_x() + gap_mm
    pdf.set_font("helvetica", size=12)
    pdf.set_xy(x, 13.5)
    pdf.cell(text=legal_form)
    pdf.set_xy(10, 30)
    for line in ["12 Harbour Road, Bristol", "Invoice No.: INV-2041", "Total: 1,250.00 EUR"]:
        pdf.cell(text=line)
        pdf.ln(8)
    return load_document(
        bytes(pdf.output()), filename="inv.pdf", mime_type="application/pdf", options=LoadOptions()
    )


@pytest.mark.parametrize(
    ("name", "legal_form"),
    [("ACME", "GmbH"), ("Northwind Trading", "Ltd"), ("Nordia", "Sp. z o.o.")],
)
def test_a_legal_form_in_smaller_type_beside_a_large_name_is_part_of_it(
    name: str, legal_form: str
) -> None:
    result = extract_document(letterhead_document(name, legal_form, gap_mm=2), SCHEMA)
    assert result.data["vendor_name"] == f"{name} {legal_form}"
    assert result.evidence["vendor_name"].label == "letterhead"


def test_a_legal_form_far_from_the_name_is_not_joined() -> None:
    """Printed a column away, the word is not the name's legal form: the name stays as printed."""
    document = letterhead_document("Northwind Trading", "Ltd", gap_mm=40)
    assert extract_document(document, SCHEMA).data["vendor_name"] == "Northwind Trading"


def test_a_total_asked_for_as_a_string_is_read_as_text() -> None:
    """The README's first extract: `total` typed string over "Total due: 1,250.00 EUR" used to
    crash the engine (the largest-total tie-break read the text as a float)."""
    document = fpdf_document(["INVOICE INV-2041  Total due: 1,250.00 EUR"])
    schema = {"type": "object", "properties": {"total": {"type": "string"}}}
    data = extract_document(document, schema).data
    assert data["total"] is not None and "1,250.00" in str(data["total"])
