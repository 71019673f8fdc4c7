"""Split a packet into its subdocuments, and partition pages by a key's value.

Each page is classified into the given subdocuments (as `classify.py` scores them); then pages
are grouped into contiguous ranges. A page starts a new range when it carries a start cue — the
title of its kind at the top, `Page 1 of N` restarting, an invoice number other than the previous
page's — or when its kind changes; a page that says `Page 3 of 4`, or that fits nothing well,
continues the range before it. Every page is assigned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jobstream.documents.model import Document, Page
from jobstream.engines.local.classify import THRESHOLD as CATCH_ALL_SCORE
from jobstream.engines.local.classify import Profile, decide, page_text, profile
from jobstream.engines.local.extract import extract_document
from jobstream.engines.local.layout import page_view
from jobstream.engines.local.text import fold, snake_case

_PAGE_OF = re.compile(
    r"\b(?:page|seite|pagina|pag|strona|blad|p)\.?\s*(\d{1,3})\s*(?:of|von|sur|de|di|van|z|/)\s*(\d{1,3})\b"
)
_BARE = re.compile(r"(\d{1,3})\s?/\s?(\d{1,3})")
_MINIMUM = 1.0
_MARGIN = 0.5


@dataclass(frozen=True, slots=True)
class PageCall:
    number: int
    label: int  # index of the subdocument
    score: float
    likelihood: float
    starts: bool  # a start cue
    continues: bool  # a "page k of N", k > 1
    scores: tuple[float, ...]  # of every subdocument


def _page_of(text: str) -> tuple[int, int] | None:
    """`Page 2 of 3`, `Seite 2 von 3`, or a line that is only `2/3` (a footer)."""
    match = _PAGE_OF.search(fold(text))
    if match is None:
        match = next(
            filter(None, (_BARE.fullmatch(line.strip()) for line in text.splitlines())), None
        )
    if match is None:
        return None
    number, total = int(match.group(1)), int(match.group(2))
    return (number, total) if 1 <= number <= total else None


def _key_value(document: Document, page_index: int, key: str) -> Any:
    one = Document(pages=(document.pages[page_index],), mime_type=document.mime_type)
    name = snake_case(key)
    schema = {"type": "object", "properties": {name: {"type": "string", "description": key}}}
    value = extract_document(one, schema).data.get(name)
    return None if value is None else str(value)


def _sender(page: Page) -> str | None:
    """The page's most prominent line near its top (a letterhead), when one stands out."""
    view = page_view(page)
    segments = [seg for row in view.rows for seg in row if seg.box is not None]
    heights = sorted(seg.box.height for seg in segments if seg.box is not None)
    if not heights:
        return None
    prominent = heights[len(heights) // 2] * 1.3
    top = [seg for seg in segments if seg.box and seg.box.top < 0.2 and seg.box.height >= prominent]
    best = max(top, key=lambda seg: (seg.box.height if seg.box else 0.0, -seg.row), default=None)
    return " ".join(best.folded) if best is not None and best.folded else None


@dataclass(slots=True)
class _Previous:
    number: Any = None
    sender: str | None = None


def _starts(document: Document, index: int, titled: bool, seen: _Previous) -> bool:
    """Start cues: another invoice number, another sender, or a title (unless the number is
    the previous page's: a repeated header)."""
    number = _key_value(document, index, "invoice number")
    sender = _sender(document.pages[index])
    new_number = number is not None and seen.number is not None and number != seen.number
    same_number = number is not None and number == seen.number
    new_sender = sender is not None and seen.sender is not None and sender != seen.sender
    seen.number = number if number is not None else seen.number
    seen.sender = sender if sender is not None else seen.sender
    return new_number or new_sender or (titled and not same_number)


def page_calls(document: Document, profiles: list[Profile], context: str) -> list[PageCall]:
    calls: list[PageCall] = []
    seen = _Previous()
    for index, page in enumerate(document.pages):
        decision = decide(profiles, [page_text(page)], context)
        numbering = _page_of(page.plain_text)
        chosen = profiles[decision.index]
        score = decision.scores[decision.index]
        if chosen.catch_all:
            score = max(score, CATCH_ALL_SCORE)  # nothing else fits: as sure as a fit
        titled = chosen.kind is not None and "title" in decision.reasoning
        cue = _starts(document, index, titled, seen)
        starts = (numbering is not None and numbering[0] == 1) or cue
        continues = numbering is not None and numbering[0] > 1
        calls.append(
            PageCall(
                page.number, decision.index, score,
                decision.likelihood, starts, continues, decision.scores,
            )
        )  # fmt: skip
    return calls


def group(calls: list[PageCall]) -> list[tuple[int, list[PageCall]]]:
    """Contiguous ranges of pages, each with its subdocument index.

    A start cue opens a range; `page k of N` (k > 1) continues one; otherwise a page opens a
    range of another subdocument only when that subdocument clearly fits it better than the
    current range's does.
    """
    ranges: list[tuple[int, list[PageCall]]] = []
    for call in calls:
        if not ranges or (call.starts and not call.continues):
            ranges.append((call.label, [call]))
            continue
        current = ranges[-1][0]
        better = call.score >= _MINIMUM and call.score > call.scores[current] + _MARGIN
        if call.label != current and better and not call.continues:
            ranges.append((call.label, [call]))
        else:
            ranges[-1][1].append(call)
    return ranges


def split_document(
    document: Document, subdocuments: list[tuple[str, str]], *, context: str | None
) -> list[tuple[str, list[int], float]]:
    profiles = [profile(name, description) for name, description in subdocuments]
    calls = page_calls(document, profiles, context or "")
    parts: list[tuple[str, list[int], float]] = []
    for label, members in group(calls):
        likelihood = round(sum(c.likelihood for c in members) / len(members), 3)
        parts.append((profiles[label].name, [c.number for c in members], likelihood))
    return parts


def partition_pages(document: Document, pages: list[int], key: str) -> list[tuple[str, list[int]]]:
    """Pages grouped by the key's value; a page without a value joins the page before it."""
    groups: dict[str, list[int]] = {}
    current: str | None = None
    for number in pages:
        value = _key_value(document, number - 1, key)
        current = value if value is not None else current
        groups.setdefault(current if current is not None else "", []).append(number)
    return list(groups.items())
