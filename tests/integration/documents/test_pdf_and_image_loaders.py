"""The PDF and image loaders on the generated corpus, with the real PDFium, pdfplumber and
Tesseract: line recall floors, reading order, tables, page sources, EXIF, TIFF, and every bad
input with its error type. No infrastructure; OCR costs about a second a page, so the OCR corpus
is loaded once per module at 150 dpi."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from functools import cache

import pytest
from evaluation.corpus import pdfs, scans
from evaluation.corpus.pdfs import LabeledDocument
from evaluation.recall import Recall, cell_recall, column_order_ok, line_recall

from jobstream.documents.loaders.images import load_image
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.pdf import load_pdf
from jobstream.documents.model import Document, TextBlock

OPTIONS = LoadOptions(image_resolution_dpi=150)
Loaded = list[tuple[LabeledDocument, Document]]
text_pdfs = cache(pdfs.text_pdfs)
ocr_corpus = cache(scans.ocr_corpus)


def _load(labeled: LabeledDocument, options: LoadOptions = OPTIONS) -> Document:
    loader: Callable[..., Document] = (
        load_pdf if labeled.mime_type == "application/pdf" else load_image
    )
    return loader(labeled.data, options=options)


@pytest.fixture(scope="module")
def text_layer() -> Loaded:
    return [(labeled, _load(labeled)) for labeled in text_pdfs()]


@pytest.fixture(scope="module")
def ocred() -> Loaded:
    return [(labeled, _load(labeled)) for labeled in ocr_corpus()]


def _by_name(loaded: Loaded, prefix: str) -> tuple[LabeledDocument, Document]:
    return next(pair for pair in loaded if pair[0].name.startswith(prefix))


def test_text_layer_line_recall_is_at_least_99_percent(text_layer: Loaded) -> None:
    total = sum((line_recall(doc, labeled) for labeled, doc in text_layer), Recall(0, 0))
    assert total.expected > 150
    assert total.ratio >= 0.99, total
    for labeled, doc in text_layer:
        assert [p.source for p in doc.pages] == [p.source for p in labeled.pages], labeled.name


def test_ocr_line_recall_is_at_least_90_percent(ocred: Loaded) -> None:
    total = sum((line_recall(doc, labeled) for labeled, doc in ocred), Recall(0, 0))
    assert total.expected > 150
    assert total.ratio >= 0.90, total
    for labeled, doc in ocred:
        assert line_recall(doc, labeled).ratio >= 0.8, labeled.name


def test_two_column_pages_read_column_by_column(text_layer: Loaded, ocred: Loaded) -> None:
    for loaded in (text_layer, ocred):
        labeled, doc = _by_name(loaded, "two-column" if loaded is text_layer else "scan-two-column")
        assert column_order_ok(doc.pages[0], labeled.pages[0].columns), labeled.name


def test_headings_come_from_font_size(text_layer: Loaded) -> None:
    labeled, doc = _by_name(text_layer, "prose-eng")
    first = doc.pages[0].blocks[0]
    assert getattr(first, "kind", None) == "heading"
    assert first.text == labeled.pages[0].lines[0]  # type: ignore[union-attr]
    assert doc.metadata["title"] == "Quarterly Report"


def test_ocr_pages_find_their_title_as_the_one_heading(ocred: Loaded) -> None:
    from evaluation.recall import normalize

    for labeled, doc in ocred:
        for page, truth in zip(doc.pages, labeled.pages, strict=True):
            if page.source != "ocr":
                continue
            headings = [b for b in page.blocks if isinstance(b, TextBlock) and b.kind == "heading"]
            assert len(headings) == 1, (labeled.name, [h.text for h in headings])
            assert normalize(headings[0].text) in {normalize(line) for line in truth.lines}
            assert headings[0].level == 1


def test_ruled_tables_are_found_where_they_stand(text_layer: Loaded) -> None:
    labeled, doc = _by_name(text_layer, "form")
    page = doc.pages[0]
    assert len(page.tables) == 1
    assert page.tables[0].texts() == [list(row) for row in labeled.pages[0].tables[0]]
    assert cell_recall(doc, labeled).ratio == 1.0
    kinds = ["table" if block in page.tables else "text" for block in page.blocks]
    assert kinds[-2:] == ["table", "text"]  # the total is printed under the table
    words_in_lines = {w.text for w in page.words()}
    assert "Quantity" not in words_in_lines  # table words are not repeated as lines


def test_ruled_tables_are_found_in_scans_and_photos(ocred: Loaded) -> None:
    for prefix in ("scan-form", "photo-sideways-form"):
        labeled, doc = _by_name(ocred, prefix)
        page = doc.pages[0]
        assert len(page.tables) == 1, prefix
        assert cell_recall(doc, labeled).ratio >= 0.9, prefix
        kinds = ["table" if block in page.tables else "text" for block in page.blocks]
        assert kinds[-2:] == ["table", "text"], prefix  # placed above the total, as printed
    for labeled, doc in ocred:
        if not labeled.pages[0].tables:
            assert not any(page.tables for page in doc.pages), labeled.name  # no false grids


def test_word_boxes_are_normalized_top_left(text_layer: Loaded) -> None:
    _, doc = _by_name(text_layer, "prose-eng")
    page = doc.pages[0]
    boxes = [w.box for w in page.words() if w.box is not None]
    assert boxes and all(0 <= b.left <= b.right <= 1 and 0 <= b.top <= b.bottom <= 1 for b in boxes)
    assert boxes[0].top < 0.15 and boxes[-1].top > boxes[0].top  # the heading is at the top
    assert page.width == pytest.approx(595.27, abs=0.1)


def test_mixed_pdf_reports_each_pages_source(ocred: Loaded) -> None:
    labeled, doc = _by_name(ocred, "mixed")
    assert [p.source for p in doc.pages] == ["text_layer", "ocr", "text_layer"]
    assert line_recall(doc, labeled).ratio >= 0.9


def test_exif_orientation_is_honoured(ocred: Loaded) -> None:
    labeled, doc = _by_name(ocred, "photo-sideways")
    page = doc.pages[0]
    assert page.height > page.width  # stored landscape, shown portrait
    assert line_recall(doc, labeled).ratio >= 0.8


def test_multi_page_tiff_becomes_pages(ocred: Loaded) -> None:
    labeled, doc = _by_name(ocred, "tiff")
    assert [p.number for p in doc.pages] == [1, 2]
    assert all(p.source == "ocr" for p in doc.pages)
    assert doc.mime_type == "image/tiff"
    assert line_recall(doc, labeled).ratio >= 0.9


def test_page_counts_are_cheap_and_refuse_what_loading_refuses() -> None:
    from jobstream.documents.errors import DocumentCorruptError, DocumentEncryptedError
    from jobstream.documents.loaders import images, pdf

    assert pdf.page_count(text_pdfs()[0].data) == 2
    tiff = next(d for d in ocr_corpus() if d.name.startswith("tiff"))
    assert images.page_count(tiff.data) == 2
    assert images.page_count(ocr_corpus()[4].data) == 1
    with pytest.raises(DocumentEncryptedError):
        pdf.page_count(_encrypted_pdf("secret"))
    with pytest.raises(DocumentCorruptError):
        pdf.page_count(text_pdfs()[0].data[:900])
    with pytest.raises(DocumentCorruptError):
        images.page_count(b"GIF89a")


def test_page_range_and_no_ocr_option() -> None:
    labeled = text_pdfs()[0]  # two pages
    doc = load_pdf(labeled.data, options=LoadOptions(first_page=2, last_page=2))
    assert [p.number for p in doc.pages] == [2]
    scan = ocr_corpus()[0]
    blank = load_pdf(scan.data, options=LoadOptions(ocr=False))
    assert blank.pages[0].source == "text_layer" and not blank.pages[0].blocks


def _png_header_claiming(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def _encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdfs()[1].data)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_encrypted_pdf_is_refused_unless_it_opens_without_a_password() -> None:
    from jobstream.documents.errors import DocumentEncryptedError

    with pytest.raises(DocumentEncryptedError, match="password"):
        load_pdf(_encrypted_pdf("secret"), options=OPTIONS)
    readable = load_pdf(_encrypted_pdf(""), options=OPTIONS)
    assert readable.pages[0].source == "text_layer" and readable.pages[0].lines


def test_bad_pdf_bytes_are_corrupt() -> None:
    from jobstream.documents.errors import DocumentCorruptError

    data = text_pdfs()[0].data
    garbage = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    cut_update = data + b"\n12 0 obj\n<< /Type /Page /Parent 3 0 R"  # an update cut short
    for bad in (data[: len(data) // 2], garbage, b"not a pdf at all", b"", cut_update):
        with pytest.raises(DocumentCorruptError):
            load_pdf(bad, options=OPTIONS)
    padded = data + b"\0" * 10_000  # junk after %%EOF, as some systems write: still read
    assert load_pdf(padded, options=OPTIONS).pages[0].lines


def test_too_many_pages_names_the_limit() -> None:
    from jobstream.documents.errors import DocumentTooLargeError

    with pytest.raises(DocumentTooLargeError, match="limit is 1"):
        load_pdf(text_pdfs()[0].data, options=LoadOptions(max_pages=1))
    tiff = next(d for d in ocr_corpus() if d.name.startswith("tiff"))
    with pytest.raises(DocumentTooLargeError, match="limit is 1"):
        load_image(tiff.data, options=LoadOptions(max_pages=1))


def test_pixel_bombs_are_too_large_without_a_pillow_warning(
    recwarn: pytest.WarningsRecorder,
) -> None:
    from jobstream.documents.errors import DocumentTooLargeError

    with pytest.raises(DocumentTooLargeError, match="limit is 120000000"):
        load_image(_png_header_claiming(12_000, 12_000), options=LoadOptions())
    with pytest.raises(
        DocumentTooLargeError, match="limit is 120000000"
    ):  # over Pillow's own hard limit too
        load_image(_png_header_claiming(200_000, 200_000), options=LoadOptions())
    scan = ocr_corpus()[0]
    with pytest.raises(DocumentTooLargeError, match="page too large"):
        load_pdf(scan.data, options=LoadOptions(max_image_pixels=100_000))
    assert not [w for w in recwarn if "DecompressionBomb" in type(w.message).__name__]


def test_corrupt_images_are_corrupt() -> None:
    from jobstream.documents.errors import DocumentCorruptError

    photo = next(d for d in ocr_corpus() if d.name.startswith("photo"))
    for bad in (photo.data[: len(photo.data) // 3], b"\x89PNG\r\n\x1a\n garbage", b"GIF89a"):
        with pytest.raises(DocumentCorruptError):
            load_image(bad, options=OPTIONS)


@pytest.mark.parametrize("language", ["deu", "pol"])
def test_ocr_language_is_detected_and_used(language: str) -> None:
    scan = scans.scanned_pdf(pdfs.prose(40, language))
    doc = load_pdf(scan.data, options=OPTIONS)
    assert doc.languages == (language,)
    assert line_recall(doc, scan).ratio >= 0.9  # umlauts, ß, ł, ż need their own models
    english_only = load_pdf(
        scan.data, options=LoadOptions(image_resolution_dpi=150, ocr_languages=("eng",))
    )
    assert english_only.languages == ("eng",)
    assert line_recall(english_only, scan).ratio < line_recall(doc, scan).ratio


def test_platypus_grid_with_a_merged_cell_and_shaded_header() -> None:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle
    from reportlab.platypus import Table as PlatypusTable

    rows = [["Item", "Qty", "Price", "Total"], ["Widget", "2", "3.00", "6.00"]]
    rows += [["Merged description across", "", "4.00", "4.00"], ["Gadget", "1", "5.50", "5.50"]]
    grid = PlatypusTable(rows)
    grid.setStyle(
        TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("SPAN", (0, 2), (1, 2)),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ])
    )  # fmt: skip
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([Paragraph("Above the table"), grid, Paragraph("Below it")])
    page = load_pdf(buffer.getvalue(), options=OPTIONS).pages[0]
    assert len(page.tables) == 1
    table = page.tables[0]
    assert table.texts() == [
        ["Item", "Qty", "Price", "Total"], ["Widget", "2", "3.00", "6.00"],
        ["Merged description across", "4.00", "4.00"], ["Gadget", "1", "5.50", "5.50"],
    ]  # fmt: skip
    assert [cell.col_span for cell in table.rows[2]] == [2, 1, 1]
    assert [b.text if isinstance(b, TextBlock) else "<table>" for b in page.blocks] == [
        "Above the table", "<table>", "Below it",
    ]  # fmt: skip


def test_a_page_shown_rotated_is_read_as_displayed() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setPageRotation(90)  # /Rotate 90, content drawn turned so that it reads upright
    canvas.translate(A4[0], 0)
    canvas.rotate(90)
    lines = [f"Turned page line {i} with a few words" for i in range(5)]
    canvas.setFont("Helvetica", 12)
    for i, text in enumerate(lines):
        canvas.drawString(50, A4[0] - 60 - i * 16, text)
    canvas.showPage()
    canvas.save()
    page = load_pdf(buffer.getvalue(), options=LoadOptions(ocr=False)).pages[0]
    assert [line.text for line in page.lines] == lines
    boxes = [line.box for line in page.lines if line.box is not None]
    assert all(b.width > 5 * b.height for b in boxes)  # horizontal on the displayed page
    assert boxes[0].top < boxes[-1].top and boxes[0].left < 0.15


@pytest.mark.filterwarnings("error::UserWarning")  # Pillow's corrupt-EXIF warnings must not leak
def test_damaged_bytes_fail_only_with_document_errors() -> None:
    """Seeded mutations of real PDFs and images: flipped bytes, overwritten runs, cuts (with the
    end marker put back): a load either works or raises a DocumentError, never anything else."""
    import random

    from jobstream.documents.errors import DocumentError

    rng = random.Random(11)
    pdf_sources = [d.data for d in text_pdfs()]
    image_sources = [d.data for d in ocr_corpus() if d.mime_type != "application/pdf"]
    no_ocr = LoadOptions(ocr=False)
    for round_number in range(160):
        is_pdf = round_number % 4 != 0
        data = bytearray(rng.choice(pdf_sources if is_pdf else image_sources))
        if round_number % 3 == 0:
            start = rng.randrange(len(data))
            data[start : start + 400] = bytes(rng.randrange(256) for _ in range(400))
        elif round_number % 3 == 1:
            for _ in range(rng.randint(1, 30)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            data = data[: rng.randrange(64, len(data))] + (b"\n%%EOF\n" if is_pdf else b"")
        with contextlib.suppress(DocumentError):
            (load_pdf if is_pdf else load_image)(bytes(data), options=no_ocr)


def test_transparent_png_is_read_on_white() -> None:
    """Black text on a transparent background: its RGB is black everywhere, the ink is in alpha."""
    from PIL import Image

    labeled = pdfs.prose(3, "eng")
    page = scans.render_pages(labeled.data, dpi=150)[0]
    picture = Image.new("RGBA", page.size, (0, 0, 0, 0))
    picture.putalpha(page.point(lambda v: 255 - v))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    doc = load_image(buffer.getvalue(), options=LoadOptions(ocr_languages=("eng",)))
    assert line_recall(doc, labeled).ratio >= 0.9
