"""Label budgets: nested, stratified, seeded; capping and shortfalls are said."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskfit.errors import UsageError
from taskfit.run.budgets import budget_indices, default_budgets, parse_budgets

LABELS = ["a"] * 60 + ["b"] * 30 + ["c"] * 10


def test_default_budgets_are_geometric_from_start_to_all():
    b = default_budgets(10_003)
    assert len(b) == 8 and b[0] == 8 and b[-1] == 10_003
    ratios = [y / x for x, y in itertools.pairwise(b)]
    assert max(ratios) / min(ratios) < 1.1  # evenly spaced on a log axis
    assert default_budgets(5) == [5]


def test_parse_budgets_sorts_dedupes_and_rejects_bad_values():
    assert parse_budgets("32, 8,16,8") == [8, 16, 32]
    for bad in ("8,x", "0", "-3", " , "):
        with pytest.raises(UsageError):
            parse_budgets(bad)


def test_total_budget_is_stratified_and_exact():
    idx, notes = budget_indices(LABELS, 20, per_class=False, seed=1)
    counts = Counter(LABELS[i] for i in idx)
    assert len(idx) == 20 and not notes
    assert abs(counts["a"] - 12) <= 1 and abs(counts["b"] - 6) <= 1 and abs(counts["c"] - 2) <= 1


def test_per_class_budget_reports_short_classes_instead_of_hiding_them():
    idx, notes = budget_indices(LABELS, 15, per_class=True, seed=0)
    counts = Counter(LABELS[i] for i in idx)
    assert counts == {"a": 15, "b": 15, "c": 10}
    assert len(notes) == 1 and "c (10)" in notes[0]


def test_budget_above_data_is_capped_with_a_note():
    idx, notes = budget_indices(LABELS, 500, per_class=False, seed=0)
    assert len(idx) == len(LABELS) and "capped" in notes[0]


def test_fixed_examples_always_in_and_not_counted():
    idx, _ = budget_indices(LABELS, 5, per_class=False, seed=3, fixed=4)
    assert set(range(4)) <= set(idx) and len(idx) == 9


def test_smallest_total_budget_spans_two_classes():
    labels = ["big"] * 1000 + ["small"] * 2
    for seed in range(20):
        idx, _ = budget_indices(labels, 2, per_class=False, seed=seed)
        assert {labels[i] for i in idx} == {"big", "small"}


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.sampled_from("abcd"), min_size=4, max_size=80),
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(0, 5),
    st.booleans(),
)
def test_samples_are_nested_and_seeded(labels, n1, n2, seed, per_class):
    small, large = sorted((n1, n2))
    a, _ = budget_indices(labels, small, per_class=per_class, seed=seed)
    b, _ = budget_indices(labels, large, per_class=per_class, seed=seed)
    if per_class or len({labels[i] for i in a}) > 1 or small == large:
        assert set(a) <= set(b)
    assert a == budget_indices(labels, small, per_class=per_class, seed=seed)[0]
