"""Labeled text PDFs, generated deterministically with reportlab: each page's ground-truth lines
(in reading order), its tables, and the page sources a loader must report.

Three layouts: single-column prose (English, German, French, Polish, Spanish, with a heading),
a two-column article under a full-width title, and a form-like invoice with "label: value" lines
and a ruled table. Text comes from seeded draws over small real-word vocabularies, so no test can
be tuned to one string, and the same seed always gives the same bytes. Rendering these pages to
images (scans, photos, TIFF) is in evaluation/corpus/scans.py.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56.0
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")

VOCABULARY = {
    "eng": (
        "the report shows that our customers value clear invoices and quick delivery of every"
        " order while the team reviews contracts budgets and payments each quarter with care"
        " after careful analysis we expect steady growth in revenue and lower operating costs"
        " across all regions including new markets in northern europe and south america"
    ),
    "deu": (
        "der bericht zeigt dass unsere kunden klare rechnungen und schnelle lieferung schätzen"
        " während das team verträge budgets und zahlungen jedes quartal sorgfältig prüft nach"
        " genauer analyse erwarten wir stetiges wachstum beim umsatz und niedrigere kosten für"
        " alle regionen einschließlich neuer märkte in nordeuropa und südamerika"
    ),
    "fra": (
        "le rapport montre que nos clients apprécient des factures claires et une livraison"
        " rapide de chaque commande pendant que l'équipe examine les contrats les budgets et les"
        " paiements chaque trimestre avec soin après une analyse détaillée nous prévoyons une"
        " croissance régulière du chiffre d'affaires dans toutes les régions"
    ),
    "pol": (
        "raport pokazuje że nasi klienci cenią jasne faktury i szybką dostawę każdego"
        " zamówienia a zespół sprawdza umowy budżety oraz płatności w każdym kwartale"
        " po dokładnej analizie oczekujemy stałego wzrostu przychodów i niższych kosztów"
        " we wszystkich regionach także na nowych rynkach w północnej europie"
    ),
    "spa": (
        "el informe muestra que nuestros clientes valoran las facturas claras y la entrega"
        " rápida de cada pedido mientras el equipo revisa los contratos los presupuestos y"
        " los pagos de cada trimestre con cuidado después de un análisis detallado esperamos"
        " un crecimiento constante de los ingresos en todas las regiones"
    ),
}


@dataclass(frozen=True, slots=True)
class LabeledPage:
    """What a page holds: its lines in reading order (tables apart) and its tables' cell texts."""

    lines: tuple[str, ...]
    tables: tuple[tuple[tuple[str, ...], ...], ...] = ()
    source: str = "text_layer"  # the page.source a loader must report
    columns: tuple[tuple[str, ...], ...] = ()  # for multi-column pages: each column's lines


@dataclass(frozen=True, slots=True)
class LabeledDocument:
    """A generated document, its bytes and the truth about each page."""

    name: str
    layout: str  # "prose", "two_column", "form"
    language: str
    data: bytes
    mime_type: str
    pages: tuple[LabeledPage, ...]
    metadata: dict[str, str] = field(default_factory=dict)


@cache
def _serif(language: str) -> str:
    if language == "eng" or not _DEJAVU.exists():
        return "Times-Roman"
    pdfmetrics.registerFont(TTFont("DejaVuSerif", str(_DEJAVU)))
    return "DejaVuSerif"


def _sentence_lines(
    rng: random.Random, language: str, *, font: str, size: float, width: float, count: int
) -> list[str]:
    words = VOCABULARY[language].split()
    lines: list[str] = []
    while len(lines) < count:
        line: list[str] = []
        while True:
            candidate = [*line, rng.choice(words)]
            if pdfmetrics.stringWidth(" ".join(candidate), font, size) > width:
                break
            line = candidate
        if rng.random() < 0.3:
            line[0] = line[0].capitalize()
        lines.append(" ".join(line))
    return lines


def _canvas(buffer: io.BytesIO, title: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(title)
    canvas.setAuthor("jobstream corpus")
    return canvas


def prose(seed: int, language: str = "eng", *, pages: int = 1) -> LabeledDocument:
    """Single-column pages: a heading, then paragraphs of justified-width lines."""
    rng = random.Random(seed)
    buffer, font = io.BytesIO(), _serif(language)
    title = {
        "eng": "Quarterly Report", "deu": "Quartalsbericht", "fra": "Rapport Trimestriel",
        "pol": "Raport Kwartalny", "spa": "Informe Trimestral",
    }  # fmt: skip
    canvas = _canvas(buffer, title[language])
    labeled: list[LabeledPage] = []
    for number in range(1, pages + 1):
        heading = f"{title[language]} {seed % 97 + number}"
        canvas.setFont("Helvetica-Bold", 20)
        canvas.drawString(MARGIN, PAGE_HEIGHT - MARGIN - 20, heading)
        lines, y = [heading], PAGE_HEIGHT - MARGIN - 60
        for _ in range(3):
            paragraph = _sentence_lines(
                rng, language, font=font, size=11, width=PAGE_WIDTH - 2 * MARGIN, count=7
            )
            canvas.setFont(font, 11)
            for text in paragraph:
                canvas.drawString(MARGIN, y, text)
                y -= 14
            lines += paragraph
            y -= 14
        labeled.append(LabeledPage(lines=tuple(lines)))
        canvas.showPage()
    canvas.save()
    return LabeledDocument(
        f"prose-{language}-{seed}", "prose", language, buffer.getvalue(), "application/pdf",
        tuple(labeled), {"title": title[language], "author": "jobstream corpus"},
    )  # fmt: skip


def two_column(seed: int) -> LabeledDocument:
    """A full-width title over two columns of running text with paragraph breaks."""
    rng = random.Random(seed)
    buffer = io.BytesIO()
    canvas = _canvas(buffer, "Two columns")
    gutter = 24.0
    column_width = (PAGE_WIDTH - 2 * MARGIN - gutter) / 2
    title = f"Field Notes on Regional Markets {seed}"
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(MARGIN, PAGE_HEIGHT - MARGIN - 18, title)
    columns: list[tuple[str, ...]] = []
    for index in range(2):
        x, y = MARGIN + index * (column_width + gutter), PAGE_HEIGHT - MARGIN - 56
        column: list[str] = []
        for _ in range(4):
            paragraph = _sentence_lines(
                rng, "eng", font="Times-Roman", size=10, width=column_width, count=rng.randint(5, 8)
            )
            canvas.setFont("Times-Roman", 10)
            for text in paragraph:
                canvas.drawString(x, y, text)
                y -= 12.5
            column += paragraph
            y -= 12.5
        columns.append(tuple(column))
    canvas.showPage()
    canvas.save()
    lines = (title, *columns[0], *columns[1])
    page = LabeledPage(lines=lines, columns=tuple(columns))
    return LabeledDocument(
        f"two-column-{seed}", "two_column", "eng", buffer.getvalue(), "application/pdf", (page,)
    )


def _table_rows(rng: random.Random) -> list[tuple[str, ...]]:
    items = ("Consulting hours", "Software licence", "Support plan", "Travel costs", "Training")
    rows: list[tuple[str, ...]] = [("Description", "Quantity", "Unit price", "Amount")]
    for item in rng.sample(items, 4):
        quantity, price = rng.randint(1, 40), rng.randint(20, 900)
        rows.append((item, str(quantity), f"{price:,}.00", f"{quantity * price:,}.00"))
    return rows


def _ruled_table(canvas: Canvas, rows: list[tuple[str, ...]], *, top: float) -> float:
    """`rows` in a grid of ruled lines from `top` down (bold header row); returns its bottom."""
    widths, row_height = (200.0, 80.0, 100.0, 100.0), 22.0
    for r, row in enumerate(rows):
        canvas.setFont("Helvetica-Bold" if r == 0 else "Helvetica", 10)
        x = MARGIN
        for width, text in zip(widths, row, strict=True):
            canvas.drawString(x + 5, top - r * row_height - 15, text)
            x += width
    bottom = top - len(rows) * row_height
    for r in range(len(rows) + 1):
        canvas.line(MARGIN, top - r * row_height, MARGIN + sum(widths), top - r * row_height)
    x = MARGIN
    for width in (0.0, *widths):
        x += width
        canvas.line(x, top, x, bottom)
    return bottom


def form(seed: int) -> LabeledDocument:
    """An invoice: a heading, "label: value" lines, a ruled table, and a total under it."""
    rng = random.Random(seed)
    buffer = io.BytesIO()
    canvas = _canvas(buffer, "Invoice")
    canvas.setFont("Helvetica-Bold", 22)
    canvas.drawString(MARGIN, PAGE_HEIGHT - MARGIN - 22, "INVOICE")
    day = rng.randint(1, 28)
    fields = [
        f"Invoice number: INV-2026-{rng.randint(1000, 9999)}",
        f"Date: {day} October 2026",
        f"Customer: {rng.choice(['Northwind Traders', 'Contoso Ltd', 'Fabrikam Inc'])}",
        f"Reference: PO-{rng.randint(10000, 99999)}",
    ]
    canvas.setFont("Helvetica", 11)
    y = PAGE_HEIGHT - MARGIN - 70
    for text in fields:
        canvas.drawString(MARGIN, y, text)
        y -= 18
    rows = _table_rows(rng)
    bottom = _ruled_table(canvas, rows, top=y - 20)
    total = f"Total due: {sum(int(r[3][:-3].replace(',', '')) for r in rows[1:]):,}.00 EUR"
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(MARGIN, bottom - 30, total)
    canvas.showPage()
    canvas.save()
    page = LabeledPage(lines=("INVOICE", *fields, total), tables=(tuple(rows),))
    return LabeledDocument(
        f"form-{seed}", "form", "eng", buffer.getvalue(), "application/pdf", (page,)
    )


def text_pdfs(seed: int = 7) -> list[LabeledDocument]:
    """One document per layout and language: the text-layer corpus."""
    return [
        prose(seed, "eng", pages=2), prose(seed + 1, "deu"), prose(seed + 2, "fra"),
        two_column(seed + 3), form(seed + 4), prose(seed + 5, "pol"), prose(seed + 6, "spa"),
    ]  # fmt: skip
