"""Invoices in eight layouts, any language of `business_locale`, with their truth.

Layouts: `classic` (labels left, values right), `stacked` (labels above values), `grid`
(key-value boxes in a header grid), `tabular` (everything in ruled tables, totals inside the
items table), `continued` (two pages, items across the break, `Page 1 of 2`), `compact` (all
inline `Label: value`, small type, right-aligned number columns), `plain` (a word processor's
invoice: the company name as the first line in body type, no letterhead styling) and `banner`
(held out from development: one inline line of references, parties side by side, right-aligned
totals).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from evaluation.corpus.business_locale import (
    GOODS,
    ITEM_HEADERS,
    LABELS,
    STYLES,
    TAX_RATES,
    Style,
    address,
    company,
    day,
    iban,
    money,
)
from evaluation.corpus.sheet import Grid, Sheet

LAYOUTS = ("classic", "stacked", "grid", "tabular", "continued", "compact", "plain", "banner")
HELD_OUT_LAYOUT = "banner"


@dataclass(frozen=True, slots=True)
class InvoiceData:
    """What the invoice says (the truth) and how it is printed."""

    truth: dict[str, Any]
    style: Style
    labels: dict[str, str]
    vendor_address: tuple[str, str]
    customer_address: tuple[str, str]
    items: list[tuple[str, str, str, str]]  # printed cells
    headers: tuple[str, ...]


SHIPPING = {"en": "Shipping", "de": "Versand", "fr": "Frais de port", "nl": "Verzending",
            "es": "Envío", "it": "Spedizione", "pl": "Wysyłka"}  # fmt: skip


def invoice_data(
    rng: random.Random, language: str, *, item_count: tuple[int, int] = (1, 5)
) -> InvoiceData:
    style = rng.choice(STYLES[language])
    words = LABELS[language]
    labels = {key: rng.choice(values) for key, values in words.items()}
    rate = TAX_RATES[language] if style.currency != "USD" else 8
    labels["tax"] = labels["tax"].format(rate=rate)
    issued = date(2026, 1, 1) + timedelta(days=rng.randrange(360))
    due = issued + timedelta(days=rng.choice((14, 30, 45)))
    lines: list[dict[str, Any]] = []
    for description in rng.sample(GOODS[language], rng.randint(*item_count)):
        quantity = rng.randint(1, 12)
        price = round(rng.uniform(5, 1500), 2)
        lines.append({"description": description, "quantity": float(quantity),
                      "unit_price": price, "amount": round(quantity * price, 2)})  # fmt: skip
    subtotal = round(sum(line["amount"] for line in lines), 2)
    shipping = round(rng.uniform(5, 60), 2) if rng.random() < 0.3 else 0.0
    tax = round((subtotal + shipping) * rate / 100, 2)
    number = rng.choice(("INV-{y}-{n:04d}", "{y}-{n:05d}", "RE{n:06d}", "F{y}/{n}", "FV/{n}/{y}"))
    truth = {
        "invoice_number": number.format(y=issued.year, n=rng.randrange(1, 99999)),
        "invoice_date": issued.isoformat(),
        "due_date": due.isoformat(),
        "vendor_name": company(rng, language),
        "customer_name": company(rng, language),
        "po_number": f"PO-{rng.randrange(1000, 99999)}" if rng.random() < 0.5 else None,
        "subtotal": subtotal,
        "tax_amount": tax,
        "total_amount": round(subtotal + shipping + tax, 2),
        "shipping": shipping,
        "currency": style.currency,
        "iban": iban(rng, language),
        "line_items": lines,
    }
    items = [
        (li["description"], str(int(li["quantity"])), money(li["unit_price"], style, sign=False),
         money(li["amount"], style, sign=False))
        for li in lines
    ]  # fmt: skip
    headers = rng.choice(ITEM_HEADERS[language])
    return InvoiceData(truth, style, labels, address(rng, language), address(rng, language),
                       items, headers)  # fmt: skip


def _meta(data: InvoiceData) -> list[tuple[str, str]]:
    t, s, lb = data.truth, data.style, data.labels
    pairs = [(lb["number"], t["invoice_number"]), (lb["date"], day(date.fromisoformat(t["invoice_date"]), s)),
             (lb["due"], day(date.fromisoformat(t["due_date"]), s))]  # fmt: skip
    if t["po_number"]:
        pairs.append((lb["po"], t["po_number"]))
    return pairs


def _totals(data: InvoiceData) -> list[tuple[str, str]]:
    """Subtotal, shipping (when charged), tax, total: the total is always last."""
    t, s, lb = data.truth, data.style, data.labels
    rows = [(lb["subtotal"], money(t["subtotal"], s))]
    if t["shipping"]:
        rows.append((SHIPPING[data.style.language], money(t["shipping"], s)))
    return [
        *rows,
        (lb["tax"], money(t["tax_amount"], s)),
        (lb["total"], money(t["total_amount"], s)),
    ]


def _items_grid(
    data: InvoiceData, y: float, *, ruled: bool, extra: tuple[tuple[str, ...], ...] = ()
) -> Grid:
    rows = (data.headers, *data.items, *extra)
    return Grid(40, y, (250, 60, 110, 105), tuple(rows), ruled=ruled, right_align_from=1)


def _party(sheet: Sheet, x: float, y: float, label: str | None, name: str, lines: tuple[str, str]) -> None:  # fmt: skip
    if label:
        sheet.text(x, y, label, bold=True, size=9)
        y += 14
    sheet.text(x, y, name)
    sheet.text(x, y + 13, lines[0])
    sheet.text(x, y + 26, lines[1])


def classic(data: InvoiceData, rng: random.Random) -> Sheet:
    sheet, t, lb = Sheet(), data.truth, data.labels
    sheet.text(40, 40, t["vendor_name"], size=16, bold=True)
    sheet.text(40, 60, ", ".join(data.vendor_address), size=9)
    sheet.text(400, 40, lb["title"], size=20, bold=True)
    colon = rng.choice((":", ""))
    for row, (label, value) in enumerate(_meta(data)):
        sheet.text(330, 100 + row * 15, label + colon)
        sheet.text(450, 100 + row * 15, value)
    _party(sheet, 40, 110, lb["bill_to"] + colon, t["customer_name"], data.customer_address)
    sheet.grid(_items_grid(data, 230, ruled=rng.random() < 0.5))
    y = 230 + 16 * (len(data.items) + 1) + 20
    totals = _totals(data)
    for row, (label, value) in enumerate(totals):
        sheet.text(330, y + row * 16, label, bold=row == len(totals) - 1)
        sheet.text(555, y + row * 16, value, align="right", bold=row == len(totals) - 1)
    sheet.text(40, 700, f"IBAN: {t['iban']}", size=9)
    sheet.text(40, 715, lb["terms"], size=9)
    return sheet


def stacked(data: InvoiceData, rng: random.Random) -> Sheet:
    sheet, t, lb = Sheet(), data.truth, data.labels
    sheet.text(40, 40, lb["title"], size=22, bold=True)
    sheet.text(360, 40, t["vendor_name"], size=12, bold=True)
    sheet.text(360, 56, data.vendor_address[0], size=9)
    sheet.text(360, 68, data.vendor_address[1], size=9)
    for column, (label, value) in enumerate(_meta(data)):
        sheet.text(40 + column * 130, 120, label.upper() if rng.random() < 0.3 else label, size=8)
        sheet.text(40 + column * 130, 133, value, size=11)
    _party(sheet, 40, 175, lb["bill_to"], t["customer_name"], data.customer_address)
    sheet.grid(_items_grid(data, 260, ruled=False))
    y = 260 + 16 * (len(data.items) + 1) + 30
    totals = _totals(data)
    for column, (label, value) in enumerate(totals):
        x = 555 - (len(totals) - column) * 95
        sheet.text(x, y, label, size=8)
        sheet.text(x, y + 13, value, size=11, bold=column == len(totals) - 1)
    sheet.text(40, 720, f"IBAN {t['iban']}", size=9)
    return sheet


def grid(data: InvoiceData, rng: random.Random) -> Sheet:
    sheet, t, lb = Sheet(), data.truth, data.labels
    sheet.text(40, 36, t["vendor_name"], size=14, bold=True)
    sheet.text(40, 54, " · ".join(data.vendor_address), size=9)
    sheet.text(420, 36, lb["title"], size=18, bold=True)
    for n, (label, value) in enumerate(_meta(data)):
        x, y = 40 + (n % 3) * 172, 90 + (n // 3) * 44
        sheet.frame(x, y, 165, 38)
        sheet.text(x + 6, y + 5, label, size=7)
        sheet.text(x + 6, y + 19, value, size=11)
    sheet.frame(40, 190, 250, 70)
    _party(sheet, 46, 196, lb["bill_to"], t["customer_name"], data.customer_address)
    sheet.grid(_items_grid(data, 290, ruled=True))
    y = 290 + 16 * (len(data.items) + 1) + 16
    rows = tuple(_totals(data))
    sheet.grid(Grid(340, y, (120, 95), rows, header_rows=0, right_align_from=1))
    sheet.text(40, 730, f"IBAN: {t['iban']}", size=8)
    return sheet


def tabular(data: InvoiceData, rng: random.Random) -> Sheet:
    sheet, t, lb = Sheet(), data.truth, data.labels
    sheet.text(40, 40, lb["title"], size=18, bold=True)
    meta = tuple((label, value) for label, value in _meta(data))
    sheet.grid(Grid(40, 75, (120, 130), meta, header_rows=0))
    parties = ((lb["vendor"], lb["bill_to"]), (t["vendor_name"], t["customer_name"]),
               (data.vendor_address[0], data.customer_address[0]),
               (data.vendor_address[1], data.customer_address[1]))  # fmt: skip
    sheet.grid(Grid(40, 85 + 16 * len(meta) + 15, (255, 260), parties))
    y = 85 + 16 * len(meta) + 15 + 16 * 4 + 25
    totals = tuple(("", "", label, value) for label, value in _totals(data))
    sheet.grid(_items_grid(data, y, ruled=True, extra=totals))
    sheet.text(40, 740, f"IBAN: {t['iban']}", size=8)
    return sheet


def banner(data: InvoiceData, rng: random.Random) -> Sheet:
    sheet, t, lb = Sheet(), data.truth, data.labels
    sheet.text(297, 30, t["vendor_name"], size=18, bold=True, align="center")
    sheet.text(297, 52, " | ".join(data.vendor_address), size=8, align="center")
    sheet.text(40, 85, lb["title"], size=14, bold=True)
    inline = "   ·   ".join(f"{label} {value}" for label, value in _meta(data))
    sheet.text(40, 105, inline, size=9)
    _party(sheet, 330, 135, lb["bill_to"], t["customer_name"], data.customer_address)
    sheet.grid(_items_grid(data, 215, ruled=False))
    y = 215 + 16 * (len(data.items) + 1) + 24
    totals = _totals(data)
    for row, (label, value) in enumerate(totals):
        sheet.text(470, y + row * 15, label, align="right", bold=row == len(totals) - 1)
        sheet.text(555, y + row * 15, value, align="right", bold=row == len(totals) - 1)
    sheet.text(40, 760, f"{t['vendor_name']} · IBAN {t['iban']}", size=8)
    return sheet


PAGE_OF = {"en": "Page {n} of {total}", "de": "Seite {n} von {total}", "fr": "Page {n} sur {total}",
           "nl": "Pagina {n} van {total}", "es": "Página {n} de {total}",
           "it": "Pagina {n} di {total}", "pl": "Strona {n} z {total}"}  # fmt: skip


def continued(data: InvoiceData, rng: random.Random) -> list[Sheet]:
    """Two pages: the header and the first items, then the number again, the rest and totals."""
    t, lb = data.truth, data.labels
    first, second = Sheet(), Sheet()
    first.text(40, 40, t["vendor_name"], size=16, bold=True)
    first.text(40, 60, ", ".join(data.vendor_address), size=9)
    first.text(400, 40, lb["title"], size=20, bold=True)
    for row, (label, value) in enumerate(_meta(data)):
        first.text(330, 100 + row * 15, label + ":")
        first.text(450, 100 + row * 15, value)
    _party(first, 40, 110, lb["bill_to"] + ":", t["customer_name"], data.customer_address)
    split = len(data.items) // 2
    ruled = rng.random() < 0.5
    first.grid(Grid(40, 230, (250, 60, 110, 105), (data.headers, *data.items[:split]), ruled=ruled,
                    right_align_from=1))  # fmt: skip
    second.text(40, 40, f"{lb['number']}: {t['invoice_number']}", size=9)
    second.grid(Grid(40, 80, (250, 60, 110, 105), (data.headers, *data.items[split:]), ruled=ruled,
                     right_align_from=1))  # fmt: skip
    y = 80 + 16 * (len(data.items) - split + 1) + 20
    totals = _totals(data)
    for row, (label, value) in enumerate(totals):
        second.text(330, y + row * 16, label, bold=row == len(totals) - 1)
        second.text(555, y + row * 16, value, align="right", bold=row == len(totals) - 1)
    second.text(40, 700, f"IBAN: {t['iban']}", size=9)
    page_of = PAGE_OF[data.style.language]
    for number, sheet in enumerate((first, second), start=1):
        sheet.text(297, 800, page_of.format(n=number, total=2), size=8, align="center")
    return [first, second]


def compact(data: InvoiceData, rng: random.Random) -> Sheet:
    """Everything inline (`Label: value` in one run of text), small type, right-aligned
    number columns and headers, right-aligned totals lines."""
    sheet, t, lb = Sheet(), data.truth, data.labels
    sheet.text(40, 36, t["vendor_name"], size=13, bold=True)
    sheet.text(40, 52, f"{data.vendor_address[0]}, {data.vendor_address[1]}", size=8)
    sheet.text(555, 36, lb["title"], size=15, bold=True, align="right")
    for row, (label, value) in enumerate(_meta(data)):
        sheet.text(555, 70 + row * 12, f"{label}: {value}", size=8, align="right")
    sheet.text(40, 90, f"{lb['bill_to']}: {t['customer_name']}", size=9)
    sheet.text(40, 102, data.customer_address[0], size=8)
    sheet.text(40, 112, data.customer_address[1], size=8)
    rows = (data.headers, *data.items)
    sheet.grid(Grid(40, 170, (250, 60, 110, 105), rows, size=8, row_height=13, ruled=False,
                    right_align_from=1, right_align_headers=True))  # fmt: skip
    y = 170 + 13 * len(rows) + 15
    for row, (label, value) in enumerate(_totals(data)):
        sheet.text(555, y + row * 12, f"{label}: {value}", size=8, align="right")
    sheet.text(40, 720, f"IBAN: {t['iban']} · {lb['terms']}", size=7)
    return sheet


def plain(data: InvoiceData, rng: random.Random) -> Sheet:
    """No letterhead styling: the company name is the first line, in the body's type, above its
    address and a title no larger; `Label: value` lines, the items table, totals lines."""
    sheet, t, lb = Sheet(), data.truth, data.labels
    sheet.text(50, 50, t["vendor_name"])
    sheet.text(50, 63, data.vendor_address[0])
    sheet.text(50, 76, data.vendor_address[1])
    sheet.text(50, 105, lb["title"], bold=rng.random() < 0.5)
    y = 125.0
    for label, value in _meta(data):
        sheet.text(50, y, f"{label}: {value}")
        y += 14
    _party(sheet, 50, y + 10, lb["bill_to"] + ":", t["customer_name"], data.customer_address)
    y += 10 + 14 + 39 + 20
    sheet.grid(_items_grid(data, y, ruled=False))
    y += 16 * (len(data.items) + 1) + 15
    for label, value in _totals(data):
        sheet.text(50, y, f"{label}: {value}")
        y += 14
    sheet.text(50, y + 20, f"IBAN: {t['iban']}")
    return sheet


def render(layout: str, data: InvoiceData, rng: random.Random) -> list[Sheet]:
    if layout == "continued":
        return continued(data, rng)
    one_page = {"classic": classic, "stacked": stacked, "grid": grid, "tabular": tabular,
                "compact": compact, "plain": plain, "banner": banner}  # fmt: skip
    return [one_page[layout](data, rng)]
