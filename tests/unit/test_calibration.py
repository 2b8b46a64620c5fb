"""Calibration metrics: ECE (both binnings), reliability bins, Brier, NLL, temperature
scaling and contextual calibration, checked against hand-computed values."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import softmax

from taskfit.metrics.calibration import (
    CalibrationReport,
    ReliabilityBin,
    apply_temperature,
    brier,
    calibration_report,
    content_free_prior,
    contextual_calibrate,
    ece,
    fit_temperature,
    nll,
    reliability,
)

# Four examples, three classes. Top-label confidence / prediction / correct:
#   0.9  -> 0, y=0, right
#   0.8  -> 0, y=1, wrong
#   0.4  -> 0, y=0, right
#   0.45 -> 1, y=2, wrong
FOUR_P = np.array(
    [
        [0.9, 0.05, 0.05],
        [0.8, 0.1, 0.1],
        [0.4, 0.3, 0.3],
        [0.2, 0.45, 0.35],
    ]
)
FOUR_Y = np.array([0, 1, 0, 2])

# Five examples, four classes, deliberately not sorted by confidence.
#   conf 0.7  -> 2, y=3, wrong
#   conf 0.3  -> 0, y=1, wrong
#   conf 0.95 -> 3, y=3, right (row with exact zeros)
#   conf 0.5  -> 1, y=1, right
#   conf 0.6  -> 0, y=0, right
FIVE_P = np.array(
    [
        [0.1, 0.1, 0.7, 0.1],
        [0.3, 0.25, 0.25, 0.2],
        [0.0, 0.0, 0.05, 0.95],
        [0.1, 0.5, 0.2, 0.2],
        [0.6, 0.2, 0.1, 0.1],
    ]
)
FIVE_Y = np.array([3, 1, 3, 1, 0])


def _prob_rows(max_n: int = 30, max_k: int = 5):
    """Strategy: (probs, y) with normalised rows, some exact zeros, labels in range."""

    @st.composite
    def build(draw):
        n = draw(st.integers(1, max_n))
        k = draw(st.integers(2, max_k))
        raw = draw(
            hnp.arrays(
                np.float64,
                (n, k),
                elements=st.one_of(st.just(0.0), st.floats(1e-3, 1.0)),
            )
        )
        raw[:, 0] += 1e-3  # no all-zero row
        y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
        return raw / raw.sum(axis=1, keepdims=True), y

    return build()


# --- ECE and reliability bins ----------------------------------------------------------


def test_ece_two_width_bins_by_hand() -> None:
    # n_bins=2: bins [0, 0.5] and (0.5, 1].
    # low bin:  conf 0.4 (right), 0.45 (wrong): acc 0.5, mean conf 0.425, gap 0.075
    # high bin: conf 0.9 (right), 0.8 (wrong):  acc 0.5, mean conf 0.85,  gap 0.35
    # ECE = 2/4 * 0.075 + 2/4 * 0.35 = 0.0375 + 0.175 = 0.2125
    assert ece(FOUR_P, FOUR_Y, n_bins=2) == pytest.approx(0.2125)
    bins = reliability(FOUR_P, FOUR_Y, n_bins=2)
    assert [(b.lo, b.hi, b.count) for b in bins] == [(0.0, 0.5, 2), (0.5, 1.0, 2)]
    assert [b.confidence for b in bins] == pytest.approx([0.425, 0.85])
    assert [b.accuracy for b in bins] == pytest.approx([0.5, 0.5])


def test_width_bins_are_left_open_with_zero_and_one_at_the_ends() -> None:
    # conf 0.5 is the upper edge of the first of two bins (lo, hi], so it goes low;
    # conf 1.0 goes in the last bin; an all-zero row (conf 0) goes in the first bin.
    probs = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 0.0]])
    y = np.array([0, 0, 1])
    bins = reliability(probs, y, n_bins=2)
    assert [(b.lo, b.hi, b.count) for b in bins] == [(0.0, 0.5, 2), (0.5, 1.0, 1)]
    # low bin: conf (0.5 + 0) / 2 = 0.25, acc 1/2 (the tie 0.5/0.5 predicts column 0)
    assert bins[0].confidence == pytest.approx(0.25)
    assert bins[0].accuracy == pytest.approx(0.5)
    # ECE = 2/3 * |0.5 - 0.25| + 1/3 * |1 - 1| = 1/6
    assert ece(probs, y, n_bins=2) == pytest.approx(1 / 6)


def test_empty_width_bins_are_left_out() -> None:
    # 10 bins; the confidences 0.9, 0.8, 0.4, 0.45 land in (0.8,0.9], (0.7,0.8], (0.3,0.4],
    # (0.4,0.5]: four non-empty bins, each with one example.
    bins = reliability(FOUR_P, FOUR_Y, n_bins=10)
    assert [b.count for b in bins] == [1, 1, 1, 1]
    assert [b.hi for b in bins] == pytest.approx([0.4, 0.5, 0.8, 0.9])
    # one example per bin: ECE = mean |correct - conf| = (0.6 + 0.45 + 0.8 + 0.1) / 4
    assert ece(FOUR_P, FOUR_Y, n_bins=10) == pytest.approx(1.95 / 4)


def test_equal_mass_bins_by_hand() -> None:
    # Sorted confidences: 0.3 (wrong), 0.5 (right), 0.6 (right) | 0.7 (wrong), 0.95 (right)
    # np.array_split of 5 into 2 groups -> sizes 3 and 2.
    # group 1: mean conf 1.4/3, acc 2/3, gap 0.2;   weight 3/5 -> 0.12
    # group 2: mean conf 0.825, acc 1/2, gap 0.325; weight 2/5 -> 0.13
    # ECE_mass = 0.25
    assert ece(FIVE_P, FIVE_Y, n_bins=2, scheme="mass") == pytest.approx(0.25)
    bins = reliability(FIVE_P, FIVE_Y, n_bins=2, scheme="mass")
    assert [(b.lo, b.hi, b.count) for b in bins] == [(0.3, 0.6, 3), (0.7, 0.95, 2)]
    # Equal width on the same data: [0, 0.5] holds 0.3 (wrong), 0.5 (right): gap |0.5-0.4|
    # = 0.1, weight 2/5; (0.5, 1] holds 0.6, 0.7, 0.95: acc 2/3, conf 0.75, gap 1/12,
    # weight 3/5. ECE_width = 0.04 + 0.05 = 0.09
    assert ece(FIVE_P, FIVE_Y, n_bins=2, scheme="width") == pytest.approx(0.09)


def test_equal_mass_with_fewer_examples_than_bins() -> None:
    # 15 bins requested, 5 examples -> 5 singleton bins:
    # ECE = mean |correct - conf| = (0.3 + 0.5 + 0.4 + 0.7 + 0.05) / 5 = 0.39
    bins = reliability(FIVE_P, FIVE_Y, n_bins=15, scheme="mass")
    assert [b.count for b in bins] == [1] * 5
    assert ece(FIVE_P, FIVE_Y, n_bins=15, scheme="mass") == pytest.approx(0.39)


def test_perfectly_calibrated_bins_have_zero_ece() -> None:
    # Confidence 0.75 on four examples, three right: one bin, acc = conf = 0.75.
    probs = np.tile([0.75, 0.25], (4, 1))
    assert ece(probs, np.array([0, 0, 0, 1])) == pytest.approx(0.0, abs=1e-12)
    assert ece(probs, np.array([0, 0, 1, 1])) == pytest.approx(0.25)


@settings(max_examples=60, deadline=None)
@given(data=_prob_rows(), n_bins=st.integers(1, 20), scheme=st.sampled_from(["width", "mass"]))
def test_ece_is_the_weighted_gap_of_the_reliability_bins(data, n_bins, scheme) -> None:
    probs, y = data
    bins = reliability(probs, y, n_bins=n_bins, scheme=scheme)
    n = len(y)
    assert sum(b.count for b in bins) == n
    assert all(b.count > 0 and b.lo - 1e-12 <= b.confidence <= b.hi + 1e-12 for b in bins)
    gap = sum(b.count / n * abs(b.accuracy - b.confidence) for b in bins)
    value = ece(probs, y, n_bins=n_bins, scheme=scheme)
    assert value == pytest.approx(gap, abs=1e-12)
    assert 0.0 <= value <= 1.0


# --- Brier and NLL --------------------------------------------------------------------

TWO_P = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]])
TWO_Y = np.array([0, 2])


def test_brier_by_hand() -> None:
    # row 0, y=0: 0.3^2 + 0.2^2 + 0.1^2 = 0.09 + 0.04 + 0.01 = 0.14
    # row 1, y=2: 0.1^2 + 0.6^2 + 0.7^2 = 0.01 + 0.36 + 0.49 = 0.86
    # mean = 0.5
    assert brier(TWO_P, TWO_Y) == pytest.approx(0.5)
    # A certain right answer scores 0, a certain wrong one 2.
    assert brier(np.array([[1.0, 0.0]]), np.array([0])) == 0.0
    assert brier(np.array([[1.0, 0.0]]), np.array([1])) == pytest.approx(2.0)


def test_nll_by_hand_and_eps_floor() -> None:
    # -(log 0.7 + log 0.3) / 2 = (0.356675 + 1.203973) / 2 = 0.780324
    assert nll(TWO_P, TWO_Y) == pytest.approx(-(math.log(0.7) + math.log(0.3)) / 2)
    assert nll(TWO_P, TWO_Y) == pytest.approx(0.780324, abs=1e-6)
    # A wrong one-hot answer has p_y = 0 and costs -log(eps); with a right one: mean of both.
    one_hot = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert nll(one_hot, np.array([0, 0])) == pytest.approx(-math.log(1e-12) / 2)
    assert nll(one_hot, np.array([0, 0]), eps=1e-6) == pytest.approx(-math.log(1e-6) / 2)


def test_label_outside_space_is_wrong_with_zero_target() -> None:
    # y = -1: never correct; Brier target all-zero -> 0.7^2 + 0.3^2 = 0.58; p_y = 0.
    probs = np.array([[0.7, 0.3]])
    y = np.array([-1])
    assert brier(probs, y) == pytest.approx(0.58)
    assert nll(probs, y) == pytest.approx(-math.log(1e-12))
    # wrong at confidence 0.7 -> ECE 0.7 (not "right" via numpy's y=-1 -> last column)
    assert ece(probs, y) == pytest.approx(0.7)
    assert ece(np.array([[0.3, 0.7]]), y) == pytest.approx(0.7)


# --- temperature scaling ------------------------------------------------------------


def test_apply_temperature_by_hand() -> None:
    # t=2: sqrt(0.8) : sqrt(0.2) = 2 : 1;  t=0.5: 0.64 : 0.04 = 16 : 1
    np.testing.assert_allclose(apply_temperature(np.array([[0.8, 0.2]]), 2.0), [[2 / 3, 1 / 3]])
    np.testing.assert_allclose(apply_temperature(np.array([[0.8, 0.2]]), 0.5), [[16 / 17, 1 / 17]])
    # t=1 only renormalises.
    np.testing.assert_allclose(apply_temperature(np.array([[0.2, 0.6]]), 1.0), [[0.25, 0.75]])


@settings(max_examples=80, deadline=None)
@given(data=_prob_rows(), log_t=st.floats(-3.0, 3.0))
def test_apply_temperature_keeps_the_argmax(data, log_t) -> None:
    probs, _ = data
    q = apply_temperature(probs, math.exp(log_t))
    np.testing.assert_allclose(q.sum(axis=1), 1.0)
    rows = np.arange(len(probs))
    # The input's top label is still a top label of the output (ties may appear only
    # through rounding, never a strictly larger other label).
    assert np.all(q[rows, probs.argmax(axis=1)] >= q.max(axis=1))


def _synthetic(sharpen: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from softmax(z); the model reports softmax(sharpen * z)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(2000, 3))
    truth = softmax(z, axis=1)
    y = (rng.random(2000)[:, None] > truth.cumsum(axis=1)).sum(axis=1)
    return softmax(sharpen * z, axis=1), y


def test_temperature_fixes_an_over_confident_model() -> None:
    probs, y = _synthetic(4.0)
    t = fit_temperature(probs, y)
    assert t > 1.0
    assert 3.0 < t < 5.5  # logits were sharpened x4, so about t = 4 undoes it
    scaled = apply_temperature(probs, t)
    assert ece(scaled, y) < ece(probs, y) / 3
    assert nll(scaled, y) < nll(probs, y)
    np.testing.assert_array_equal(scaled.argmax(axis=1), probs.argmax(axis=1))
    assert fit_temperature(probs, y) == t  # deterministic


def test_temperature_fixes_an_under_confident_model() -> None:
    probs, y = _synthetic(0.25)
    t = fit_temperature(probs, y)
    assert t < 1.0
    assert 0.18 < t < 0.33
    scaled = apply_temperature(probs, t)
    assert ece(scaled, y) < ece(probs, y)
    assert nll(scaled, y) < nll(probs, y)
    np.testing.assert_array_equal(scaled.argmax(axis=1), probs.argmax(axis=1))


def test_temperature_of_a_calibrated_model_is_about_one() -> None:
    probs, y = _synthetic(1.0)
    assert 0.85 < fit_temperature(probs, y) < 1.15


def test_fit_temperature_by_hand_and_minimises_nll() -> None:
    # 90% confident, right 3 times in 4: the NLL optimum puts 0.75 on the top label:
    # 0.9^(1/t) / (0.9^(1/t) + 0.1^(1/t)) = 0.75  <=>  9^(1/t) = 3  <=>  t = 2
    probs = np.tile([0.9, 0.1], (4, 1))
    y = np.array([0, 0, 0, 1])
    t = fit_temperature(probs, y)
    assert t == pytest.approx(2.0, rel=1e-4)
    best = nll(apply_temperature(probs, t), y)
    for other in (1.0, 1.9, 2.1, 4.0):
        assert best < nll(apply_temperature(probs, other), y)


def test_fit_temperature_respects_bounds_and_ignores_outside_labels() -> None:
    probs, y = _synthetic(4.0)
    assert fit_temperature(probs, y, bounds=(0.5, 2.0)) == pytest.approx(2.0, rel=1e-4)
    # Rows whose label is outside the space cost -log(eps) at every t: t is unchanged.
    more_p = np.vstack([probs, probs[:50]])
    more_y = np.concatenate([y, np.full(50, -1)])
    assert fit_temperature(more_p, more_y) == pytest.approx(fit_temperature(probs, y), rel=1e-4)
    assert fit_temperature(probs[:3], np.full(3, -1)) == 1.0


# --- contextual calibration ---------------------------------------------------------


def test_contextual_calibrate_by_hand() -> None:
    # [0.6, 0.4] / [0.8, 0.2] = [0.75, 2] -> [3/11, 8/11]
    q = contextual_calibrate(np.array([[0.6, 0.4]]), np.array([0.8, 0.2]))
    np.testing.assert_allclose(q, [[3 / 11, 8 / 11]])
    # An all-zero row stays uniform; a uniform prior changes nothing but normalisation.
    q = contextual_calibrate(np.array([[0.0, 0.0, 0.0], [0.2, 0.2, 0.6]]), np.full(3, 1 / 3))
    np.testing.assert_allclose(q, [[1 / 3] * 3, [0.2, 0.2, 0.6]])
    # A zero prior entry is clipped at eps: that label wins wherever it has any mass.
    q = contextual_calibrate(np.array([[0.99, 0.01]]), np.array([1.0, 0.0]))
    assert q.argmax() == 1


def test_content_free_prior_by_hand() -> None:
    # mean of [0.7, 0.3] and [0.5, 0.5] is [0.6, 0.4]
    np.testing.assert_allclose(content_free_prior(np.array([[0.7, 0.3], [0.5, 0.5]])), [0.6, 0.4])
    # un-normalised rows: mean [1, 3] -> [0.25, 0.75]; a single 1-D row is one row
    np.testing.assert_allclose(content_free_prior(np.array([[2.0, 2.0], [0.0, 4.0]])), [0.25, 0.75])
    np.testing.assert_allclose(content_free_prior(np.array([0.2, 0.8])), [0.2, 0.8])
    np.testing.assert_allclose(content_free_prior(np.zeros((2, 4))), [0.25] * 4)


def test_contextual_calibration_removes_a_planted_label_bias() -> None:
    rng = np.random.default_rng(1)
    k = 3
    z = rng.normal(size=(2000, k))
    bias = np.array([2.0, 0.0, 0.0])  # the model likes label 0 whatever the input
    biased = softmax(z + bias, axis=1)
    # Content-free inputs ("N/A", "", "[MASK]", ...) show the bias plus a little noise.
    cf = softmax(bias + rng.normal(scale=0.1, size=(5, k)), axis=1)
    prior = content_free_prior(cf)
    assert prior.argmax() == 0 and prior[0] > 0.6
    fixed = contextual_calibrate(biased, prior)
    unbiased = z.argmax(axis=1)
    assert np.mean(biased.argmax(axis=1) == unbiased) < 0.6  # the bias does damage
    assert np.mean(fixed.argmax(axis=1) == unbiased) > 0.93  # and calibration undoes it
    np.testing.assert_allclose(fixed.sum(axis=1), 1.0)


# --- report and validation ----------------------------------------------------------


def test_calibration_report_matches_the_parts_and_serialises() -> None:
    rep = calibration_report(FIVE_P, FIVE_Y, n_bins=2)
    assert isinstance(rep, CalibrationReport)
    assert rep.ece_width == pytest.approx(0.09)
    assert rep.ece_mass == pytest.approx(0.25)
    assert rep.brier == pytest.approx(brier(FIVE_P, FIVE_Y))
    assert rep.nll == pytest.approx(nll(FIVE_P, FIVE_Y))
    assert rep.n == 5
    assert rep.bins == tuple(reliability(FIVE_P, FIVE_Y, n_bins=2))
    assert all(isinstance(b, ReliabilityBin) for b in rep.bins)
    data = json.loads(json.dumps(rep.to_json()))
    assert data["ece_mass"] == pytest.approx(0.25)
    assert data["n"] == 5
    assert data["bins"][0] == {
        "lo": 0.0,
        "hi": 0.5,
        "count": 2,
        "confidence": pytest.approx(0.4),
        "accuracy": 0.5,
    }
    assert all(type(v) in (int, float, list) for v in rep.to_json().values())


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ece(FOUR_P, FOUR_Y[:3]), "shape"),
        (lambda: ece(np.zeros((0, 3)), np.zeros(0, dtype=int)), "zero examples"),
        (lambda: brier(np.array([0.5, 0.5]), np.array([0])), "2-D"),
        (lambda: nll(FOUR_P, np.array([0, 1, 3, 0])), "outside"),
        (lambda: nll(FOUR_P, np.array([0, 1, -2, 0])), "outside"),
        (lambda: nll(FOUR_P, FOUR_Y.astype(float)), "integer"),
        (lambda: brier(-FOUR_P, FOUR_Y), "negative"),
        (lambda: brier(FOUR_P * np.nan, FOUR_Y), "NaN"),
        (lambda: ece(FOUR_P, FOUR_Y, scheme="quantile"), "scheme"),
        (lambda: ece(FOUR_P, FOUR_Y, n_bins=0), "n_bins"),
        (lambda: apply_temperature(FOUR_P, 0.0), "> 0"),
        (lambda: apply_temperature(FOUR_P, -1.0), "> 0"),
        (lambda: fit_temperature(FOUR_P, FOUR_Y, bounds=(2.0, 1.0)), "bounds"),
        (lambda: contextual_calibrate(FOUR_P, np.array([0.5, 0.5])), "prior"),
        (lambda: content_free_prior(np.zeros((0, 3))), "zero examples"),
    ],
)
def test_invalid_inputs_raise(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()
