"""Metrics by name: intervals and paired tests on per-example scores of any headline
metric (hand-computed cases), and the registry task types add their metrics to."""

from __future__ import annotations

import numpy as np
import pytest

from taskfit.metrics.quality import (
    METRICS,
    bootstrap_interval,
    mean_interval,
    metric_interval,
    paired_permutation,
    paired_test,
    per_example_scores,
    register_metric,
)

Y_TRUE = ["a", "b", "a", "c", "b", "a", "c", "a"]
Y_PRED = ["a", "b", "b", "c", "a", "a", "c", "c"]


def test_accuracy_interval_is_the_same_either_way():
    by_name = metric_interval("accuracy", Y_TRUE, Y_PRED, seed=3)
    assert by_name == bootstrap_interval(Y_TRUE, Y_PRED, "accuracy", seed=3)
    correct = per_example_scores("accuracy", Y_TRUE, Y_PRED)
    assert correct.tolist() == [1, 1, 0, 1, 0, 1, 1, 0]
    assert mean_interval(correct, seed=3) == by_name
    assert by_name.value == 5 / 8


def test_macro_f1_cannot_rank_example_by_example():
    assert metric_interval("macro_f1", Y_TRUE, Y_PRED).value == pytest.approx(
        METRICS["macro_f1"](Y_TRUE, Y_PRED)
    )
    with pytest.raises(ValueError, match="not a mean over examples"):
        per_example_scores("macro_f1", Y_TRUE, Y_PRED)


def test_mean_interval_of_constant_scores_is_a_point():
    iv = mean_interval([0.25] * 10)
    assert (iv.value, iv.ci_low, iv.ci_high) == (0.25, 0.25, 0.25)
    with pytest.raises(ValueError, match="zero examples"):
        mean_interval([])


def test_paired_permutation_test():
    # identical scores: no evidence of a difference
    assert paired_permutation([0.3, 0.5, 0.9], [0.3, 0.5, 0.9]) == 1.0
    # two non-zero differences of one sign: the 4 sign patterns give |mean| >= observed
    # for 2 of them, so p -> 0.5 (the +1 correction keeps it just above)
    p = paired_permutation([0.9, 0.8, 0.5], [0.4, 0.3, 0.5], n_resamples=20_000)
    assert p == pytest.approx(0.5, abs=0.02)
    # forty examples all better by 0.2: p is about 2 / 2**40, floored at 1 / (1 + rounds)
    a, b = [0.7] * 40, [0.5] * 40
    assert paired_permutation(a, b, n_resamples=999) == pytest.approx(1 / 1000)
    with pytest.raises(ValueError, match="items"):
        paired_permutation([0.1], [0.1, 0.2])


def test_paired_test_picks_mcnemar_for_right_or_wrong():
    name, p = paired_test([1.0, 1.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0])
    assert name == "mcnemar" and p == 1.0  # one discordant pair: exact binomial, p = 1
    name, p = paired_test([0.9] * 30, [0.2] * 30)
    assert name == "paired-permutation" and p < 0.001
    assert paired_test([], []) == ("mcnemar", 1.0)


def test_register_metric():
    def upper_match(t, p):
        return np.array([float(a.upper() == b) for a, b in zip(t, p, strict=True)])

    def point(t, p):
        return float(upper_match(t, p).mean())

    if "upper_match" not in METRICS:
        register_metric("upper_match", point, upper_match)
    iv = metric_interval("upper_match", ["ab", "cd"], ["AB", "cd"], n_boot=200)
    assert iv.value == 0.5 and iv.ci_low == 0.0 and iv.ci_high == 1.0
    with pytest.raises(ValueError, match="implemented already"):
        register_metric("upper_match", lambda t, p: 0.0)
    with pytest.raises(ValueError, match="unknown metric 'bleurt'"):
        metric_interval("bleurt", ["a"], ["a"])
