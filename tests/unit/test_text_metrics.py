"""The free-text metrics against values worked out by hand: ROUGE-L, chrF, BLEU, exact
match after normalisation, and their intervals and paired test."""

from __future__ import annotations

import math

import pytest

from taskfit.metrics.quality import metric_interval, paired_test, per_example_scores
from taskfit.metrics.text import bleu, chrf
from taskfit.tasks.answers import normalize_answer
from taskfit.tasks.scores import exact_match_scores, length_ratios, rouge_l_scores


def test_rouge_l_by_hand():
    # LCS of "the cat on the mat" in "the cat sat on the mat" is all 5 words:
    # precision 5/5, recall 5/6, F = 2PR / (P + R) = 10/11.
    (f,) = rouge_l_scores(["the cat sat on the mat"], ["the cat on the mat"])
    assert f == pytest.approx(10 / 11)
    # order matters: "mat the" shares an LCS of one word with "the mat" -> P = R = 1/2
    assert rouge_l_scores(["the mat"], ["mat the"]) == [pytest.approx(0.5)]
    assert rouge_l_scores(["a b"], ["c d"]) == [0.0]


def test_bleu_by_hand():
    # hypothesis "the cat sat on a mat" against "the cat sat on the mat": clipped n-gram
    # precisions 5/6, 3/5, 2/4, 1/3, same length (no brevity penalty):
    # BLEU = 100 * (5/6 * 3/5 * 2/4 * 1/3) ** (1/4)
    expected = 100 * (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25
    assert bleu(["the cat sat on the mat"], ["the cat sat on a mat"]) == pytest.approx(expected)
    assert bleu(["the cat sat on the mat"], ["the cat sat on the mat"]) == pytest.approx(100)


def test_chrf_by_hand():
    # "ab" vs "ac": 1-grams P = R = 1/2, 2-grams 0; averaged over the 2 orders that exist:
    # P = R = 1/4, so chrF (beta 2) = 25.
    assert chrf(["ab"], ["ac"]) == pytest.approx(25.0)
    # "abd" vs "abc": orders 1-3 give 2/3, 1/2, 0 -> P = R = 7/18.
    assert chrf(["abc"], ["abd"]) == pytest.approx(100 * 7 / 18)
    assert chrf(["same text"], ["same text"]) == pytest.approx(100)


def test_exact_match_normalises_numbers_and_text():
    assert normalize_answer("$1,200.00") == normalize_answer("1200") == "1200"
    assert normalize_answer("7.0") == "7" and normalize_answer("3.50") == "3.5"
    assert normalize_answer("The Eiffel Tower.") == "eiffel tower"
    truth = ["1200", "Paris", "3.5", "12"]
    preds = ["1,200", "paris.", "3.6", "twelve"]
    assert exact_match_scores(truth, preds) == [1.0, 1.0, 0.0, 0.0]
    assert per_example_scores("exact_match", truth, preds).mean() == 0.5


def test_length_ratio_by_hand():
    assert length_ratios(["one two three four"], ["one two"]) == [0.5]
    assert length_ratios([""], ["a b"]) == [2.0]  # an empty reference counts one word


def test_intervals_and_paired_test_of_text_scores():
    truth = [f"item {i} is red and cheap" for i in range(40)]
    good = [f"item {i} is red and cheap" for i in range(30)] + ["nothing"] * 10
    bad = [f"item {i} is blue" for i in range(40)]
    iv = metric_interval("rouge_l", truth, good, seed=0)
    assert iv.value == pytest.approx(0.75)
    assert iv.ci_low < iv.value < iv.ci_high <= 1.0
    corpus = metric_interval("chrf", truth, good, seed=0)
    assert corpus.ci_low <= corpus.value <= corpus.ci_high
    a = per_example_scores("rouge_l", truth, good)
    b = per_example_scores("rouge_l", truth, bad)
    # "item i is blue" keeps 3 of the 6 reference words in order: P 3/4, R 3/6, F 0.6,
    # so a wins by 0.4 on 30 examples and loses by 0.6 on 10: a mean gain of 0.15
    assert b[0] == pytest.approx(0.6) and (a - b).mean() == pytest.approx(0.15)
    test, p = paired_test(list(a), list(b))
    assert test == "paired-permutation" and 0 < p < 0.05
    assert not math.isnan(p)
