"""Page-by-page split answers merged into parts. Pure.

A model answers `pages: [{page, subdocument, starts_new?, partition_value}]`. Pages are voted
across answers (one answer per consensus run); a page an answer skipped takes that answer's
previous page's label. Consecutive pages with the same subdocument form one part unless a page is
voted to start a new one; a part's likelihood is its pages' mean agreement. Parts of a
subdocument with a `partition_key` are grouped into partitions by the voted key values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jobstream.engines.consensus import majority, normalized
from jobstream.engines.port import Partition, SplitPart


@dataclass(frozen=True, slots=True)
class PageVote:
    page: int
    name: str
    agreement: float
    starts_new: bool
    key: str | None


def _labels(answer: dict[str, Any], pages: int) -> list[tuple[str, bool, str | None]]:
    given = {int(p["page"]): p for p in answer.get("pages", []) if isinstance(p, dict)}
    labels: list[tuple[str, bool, str | None]] = []
    previous = next(iter(given.values()), {"subdocument": ""})
    for page in range(1, pages + 1):
        entry = given.get(page)
        if entry is None:
            labels.append((str(previous["subdocument"]), False, None))
            continue
        previous = entry
        key = entry.get("partition_value")
        labels.append((str(entry["subdocument"]), bool(entry.get("starts_new")), key))
    return labels


def page_votes(replies: Sequence[dict[str, Any]], pages: int) -> list[PageVote]:
    per_answer = [_labels(reply, pages) for reply in replies]
    votes: list[PageVote] = []
    for index in range(pages):
        names = [labels[index][0] for labels in per_answer]
        name, count = majority(names)
        starts, _ = majority([labels[index][1] for labels in per_answer])
        keys = [labels[index][2] for labels in per_answer if labels[index][0] == name]
        key_norm, _ = majority([normalized(k) for k in keys])
        key = next(k for k in keys if normalized(k) == key_norm)
        votes.append(PageVote(index + 1, name, count / len(names), starts, key))
    return votes


def parts_from_pages(votes: Sequence[PageVote], keyed: set[str]) -> tuple[SplitPart, ...]:
    runs: list[list[PageVote]] = []
    for vote in votes:
        if runs and runs[-1][-1].name == vote.name and not vote.starts_new:
            runs[-1].append(vote)
        else:
            runs.append([vote])
    return tuple(_part(run, run[0].name in keyed) for run in runs)


def _part(run: list[PageVote], keyed: bool) -> SplitPart:
    partitions: tuple[Partition, ...] = ()
    if keyed:
        groups: dict[Any, tuple[str, list[int]]] = {}
        last: str | None = None
        for vote in run:
            last = vote.key if vote.key is not None else last
            spelling = last if last is not None else ""
            groups.setdefault(normalized(spelling), (spelling, []))[1].append(vote.page)
        partitions = tuple(Partition(key=k, pages=tuple(p)) for k, p in groups.values())
    likelihood = round(sum(v.agreement for v in run) / len(run), 6)
    pages = tuple(v.page for v in run)
    return SplitPart(name=run[0].name, pages=pages, likelihood=likelihood, partitions=partitions)
