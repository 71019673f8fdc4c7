"""How the local engine regroups words: rows from tight glyph boxes, separators, OCR-merged
header and amount runs, sparse layout grids from OCR, OCR-misread labels."""

from __future__ import annotations

from jobstream.documents.model import Box, Cell, Document, Line, Page, Table, TextBlock, Word
from jobstream.engines.local.extract import extract_document
from jobstream.engines.local.layout import page_view


def word(text: str, left: float, top: float, *, height: float = 0.012) -> Word:
    return Word(text, Box(left, top, 0.008 * len(text), height))


def page(words: list[Word], *, source: str = "text_layer", tables: tuple[Table, ...] = ()) -> Page:
    lines = tuple(TextBlock(lines=(Line((w,)),)) for w in words)
    return Page(number=1, source=source, blocks=(*lines, *tables), width=595, height=842)  # type: ignore[arg-type]


def doc(*pages: Page) -> Document:
    return Document(pages=pages, mime_type="application/pdf")


def test_an_accented_capital_and_a_descender_stay_on_their_row() -> None:
    words = [word("Rue", 0.1, 0.100), word("de", 0.128, 0.101), word("Paix", 0.148, 0.100),
             word("À", 0.1, 0.112, height=0.016), word("payer", 0.112, 0.116, height=0.014)]  # fmt: skip
    rows = [[s.text for s in row] for row in page_view(page(words)).rows]
    assert rows == [["Rue de Paix"], ["À payer"]]


def test_separators_split_inline_label_value_pairs() -> None:
    words = [word(t, 0.05 + i * 0.06, 0.1) for i, t in enumerate(
        ["Invoice", "No.", "A-7", "·", "Date", "13.10.2026", "|", "Due", "27.10.2026"])]  # fmt: skip
    schema = {"type": "object", "properties": {
        "invoice_number": {"type": "string"}, "invoice_date": {"type": "string", "format": "date"},
        "due_date": {"type": "string", "format": "date"}}}  # fmt: skip
    data = extract_document(doc(page(words)), schema).data
    assert data == {"invoice_number": "A-7", "invoice_date": "2026-10-13", "due_date": "2026-10-27"}


def test_ocr_merged_header_and_amount_runs_are_split_into_columns() -> None:
    header = [word("Description", 0.05, 0.3), word("Qty", 0.55, 0.3), word("Price", 0.62, 0.3),
              word("Amount", 0.69, 0.3)]  # one run: gaps are narrow  # fmt: skip
    line = [word("Toner", 0.05, 0.32), word("3", 0.58, 0.32), word("10,00", 0.62, 0.32),
            word("30,00", 0.68, 0.32)]  # fmt: skip
    schema = {"type": "object", "properties": {"items": {"type": "array", "items": {
        "type": "object", "properties": {"description": {"type": "string"},
        "quantity": {"type": "number"}, "unit_price": {"type": "number"},
        "amount": {"type": "number"}}}}}}  # fmt: skip
    data = extract_document(doc(page([*header, *line], source="ocr")), schema).data
    assert data["items"] == [
        {"description": "Toner", "quantity": 3.0, "unit_price": 10.0, "amount": 30.0}
    ]


def test_a_sparse_layout_grid_from_ocr_is_read_as_text_rows() -> None:
    def cell(text: str, left: float, width: float) -> Cell:
        return Cell(text, Box(left, 0.5, width, 0.02))

    row = (cell("", 0.05, 0.3), cell("Summe", 0.36, 0.06), cell("", 0.42, 0.01),
           cell("netto", 0.43, 0.1), cell("4.101,72 €", 0.53, 0.15), cell("", 0.68, 0.1))  # fmt: skip
    empty = tuple(cell("", c.box.left, c.box.width) for c in row if c.box)
    grid = Table(rows=(empty, row, empty), header_rows=0)
    schema = {"type": "object", "properties": {"subtotal": {"type": "number"}}}
    data = extract_document(doc(page([], source="ocr", tables=(grid,))), schema).data
    assert data == {"subtotal": 4101.72}


def test_an_ocr_misread_label_word_still_counts() -> None:
    words = [word("Termin", 0.05, 0.1), word("ptatnosci:", 0.11, 0.1), word("04.01.2027", 0.3, 0.1)]
    schema = {"type": "object", "properties": {"due_date": {"type": "string", "format": "date"}}}
    assert extract_document(doc(page(words, source="ocr")), schema).data == {
        "due_date": "2027-01-04"
    }
    assert extract_document(doc(page(words)), schema).data == {"due_date": None}
