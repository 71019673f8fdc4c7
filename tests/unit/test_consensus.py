"""Consensus voting: majority per field, likelihood = agreement, null = 0."""

from __future__ import annotations

from jobstream.engines.consensus import vote


def test_single_answer_is_its_own_consensus() -> None:
    value, likelihood = vote([{"total": 12.5, "vendor": "ACME", "po": None}])
    assert value == {"total": 12.5, "vendor": "ACME", "po": None}
    assert likelihood == {"total": 1.0, "vendor": 1.0, "po": 0.0}


def test_majority_per_field_with_agreement_as_likelihood() -> None:
    answers = [
        {"total": 100.0, "vendor": "ACME GmbH", "date": "2026-10-13"},
        {"total": 100, "vendor": "acme  gmbh", "date": "2026-10-31"},
        {"total": 90.0, "vendor": "ACME GmbH", "date": "2026-10-13"},
    ]
    value, likelihood = vote(answers)
    assert value == {"total": 100.0, "vendor": "ACME GmbH", "date": "2026-10-13"}
    assert likelihood["total"] == round(2 / 3, 6)
    assert likelihood["vendor"] == 1.0  # case and spaces aside, all three agree
    assert likelihood["date"] == round(2 / 3, 6)


def test_lists_vote_item_by_item_among_the_most_common_length() -> None:
    answers = [
        {"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]},
        {"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 3}]},
        {"items": [{"sku": "A", "qty": 1}]},
    ]
    value, likelihood = vote(answers)
    assert value == {"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]}
    # two of three answers have two items; within them sku agrees, qty splits 1:1
    assert likelihood["items"][0] == {"sku": round(2 / 3, 6), "qty": round(2 / 3, 6)}
    assert likelihood["items"][1] == {"sku": round(2 / 3, 6), "qty": round(1 / 3, 6)}


def test_keys_missing_from_some_answers_count_as_null() -> None:
    value, likelihood = vote([{"a": 1}, {"a": 1, "b": "x"}, {"a": 2}])
    assert value == {"a": 1, "b": None}
    assert likelihood == {"a": round(2 / 3, 6), "b": 0.0}
