"""The cost model on hand-computed cases: one-off composition and break-even volumes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskfit.metrics.costmodel import (
    CostAssumptions,
    approach_cost,
    break_even,
    build_cost_model,
    volume,
)

A = CostAssumptions(usd_per_label=0.25, usd_per_hour=3.6, horizon_months=12)


def cost(name, *, labels=0, seconds=0.0, run=0.0, llm=0.0, assumptions=A):
    return approach_cost(
        name,
        "finetune",
        human_labels=labels,
        train_seconds=seconds,
        running_per_1k_usd=run,
        llm_labelling_usd=llm,
        assumptions=assumptions,
    )


def test_one_off_is_labels_plus_labelling_plus_training():
    c = cost("ft", labels=40, seconds=100.0, llm=1.5, run=0.02)
    # 40 x $0.25 = $10; 100 s x $3.60/h / 3600 = $0.10; + $1.50 LLM labelling
    assert c.human_labels_usd == pytest.approx(10.0)
    assert c.train_usd == pytest.approx(0.10)
    assert c.one_off_usd == pytest.approx(11.60)
    # 12 months x 5,000/month x $0.02 / 1000 = $1.20 running
    assert c.total_usd(5_000, 12) == pytest.approx(12.80)


def test_break_even_hand_computed():
    ft = cost("ft", labels=40, run=0.01)  # one-off $10
    llm = cost("llm", run=0.11)  # one-off $0
    # V = 1000 x 10 / (12 x (0.11 - 0.01)) = 8,333.3 predictions / month
    be = break_even(ft, llm, 12)
    assert be.monthly_volume == pytest.approx(8333.333, rel=1e-6)
    assert (be.cheaper_below, be.cheaper_above) == ("llm", "ft")
    v = be.monthly_volume
    assert ft.total_usd(v, 12) == pytest.approx(llm.total_usd(v, 12))
    assert llm.total_usd(v / 2, 12) < ft.total_usd(v / 2, 12)
    assert ft.total_usd(v * 2, 12) < llm.total_usd(v * 2, 12)
    assert "llm is cheaper below 8.3k predictions/month, ft above" in be.message
    # the order of the pair does not change the answer
    again = break_even(llm, ft, 12)
    assert again.monthly_volume == pytest.approx(v)
    assert (again.cheaper_below, again.cheaper_above) == ("llm", "ft")


def test_no_crossing_cases():
    cheap = cost("cheap", labels=1, run=0.01)
    dear = cost("dear", labels=4, run=0.05)
    be = break_even(cheap, dear, 12)  # crossing would be at a negative volume
    assert be.monthly_volume is None and "cheap is cheaper at every volume" in be.message
    assert break_even(dear, cheap, 12).message.startswith("cheap is cheaper")
    parallel = break_even(cost("x", labels=2, run=0.03), cost("y", labels=1, run=0.03), 12)
    assert parallel.monthly_volume is None and parallel.message.startswith("y is cheaper")
    same = break_even(cost("x", labels=2, run=0.03), cost("y", labels=2, run=0.03), 12)
    assert same.monthly_volume is None and same.message.startswith("same cost")
    zero = break_even(cost("x"), cost("y", run=0.5), 12)  # equal one-off: x never dearer
    assert zero.monthly_volume is None and zero.message.startswith("x is cheaper")
    # one-offs a fraction of a cent apart (seconds of training) do not make a break-even
    tiny = break_even(cost("x", seconds=0.3, run=0.0004), cost("y", seconds=0.5, run=0.00002), 12)
    assert tiny.monthly_volume is None and tiny.message.startswith("y is cheaper")
    assert zero.monthly_volume is None and zero.message.startswith("x is cheaper")


def test_model_lists_assumptions_pairs_and_cheapest():
    costs = [
        cost("ft", labels=40, run=0.01),
        cost("llm", run=0.11),
        cost("mid", labels=8, run=0.05),
    ]
    model = build_cost_model(costs, A)
    assert [(b.a, b.b) for b in model.break_even] == [("ft", "llm"), ("ft", "mid"), ("llm", "mid")]
    doc = json.loads(json.dumps(model.to_json()))
    assert {"usd_per_label", "usd_per_hour", "horizon_months", "prices"} <= set(doc["assumptions"])
    assert doc["assumptions"]["usd_per_label"]["value"] == 0.25
    for v in (10, 1_000, 100_000, 10_000_000):
        best = model.cheapest_at(v)
        assert all(best.total_usd(v, 12) <= c.total_usd(v, 12) for c in costs)
    assert model.cheapest_at(10).name == "llm" and model.cheapest_at(10_000_000).name == "ft"


def test_assumptions_are_validated():
    for bad in ({"usd_per_label": -1}, {"usd_per_hour": float("nan")}, {"horizon_months": 0}):
        with pytest.raises(ValueError):
            CostAssumptions(**bad)


def test_volume_formatting():
    assert [volume(v) for v in (812, 8333.3, 35_000, 1_234_567)] == ["812", "8.3k", "35k", "1.2M"]


@settings(max_examples=100, deadline=None)
@given(
    st.floats(0, 1000),
    st.floats(0, 1000),
    st.floats(0, 5),
    st.floats(0, 5),
    st.floats(0.5, 60),
)
def test_totals_meet_at_the_break_even(one_a, one_b, run_a, run_b, months):
    a = cost("a", llm=one_a, run=run_a)
    b = cost("b", llm=one_b, run=run_b)
    be = break_even(a, b, months)
    if be.monthly_volume is None:
        return
    v = be.monthly_volume
    by = {"a": a, "b": b}
    assert a.total_usd(v, months) == pytest.approx(b.total_usd(v, months), rel=1e-6, abs=1e-9)
    below, above = by[be.cheaper_below], by[be.cheaper_above]
    assert below.total_usd(v / 2, months) <= above.total_usd(v / 2, months)
