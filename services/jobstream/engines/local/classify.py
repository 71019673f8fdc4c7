"""Zero-shot classification from the categories' names and descriptions.

Each category gets a profile: its own words (stemmed) and, when its name or description names a
known document kind (`lexicon_kinds`), that kind's printed titles and typical cues. A page scores
a profile by the kind's title near its top (strongest), the title elsewhere, the cues it
contains and the category's own words. The catch-all category ("Other", "Misc", "Unknown" or
described as such) wins when no other category scores enough. Ties go to the category listed
first. `reasoning` lists the evidence: which words or cues, on which page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jobstream.documents.model import Document, Page
from jobstream.engines.local.layout import page_view
from jobstream.engines.local.lexicon_kinds import CATCH_ALL, KINDS, DocumentKind
from jobstream.engines.local.text import stem, tokens, word_set

_STOP = word_set(
    "a an and or the of for to in on with from by any all this that these those is are be as "
    "document documents page pages file files such e g like other which it its type kind "
    "der die das und oder von fur le la les de des et ou du un une het een van en el los las y "
    "il di e per w z i"
)
_CATCH_ALL_PHRASES = ("anything else", "none of the above", "everything else", "not fit",
                      "does not match", "no other category", "unrecognized")  # fmt: skip
THRESHOLD = 2.0


def _phrases(text: str) -> list[tuple[str, ...]]:
    return [tuple(tokens(p)) for p in text.split("|") if tokens(p)]


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    kind: DocumentKind | None
    words: frozenset[str]  # own stems (name and description)
    name_words: frozenset[str]
    catch_all: bool


@dataclass(slots=True)
class PageText:
    number: int
    top: set[tuple[str, ...]]  # n-grams of the page's top rows (its title block)
    grams: set[tuple[str, ...]]
    stems: set[str]


@dataclass(slots=True)
class Score:
    value: float = 0.0
    notes: list[str] = field(default_factory=list)


def _grams(toks: list[str], size: int = 4) -> set[tuple[str, ...]]:
    return {tuple(toks[i : i + n]) for n in range(1, size + 1) for i in range(len(toks) - n + 1)}


def page_text(page: Page) -> PageText:
    view = page_view(page)
    rows = sorted(view.rows, key=lambda r: min((s.box.top for s in r if s.box), default=0.0))
    top_rows = [seg for row in rows[:6] for seg in row]
    top = set().union(*(_grams(seg.folded) for seg in top_rows)) if top_rows else set()
    toks = tokens(page.plain_text)
    return PageText(page.number, top, _grams(toks), {stem(t) for t in toks})


def _kind_for(text: str) -> DocumentKind | None:
    grams = _grams(tokens(text))
    best: tuple[int, DocumentKind] | None = None
    for kind in KINDS:
        for phrase in _phrases(kind.names):
            if phrase in grams and (best is None or len(phrase) > best[0]):
                best = (len(phrase), kind)
    return best[1] if best else None


def profile(name: str, description: str) -> Profile:
    name_toks = [t for t in tokens(name) if t not in _STOP]
    desc_toks = [t for t in tokens(description) if t not in _STOP]
    folded_description = " ".join(tokens(description))
    catch_all = bool(set(tokens(name)) & CATCH_ALL) or any(
        phrase in folded_description for phrase in _CATCH_ALL_PHRASES
    )
    kind = _kind_for(name) or (_kind_for(description) if not catch_all else None)
    words = frozenset(stem(t) for t in [*name_toks, *desc_toks] if len(t) > 2)
    return Profile(name, kind, words, frozenset(stem(t) for t in name_toks), catch_all)


def score_pages(prof: Profile, pages: list[PageText], context: str = "") -> Score:
    score = Score()
    if prof.kind is not None:
        for page in pages:
            titles = [" ".join(p) for p in _phrases(prof.kind.titles) if p in page.top]
            if titles:
                score.value += 4.0 if page is pages[0] else 2.0
                longest = max(titles, key=len)
                score.notes.append(f"title '{longest}' on page {page.number}")
                break
        cues = sorted(
            {" ".join(p) for p in _phrases(prof.kind.cues) for pg in pages if p in pg.grams}
        )
        if cues:
            score.value += min(4.0, 0.6 * len(cues))
            score.notes.append(f"{prof.kind.key.replace('_', ' ')} cues: " + ", ".join(cues[:6]))
    own = sorted(w for w in prof.words if any(w in pg.stems for pg in pages))
    if own:
        score.value += sum(0.8 if w in prof.name_words else 0.3 for w in own[:8])
        score.notes.append("words: " + ", ".join(own[:6]))
    context_stems = {stem(t) for t in tokens(context)}
    if context_stems & prof.words:
        score.value += 1.0
        score.notes.append("context mentions " + ", ".join(sorted(context_stems & prof.words)[:3]))
    return score


@dataclass(frozen=True, slots=True)
class Decision:
    index: int  # of the chosen category
    likelihood: float
    reasoning: str
    scores: tuple[float, ...]


def decide(profiles: list[Profile], pages: list[PageText], context: str = "") -> Decision:
    scores = [score_pages(p, pages, context) for p in profiles]
    ranked = sorted(
        (i for i, p in enumerate(profiles) if not p.catch_all), key=lambda i: (-scores[i].value, i)
    )
    catch_all = next((i for i, p in enumerate(profiles) if p.catch_all), None)
    best = ranked[0] if ranked else catch_all
    if best is None:
        raise ValueError("no categories")
    top_value = scores[best].value
    if catch_all is not None and (not ranked or top_value < THRESHOLD):
        reason = f"no category fits well (best: '{profiles[best].name}', score {top_value:.1f})"
        return Decision(catch_all, 0.6, reason + f"; chose catch-all '{profiles[catch_all].name}'",
                        tuple(s.value for s in scores))  # fmt: skip
    second = scores[ranked[1]].value if len(ranked) > 1 else 0.0
    likelihood = round(min(0.99, (top_value + 0.5) / (top_value + second + 1.0)), 3)
    notes = "; ".join(scores[best].notes) or "no specific evidence"
    reason = f"'{profiles[best].name}': {notes}"
    return Decision(best, likelihood, reason, tuple(s.value for s in scores))


def classify_document(
    document: Document, categories: list[tuple[str, str]], *, first_n_pages: int | None,
    context: str | None,
) -> Decision:  # fmt: skip
    pages = document.pages[:first_n_pages] if first_n_pages else document.pages
    texts = [page_text(page) for page in pages]
    profiles = [profile(name, description) for name, description in categories]
    return decide(profiles, texts, context or "")
