"""The issuer at the top of a document: its letterhead, read when no label names the issuer.

A production document names its issuer at the top of its first page: a large bold name, or
simply the first line (`Northwind Trading Ltd` above the address and the title). The letterhead
block is the top of the first page above the first labelled line and above any item table's
header row; in it, the most prominent name-like segment wins, else the first one. Nothing in a
table header, no label, no title word (`Invoice`, `Page`), no address or date is a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobstream.documents.model import Box
from jobstream.engines.local.labels import LabelIndex
from jobstream.engines.local.layout import PageView, Segment
from jobstream.engines.local.text import tokens, word_set
from jobstream.engines.local.values import READERS, DocumentContext

_TITLE_WORDS = word_set(
    "invoice rechnung facture factuur factura fattura faktura receipt statement contract "
    "agreement quittung kassenbon recu bon ricevuta paragon tax vat original copy duplicate "
    "kopie copia copie duplikat page seite pagina strona"
)
# Legal forms, folded (`GmbH & Co. KG`, `S.A.`, `Sp. z o.o.`): part of the company's name.
_LEGAL_FORMS = word_set(
    "ltd limited llc llp lp inc incorporated corp corporation co plc pty pvt pte bhd gmbh mbh ag "
    "kg ohg gbr ug ek ev kgaa se sa sas sasu sarl sa rl sca snc eurl srl spa sapa sl slu sll bv "
    "nv vof cv oy oyj ab as asa aps sp z oo zoo sro kft zrt doo"
)
_TOP = 0.3  # the letterhead sits in the top 30 % of the first page
_PROMINENT = 1.2  # a prominent name is at least this much taller than the page's median line


def _title(segment: Segment) -> bool:
    """A title word, also when OCR spaced its letters out (`FACTU RA`, `FA TT U RA`)."""
    return bool(set(segment.folded) & _TITLE_WORDS) or "".join(segment.folded) in _TITLE_WORDS


def is_label_text(folded: list[str], *indexes: LabelIndex) -> bool:
    """Whether the words are labels only (`Description`, `Qty`, `Unit price`): never a value."""
    return bool(folded) and any(index.cover(folded) is not None for index in indexes)


@dataclass(frozen=True, slots=True)
class Letterhead:
    """Finds the issuer's name on the first page; `labels` and `items` are the label indexes
    of the request (field labels, item-table header labels), `header_ids` the segments of item
    table header rows."""

    ctx: DocumentContext
    labels: LabelIndex
    items: LabelIndex
    header_ids: frozenset[int]

    def namelike(self, segment: Segment) -> bool:
        """Not a label, not a title, reads as a name, at most two digits (no address, date)."""
        text = segment.text
        if id(segment) in self.header_ids or self.labels.scan(segment):
            return False
        if _title(segment) or is_label_text(segment.folded, self.items):
            return False
        if "@" in text or "www." in text.lower() or "://" in text:
            return False
        if READERS["name"](text, self.ctx) is None:
            return False
        return sum(ch.isdigit() for ch in text) <= 2

    def issuer(self, view: PageView) -> tuple[Segment, float] | None:
        """The issuer's name segment on this (first) page and how sure the reading is."""
        lines = [seg for row in view.rows for seg in row if seg.box and not seg.gridded]
        if not lines:
            first = next((seg for row in view.rows[:3] for seg in row if self.namelike(seg)), None)
            return (first, 0.35) if first is not None else None
        heights = sorted(seg.box.height for seg in lines if seg.box)
        prominent = heights[len(heights) // 2] * _PROMINENT
        block = self._block(view)
        tall = [seg for seg in block if seg.box is not None and seg.box.height >= prominent]
        if tall:
            chosen = max(tall, key=lambda seg: seg.box.height if seg.box else 0.0)
            return with_legal_form(view, chosen), 0.45
        return (with_legal_form(view, block[0]), 0.4) if block else None

    def _block(self, view: PageView) -> list[Segment]:
        """Name-like segments of the letterhead block, in reading order."""
        header_top = min(
            (seg.box.top for row in view.rows for seg in row
             if id(seg) in self.header_ids and seg.box is not None),
            default=_TOP,
        )  # fmt: skip
        table_top = min(
            (t[0][0].box.top for t in view.tables if t and t[0] and t[0][0].box), default=_TOP
        )
        limit = min(_TOP, header_top, table_top)
        found: list[Segment] = []
        for row in view.rows:
            boxed = [seg for seg in row if seg.box is not None and not seg.gridded]
            if not boxed:
                continue
            if min(seg.box.top for seg in boxed if seg.box) >= limit:
                break
            if any(self._labelled(seg) for seg in row):
                break  # the first labelled line (or an item header) ends the letterhead
            found += [seg for seg in boxed if self.namelike(seg)]
        return found

    def _labelled(self, segment: Segment) -> bool:
        """A segment with a label in it that is not a title (`TAX INVOICE` is one)."""
        joined = "".join(segment.folded)
        if segment.folded and (set(segment.folded) <= _TITLE_WORDS or joined in _TITLE_WORDS):
            return False
        return bool(self.labels.scan(segment)) or is_label_text(segment.folded, self.items)


def with_legal_form(view: PageView, name: Segment) -> Segment:
    """The name with its legal form when that is printed apart, right after it on its line
    (`ACME` in large bold, `GmbH` in body type on its baseline): a company's name includes it."""
    box = name.box
    if box is None:
        return name
    for segment in view.segments():
        other = segment.box
        if segment is name or other is None or not segment.folded:
            continue
        if not set(segment.folded) <= _LEGAL_FORMS:
            continue
        gap = (other.left - box.right) / view.aspect  # in page-height units, like the heights
        centre = other.top + other.height / 2
        if 0 <= gap <= 1.5 * box.height and box.top <= centre <= box.bottom:
            merged = Segment(
                words=(*name.words, *segment.words), page=name.page, row=name.row,
                box=Box.enclosing([box, other]),
            )  # fmt: skip
            merged.folded = [*name.folded, *tokens(segment.text)]
            return merged
    return name
