"""The cost model on hand-computed cases: one-off composition and break-even volumes."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskfit.metrics.cost import DEFAULT_USD_PER_HOUR
from taskfit.metrics.costmodel import (
    DEFAULT_HORIZON_MONTHS,
    DEFAULT_USD_PER_LABEL,
    ApproachCost,
    CostAssumptions,
    approach_cost,
    break_even,
    build_cost_model,
    volume,
)

# $0.25 a label and $3.60 an hour ($0.001 a second) keep the arithmetic readable.
A = CostAssumptions(usd_per_label=0.25, usd_per_hour=3.6, horizon_months=12)


def cost(
    name: str,
    *,
    labels: int = 0,
    seconds: float = 0.0,
    run: float = 0.0,
    llm: float = 0.0,
    assumptions: CostAssumptions = A,
) -> ApproachCost:
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
    # 40 labels x $0.25 = $10; 100 s x $3.60/h / 3600 = $0.10; + $1.50 LLM labelling
    assert c.human_labels_usd == pytest.approx(10.0)
    assert c.train_usd == pytest.approx(0.10)
    assert c.llm_labelling_usd == 1.5
    assert c.one_off_usd == pytest.approx(11.60)
    assert c.one_off_usd == pytest.approx(c.human_labels_usd + c.llm_labelling_usd + c.train_usd)
    # + 12 months x 5,000/month x $0.02 / 1000 = $1.20 running
    assert c.total_usd(5_000, 12) == pytest.approx(12.80)
    assert c.total_usd(0, 12) == c.one_off_usd


def test_defaults_and_zero_cost_approach():
    d = CostAssumptions()
    assert (d.usd_per_label, d.usd_per_hour, d.horizon_months) == (
        DEFAULT_USD_PER_LABEL,
        DEFAULT_USD_PER_HOUR,
        DEFAULT_HORIZON_MONTHS,
    )
    free = cost("free", assumptions=d)
    assert free.one_off_usd == 0 and free.total_usd(1e9, 12) == 0
    # two free approaches cost the same; a free one beats anything that costs money
    assert break_even(free, cost("free2"), 12).message.startswith("free and free2 cost the same")
    be = break_even(cost("paid", labels=1, run=0.01), free, 12)
    assert be.monthly_volume is None and be.message.startswith("free is cheaper at every volume")


def test_approach_cost_rejects_bad_inputs():
    for bad in (
        {"labels": -1},
        {"labels": 2.5},
        {"labels": True},
        {"seconds": -0.1},
        {"seconds": float("inf")},
        {"run": float("nan")},
        {"run": -0.01},
        {"llm": -1.0},
    ):
        with pytest.raises(ValueError):
            cost("x", **bad)


def test_break_even_hand_computed():
    ft = cost("ft", labels=40, run=0.01)  # one-off 40 x $0.25 = $10
    llm = cost("llm", run=0.11)  # one-off $0
    # V = 1000 x (10 - 0) / (12 x (0.11 - 0.01)) = 10,000 / 1.2 = 8,333.3 predictions/month
    be = break_even(ft, llm, 12)
    assert (be.a, be.b) == ("ft", "llm")
    assert be.monthly_volume == pytest.approx(8333.333, rel=1e-6)
    assert (be.cheaper_below, be.cheaper_above) == ("llm", "ft")
    v = be.monthly_volume
    assert v is not None
    # at V both total $10 + 12 x 8,333.3 x 0.01 / 1000 = $11.00
    assert ft.total_usd(v, 12) == pytest.approx(11.0)
    assert llm.total_usd(v, 12) == pytest.approx(11.0)
    assert llm.total_usd(v * 0.9, 12) < ft.total_usd(v * 0.9, 12)
    assert ft.total_usd(v * 1.1, 12) < llm.total_usd(v * 1.1, 12)
    assert be.message == (
        "llm is cheaper below 8.3k predictions/month; ft above "
        "(12-month horizon; one-off $0.00 vs $10.00, $0.11 vs $0.01 per 1k)"
    )
    # the order of the pair does not change the answer
    again = break_even(llm, ft, 12)
    assert (again.a, again.b) == ("llm", "ft")
    assert again.monthly_volume == pytest.approx(v)
    assert (again.cheaper_below, again.cheaper_above) == ("llm", "ft")
    assert again.message == be.message


def test_break_even_scales_with_the_horizon():
    # training 2,000 s x $0.001/s = $2 + $1 of LLM labels = $3 one-off; $0.05 vs $0.005 per 1k
    student = cost("student", seconds=2_000.0, llm=1.0, run=0.005)
    teacher = cost("teacher", run=0.05)
    # 6 months: V = 1000 x 3 / (6 x 0.045) = 11,111.1; 24 months: 1000 x 3 / (24 x 0.045) = 2,777.8
    six = break_even(student, teacher, 6)
    two_years = break_even(student, teacher, 24)
    assert six.monthly_volume == pytest.approx(11_111.11, rel=1e-6)
    assert two_years.monthly_volume == pytest.approx(2_777.78, rel=1e-6)
    assert "11k predictions/month" in six.message and "(6-month horizon;" in six.message
    assert "2.8k predictions/month" in two_years.message and "(24-month" in two_years.message


def test_break_even_in_millions():
    # one-off $100 (400 labels) at $0.0004 per 1k vs $0 at $0.0015 per 1k over 12 months:
    # V = 1000 x 100 / (12 x 0.0011) = 7,575,757.6 predictions/month
    be = break_even(cost("enc", labels=400, run=0.0004), cost("api", run=0.0015), 12)
    assert be.monthly_volume == pytest.approx(7_575_757.58, rel=1e-6)
    assert "api is cheaper below 7.6M predictions/month; enc above" in be.message
    assert "$0.0015 vs $0.0004 per 1k" in be.message


def test_crossing_at_a_negative_volume_is_no_crossing():
    # one-off $0.25 vs $1, $0.01 vs $0.05 per 1k: V = 1000 x (0.25 - 1) / (12 x 0.04) < 0
    cheap = cost("cheap", labels=1, run=0.01)
    dear = cost("dear", labels=4, run=0.05)
    for be in (break_even(cheap, dear, 12), break_even(dear, cheap, 12)):
        assert be.monthly_volume is None
        assert be.cheaper_below is None and be.cheaper_above is None
        assert be.message == (
            "cheap is cheaper at every volume (one-off $0.25 vs $1.00, $0.01 vs $0.05 per 1k)"
        )
    for v in (0, 1, 1e3, 1e6, 1e9):
        assert cheap.total_usd(v, 12) < dear.total_usd(v, 12)


def test_every_volume_message_formats_small_prices():
    tfidf = cost("tfidf-lr", run=0.0004)
    enc = cost("encoder-lr", seconds=3_200.0, run=0.05)  # 3,200 s x $0.001 = $3.20
    be = break_even(enc, tfidf, 12)
    assert be.message == (
        "tfidf-lr is cheaper at every volume (one-off $0.00 vs $3.20, $0.0004 vs $0.05 per 1k)"
    )


def test_parallel_lines_never_cross():
    # equal running cost: the smaller one-off is cheaper by $0.25 at every volume
    x, y = cost("x", labels=2, run=0.03), cost("y", labels=1, run=0.03)
    for be in (break_even(x, y, 12), break_even(y, x, 12)):
        assert be.monthly_volume is None and be.cheaper_below is None
        assert be.message.startswith("y is cheaper at every volume")
    for v in (0, 1e3, 1e9):
        assert x.total_usd(v, 12) - y.total_usd(v, 12) == pytest.approx(0.25)
    # float noise in the running costs (0.1 + 0.01 != 0.11) is not a crossing at 6e19/month
    noisy = break_even(cost("ft", labels=40, run=0.11), cost("llm", run=0.1 + 0.01), 12)
    assert noisy.monthly_volume is None and noisy.message.startswith("llm is cheaper")


def test_identical_costs():
    x, y = cost("x", labels=2, run=0.03), cost("y", labels=2, run=0.03)
    be = break_even(x, y, 12)
    assert (be.monthly_volume, be.cheaper_below, be.cheaper_above) == (None, None, None)
    assert be.message == (
        "x and y cost the same at every volume (one-off $0.50 vs $0.50, $0.03 vs $0.03 per 1k)"
    )
    for v in (0, 1e3, 1e9):
        assert x.total_usd(v, 12) == y.total_usd(v, 12)


def test_equal_one_off_lower_running_is_never_dearer():
    # both one-offs $0: equal at V = 0, x cheaper at every V > 0
    be = break_even(cost("x"), cost("y", run=0.5), 12)
    assert be.monthly_volume is None and be.message.startswith("x is cheaper at every volume")
    assert break_even(cost("y", run=0.5), cost("x"), 12).message.startswith("x is cheaper")


def test_sub_cent_one_off_difference_is_not_a_break_even():
    # 0.3 s vs 0.5 s of training at $0.001/s: $0.0003 vs $0.0005 one-off. Taken literally the
    # lines cross at 1000 x 0.0002 / (12 x 0.00038) = 44 predictions/month, a noise artefact.
    x = cost("x", seconds=0.3, run=0.0004)
    y = cost("y", seconds=0.5, run=0.00002)
    be = break_even(x, y, 12)
    assert be.monthly_volume is None and be.message.startswith("y is cheaper at every volume")
    # a difference of a cent or more is a real one: 1000 x 0.01 / (12 x 0.00038) = 2,193/month
    real = break_even(cost("x", seconds=0.3, run=0.0004), cost("y", seconds=10.3, run=0.00002), 12)
    assert real.monthly_volume == pytest.approx(1000 * 0.01 / (12 * 0.00038), rel=1e-6)
    assert (real.cheaper_below, real.cheaper_above) == ("x", "y")


def test_break_even_rejects_a_bad_horizon():
    for h in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="horizon_months"):
            break_even(cost("x"), cost("y"), h)


def test_model_lists_assumptions_pairs_and_cheapest():
    costs = [
        cost("ft", labels=40, run=0.01),  # $10 one-off
        cost("llm", run=0.11),  # $0 one-off
        cost("mid", labels=8, run=0.05),  # $2 one-off
    ]
    prices = {"gpt-4o-mini": (0.15, 0.60)}
    assumptions = CostAssumptions(usd_per_label=0.25, usd_per_hour=3.6, prices=prices)
    model = build_cost_model(costs, assumptions)
    assert [(b.a, b.b) for b in model.break_even] == [("ft", "llm"), ("ft", "mid"), ("llm", "mid")]
    # ft/mid: 1000 x 8 / (12 x 0.04) = 16,666.7; llm/mid: 1000 x 2 / (12 x 0.06) = 2,777.8
    assert model.break_even[1].monthly_volume == pytest.approx(16_666.67, rel=1e-6)
    assert model.break_even[2].monthly_volume == pytest.approx(2_777.78, rel=1e-6)

    doc = model.to_json()
    assert json.loads(json.dumps(doc, allow_nan=False)) == doc
    a = doc["assumptions"]
    for key, value in (("usd_per_label", 0.25), ("usd_per_hour", 3.6), ("horizon_months", 12)):
        assert a[key]["value"] == value and a[key]["about"]
    assert "--usd-per-label" in a["usd_per_label"]["about"]
    assert a["prices"] == {"gpt-4o-mini": {"input_per_1m": 0.15, "output_per_1m": 0.6}}
    assert [c["name"] for c in doc["approaches"]] == ["ft", "llm", "mid"]
    assert doc["approaches"][0]["one_off_usd"] == pytest.approx(10.0)
    assert set(doc["approaches"][0]) == {
        "name",
        "family",
        "human_labels",
        "human_labels_usd",
        "llm_labelling_usd",
        "train_seconds",
        "train_usd",
        "one_off_usd",
        "running_per_1k_usd",
        "running_basis",
    }
    assert doc["break_even"][0]["cheaper_below"] == "llm"
    assert doc["break_even"][2]["monthly_volume"] == pytest.approx(2_777.78, rel=1e-6)

    for v in (0, 10, 1_000, 2_777, 2_779, 16_666, 16_667, 100_000, 10_000_000):
        best = model.cheapest_at(v)
        assert all(best.total_usd(v, 12) <= c.total_usd(v, 12) for c in costs)
    assert [model.cheapest_at(v).name for v in (10, 5_000, 10_000_000)] == ["llm", "mid", "ft"]


def test_cheapest_at_ties_and_errors():
    model = build_cost_model([cost("x", labels=2), cost("y", labels=2)], A)
    assert model.cheapest_at(1_000).name == "x"  # a tie goes to the first
    with pytest.raises(ValueError):
        model.cheapest_at(-1)
    with pytest.raises(ValueError, match="no approaches"):
        build_cost_model([], A).cheapest_at(10)
    assert build_cost_model([cost("solo")], A).break_even == ()


def test_assumptions_are_validated():
    for bad in (
        {"usd_per_label": -1},
        {"usd_per_label": float("inf")},
        {"usd_per_label": "0.1"},
        {"usd_per_hour": float("nan")},
        {"usd_per_hour": True},
        {"horizon_months": 0},
        {"horizon_months": -3},
        {"prices": {"m": (0.1,)}},
        {"prices": {"m": (0.1, -0.2)}},
        {"prices": {"m": "0.1,0.2"}},
    ):
        with pytest.raises(ValueError):
            CostAssumptions(**bad)
    # free labels and free compute are allowed; the caller's price dict is copied
    prices = {"m": (1, 2)}
    free = CostAssumptions(usd_per_label=0, usd_per_hour=0, prices=prices)
    prices["m"] = (9, 9)
    assert free.prices == {"m": (1.0, 2.0)}
    assert hash(free) == hash(CostAssumptions(usd_per_label=0, usd_per_hour=0))


def test_volume_formatting():
    got = [volume(v) for v in (0.5, 812, 999.6, 8333.3, 35_000, 999_600, 1_234_567, 2.5e9)]
    assert got == ["0.5", "812", "1k", "8.3k", "35k", "1M", "1.2M", "2.5B"]
    assert volume(2.5e18) == "2.5e+18"  # beyond trillions, no 1,000,000T


def test_crossing_beyond_any_representable_volume_is_no_crossing():
    # $1 more up-front and a subnormal per-1k saving: V = 1000 x 1 / 2e-308 overflows to inf,
    # so the approach with the smaller one-off is cheaper at every finite volume.
    a, b = cost("a", run=2.2250738585072014e-308), cost("b", llm=1.0)
    be = break_even(a, b, 1.0)
    assert be.monthly_volume is None and be.message.startswith("a is cheaper at every volume")
    # equal one-offs and a running cost so small that horizon x difference underflows to 0
    tiny = break_even(cost("a"), cost("b", run=5e-324), 0.5)
    assert tiny.monthly_volume is None and tiny.message.startswith("a is cheaper at every volume")


@settings(max_examples=300, deadline=None)
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
    by = {"a": a, "b": b}
    if be.monthly_volume is None:
        # no crossing: the approach named is never dearer (to within half a cent)
        assert be.cheaper_below is None and be.cheaper_above is None
        if not be.message.startswith("a and b cost the same"):
            cheap = by[be.message.split(" ", 1)[0]]
            dear = b if cheap is a else a
            for v in (0.0, 1.0, 1e3, 1e6, 1e9):
                assert cheap.total_usd(v, months) <= dear.total_usd(v, months) + 0.005
        return
    v = be.monthly_volume
    assert v > 0 and math.isfinite(v)
    assert be.cheaper_below is not None and be.cheaper_above is not None
    assert a.total_usd(v, months) == pytest.approx(b.total_usd(v, months), rel=1e-6, abs=1e-9)
    below, above = by[be.cheaper_below], by[be.cheaper_above]
    assert below is not above
    assert below.total_usd(v / 2, months) < above.total_usd(v / 2, months)
    if math.isfinite(v * 2):
        assert above.total_usd(v * 2, months) < below.total_usd(v * 2, months)
