"""Label-budget curves of free-text tasks: scored with the task's headline metric."""

from __future__ import annotations

import json

import numpy as np
import pytest

from taskfit.errors import UsageError
from taskfit.metrics.curves import score_curves
from taskfit.tasks.scores import exact_match_scores, rouge_l_scores
from taskfit.types import Dataset, Example, Unit, UnitResult
from taskfit.workflows.curve import curve_demo


def _dataset(task: str, targets: list[str]) -> Dataset:
    test = tuple(Example(f"question {k}", t) for k, t in enumerate(targets))
    return Dataset(test, test, (), "d", "", "text", "answer", task=task)


def _result(name: str, family: str, preds: list[str]) -> UnitResult:
    n = len(preds)
    return UnitResult(
        unit_key=name,
        name=name,
        family=family,  # type: ignore[arg-type]
        model="",
        labels=(),
        test_indices=tuple(range(n)),
        predictions=tuple(preds),
        probabilities=((),) * n,
        latency_ms=(1.0,) * n,
        n_train_labels=4,
        train_seconds=0.0,
    )


def test_points_and_references_use_the_task_metric():
    gold = ["a red chair", "a blue lamp", "a tall shelf", "a small desk"]
    ds = _dataset("generation", gold)
    learner = ["a red chair", "a lamp", "shelf", "nothing here"]
    ref = ["a red chair", "a blue lamp", "x", "y"]
    units = [
        Unit("nearest-output", "baseline", "", "h", (0, 1, 2, 3), 0, (("budget", 4),)),
        Unit("zero-shot", "prompt", "fake", "h", (0, 1, 2, 3), 0, ()),
    ]
    results = [_result("nearest-output", "baseline", learner), _result("zero-shot", "prompt", ref)]
    sec = score_curves(
        ds,
        units,
        results,
        budgets=[4],
        seeds=[0],
        budget_unit="total",
        metric="rouge_l",
        metric_title="ROUGE-L",
    ).section
    assert (sec["metric"], sec["metric_title"]) == ("rouge_l", "ROUGE-L")
    (curve,) = sec["approaches"]
    (point,) = curve["points"]
    expected = float(np.mean(rouge_l_scores(gold, learner)))
    assert point["rouge_l"] == pytest.approx(expected)
    assert "accuracy" not in point and "macro_f1" not in point  # no label set
    assert curve["summary"][0]["rouge_l_mean"] == pytest.approx(expected)
    (reference,) = sec["references"]
    assert reference["rouge_l"] == pytest.approx(float(np.mean(rouge_l_scores(gold, ref))))
    assert reference["ci_low"] <= reference["rouge_l"] <= reference["ci_high"]


def test_reasoning_curve_scores_exact_match():
    gold = ["12", "7", "3.5", "40"]
    ds = _dataset("reasoning", gold)
    preds = ["12", "7.0", "4", "40"]
    unit = Unit("lora", "finetune", "", "h", (0, 1, 2, 3), 0, (("budget", 4),))
    sec = score_curves(
        ds,
        [unit],
        [_result("lora", "finetune", preds)],
        budgets=[4],
        seeds=[0],
        budget_unit="total",
        metric="exact_match",
    ).section
    value = sec["approaches"][0]["points"][0]["exact_match"]
    assert value == pytest.approx(float(np.mean(exact_match_scores(gold, preds))))
    assert value == pytest.approx(0.75)  # "7.0" normalises to "7"; "4" is wrong


def test_generation_demo_curve_end_to_end(tmp_path):
    res = curve_demo(
        task="generation",
        approaches=("nearest-output",),
        prompted=(),
        budgets=(10, 50, 400),
        seeds=2,
        plots=False,
        home=str(tmp_path / "h"),
        out=str(tmp_path / "out"),
    )
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    sec = doc["curves"]
    assert sec["metric"] == "rouge_l" and sec["budgets"] == [
        10,
        50,
        200,
    ]  # 400 capped at the 200 pairs
    (curve,) = sec["approaches"]
    means = [s["rouge_l_mean"] for s in curve["summary"]]
    assert all(0 < m < 1 for m in means)
    assert means[-1] > means[0]  # more pairs to retrieve from help the retrieval floor
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "ROUGE-L by label budget" in summary
    assert res.section == sec


def test_per_class_budgets_are_refused_for_free_text(tmp_path):
    with pytest.raises(UsageError, match="--per-class needs classes"):
        curve_demo(
            task="reasoning",
            approaches=("nearest-output",),
            prompted=(),
            per_class=True,
            home=str(tmp_path / "h"),
            out=str(tmp_path / "out"),
        )
