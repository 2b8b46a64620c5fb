"""Power-law fits and crossover estimates on synthetic curves with known answers."""

from __future__ import annotations

import json
import math
import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import curve_fit

from taskfit.metrics import curvefit
from taskfit.metrics.curvefit import (
    Crossover,
    PowerLaw,
    estimate_crossover,
    fit_power_law,
    fit_with_uncertainty,
)

TRUE = PowerLaw(0.9, 0.8, 0.5)
BUDGETS = [8 * 2**k for k in range(10)]  # 8 .. 4096, geometric
STATUS_ORDER = ["already_better", "within_data", "beyond_data", "never"]


def synthetic(law=TRUE, budgets=BUDGETS, seeds=5, noise=0.01, rng_seed=0):
    rng = np.random.default_rng(rng_seed)
    return {n: list(law.predict(n) + rng.normal(0, noise, seeds)) for n in budgets}


def crossing(law: PowerLaw, ref: float) -> float:
    """The true crossing n* = (b / (a − ref))^(1/c)."""
    return (law.b / (law.a - ref)) ** (1 / law.c)


def level(law: PowerLaw, n: float) -> float:
    """The reference level the law crosses at ``n``."""
    return float(law.predict(n))


def cross(points, ref, **kw) -> Crossover:
    return estimate_crossover(points, ref, reference_name="few-shot", approach_name="lr", **kw)


def inside(n: float, c: Crossover) -> bool:
    lo = -math.inf if c.ci_low is None else c.ci_low
    hi = math.inf if c.ci_high is None else c.ci_high
    return lo <= n <= hi


def sse(law: PowerLaw, x, y) -> float:
    return float(np.sum((law.predict(x) - np.asarray(y)) ** 2))


# --------------------------------------------------------------------------- the law


def test_predict_is_vectorised_and_solve_inverts_it():
    ns = np.array([1.0, 16.0, 400.0])
    assert TRUE.predict(ns) == pytest.approx(0.9 - 0.8 / np.sqrt(ns))
    for target in (0.3, 0.7, 0.85, 0.899):
        n = TRUE.solve(target)
        assert n is not None and float(TRUE.predict(n)) == pytest.approx(target)
    assert TRUE.solve(0.9) is None  # the ceiling itself is never reached
    assert TRUE.solve(0.95) is None
    assert PowerLaw(0.6, 0.0, 1.0).solve(0.5) == 1.0  # flat: reached from the first label
    assert PowerLaw(0.6, 0.0, 1.0).solve(0.7) is None
    assert PowerLaw(0.9, 0.8, 0.01).solve(0.9 - 1e-9) == math.inf  # beyond the float range


# --------------------------------------------------------------------------- fitting


def test_fit_recovers_known_parameters():
    law = fit_power_law(*_flat(synthetic()))
    assert law.a == pytest.approx(TRUE.a, abs=0.02)
    assert law.b == pytest.approx(TRUE.b, rel=0.2)
    assert law.c == pytest.approx(TRUE.c, rel=0.15)


def test_fits_over_many_datasets_centre_on_the_truth_and_intervals_cover_it():
    params, covered = [], np.zeros(3)
    for s in range(20):
        fit = fit_with_uncertainty(synthetic(rng_seed=s), n_boot=200, seed=s)
        law = fit.law
        params.append((law.a, law.b, law.c))
        for j, ((lo, hi), true) in enumerate(
            ((fit.a_ci, TRUE.a), (fit.b_ci, TRUE.b), (fit.c_ci, TRUE.c))
        ):
            assert lo <= (law.a, law.b, law.c)[j] <= hi
            assert hi > lo  # five seeds per budget give a real spread
            covered[j] += lo <= true <= hi
    median = np.median(params, axis=0)
    assert median == pytest.approx([TRUE.a, TRUE.b, TRUE.c], rel=0.05)
    # Nominal 95%; the percentile bootstrap over five seeds runs a little narrow.
    assert np.all(covered >= 14), covered


def _flat(points):
    x = [n for n, accs in points.items() for _ in accs]
    y = [a for accs in points.values() for a in accs]
    return x, y


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.3, 1.0),
    st.floats(0.0, 2.0),
    st.floats(0.05, 2.5),
    st.floats(0.0, 0.05),
    st.integers(2, 8),
    st.integers(1, 5),
    st.integers(0, 2**16),
)
def test_fit_is_at_least_as_good_as_scipy_curve_fit(a, b, c, noise, n_budgets, seeds, rng_seed):
    """The grid-and-refine fit is never beaten by curve_fit started at the true values."""
    law = PowerLaw(a, b, c)
    budgets = np.unique(np.round(np.geomspace(8, 2000, n_budgets)))
    x = np.repeat(budgets, seeds)
    y = np.clip(law.predict(x) + np.random.default_rng(rng_seed).normal(0, noise, x.size), 0, 1)
    fitted = fit_power_law(x, y)
    assert 0 <= fitted.a <= 1 and fitted.b >= 0 and 0.01 <= fitted.c <= 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            p, _ = curve_fit(
                lambda v, a_, b_, c_: a_ - b_ * np.power(v, -c_),
                x,
                y,
                p0=[min(a, 1.0), b + 1e-6, c],
                bounds=([0, 0, 0.01], [1, np.inf, 3]),
                maxfev=5000,
            )
        except (RuntimeError, ValueError):
            return
    assert sse(fitted, x, y) <= sse(PowerLaw(*p), x, y) + 1e-9


@pytest.mark.parametrize(
    "law",
    [TRUE, PowerLaw(0.6, 0.05, 0.5), PowerLaw(0.95, 2.0, 1.2), PowerLaw(0.7, 0.3, 0.1)],
)
def test_noise_free_data_is_fitted_exactly(law):
    x = np.asarray(BUDGETS[:7], dtype=float)
    fitted = fit_power_law(x, law.predict(x))
    assert sse(fitted, x, law.predict(x)) < 1e-12
    assert (fitted.a, fitted.b, fitted.c) == pytest.approx((law.a, law.b, law.c), rel=1e-3)


def test_replicates_fitted_in_blocks_match_one_pass(monkeypatch):
    pts = synthetic(budgets=BUDGETS[:6])
    whole = fit_with_uncertainty(pts, n_boot=50)
    monkeypatch.setattr(curvefit, "_ROWS_PER_BLOCK", 7)
    assert fit_with_uncertainty(pts, n_boot=50) == whole


def test_fit_ignores_point_order_and_duplication():
    x, y = _flat(synthetic(budgets=BUDGETS[:6], rng_seed=3))
    base = fit_power_law(x, y)
    order = np.random.default_rng(0).permutation(len(x))
    shuffled = fit_power_law(np.asarray(x)[order], np.asarray(y)[order])
    doubled = fit_power_law(x + x, y + y)
    for other in (shuffled, doubled):
        assert (other.a, other.b, other.c) == pytest.approx((base.a, base.b, base.c), rel=1e-5)


@pytest.mark.parametrize(
    ("n", "acc"),
    [
        ([8, 8, 64, 64], [0.5, 0.5, 0.5, 0.5]),  # flat
        ([8, 64], [0.4, 0.7]),  # two points, an exact fit
        ([8, 8, 64, 64], [0.4, 0.45, 0.7, 0.72]),  # two budgets
        ([8, 16, 32, 64], [0.9, 0.5, 0.8, 0.4]),  # noise, falling
        ([8, 16, 32], [0.0, 0.0, 0.0]),
        ([8, 16, 32], [1.0, 1.0, 1.0]),
        ([1, 1e9], [0.2, 0.3]),
        ([5, 5, 5], [0.3, 0.4, 0.5]),  # one budget
    ],
)
def test_degenerate_inputs_fit_without_warnings(n, acc):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        law = fit_power_law(n, acc)
    assert 0 <= law.a <= 1 and law.b >= 0 and 0.01 <= law.c <= 3
    assert np.all(np.isfinite(law.predict(n)))
    # never worse than the best flat line
    assert sse(law, n, acc) <= sse(PowerLaw(float(np.mean(acc)), 0, 1), n, acc) + 1e-12


def test_flat_data_fits_a_flat_line():
    law = fit_power_law([8, 8, 64, 64, 512], [0.5] * 5)
    assert law.predict([8, 1000, 1e6]) == pytest.approx([0.5] * 3, abs=1e-9)


def test_two_budgets_pass_exactly_through_both_means():
    fit = fit_with_uncertainty({8: [0.4, 0.45], 64: [0.7, 0.72]}, n_boot=20)
    assert fit.law.predict([8, 64]) == pytest.approx([0.425, 0.71], abs=1e-6)


@pytest.mark.parametrize(
    ("n", "acc"),
    [
        ([8], [0.5]),  # one point
        ([8, 16], [0.5]),  # mismatched
        ([0, 16], [0.5, 0.6]),  # non-positive
        ([-8, 16], [0.5, 0.6]),
        ([8, math.inf], [0.5, 0.6]),
        ([8, 16], [0.5, math.nan]),
    ],
)
def test_fit_power_law_validates(n, acc):
    with pytest.raises(ValueError):
        fit_power_law(n, acc)


# --------------------------------------------------------------------------- crossover


def test_known_crossing_within_the_data():
    n_star = 90.0  # between the budgets 64 and 128
    ref = level(TRUE, n_star)
    assert crossing(TRUE, ref) == pytest.approx(n_star)
    c = cross(synthetic(), ref)
    assert c.status == "within_data"
    assert c.estimate == pytest.approx(n_star, rel=0.25)
    assert c.ci_low is not None and c.ci_high is not None
    assert c.ci_low <= c.estimate <= c.ci_high
    assert inside(n_star, c)
    assert c.reference == "few-shot" and c.reference_accuracy == ref
    assert c.message.startswith(f"lr passes few-shot ({ref:.3f}) at about {c.estimate:,.0f}")
    assert "[95% CI" in c.message


def test_within_data_interpolates_linearly_in_log_n():
    # means 0.5 at 10 and 0.7 at 1000; 0.6 is halfway, so at the geometric midpoint 100
    c = cross({10: [0.5], 1000: [0.7]}, 0.6, n_boot=10)
    assert c.status == "within_data"
    assert c.estimate == pytest.approx(100.0)


def test_crossing_beyond_the_data_is_extrapolated_with_an_interval():
    budgets = BUDGETS[:8]  # up to 1,024 labels
    n_star = 2500.0
    ref = level(TRUE, n_star)
    c = cross(synthetic(budgets=budgets, noise=0.005), ref)
    assert c.status == "beyond_data"
    assert c.estimate is not None and n_star / 2 <= c.estimate <= 2 * n_star
    assert c.estimate >= budgets[-1]
    assert c.ci_low is not None and c.ci_low <= c.estimate
    assert inside(n_star, c)
    assert "no crossover with few-shot" in c.message and "within the data" in c.message
    assert "up to 1,024 labels" in c.message and "extrapolated" in c.message


def test_extrapolated_crossing_is_never_inside_the_data():
    # the last budget dips below the reference although the fitted law passes it earlier
    budgets = BUDGETS[:7]  # up to 512 labels
    pts = {n: [level(TRUE, n)] * 3 for n in budgets}
    pts[512] = [level(TRUE, 512) - 0.006] * 3
    ref = level(TRUE, 512) - 0.005
    assert fit_power_law(*_flat(pts)).solve(ref) < 512
    c = cross(pts, ref, n_boot=20)
    assert c.status == "beyond_data" and c.estimate == 512


def test_no_crossover_when_the_reference_is_above_the_ceiling():
    c = cross(synthetic(), 0.97)
    assert c.status == "never" and c.estimate is None and c.ci_high is None
    assert "no crossover expected" in c.message and "ceiling" in c.message


def test_already_better_at_the_smallest_budget():
    pts = synthetic()
    m0 = float(np.mean(pts[8]))
    c = cross(pts, m0 - 0.05)
    assert c.status == "already_better" and c.estimate == 8 and c.ci_low is None
    assert c.ci_high is not None and c.ci_high >= 8
    assert "already better" in c.message and "8 labels" in c.message


def test_one_budget_below_the_reference_is_never_without_a_fit():
    c = cross({64: [0.5, 0.55, 0.52]}, 0.6, n_boot=20)
    assert c.status == "never" and c.estimate is None
    assert "one budget" in c.message


def test_reference_uncertainty_widens_the_interval():
    pts = synthetic()
    ref = level(TRUE, 90)
    narrow = cross(pts, ref)
    draws = np.random.default_rng(1).normal(ref, 0.03, 1000)
    wide = cross(pts, ref, reference_draws=draws)
    assert wide.estimate == narrow.estimate
    assert narrow.ci_low is not None and narrow.ci_high is not None
    assert (wide.ci_low or 8) < narrow.ci_low
    assert wide.ci_high is None or wide.ci_high > narrow.ci_high


def test_mostly_never_crossing_replicates_leave_the_interval_open():
    # the ceiling is only just above the reference: many replicates never reach it
    pts = synthetic(budgets=BUDGETS[:6], noise=0.01)
    c = cross(pts, TRUE.a - 0.005)
    assert c.status in ("beyond_data", "never")
    assert c.ci_high is None


def test_alpha_sets_the_level_in_the_message():
    c = cross(synthetic(), level(TRUE, 90), alpha=0.1)
    assert "[90% CI" in c.message
    wide = cross(synthetic(), level(TRUE, 90), alpha=0.01)
    assert c.ci_low is not None and wide.ci_low is not None
    assert wide.ci_low <= c.ci_low


def test_deterministic_for_a_seed():
    pts = synthetic()
    ref = level(TRUE, 90)
    draws = np.random.default_rng(2).normal(ref, 0.02, 500)
    a = cross(pts, ref, seed=3, reference_draws=draws)
    assert a == cross(pts, ref, seed=3, reference_draws=draws)
    assert a != cross(pts, ref, seed=4, reference_draws=draws)
    assert fit_with_uncertainty(pts, seed=3) == fit_with_uncertainty(pts, seed=3)
    assert fit_with_uncertainty(pts, seed=3) != fit_with_uncertainty(pts, seed=4)


@pytest.mark.parametrize(
    ("points", "ref", "kw"),
    [
        ({}, 0.5, {}),
        ({0: [0.5], 8: [0.6]}, 0.5, {}),
        ({8: [], 16: [0.6]}, 0.5, {}),
        ({8: [math.nan], 16: [0.6]}, 0.5, {}),
        ({8: [0.5], 16: [0.6]}, math.nan, {}),
        ({8: [0.5], 16: [0.6]}, 0.5, {"n_boot": 0}),
        ({8: [0.5], 16: [0.6]}, 0.5, {"alpha": 1.0}),
        ({8: [0.5], 16: [0.6]}, 0.5, {"reference_draws": [0.5, math.inf]}),
    ],
)
def test_estimate_crossover_validates(points, ref, kw):
    with pytest.raises(ValueError):
        cross(points, ref, **kw)


def test_fit_with_uncertainty_validates():
    with pytest.raises(ValueError):
        fit_with_uncertainty({8: [0.5]})
    with pytest.raises(ValueError):
        fit_with_uncertainty({8: [0.5], 16: [0.6]}, n_boot=0)


def test_flat_curve_does_not_raise():
    flat = {n: [0.6] * 3 for n in BUDGETS[:5]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cross(flat, 0.7).status == "never"
        assert cross(flat, 0.5).status == "already_better"
        fit = fit_with_uncertainty(flat, n_boot=50)
    assert fit.law.predict(1e5) == pytest.approx(0.6)


def test_to_json_is_plain_json():
    pts = synthetic(budgets=BUDGETS[:8])  # up to 1,024 labels
    fit = fit_with_uncertainty(pts, n_boot=50)
    doc = json.loads(json.dumps(fit.to_json(), allow_nan=False))
    assert doc["formula"] == "accuracy ≈ a − b·n^(−c)"
    assert set(doc) == {"a", "b", "c", "a_ci", "b_ci", "c_ci", "n_boot", "formula"}
    refs = {"already_better": 0.3, "within_data": level(TRUE, 90), "never": 0.97}
    refs["beyond_data"] = level(TRUE, 10_000)
    for status, ref in refs.items():
        c = cross(pts, ref, n_boot=50)
        assert c.status == status
        doc = json.loads(json.dumps(c.to_json(), allow_nan=False))
        assert doc["status"] == status and doc["message"] == c.message


def test_estimate_crossover_is_fast():
    pts = synthetic(budgets=BUDGETS[:8], noise=0.02)
    ref = level(TRUE, 3000)  # beyond the data: every replicate is refitted
    draws = np.random.default_rng(0).normal(ref, 0.01, 1000)
    start = time.perf_counter()
    c = cross(pts, ref, reference_draws=draws, n_boot=200)
    assert time.perf_counter() - start < 1.0
    assert c.status == "beyond_data"


@settings(max_examples=30, deadline=None)
@given(st.floats(0.4, 0.98), st.floats(0.001, 0.05))
def test_crossover_is_monotone_in_the_reference(ref, step):
    pts = synthetic(budgets=BUDGETS[:8])
    lo = cross(pts, ref, n_boot=10)
    hi = cross(pts, ref + step, n_boot=10)
    assert STATUS_ORDER.index(hi.status) >= STATUS_ORDER.index(lo.status)
    lo_n = math.inf if lo.estimate is None else lo.estimate
    hi_n = math.inf if hi.estimate is None else hi.estimate
    assert hi_n >= lo_n
