"""Selective prediction: risk-coverage curve with tie groups, AURC and its oracle floor,
coverage at a target accuracy and the report, checked against hand-computed values."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from taskfit.metrics.selective import (
    RiskCoverage,
    SelectiveReport,
    aurc,
    coverage_at_accuracy,
    oracle_aurc,
    risk_coverage,
    selective_report,
)

# Five examples, already by decreasing confidence, with a tie at 0.8 (one wrong, one right).
CONF = np.array([0.9, 0.8, 0.8, 0.6, 0.3])
OK = np.array([True, False, True, True, False])


def _reference_aurc(conf: np.ndarray, ok: np.ndarray) -> float:
    """Independent definition: each example gets the error rate of everything at least as
    confident as it (the set a threshold at its confidence accepts); AURC is the mean."""
    risks = [np.mean(~ok[conf >= c]) for c in conf]
    return float(np.mean(risks))


def _worst_aurc(ok: np.ndarray) -> float:
    """AURC of all errors first, by distinct confidences (the worst ranking)."""
    return aurc((~ok).astype(float) + np.linspace(0.0, 0.5, len(ok)), ok)


def test_risk_coverage_with_a_tie_by_hand() -> None:
    # Tie groups end after 1, 3, 4, 5 examples; errors among them 0, 1, 1, 2.
    rc = risk_coverage(CONF, OK)
    assert isinstance(rc, RiskCoverage)
    np.testing.assert_allclose(rc.coverage, [0.2, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(rc.risk, [0.0, 1 / 3, 1 / 4, 2 / 5])
    with pytest.raises(ValueError):
        rc.risk[0] = 1.0  # read-only


def test_aurc_with_a_tie_by_hand() -> None:
    # Per-position risk, the tied pair both taking the risk at the end of their group:
    #   0, 1/3, 1/3, 1/4, 2/5  ->  sum = (0 + 20 + 20 + 15 + 24) / 60 = 79/60
    #   AURC = 79/60 / 5 = 79/300
    assert aurc(CONF, OK) == pytest.approx(79 / 300)
    # Without the tie (the wrong one ranked first): 0, 1/2, 1/3, 1/4, 2/5 -> 89/300
    distinct = np.array([0.9, 0.81, 0.8, 0.6, 0.3])
    assert aurc(distinct, OK) == pytest.approx((0 + 30 + 20 + 15 + 24) / 60 / 5)
    # Oracle: 3 right first -> 0, 0, 0, 1/4, 2/5 -> 0.65 / 5 = 0.13
    assert oracle_aurc(OK) == pytest.approx(0.13)


def test_result_does_not_depend_on_input_order() -> None:
    perm = np.array([3, 2, 4, 0, 1])
    assert aurc(CONF[perm], OK[perm]) == pytest.approx(79 / 300)
    rc = risk_coverage(CONF[perm], OK[perm])
    np.testing.assert_allclose(rc.risk, [0.0, 1 / 3, 1 / 4, 2 / 5])
    # The tied pair swapped: same answer (a stable sort alone would not give this).
    swapped = np.array([True, True, False, True, False])
    assert aurc(CONF, swapped) == pytest.approx(79 / 300)


def test_one_tie_group_gives_the_error_rate() -> None:
    # Every confidence equal: one point at coverage 1, AURC = overall risk = 2/5.
    rc = risk_coverage(np.full(5, 0.7), OK)
    np.testing.assert_allclose(rc.coverage, [1.0])
    assert aurc(np.full(5, 0.7), OK) == pytest.approx(0.4)


def test_perfect_ranking_reaches_the_oracle() -> None:
    ok = np.array([True, False, True, True, False, True, False, True])
    conf = np.where(ok, 0.9, 0.1) + np.arange(8) * 0.001  # every right one above every error
    assert aurc(conf, ok) == pytest.approx(oracle_aurc(ok))
    assert coverage_at_accuracy(conf, ok, 1.0) == pytest.approx(5 / 8)  # share correct
    rep = selective_report(conf, ok)
    assert rep.excess_aurc == pytest.approx(0.0, abs=1e-12)


def test_reversed_ranking_is_the_worst_case_by_hand() -> None:
    ok = np.array([True, True, False])
    # Errors first: risks 1, 1/2, 1/3 -> 11/6 / 3 = 11/18
    assert aurc(np.array([0.1, 0.2, 0.3]), ok) == pytest.approx(11 / 18)
    # Right first: risks 0, 0, 1/3 -> 1/9
    assert aurc(np.array([0.3, 0.2, 0.1]), ok) == pytest.approx(1 / 9)
    assert oracle_aurc(ok) == pytest.approx(1 / 9)
    assert coverage_at_accuracy(np.array([0.1, 0.2, 0.3]), ok, 0.6) == pytest.approx(1.0)
    assert coverage_at_accuracy(np.array([0.1, 0.2, 0.3]), ok, 0.7) == 0.0


def test_all_right_and_all_wrong() -> None:
    conf = np.array([0.2, 0.9, 0.5])
    assert aurc(conf, np.ones(3, dtype=bool)) == 0.0
    assert oracle_aurc(np.ones(3, dtype=bool)) == 0.0
    assert aurc(conf, np.zeros(3, dtype=bool)) == 1.0
    assert oracle_aurc(np.zeros(3, dtype=bool)) == 1.0
    assert coverage_at_accuracy(conf, np.zeros(3, dtype=bool), 0.01) == 0.0


def test_coverage_at_accuracy_by_hand() -> None:
    # Points (coverage, accuracy): (0.2, 1), (0.6, 2/3), (0.8, 3/4), (1.0, 3/5).
    # The accuracy is not monotone: 0.75 is reached at 0.8 although 0.6 misses it.
    assert coverage_at_accuracy(CONF, OK, 1.0) == pytest.approx(0.2)
    assert coverage_at_accuracy(CONF, OK, 0.8) == pytest.approx(0.2)
    assert coverage_at_accuracy(CONF, OK, 0.75) == pytest.approx(0.8)
    assert coverage_at_accuracy(CONF, OK, 0.7) == pytest.approx(0.8)
    assert coverage_at_accuracy(CONF, OK, 0.6) == pytest.approx(1.0)
    # The tie cannot be split: coverage 0.4 (accept 0.9 and one 0.8) is no option.
    assert coverage_at_accuracy(CONF, OK, 0.76) == pytest.approx(0.2)
    # 0/1 integers are accepted for `correct`.
    assert coverage_at_accuracy(CONF, OK.astype(int), 0.75) == pytest.approx(0.8)


def test_selective_report_by_hand() -> None:
    rep = selective_report(CONF, OK, target=0.75)
    assert isinstance(rep, SelectiveReport)
    assert rep.aurc == pytest.approx(79 / 300)
    assert rep.oracle_aurc == pytest.approx(0.13)
    assert rep.excess_aurc == pytest.approx(79 / 300 - 0.13)
    assert rep.coverage_at_target == pytest.approx(0.8)
    assert rep.target == 0.75
    assert rep.n == 5
    # Grid 0.05 .. 1.00; the first curve point with coverage >= c:
    #   c <= 0.20 -> (0.2, acc 1);  0.25..0.60 -> (0.6, 2/3);  0.65..0.80 -> (0.8, 3/4);
    #   0.85..1.00 -> (1.0, 3/5)
    assert [c for c, _ in rep.curve] == pytest.approx([0.05 * i for i in range(1, 21)])
    expected = [1.0] * 4 + [2 / 3] * 8 + [3 / 4] * 4 + [3 / 5] * 4
    assert [a for _, a in rep.curve] == pytest.approx(expected)
    data = json.loads(json.dumps(rep.to_json()))
    assert data["curve"][3] == [0.2, 1.0]
    assert data["coverage_at_target"] == pytest.approx(0.8)
    assert selective_report(CONF, OK).coverage_at_target is None
    assert selective_report(CONF, OK).target is None


def test_report_grid_hits_exact_boundaries() -> None:
    # n = 20, all distinct: coverage i/20 lands exactly on each grid point, so grid point
    # c = i/20 reads the accuracy of the top i examples. Right, wrong, right, wrong, ...
    ok = np.arange(20) % 2 == 0
    rep = selective_report(-np.arange(20.0), ok)
    # top i examples: ceil(i/2) right -> accuracy 1, 1/2, 2/3, 1/2, 3/5, ...
    expected = [((i + 1) // 2) / i for i in range(1, 21)]
    assert [a for _, a in rep.curve] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: aurc(CONF[:4], OK), "shape"),
        (lambda: aurc(np.zeros(0), np.zeros(0, dtype=bool)), "zero examples"),
        (lambda: aurc(CONF, OK.astype(float) * 0.5), "booleans"),
        (lambda: aurc(np.array([0.9, np.nan, 0.8, 0.6, 0.3]), OK), "NaN"),
        (lambda: risk_coverage(CONF[None, :], OK[None, :]), "1-D"),
        (lambda: coverage_at_accuracy(CONF, OK, 0.0), "target"),
        (lambda: coverage_at_accuracy(CONF, OK, 1.5), "target"),
        (lambda: selective_report(CONF, OK, target=-0.1), "target"),
    ],
)
def test_invalid_inputs_raise(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()


@st.composite
def _scored(draw):
    """Confidences from a few values (so ties are common) and correctness flags."""
    n = draw(st.integers(1, 40))
    conf = draw(hnp.arrays(np.float64, (n,), elements=st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9])))
    ok = draw(hnp.arrays(np.bool_, (n,)))
    return conf, ok


@settings(max_examples=150, deadline=None)
@given(data=_scored())
def test_aurc_matches_the_reference_and_lies_between_oracle_and_worst(data) -> None:
    conf, ok = data
    value = aurc(conf, ok)
    assert value == pytest.approx(_reference_aurc(conf, ok), abs=1e-12)
    assert oracle_aurc(ok) - 1e-12 <= value <= _worst_aurc(ok) + 1e-12
    rc = risk_coverage(conf, ok)
    assert rc.coverage[-1] == 1.0
    assert rc.risk[-1] == pytest.approx(np.mean(~ok))
    assert np.all(np.diff(rc.coverage) > 0)


@settings(max_examples=100, deadline=None)
@given(data=_scored(), target=st.sampled_from([0.5, 0.6, 2 / 3, 0.75, 0.9, 1.0]))
def test_coverage_at_accuracy_matches_brute_force(data, target) -> None:
    conf, ok = data
    # Every threshold at an observed confidence; keep those reaching the target.
    reachable = [np.mean(conf >= c) for c in conf if np.mean(ok[conf >= c]) >= target]
    expected = max(reachable, default=0.0)
    assert coverage_at_accuracy(conf, ok, target) == pytest.approx(expected)
