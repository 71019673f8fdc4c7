"""Eval endpoints' scoring: fields, categories and split parts against `expected`."""

from __future__ import annotations

from jobstream.workers.evals import score_category, score_fields, score_splits


def test_fields_scored_leaf_by_leaf() -> None:
    expected = {"vendor": "ACME", "total": 10.5, "lines": [{"sku": "A"}, {"sku": "B"}]}
    predicted = {"vendor": "acme", "total": 10.50, "lines": [{"sku": "A"}, {"sku": "C"}]}
    evaluation = score_fields(expected, predicted)
    assert evaluation.score == 0.75
    assert evaluation.fields["vendor"].match
    assert evaluation.fields["total"].match
    assert evaluation.fields["lines.0.sku"].match
    assert not evaluation.fields["lines.1.sku"].match
    assert evaluation.fields["lines.1.sku"].predicted == "C"


def test_missing_prediction_and_wrong_type_do_not_match() -> None:
    evaluation = score_fields({"a": 1, "b": True}, {"b": 1})
    assert evaluation.score == 0.0
    assert evaluation.fields["a"].predicted is None


def test_category_match_ignores_case_and_spaces() -> None:
    assert score_category("Invoice", " invoice ").score == 1.0
    assert score_category("Invoice", "Receipt").score == 0.0


def test_split_parts_need_name_and_exact_pages() -> None:
    expected = [("invoice", [1, 2]), ("receipt", [3]), ("invoice", [4])]
    predicted = [("invoice", [1, 2]), ("receipt", [3, 4])]
    evaluation = score_splits(expected, predicted)
    assert round(evaluation.score, 4) == round(1 / 3, 4)
    assert evaluation.fields["invoice[0]"].match
    receipt = evaluation.fields["receipt[0]"]
    assert not receipt.match
    assert receipt.predicted == [3, 4]  # the same name with other pages is shown
    assert not evaluation.fields["invoice[1]"].match
