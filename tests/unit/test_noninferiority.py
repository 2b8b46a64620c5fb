"""Non-inferiority (taskfit.metrics.noninferiority) and the choice rule built on it
(taskfit.recommend.choice through taskfit.recommend.headline), on planted outcomes."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from taskfit.metrics.costmodel import CostAssumptions
from taskfit.metrics.noninferiority import needed_test_size, non_inferiority, paired_difference
from taskfit.metrics.quality import mcnemar
from taskfit.recommend.headline import Constraints, EvidenceSet, recommend
from taskfit.types import ApproachMetrics, Interval, UnitResult
from taskfit.workflows.scoring import cost_model_for


def _pair(n: int, both: int, only_a: int, only_b: int, seed: int = 0):
    """Aligned correctness of a and b: ``both`` right for both, ``only_a`` right for a
    alone, ``only_b`` for b alone, the rest wrong for both; shuffled."""
    rows = [(True, True)] * both + [(True, False)] * only_a + [(False, True)] * only_b
    rows += [(False, False)] * (n - len(rows))
    random.Random(seed).shuffle(rows)
    return [a for a, _ in rows], [b for _, b in rows]


def _result(name: str, correct, family="finetune") -> UnitResult:
    preds = tuple("a" if c else "b" for c in correct)
    return UnitResult(
        name,
        name,
        family,
        "",
        ("a", "b"),
        tuple(range(len(correct))),
        preds,
        tuple((1.0, 0.0) if p == "a" else (0.0, 1.0) for p in preds),
        (1.0,) * len(preds),
        100,
        0.0,
    )


def _metrics(name, correct, cost, family="finetune", labels=100):
    acc = sum(correct) / len(correct)
    return ApproachMetrics(
        name,
        family,
        "",
        labels,
        len(correct),
        {
            "accuracy": Interval(acc, acc - 0.05, acc + 0.05),
            "macro_f1": Interval(acc, acc - 0.05, acc + 0.05),
        },
        {},
        1.0,
        1.0,
        10.0,
        0.0,
        0,
        0,
        cost,
        "test",
        0,
    )


def _run(correct: dict, costs: dict, **kw):
    res = {n: _result(n, c) for n, c in correct.items()}
    y = {n: ["a"] * len(c) for n, c in correct.items()}
    ms = [_metrics(n, c, costs[n]) for n, c in correct.items()]
    return recommend(ms, res, y, **kw)


# --- the statistics ------------------------------------------------------------------


def test_paired_difference_is_the_accuracy_gap_with_an_interval_around_it():
    a, b = _pair(400, 300, 30, 10)
    d = paired_difference(a, b, seed=1)
    assert d.value == pytest.approx((330 - 310) / 400)
    assert d.ci_low < d.value < d.ci_high
    # Pairing: the spread comes from the 40 discordant examples only (sd ~1.6 points), far
    # narrower than the difference of two independent accuracies' (sd ~3.1 points here).
    assert 0.04 < d.ci_high - d.ci_low < 0.08
    # Swapping the two negates it.
    e = paired_difference(b, a, seed=1)
    assert e.value == pytest.approx(-d.value)


def test_identical_correctness_is_bounded_by_the_rule_of_three():
    a, _ = _pair(60, 50, 0, 0)
    d = paired_difference(a, a)
    assert (d.value, d.ci_low, d.ci_high) == (0.0, 0.0, pytest.approx(3 / 60))
    with pytest.raises(ValueError, match="length"):
        paired_difference([True], [True, False])


def test_needed_test_size_grows_as_the_observed_gap_nears_the_margin():
    sizes = [needed_test_size(d, 0.1, 0.02) for d in (0.0, 0.005, 0.01, 0.015)]
    assert sizes == sorted(sizes) and len(set(sizes)) == 4
    assert needed_test_size(0.03, 0.1, 0.02) is None  # the loss already exceeds the margin
    assert needed_test_size(0.0, 0.1, 0.0) is None  # no margin, nothing to settle


def test_verdicts_at_the_margin():
    a, b = _pair(1000, 700, 60, 10)  # 5 points apart, interval about [3, 7]
    assert non_inferiority(a, b, margin=0.01).verdict == "inferior"
    assert non_inferiority(a, b, margin=0.10).verdict == "non-inferior"
    t = non_inferiority(a, b, margin=0.05)
    assert t.verdict == "inconclusive" and t.n_needed is None  # observed loss = margin
    assert non_inferiority(a, a, margin=0.0).verdict == "inconclusive"  # 0: never
    with pytest.raises(ValueError, match="margin"):
        non_inferiority(a, b, margin=-0.01)


# --- the rule, planted outcomes ---------------------------------------------------------


def test_a_large_gap_that_mcnemar_calls_not_significant_is_not_traded():
    # The issue's case: 300 test examples, 0.800 vs 0.737, McNemar p just above 0.05.
    best, cheap = _pair(300, 188, 52, 33)
    assert sum(best) == 240 and sum(cheap) == 221
    assert mcnemar(best, cheap) > 0.05
    rec, comps = _run({"encoder": best, "tfidf": cheap}, {"encoder": 0.001, "tfidf": 0.0005})
    assert rec.choice == "encoder"
    c = comps[0]
    assert c.verdict != "non-inferior" and c.difference is not None
    assert c.difference.value == pytest.approx(19 / 300)
    assert any("tfidf is cheaper but loses 6.3 points" in r for r in rec.reasons)
    assert not any(r.startswith("Prefer") for r in rec.reasons)


def test_a_true_tie_within_the_tolerance_trades_and_names_the_figure():
    best, cheap = _pair(2000, 1790, 6, 4)
    rec, comps = _run({"llm": best, "small": cheap}, {"llm": 2.0, "small": 0.01})
    assert comps[0].verdict == "non-inferior"
    assert comps[0].difference is not None and comps[0].difference.ci_high <= 0.01
    assert rec.choice == "small"
    assert any(
        r.startswith("Prefer small: against llm it loses 0.1 points") and "$0.01 per 1k" in r
        for r in rec.reasons
    )
    # 0 turns the trade off.
    rec, _ = _run(
        {"llm": best, "small": cheap},
        {"llm": 2.0, "small": 0.01},
        constraints=Constraints(max_accuracy_loss=0),
    )
    assert rec.choice == "llm"
    assert any("--max-accuracy-loss 0" in r for r in rec.reasons)


def test_a_too_small_test_set_says_so_with_the_test_size_that_would_settle_it():
    # Same accuracy on 60 examples (one disagreement each way): nothing says the cheap one
    # is within a point, nor that it is not.
    best, cheap = _pair(60, 50, 1, 1)
    rec, comps = _run({"llm": best, "small": cheap}, {"llm": 2.0, "small": 0.01})
    assert rec.choice == "llm"
    c = comps[0]
    assert c.verdict == "inconclusive"
    assert c.n_needed == needed_test_size(0.0, 2 / 60, 0.01) == 2617
    text = next(r for r in rec.reasons if r.startswith("small is cheaper"))
    assert "too small to tell" in text
    assert "About 2,617 paired test examples (2,557 more labelled ones)" in text


def test_an_ood_reversal_keeps_the_approach_that_holds_out_of_distribution():
    # In distribution a tie within tolerance (the cheap one would be chosen) ...
    a, b = _pair(2000, 1790, 6, 4)
    # ... but out of distribution the cheap one loses 15 points.
    oa, ob = _pair(300, 150, 60, 15)
    ood = EvidenceSet(
        "ood",
        "out of distribution (file:shifted.csv)",
        {"llm": dict(enumerate(oa)), "small": dict(enumerate(ob))},
    )
    rec, _ = _run({"llm": a, "small": b}, {"llm": 2.0, "small": 0.01}, evidence=[ood])
    assert rec.choice == "llm"
    text = next(r for r in rec.reasons if r.startswith("Out of distribution"))
    assert "llm is the most accurate there too" in text and "small loses 15.0 points" in text
    assert rec.rule["sets"][1]["best"] == "llm"
    assert rec.rule["sets"][1]["tests"]["small"]["verdict"] == "inferior"
    # Without the OOD evidence the cheap one wins: the evidence changed the choice.
    plain, _ = _run({"llm": a, "small": b}, {"llm": 2.0, "small": 0.01})
    assert plain.choice == "small"


def test_no_approach_within_tolerance_on_both_sets_says_which_wins_where():
    a, b = _pair(400, 300, 60, 10)  # a wins in distribution by 12.5 points
    oa, ob = _pair(300, 120, 10, 70)  # b wins out of distribution by 20 points
    ood = EvidenceSet(
        "ood",
        "out of distribution (clusters)",
        {"a": dict(enumerate(oa)), "b": dict(enumerate(ob))},
    )
    rec, _ = _run({"a": a, "b": b}, {"a": 1.0, "b": 1.0}, evidence=[ood])
    assert rec.choice == "a"
    text = next(r for r in rec.reasons if r.startswith("No approach is within the tolerance"))
    assert (
        "Most accurate on the test set: a" in text and "out of distribution (clusters): b" in text
    )
    assert text in rec.warnings


def test_the_volume_at_which_the_choice_flips():
    # Same accuracy (identical correctness on 2,000 examples): the cost decides.
    same, _ = _pair(2000, 1800, 0, 0)
    res = {"llm": _result("llm", same, "prompt"), "ft": _result("ft", same)}
    y = {n: ["a"] * 2000 for n in res}
    ms = [
        _metrics("llm", same, 1.0, family="prompt", labels=0),  # $1 per 1k, no labels
        _metrics("ft", same, 0.01, labels=500),  # $50 of labels, $0.01 per 1k
    ]
    model = cost_model_for(ms, CostAssumptions(usd_per_label=0.10, horizon_months=12))
    be = next(b for b in model.break_even if {b.a, b.b} == {"llm", "ft"})
    assert be.monthly_volume == pytest.approx(50 * 1000 / 12 / 0.99)

    def pick(volume):
        rec, _ = recommend(
            ms, res, y, cost_model=model, constraints=Constraints(volume_per_month=volume)
        )
        return rec

    assert pick(1000).choice == "llm"  # $12 vs $50.12 over the year
    assert pick(100_000).choice == "ft"  # $1,200 vs $62
    low = pick(1000)
    assert any("At 1k predictions/month over 12 months llm costs $12.00" in r for r in low.reasons)
    # Without a volume: running cost decides, and the reason names the flip volume.
    rec, _ = recommend(ms, res, y, cost_model=model)
    assert rec.choice == "ft"
    assert any("below 4.2k predictions/month llm" in r for r in rec.reasons)


def test_the_reasons_name_the_task_metric_not_accuracy():
    # A reasoning task: the headline is exact match, and the words of the rule follow it.
    from taskfit.report.rule import rule_text

    best, cheap = _pair(300, 200, 60, 10)
    res = {n: _result(n, c) for n, c in {"lora": best, "nearest": cheap}.items()}
    y = {n: ["a"] * 300 for n in res}
    ms = []
    for name, correct, cost in (("lora", best, 0.001), ("nearest", cheap, 0.0001)):
        m = _metrics(name, correct, cost)
        ms.append(replace(m, scores={"exact_match": m.scores["accuracy"]}))
    rec, _ = recommend(ms, res, y)
    assert rec.choice == "lora"
    assert any("lora is better by exact match, beyond the" in r for r in rec.reasons)
    assert not any("accurate" in r for r in rec.reasons)
    assert rec.rule["metric"] == "exact match"
    assert "the best by exact match, unless a cheaper one" in rule_text(rec.rule)
    assert "its exact match loss ends within" in rule_text(rec.rule)
