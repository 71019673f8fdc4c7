"""Text formats with their truth: HTML full of things a browser does not show, Markdown, JSON
records and a nested JSON object, a semicolon CSV, and letters in UTF-16 and cp1252."""

from __future__ import annotations

import json

from evaluation.corpus.labeled import NativePage, NativeSample

INVOICE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice INV-2026-118</title>
<style>.total { font-weight: bold } body::after { content: "styled away" }</style>
<script>window.analytics = "tracking pixel"; document.write("<p>written by script</p>");</script>
</head><body>
<noscript>Please enable JavaScript</noscript>
<h1>Invoice INV-2026-118</h1>
<p>Issued 13 October 2026 by <a href="https://example.com">Contoso Ltd</a>.</p>
<div hidden>Internal margin: 38 %</div>
<p style="display:none">Discount code SECRET10</p>
<p>Bill to: Fabrikam Inc.,<br>1 Harbour Street, Dublin</p>
<table>
<thead><tr><th>Item</th><th>Qty</th><th>Price</th></tr></thead>
<tbody>
<tr><td>Pallet jack</td><td>2</td><td>€ 1.234,56</td></tr>
<tr><td>Stretch film</td><td>10</td><td>€ 45,00</td></tr>
</tbody></table>
<ul><li>Payment within 30 days</li><li>IBAN IE29 AIBK 9311 5212 3456 78</li></ul>
<template><p>Template row</p></template>
</body></html>
"""

NOTES_MD = """# Site visit notes

Visited the **Rotterdam** warehouse on 13 October 2026.
Dock doors are in _good_ repair.

## Findings

- Racking needs new labels
- Fire exit 3 was blocked

| Area | Status |
|------|--------|
| Dock | OK |
| Cold room | Needs service |
"""

ORDERS = [
    {"order": "SO-1", "customer": "Müller GmbH", "total": 1234.56, "paid": True},
    {"order": "SO-2", "customer": "Nowak Sp. z o.o.", "total": 99, "paid": False},
]
SETTINGS = {"warehouse": "Rotterdam", "docks": [1, 2], "manager": {"name": "Eva de Vries"}}

LETTER = (
    "Sehr geehrte Frau Müller,",
    "wir bestätigen Ihre Bestellung über 1.234,56 € für die Lieferung am 13.10.2026.",
    "Mit freundlichen Grüßen — Ihr Kundendienst",
)
LETTRE = (
    "Chère Madame Lefèvre,",
    "nous accusons réception de votre commande n° 4711 d'un montant de 99,90 €.",
    "Veuillez agréer nos salutations distinguées « Service client ».",
)


def invoice_html() -> NativeSample:
    return NativeSample(
        name="html-invoice", format="html", filename="invoice.html", mime_type="text/html",
        data=INVOICE_HTML.encode(),
        pages=(NativePage(
            lines=("Invoice INV-2026-118", "Issued 13 October 2026 by Contoso Ltd.",
                   "Bill to: Fabrikam Inc.,", "1 Harbour Street, Dublin",
                   "Payment within 30 days", "IBAN IE29 AIBK 9311 5212 3456 78"),
            tables=((("Item", "Qty", "Price"), ("Pallet jack", "2", "€ 1.234,56"),
                     ("Stretch film", "10", "€ 45,00")),),
            absent=("tracking pixel", "written by script", "styled away", "font-weight",
                    "enable JavaScript", "Internal margin", "SECRET10", "Template row"),
        ),),
        metadata={"title": "Invoice INV-2026-118"},
    )  # fmt: skip


def notes_markdown() -> NativeSample:
    return NativeSample(
        name="markdown-notes", format="markdown", filename="notes.md", mime_type="text/markdown",
        data=NOTES_MD.encode(),
        pages=(NativePage(
            lines=("Site visit notes", "Visited the Rotterdam warehouse on 13 October 2026.",
                   "Dock doors are in good repair.", "Findings", "Racking needs new labels",
                   "Fire exit 3 was blocked"),
            tables=((("Area", "Status"), ("Dock", "OK"), ("Cold room", "Needs service")),),
            absent=("**", "| Area"),
        ),),
    )  # fmt: skip


def json_samples() -> list[NativeSample]:
    orders = NativeSample(
        name="json-records", format="json", filename="orders.json", mime_type="application/json",
        data=json.dumps(ORDERS, ensure_ascii=False).encode(),
        pages=(NativePage(lines=(), tables=((
            ("order", "customer", "total", "paid"), ("SO-1", "Müller GmbH", "1234.56", "true"),
            ("SO-2", "Nowak Sp. z o.o.", "99", "false"),
        ),)),),
    )  # fmt: skip
    nested = NativeSample(
        name="json-nested", format="json", filename="settings.json", mime_type=None,
        data=json.dumps(SETTINGS).encode(),
        pages=(NativePage(lines=(
            "{", '"warehouse": "Rotterdam",', '"docks": [', "1,", "2", "],", '"manager": {',
            '"name": "Eva de Vries"', "}", "}",
        )),),
    )  # fmt: skip
    return [orders, nested]


def pallets_csv() -> NativeSample:
    data = 'Pallet;Contents;Weight\nP-1;"Bolts; nuts";480 kg\nP-2;"Film ""extra""";515 kg\n'
    return NativeSample(
        name="csv-semicolon", format="csv", filename="pallets.csv", mime_type="text/csv",
        data=data.encode("cp1252"),
        pages=(NativePage(lines=(), tables=((
            ("Pallet", "Contents", "Weight"), ("P-1", "Bolts; nuts", "480 kg"),
            ("P-2", 'Film "extra"', "515 kg"),
        ),)),),
    )  # fmt: skip


def letters() -> list[NativeSample]:
    text_de = "\n".join(LETTER) + "\n"
    text_fr = "\r\n".join(LETTRE) + "\r\n"
    return [
        NativeSample(name="text-utf16", format="text", filename="brief.txt",
                     mime_type="text/plain", data=text_de.encode("utf-16"),
                     pages=(NativePage(lines=LETTER),)),
        NativeSample(name="text-utf16le-no-bom", format="text", filename="brief-le.txt",
                     mime_type=None, data=text_de.encode("utf-16-le"),
                     pages=(NativePage(lines=LETTER),)),
        NativeSample(name="text-cp1252", format="text", filename="lettre.txt",
                     mime_type="text/plain", data=text_fr.encode("cp1252"),
                     pages=(NativePage(lines=LETTRE),)),
    ]  # fmt: skip


SLOPPY_HTML = """<HTML><BODY BGCOLOR=white>
<!-- generated by an old CMS; <p>commented out</p> -->
<H2>Opening hours</h2>
<P>Monday&ndash;Friday 8&#58;00&nbsp;&ndash;&nbsp;18:00
<P>Saturday closed<BR>Sunday closed
<UL><LI>Parking at the rear<LI>Entrance via <I>Gate B</I></UL>
<TABLE border=1><TR><TD>Depot<TD>Phone<TR><TD>Gent<TD>+32 9 123 45 67<BR>(24 h)</TABLE>
<DIV style="DISPLAY : NONE">Old number +32 9 000 00 00</DIV>
<SELECT><OPTION>Choose a depot</SELECT>
"""

REPORT_MD = """Incident report
===============

Summary
-------

1. Forklift **FL-7** hit rack 12.
   * No injuries
   * Rack repaired on 14.10.2026
2. Root cause: worn brakes

    indented code line

Reach us at <https://example.com/incidents>.
"""


def sloppy_html() -> NativeSample:
    return NativeSample(
        name="html-sloppy", format="html", filename="hours.htm", mime_type=None,
        data=SLOPPY_HTML.encode("cp1252"),
        pages=(NativePage(
            lines=("Opening hours", "Monday\u2013Friday 8:00 \u2013 18:00", "Saturday closed",
                   "Sunday closed", "Parking at the rear", "Entrance via Gate B",
                   "Choose a depot"),
            tables=((("Depot", "Phone"), ("Gent", "+32 9 123 45 67\n(24 h)")),),
            absent=("commented out", "Old number", "BGCOLOR"),
        ),),
    )  # fmt: skip


def report_markdown() -> NativeSample:
    return NativeSample(
        name="markdown-setext", format="markdown", filename="incident.txt", mime_type="text/plain",
        data=REPORT_MD.encode(),
        pages=(NativePage(
            lines=("Incident report", "Summary", "Forklift FL-7 hit rack 12.", "No injuries",
                   "Rack repaired on 14.10.2026", "Root cause: worn brakes", "indented code line",
                   "Reach us at https://example.com/incidents."),
            absent=("**", "===", "<https"),
        ),),
    )  # fmt: skip


def text_samples() -> list[NativeSample]:
    return [invoice_html(), sloppy_html(), notes_markdown(), report_markdown(), *json_samples(),
            pallets_csv(), *letters()]  # fmt: skip
