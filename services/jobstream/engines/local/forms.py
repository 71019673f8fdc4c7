"""The local engine's form filling: values from instructions matched to fields by label and type.

Deterministic, no network. Explicit pairs (a JSON object, `Label: value` lines) go to the field
whose key or label they name (exactly, by shared words, or by meaning: "DOB" is a date of
birth). Free sentences are read through cues: the field's own label, and its concept's phrases
("born" for a date of birth, "works at" for an employer); a value runs from its cue to the end
of the clause or the next cue, and must be of the field's kind (an email, a date...). Checkboxes
are ticked when a clause says their label (unticked when it negates it); radio groups and
choice lists take the one option a sentence names. A field nothing speaks of stays None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jobstream.documents.forms.fields import label_of
from jobstream.documents.forms.instructions import (
    find_date,
    find_email,
    find_phone,
    format_date,
    split_instructions,
)
from jobstream.documents.forms.lexicon import (
    NAMES_CONCEPT,
    Concept,
    concept_of,
    content_words,
    cue_pattern,
)
from jobstream.documents.forms.values import match_option, normalized
from jobstream.documents.model import Document
from jobstream.engines.port import FillRequest, FillResult, FormFieldSpec, Usage

CLAUSE_END = re.compile(r"[;\n]|[,.](?=\s|$)|\s+(?:and|und|et|y|e|en|oraz)\s+(?=[a-z])")
CONNECTORS = re.compile(r"^(?:\s|[:=\-]|\b(?:is|are|was|be|of|on|at|in|as|the|to|a)\b)+", re.I)
NEGATIONS = re.compile(r"\b(?:not|no|never|doesn'?t|don'?t|isn'?t|nicht|kein|pas|nie|geen)\b", re.I)


@dataclass(frozen=True, slots=True)
class _Hit:
    field: FormFieldSpec | None  # None: the names concept, for first/last-name splitting
    start: int
    end: int


def fill_form_locally(document: Document, request: FillRequest) -> FillResult:
    """Values for `request.fields` from `request.instructions` (None where nothing is said)."""
    fields = list(request.fields)
    parsed = split_instructions(request.instructions)
    values: dict[str, Any] = {}
    likelihoods: dict[str, float] = {}
    for label, value in parsed.pairs:
        field, likelihood = _field_for_pair(label, fields, values)
        if field is not None:
            values[field.key] = _shaped(field, value)
            likelihoods[field.key] = likelihood
    if parsed.free_text:
        for key, (value, likelihood) in _from_sentences(parsed.free_text, fields, values).items():
            values[key] = value
            likelihoods[key] = likelihood
    result = {f.key: values.get(f.key) for f in fields}
    scores = {f.key: likelihoods.get(f.key, 0.0) if result[f.key] is not None else 0.0
              for f in fields}  # fmt: skip
    return FillResult(values=result, likelihoods=scores, usage=Usage(credits=document.page_count))


# --- explicit pairs -----------------------------------------------------------------------------


def _field_for_pair(
    label: str, fields: Sequence[FormFieldSpec], taken: dict[str, Any]
) -> tuple[FormFieldSpec | None, float]:
    free = [f for f in fields if f.key not in taken]
    wanted = normalized(label)
    for field in free:
        if field.key == label.strip() or normalized(field.key) == wanted:
            return field, 0.95
    for field in free:
        if normalized(label_of(field.description)) == wanted:
            return field, 0.9
    words = set(content_words(label))
    best, score = None, 0.0
    for field in free:
        theirs = set(content_words(label_of(field.description)))
        overlap = len(words & theirs) / max(len(words | theirs), 1)
        if overlap > score:
            best, score = field, overlap
    if best is not None and score >= 0.5:
        return best, 0.8
    concept = concept_of(label)
    if concept is not None:
        for field in free:
            if concept_of(label_of(field.description)) == concept:
                return field, 0.75
    return None, 0.0


def _shaped(field: FormFieldSpec, value: Any) -> Any:
    """A date written into a date field the way its label asks; everything else as given."""
    if not isinstance(value, str) or field.type == "checkbox":
        return value
    concept = concept_of(label_of(field.description))
    found = find_date(value) if concept is not None and concept.kind == "date" else None
    if found is not None and found.start == 0 and found.end == len(value.strip()):
        label = field.description
        shaped = format_date(found.date, label=label, max_length=field.max_length)
        if shaped is not None and (_has_hint(label) or len(value) > (field.max_length or 10**6)):
            return shaped
    return value


def _has_hint(label: str) -> bool:
    return bool(re.search(r"\b(?:dd|tt|jj|gg|mm|yyyy)\b", label, re.I))


# --- free sentences -----------------------------------------------------------------------------


def _cues(field: FormFieldSpec) -> list[str]:
    label = label_of(field.description)
    concept = concept_of(label)
    cues = [normalized(label)] if normalized(label) else []
    if concept is not None:
        cues += [c for c in concept.cues if c not in cues]
    return cues


def _hits(text: str, fields: Sequence[FormFieldSpec]) -> list[_Hit]:
    found: list[_Hit] = []
    for field in [*fields, None]:
        cues = _cues(field) if field is not None else list(NAMES_CONCEPT.cues)
        for cue in cues:
            found += [_Hit(field, m.start(), m.end()) for m in cue_pattern(cue).finditer(text)]
    # Where cues overlap, the longest one speaks (`date of birth` over `date`).
    found.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[_Hit] = []
    for hit in found:
        overlaps = bool(kept) and hit.start < kept[-1].end and hit.field is not kept[-1].field
        if overlaps and hit.end - hit.start <= kept[-1].end - kept[-1].start:
            continue
        kept.append(hit)
    return kept


def _region(text: str, hit: _Hit, hits: Sequence[_Hit]) -> str:
    following = [h.start for h in hits if h.start >= hit.end]
    stop = min(following, default=len(text))
    tail = text[hit.end : stop]
    date = find_date(tail)
    if date is not None and not CONNECTORS.sub("", tail[: date.start]).strip():
        return tail[: date.end]  # a date may hold a comma ("April 12, 1990")
    email = find_email(tail)
    if email is not None and not CONNECTORS.sub("", tail[: tail.find(email)]).strip():
        return tail[: tail.find(email) + len(email)]
    end = CLAUSE_END.search(tail)
    return tail[: end.start()] if end else tail


def _typed(concept: Concept | None, region: str, field: FormFieldSpec) -> str | None:
    value = CONNECTORS.sub("", region).strip(" \t,.;:")
    kind = concept.kind if concept is not None else "text"
    if kind == "email":
        return find_email(region)
    if kind == "phone":
        return find_phone(region)
    if kind == "date":
        found = find_date(region)
        if found is None:
            return None
        written = region[found.start : found.end]
        label = field.description
        if _has_hint(label) or len(written) > (field.max_length or 10**6):
            return format_date(found.date, label=label, max_length=field.max_length)
        return written
    return value if value and len(value.split()) <= 12 else None


def _from_sentences(
    text: str, fields: Sequence[FormFieldSpec], taken: dict[str, Any]
) -> dict[str, tuple[Any, float]]:
    free = [f for f in fields if f.key not in taken]
    found: dict[str, tuple[Any, float]] = {}
    hits = _hits(text, [f for f in free if f.type == "text" and not f.options])
    person = None
    for hit in hits:
        field = hit.field
        if field is not None and field.key in found:
            continue
        concept = concept_of(label_of(field.description)) if field else NAMES_CONCEPT
        value = _typed(concept, _region(text, hit, hits), field or free[0]) if free else None
        if value is None:
            continue
        if field is None:
            person = person or value
        else:
            found[field.key] = (value, 0.7)
    _split_person(person, free, found)
    _typed_fallbacks(text, free, found)
    for field in free:
        if field.key in found:
            continue
        said: bool | str | None = (
            _checkbox(text, field) if field.type == "checkbox" else _option(text, field)
        )
        if said is not None:
            found[field.key] = (said, 0.6)
    return found


def _split_person(
    person: str | None, fields: Sequence[FormFieldSpec], found: dict[str, tuple[Any, float]]
) -> None:
    if not person or len(person.split()) < 2:
        return
    *first, last = person.split()
    for field in fields:
        concept = concept_of(label_of(field.description))
        if field.key in found or concept is None:
            continue
        if concept.kind == "first_name":
            found[field.key] = (" ".join(first), 0.6)
        elif concept.kind == "last_name":
            found[field.key] = (last, 0.6)
        elif concept.kind == "name":
            found[field.key] = (person, 0.6)


def _typed_fallbacks(
    text: str, fields: Sequence[FormFieldSpec], found: dict[str, tuple[Any, float]]
) -> None:
    """An email or phone number said without a cue goes to the one field of its kind."""
    for kind, finder in (("email", find_email), ("phone", find_phone)):
        value = finder(text)
        open_fields = [
            f for f in fields if f.key not in found and f.type == "text"
            and (c := concept_of(label_of(f.description))) is not None and c.kind == kind
        ]  # fmt: skip
        used = any(v == value for v, _ in found.values())
        if value is not None and len(open_fields) == 1 and not used:
            found[open_fields[0].key] = (value, 0.5)


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[;.\n]|,(?=\s)|\s+but\s+", text) if c.strip()]


def _checkbox(text: str, field: FormFieldSpec) -> bool | None:
    wanted = set(content_words(label_of(field.description)))
    if not wanted:
        return None
    for clause in _clauses(text):
        said = set(content_words(clause))
        if wanted <= said:
            return not NEGATIONS.search(clause)
    return None


def _option(text: str, field: FormFieldSpec) -> str | None:
    if not field.options:
        return None
    words = f" {normalized(text)} "
    named = [o for o in field.options if len(normalized(o)) >= 3 and f" {normalized(o)} " in words]
    if len(named) == 1:
        return named[0]
    label = normalized(label_of(field.description))
    if label and label in normalized(text):
        tail = normalized(text).split(label, 1)[1]
        return match_option(" ".join(tail.split()[:3]), field.options) if tail.strip() else None
    return None
