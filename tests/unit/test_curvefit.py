"""Power-law fits and crossover estimates on synthetic curves with known answers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskfit.metrics.curvefit import (
    PowerLaw,
    estimate_crossover,
    fit_power_law,
    fit_with_uncertainty,
)

TRUE = PowerLaw(0.9, 0.8, 0.5)
BUDGETS = [8, 16, 32, 64, 128, 256, 512, 1024]


def synthetic(law=TRUE, budgets=BUDGETS, seeds=5, noise=0.01, rng_seed=0):
    rng = np.random.default_rng(rng_seed)
    return {n: list(law.predict(n) + rng.normal(0, noise, seeds)) for n in budgets}


def test_fit_recovers_known_parameters_and_intervals_cover_them():
    fit = fit_with_uncertainty(synthetic(), n_boot=200)
    law = fit.law
    assert law.a == pytest.approx(0.9, abs=0.02)
    assert law.b == pytest.approx(0.8, rel=0.15)
    assert law.c == pytest.approx(0.5, rel=0.15)
    for (lo, hi), true in ((fit.a_ci, 0.9), (fit.b_ci, 0.8), (fit.c_ci, 0.5)):
        assert lo <= true <= hi
    json.dumps(fit.to_json())


def test_solve_inverts_predict():
    for target in (0.3, 0.7, 0.85):
        n = TRUE.solve(target)
        assert n is not None and float(TRUE.predict(n)) == pytest.approx(target)
    assert TRUE.solve(0.95) is None
    assert PowerLaw(0.6, 0.0, 1.0).solve(0.5) == 1.0


def test_known_crossing_within_the_data():
    ref = 0.8  # true crossing n* = (0.8 / 0.1) ** 2 = 64, a measured budget's neighbourhood
    c = estimate_crossover(synthetic(), ref, reference_name="few-shot", approach_name="lr")
    assert c.status == "within_data"
    assert c.estimate == pytest.approx(64, rel=0.25)
    assert c.ci_low is not None and c.ci_high is not None
    assert c.ci_low <= 64 <= c.ci_high
    assert "lr passes few-shot" in c.message


def test_crossing_beyond_the_data_is_extrapolated_with_an_interval():
    ref = 0.88  # n* = (0.8 / 0.02) ** 2 = 1600 > 1024
    pts = synthetic(noise=0.005)
    c = estimate_crossover(pts, ref, reference_name="r", approach_name="lr")
    assert c.status == "beyond_data"
    assert c.estimate == pytest.approx(1600, rel=0.35)
    assert c.ci_low is not None and c.ci_low <= 1600
    assert c.ci_high is None or c.ci_high >= 1600
    assert "no crossover within the data" in c.message


def test_no_crossover_when_the_reference_is_above_the_ceiling():
    c = estimate_crossover(synthetic(), 0.97, reference_name="r", approach_name="lr")
    assert c.status == "never" and c.estimate is None and c.ci_high is None
    assert "no crossover expected" in c.message


def test_already_better_at_the_smallest_budget():
    c = estimate_crossover(synthetic(), 0.3, reference_name="r", approach_name="lr")
    assert c.status == "already_better" and c.estimate == 8 and c.ci_low is None


def test_reference_uncertainty_widens_the_interval():
    pts = synthetic()
    narrow = estimate_crossover(pts, 0.8, reference_name="r", approach_name="a")
    draws = np.random.default_rng(1).normal(0.8, 0.03, 1000)
    wide = estimate_crossover(
        pts, 0.8, reference_name="r", approach_name="a", reference_draws=draws
    )
    assert wide.estimate == narrow.estimate
    assert (wide.ci_high - wide.ci_low) > (narrow.ci_high - narrow.ci_low)


def test_deterministic_and_validated():
    pts = synthetic()
    a = estimate_crossover(pts, 0.8, reference_name="r", approach_name="a", seed=3)
    b = estimate_crossover(pts, 0.8, reference_name="r", approach_name="a", seed=3)
    assert a == b
    with pytest.raises(ValueError):
        fit_power_law([8], [0.5])
    with pytest.raises(ValueError):
        fit_power_law([8, 16], [0.5])
    with pytest.raises(ValueError):
        fit_power_law([0, 16], [0.5, 0.6])
    with pytest.raises(ValueError):
        estimate_crossover({}, 0.5, reference_name="r", approach_name="a")


def test_degenerate_inputs_still_fit():
    flat = fit_power_law([8, 8, 64, 64], [0.5, 0.5, 0.5, 0.5])
    assert flat.predict(1000) == pytest.approx(0.5, abs=0.01)
    two = fit_with_uncertainty({8: [0.4, 0.45], 64: [0.7, 0.72]}, n_boot=20)
    assert 0 <= two.law.a <= 1


@settings(max_examples=25, deadline=None)
@given(st.floats(0.55, 0.86), st.floats(0.005, 0.03))
def test_crossover_grows_with_the_reference(ref, step):
    pts = synthetic()
    lo = estimate_crossover(pts, ref, reference_name="r", approach_name="a", n_boot=10)
    hi = estimate_crossover(pts, ref + step, reference_name="r", approach_name="a", n_boot=10)
    assert lo.estimate is not None and hi.estimate is not None
    assert hi.estimate >= lo.estimate
