"""One scalar field: its label occurrences, the value each offers, the best of them.

Scores multiply the label's strength (a specific label over a generic word like `Date`), the
value's place (same segment > right > below) and how well the property fits its concept. The
grand total is the largest of the strongest total candidates. Labels in an item table's header
row (`Total` over the line amounts) never give a scalar. Fallbacks read only what the page shows:
the currency of the amounts, the letterhead name for the issuer, the lines under a party's name
for its address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobstream.engines.local.fields import FieldSpec, schema_type
from jobstream.engines.local.labels import LabelIndex, Occurrence
from jobstream.engines.local.layout import PageView, Segment, below
from jobstream.engines.local.letterhead import Letterhead, is_label_text
from jobstream.engines.local.tables import header_columns
from jobstream.engines.local.text import tokens
from jobstream.engines.local.title_ids import TITLE_WORDS, find_titled_id
from jobstream.engines.local.values import READERS, Candidate, DocumentContext, read_first
from jobstream.engines.port import Evidence

_ITEM_HEADER_KEYS = {"description", "quantity", "unit_price", "amount", "tax_rate", "sku", "date"}


_ISSUERS = frozenset({"vendor_name", "bank_name"})
_ISSUE_DATES = frozenset({"invoice_date"})


@dataclass(frozen=True, slots=True)
class Found:
    value: Any
    likelihood: float
    evidence: Evidence | None = None
    segment: Segment | None = None


NOT_FOUND = Found(None, 0.0)


class ScalarFinder:
    def __init__(
        self, views: list[PageView], ctx: DocumentContext, index: LabelIndex,
        found: dict[str, list[Occurrence]], *, header_index: LabelIndex,
    ) -> None:  # fmt: skip
        self.views, self.ctx, self.index, self.found = views, ctx, index, found
        self.by_page = {view.number: view for view in views}
        self.header_ids = self._item_header_segments(header_index)
        self.header_index = header_index
        self.letterhead = Letterhead(ctx, index, header_index, frozenset(self.header_ids))
        self.names: dict[str, Found] = {}

    def not_a_value(self, text: str, segment: Segment) -> bool:
        """Header words are never values: a cell of an item table's header row, or a text made
        only of labels (`Description`, `Qty`, `Unit price`, `Total`)."""
        if id(segment) in self.header_ids:
            return True
        return is_label_text(tokens(text), self.index, self.header_index)

    def _item_header_segments(self, header_index: LabelIndex) -> set[int]:
        ids: set[int] = set()
        owners = set(_ITEM_HEADER_KEYS)
        for view in self.views:
            rows = view.rows + [row for table in view.tables for row in table]
            for row in rows:
                columns = header_columns(row, header_index, owners)
                if columns and ({"description", "quantity"} & set(columns.values())):
                    ids.update(id(segment) for segment in row)
        return ids

    def find(self, spec: FieldSpec) -> Found:
        key = spec.concept.key if spec.concept else None
        if key in ("vendor_address", "customer_address", "account_holder_address"):
            labelled = self._labelled(spec)
            return labelled if labelled.value is not None else self._address(key)
        found = self._labelled(spec)
        if found.value is None and key == "currency":
            found = self._document_currency()
        if found.value is None and key in _ISSUERS:
            found = self._letterhead()
        if found.value is None and key in _ISSUE_DATES and spec.kind == "date":
            found = self._only_date()
        if found.value is None and key in TITLE_WORDS and spec.kind == "code":
            found = self._titled_id(key)
        return self._coerce(spec, found)

    def find_all(self, spec: FieldSpec) -> tuple[list[Any], list[float]]:
        """Every distinct value the field's labels give, in reading order (arrays of scalars);
        for e-mail addresses and IBANs, every one the document prints."""
        values: list[Any] = []
        likes: list[float] = []
        reader = READERS[spec.kind]
        for occurrence in self.found.get(spec.owner, []):
            view = self.by_page[occurrence.segment.page]
            candidate = read_first(
                view, occurrence, self.index, reader, self.ctx, skip=self.not_a_value
            )
            if candidate is not None and candidate.value not in values:
                values.append(candidate.value)
                likes.append(round(occurrence.label.weight * candidate.position * 0.9, 3))
        if spec.kind in ("email", "iban"):
            for view in self.views:
                for segment in view.segments():
                    value = reader(segment.text, self.ctx)
                    if value is not None and value not in values:
                        values.append(value)
                        likes.append(0.6)
        return values, likes

    def _labelled(self, spec: FieldSpec) -> Found:
        reader = READERS[spec.kind]
        fit = 0.6 + 0.4 * spec.match if spec.concept else 0.9
        scored: list[tuple[float, Candidate, Occurrence]] = []
        for occurrence in self.found.get(spec.owner, []):
            if id(occurrence.segment) in self.header_ids:
                continue
            view = self.by_page[occurrence.segment.page]
            candidate = read_first(
                view, occurrence, self.index, reader, self.ctx, skip=self.not_a_value
            )
            if candidate is not None:
                score = occurrence.label.weight * candidate.position * fit
                scored.append((score, candidate, occurrence))
        if not scored:
            return NOT_FOUND
        best_score = max(score for score, _, _ in scored)
        strong = [item for item in scored if item[0] >= best_score - 0.1]
        numeric = all(isinstance(item[1].value, int | float) for item in strong)
        if spec.concept is not None and spec.concept.key == "total_amount" and numeric:
            # the largest of the near-best totals (a grand total beside its subtotal); a total
            # asked for as a string is read as text and keeps the best-scored reading
            score, candidate, occurrence = max(strong, key=lambda item: float(item[1].value))
        else:
            score, candidate, occurrence = next(item for item in scored if item[0] == best_score)
        label = " ".join(w.text for w in occurrence.segment.words).strip()
        evidence = Evidence(
            page=candidate.segment.page, box=candidate.segment.box, label=label,
            text=candidate.text,
        )  # fmt: skip
        return Found(candidate.value, round(min(score, 1.0), 3), evidence, candidate.segment)

    def _document_currency(self) -> Found:
        if self.ctx.currency is None:
            return NOT_FOUND
        return Found(self.ctx.currency, 0.6, Evidence(label="currency of the amounts"))

    def _letterhead(self) -> Found:
        """The issuer's name as the top of the first page shows it (`letterhead.py`), in a
        business document only: in anything else a big first line is no issuer."""
        concepts = {owner for owner in self.found if not owner.startswith("prop:")}
        if not self.views or (len(concepts) < 2 and "total_amount" not in concepts):
            return NOT_FOUND
        found = self.letterhead.issuer(self.views[0])
        if found is None:
            return NOT_FOUND
        segment, likelihood = found
        evidence = Evidence(
            page=segment.page, box=segment.box, label="letterhead", text=segment.text
        )
        return Found(segment.text, likelihood, evidence, segment)

    def _titled_id(self, key: str) -> Found:
        """The number printed right after the title word (`Invoice INV-2041`, no label)."""
        found = find_titled_id(self.views, key)
        if found is None:
            return NOT_FOUND
        value, segment = found
        evidence = Evidence(
            page=segment.page, box=segment.box, label="after the title", text=segment.text
        )
        return Found(value, 0.7, evidence, segment)

    def _only_date(self) -> Found:
        """The date of a document that prints exactly one (a receipt's), unlabelled."""
        dates: dict[str, Segment] = {}
        for view in self.views:
            for segment in view.segments():
                value = READERS["date"](segment.text, self.ctx)
                if value is not None:
                    dates.setdefault(value, segment)
        if len(dates) != 1:
            return NOT_FOUND
        value, segment = next(iter(dates.items()))
        evidence = Evidence(
            page=segment.page, box=segment.box, label="the only date", text=segment.text
        )
        return Found(value, 0.5, evidence, segment)

    def _address(self, key: str) -> Found:
        party = "vendor_name" if key == "vendor_address" else "customer_name"
        name = self._party_name(party)
        if name.segment is None:
            return NOT_FOUND
        view = self.by_page[name.segment.page]
        lines: list[str] = []
        for segment in below(view, name.segment, max_rows=4):
            if self.index.scan(segment) or not segment.text:
                break
            lines.append(segment.text)
        if not lines:
            return NOT_FOUND
        evidence = Evidence(
            page=name.segment.page, label=f"lines under the {party}", text="\n".join(lines)
        )
        return Found(", ".join(lines), round(name.likelihood * 0.85, 3), evidence)

    def _party_name(self, key: str) -> Found:
        from jobstream.engines.local.fields import field_spec

        if key not in self.names:
            spec = field_spec(key, key, {"type": "string"}, parents=())
            spec = FieldSpec(
                spec.path, key, spec.concept, spec.match, spec.kind, spec.labels, spec.schema
            )
            found = self._labelled(spec)
            if found.value is None and key == "vendor_name":
                found = self._letterhead()
            self.names[key] = found
        return self.names[key]

    def _printed_option(self, options: list[Any]) -> Found:
        """The one enum option the document prints as words (e.g. `card` among card/cash)."""
        printed: list[tuple[Any, Segment]] = []
        for option in options:
            wanted = tuple(tokens(str(option)))
            if not wanted or len("".join(wanted)) < 3:
                continue  # "no", "x": too common to be evidence
            for view in self.views:
                segment = next((s for s in view.segments() if _contains(s.folded, wanted)), None)
                if segment is not None:
                    printed.append((option, segment))
                    break
        if len(printed) != 1:
            return NOT_FOUND
        option, segment = printed[0]
        evidence = Evidence(page=segment.page, box=segment.box, label="option printed",
                            text=segment.text)  # fmt: skip
        return Found(option, 0.4, evidence, segment)

    def _coerce(self, spec: FieldSpec, found: Found) -> Found:
        value = found.value
        if value is None:
            enum = spec.schema.get("enum")
            return self._printed_option(enum) if isinstance(enum, list) else found
        kind = schema_type(spec.schema)
        if kind == "integer" and isinstance(value, float):
            value = round(value)
        elif kind == "number" and isinstance(value, (int, float)):
            value = float(value)
        enum = spec.schema.get("enum")
        if isinstance(enum, list):
            value = match_enum(value, enum)
            if value is None:
                return self._printed_option(enum)
        return Found(value, found.likelihood, found.evidence, found.segment)


def _contains(toks: list[str], wanted: tuple[str, ...]) -> bool:
    size = len(wanted)
    return any(tuple(toks[i : i + size]) == wanted for i in range(len(toks) - size + 1))


def match_enum(value: Any, options: list[Any]) -> Any:
    """The option that the value names, by normalized text (`credit note` = `CREDIT_NOTE`)."""
    wanted = tokens(str(value))
    for option in options:
        if tokens(str(option)) == wanted:
            return option
    for option in options:
        option_tokens = tokens(str(option))
        if option_tokens and all(tok in wanted for tok in option_tokens):
            return option
    return None
