"""Planning units and the first-version recommendation rules."""

from __future__ import annotations

from collections import Counter

import pytest

from taskfit.backends import parse_spec
from taskfit.errors import UsageError
from taskfit.recommend.headline import SMOKE_TEST_WARNING, Constraints, against_prior, recommend
from taskfit.run.plan import PlanOptions, parse_approaches, plan_units, stratified_sample
from taskfit.types import ApproachMetrics, Dataset, Example, Interval, UnitResult


def test_parse_approaches_and_specs():
    assert parse_approaches("zero-shot, tfidf-lr,zero-shot") == ("zero-shot", "tfidf-lr")
    with pytest.raises(UsageError, match="valid approaches: zero-shot"):
        parse_approaches("zero-shot,bert")
    assert parse_spec("smollm2").canonical == "smollm2"
    assert parse_spec("openai:gpt-4o-mini").base_url is None
    assert parse_spec("openai:m@http://127.0.0.1:8000/v1/").base_url == "http://127.0.0.1:8000/v1"
    for bad in ("gpt4", "openai:", "gguf:", "openai:m@"):
        with pytest.raises(UsageError, match="valid forms"):
            parse_spec(bad)


def test_stratified_sample_keeps_proportions_and_is_seeded():
    labels = ["a"] * 60 + ["b"] * 30 + ["c"] * 10
    idx = stratified_sample(labels, 20, seed=0)
    assert len(idx) == 20 and list(idx) == sorted(idx)
    assert Counter(labels[i] for i in idx) == {"a": 12, "b": 6, "c": 2}
    assert idx == stratified_sample(labels, 20, seed=0)
    assert idx != stratified_sample(labels, 20, seed=1)
    assert stratified_sample(labels, None, 0) == tuple(range(100))


def test_plan_units_are_pure_and_keyed():
    ds = Dataset(
        tuple(Example(f"t{i}", "ab"[i % 2]) for i in range(10)),
        tuple(Example(f"s{i}", "ab"[i % 2]) for i in range(8)),
        ("a", "b"),
        "h",
        "f",
        "text",
        "label",
    )
    opts = PlanOptions(
        approaches=("zero-shot", "few-shot", "tfidf-lr"), llms=(parse_spec("fake"),), max_test=4
    )
    units = plan_units(ds, opts)
    assert [u.name for u in units] == ["zero-shot@fake", "few-shot@fake", "tfidf-lr"]
    assert len(units[0].test_indices) == 4 and len(units[2].test_indices) == 8
    assert [u.key for u in units] == [u.key for u in plan_units(ds, opts)]
    other = plan_units(
        ds, PlanOptions(approaches=opts.approaches, llms=opts.llms, max_test=4, seed=1)
    )
    assert units[2].key != other[2].key


def _m(name, acc, cost, p95=1.0, family="finetune", n=100):
    return ApproachMetrics(
        name,
        family,
        "",
        10,
        n,
        {
            "accuracy": Interval(acc, acc - 0.05, acc + 0.05),
            "macro_f1": Interval(acc, acc - 0.05, acc + 0.05),
        },
        {},
        1.0,
        p95,
        10.0,
        0.0,
        0,
        0,
        cost,
        "test",
        0,
    )


def _r(name, correct):
    preds = tuple("a" if c else "b" for c in correct)
    return UnitResult(
        name,
        name,
        "finetune",
        "",
        ("a", "b"),
        tuple(range(len(correct))),
        preds,
        tuple((1.0, 0.0) if p == "a" else (0.0, 1.0) for p in preds),
        (1.0,),
        10,
        0.0,
    )


def test_a_small_loss_on_few_examples_is_not_traded_for_cost():
    # 2 points lost on 100 examples: McNemar cannot see it (p=0.5), and the paired
    # interval is too wide to show it is within the 1-point tolerance, so nothing trades.
    y = {n: ["a"] * 100 for n in ("big", "small", "majority")}
    res = {
        "big": _r("big", [True] * 90 + [False] * 10),
        "small": _r("small", [True] * 88 + [False] * 12),
        "majority": _r("majority", [True] * 30 + [False] * 70),
    }
    ms = [_m("big", 0.90, 5.0), _m("small", 0.88, 0.01), _m("majority", 0.30, 0.0)]
    rec, comps = recommend(ms, res, y)
    assert rec.choice == "big"
    small = next(c for c in comps if c.b == "small")
    assert small.p_value > 0.05 and small.verdict == "inconclusive"
    assert any("small is cheaper but" in r for r in rec.reasons)
    assert {c.b for c in comps} == {"small", "majority"}
    # A 5-point tolerance covers the interval: the trade is made, with the figure.
    rec, _ = recommend(ms, res, y, constraints=Constraints(max_accuracy_loss=5.0))
    assert rec.choice == "small"
    assert any(r.startswith("Prefer small: against big it loses 2.0 points") for r in rec.reasons)


def test_keeps_best_when_significantly_better_and_honours_constraints():
    y = {n: ["a"] * 100 for n in ("big", "small")}
    res = {
        "big": _r("big", [True] * 95 + [False] * 5),
        "small": _r("small", [True] * 60 + [False] * 40),
    }
    ms = [_m("big", 0.95, 5.0, p95=900.0), _m("small", 0.60, 0.01, p95=5.0)]
    rec, _ = recommend(ms, res, y)
    assert rec.choice == "big"
    rec, _ = recommend(ms, res, y, constraints=Constraints(latency_p95_ms=100))
    assert rec.choice == "small"
    assert any("ruled out" in r and "900.0 ms > 100 ms" in r for r in rec.reasons)
    rec, _ = recommend(ms, res, y, constraints=Constraints(budget_per_1k=0.001))
    assert rec.choice == "none"


def test_smoke_test_model_warning():
    y = {"x": ["a"] * 10}
    res = {"x": _r("x", [True] * 10)}
    rec, _ = recommend([_m("x", 1.0, 0.0)], res, y, smoke_test_llms=["smollm2"])
    assert SMOKE_TEST_WARNING in rec.warnings
    rec, _ = recommend(
        [_m("x", 1.0, 0.0)], res, y, smoke_test_llms=["smollm2"], real_llms=["openai:gpt-4o"]
    )
    assert SMOKE_TEST_WARNING not in rec.warnings


# --- the measured choice against the decision flows' prior -------------------------------

_LLM_BEST = [
    _m("zero-shot@x", 0.92, 3.0, family="prompt"),
    _m("tfidf-lr", 0.80, 0.001, family="baseline"),
    _m("setfit", 0.85, 0.01),
]


@pytest.mark.parametrize(
    ("prior", "choice", "agrees", "fragment"),
    [
        ("prompt", "zero-shot@x", True, "agree with the decision flows' prior (a prompted LLM)"),
        ("prompt", "setfit", False, "go against the decision flows' prior (a prompted LLM)"),
        ("finetune", "setfit", True, "agree with"),
        ("finetune", "tfidf-lr", True, "choice is a fine-tuned (local) model"),
        ("finetune", "zero-shot@x", False, "go against"),
        ("distill", "setfit", True, "prompted LLM is most accurate but a small model is chosen"),
        ("distill", "zero-shot@x", False, "check the deployment constraints"),
        ("split", "setfit", None, "disagreed (prior: split); the measurements decide"),
        ("none", "zero-shot@x", None, "no model fits well yet; the measurements decide for a "),
    ],
)
def test_against_prior(prior, choice, agrees, fragment):
    got, why = against_prior(prior, choice, _LLM_BEST)
    assert got is agrees
    assert fragment in why
    # every statement names the figures of both sides
    assert "zero-shot@x accuracy 0.920 (n=100)" in why and "setfit accuracy 0.850" in why


def test_distill_prior_when_finetuned_already_wins():
    ms = [_m("zero-shot@x", 0.50, 3.0, family="prompt"), _m("setfit", 0.85, 0.01)]
    agrees, why = against_prior("distill", "setfit", ms)
    assert agrees is True and "no LLM labels are needed" in why


def test_recommend_carries_the_prior_as_its_last_reason():
    y = {n: ["a"] * 100 for n in ("big", "small")}
    res = {
        "big": _r("big", [True] * 95 + [False] * 5),
        "small": _r("small", [True] * 60 + [False] * 40),
    }
    ms = [_m("big", 0.95, 5.0, family="prompt"), _m("small", 0.60, 0.01)]
    rec, _ = recommend(ms, res, y, prior="finetune")
    assert rec.choice == "big" and rec.prior == "finetune" and rec.agrees_with_prior is False
    assert "go against the decision flows' prior" in rec.reasons[-1]
    plain, _ = recommend(ms, res, y)
    assert plain.prior is None and plain.reasons == rec.reasons[:-1]
