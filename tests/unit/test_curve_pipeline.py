"""The curve pipeline with the fake backend and fast learners: sections, caching, resume."""

from __future__ import annotations

import json

import pytest

from taskfit.errors import UsageError
from taskfit.run.execute import ProgressHook
from taskfit.workflows.curve import curve_demo

FAST = {"approaches": ("tfidf-lr",), "llms": ("fake",), "plots": False}


class KillAfter(ProgressHook):
    """Interrupts the sweep after ``n`` freshly computed units, like Ctrl-C would."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.done = 0

    def unit_finished(self, unit, cached):  # type: ignore[no-untyped-def]
        if not cached:
            self.done += 1
            if self.done == self.n:
                raise KeyboardInterrupt


def test_curve_sections_points_and_references(tmp_path):
    res = curve_demo(
        **FAST,
        prompted=("zero-shot", "few-shot"),
        budgets=(8, 32, 1000),
        seeds=3,
        max_test=40,
        home=str(tmp_path / "h"),
        out=str(tmp_path / "out"),
    )
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    sec = doc["curves"]
    assert sec == res.section
    assert sec["budgets"] == [8, 32, 342]  # 1000 capped at the 342 training examples
    assert any("capped" in n for n in sec["notes"])
    (tfidf,) = sec["approaches"]
    assert [s["budget"] for s in tfidf["summary"]] == [8, 32, 342]
    assert len(tfidf["points"]) == 9 and {p["seed"] for p in tfidf["points"]} == {0, 1, 2}
    for s in tfidf["summary"]:
        assert 0 <= s["ci_low"] <= s["accuracy_mean"] <= s["ci_high"] <= 1
    means = [s["accuracy_mean"] for s in tfidf["summary"]]
    assert means[-1] > means[0]  # more labels help TF-IDF on the demo
    refs = {r["name"]: r for r in sec["references"]}
    assert len(refs["zero-shot@fake"]["per_seed"]) == 1  # no randomness: run once
    assert len(refs["few-shot@fake"]["per_seed"]) == 3
    assert refs["few-shot@fake"]["n_test"] == 40
    assert tfidf["crossover"]["reference"] == sec["best_reference"]
    assert tfidf["fit"] is not None and 0 <= tfidf["fit"]["a"] <= 1
    # the headline table and the cost model cover the references and the full-budget point
    names = [a["name"] for a in doc["approaches"]]
    assert names[:3] == ["zero-shot@fake", "few-shot@fake", "tfidf-lr"]  # then corrected variants
    assert [c["name"] for c in doc["cost_model"]["approaches"]] == names
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert summary.startswith("# taskfit learning curves")
    assert "## Learning curves" in summary and "## Cost model" in summary
    assert tfidf["crossover"]["message"] in summary


def test_killed_sweep_resumes_without_recomputing(tmp_path):
    kw = dict(FAST, prompted=("zero-shot",), budgets=(8, 16, 64), seeds=2, max_test=20)
    home = str(tmp_path / "h")
    with pytest.raises(KeyboardInterrupt):
        curve_demo(**kw, home=home, out=str(tmp_path / "o1"), hook=KillAfter(4))
    res = curve_demo(**kw, home=home, out=str(tmp_path / "o2"))
    stats = res.results_json["run_stats"]
    total = 1 + 3 * 2  # zero-shot once, tfidf at 3 budgets x 2 seeds
    assert (stats["units_cached"], stats["units_run"]) == (4, total - 4)
    again = curve_demo(**kw, home=home, out=str(tmp_path / "o3"))
    assert again.results_json["run_stats"]["units_run"] == 0
    assert again.section["approaches"] == res.section["approaches"]


def test_per_class_budgets_report_small_classes(tmp_path):
    res = curve_demo(
        **FAST,
        prompted=(),
        budgets=(2, 60),
        per_class=True,
        seeds=1,
        home=str(tmp_path / "h"),
        out=str(tmp_path / "o"),
    )
    sec = res.section
    assert sec["budget_unit"] == "per_class" and sec["references"] == []
    (tfidf,) = sec["approaches"]
    assert tfidf["crossover"] is None  # nothing prompted to cross
    assert tfidf["summary"][0]["n_train_labels"] == 16  # 2 per class x 8 intents
    assert any("fewer examples" in n for n in sec["notes"])


def test_bad_options_write_nothing(tmp_path):
    home = tmp_path / "h"
    with pytest.raises(UsageError, match="cannot be swept"):
        curve_demo(approaches=("zero-shot",), llms=("fake",), home=str(home))
    with pytest.raises(UsageError, match="--seeds"):
        curve_demo(**FAST, seeds=0, home=str(home))
    assert not home.exists()
