"""Score a label-budget sweep: per-budget means with intervals, power-law fits, crossovers.

The x axis is the number of training labels a learner actually saw (a per-class budget of
8 on 77 classes is about 616 labels), so curves of different budget units compare. The
interval of a budget's mean is a t-interval over seeds (what changes between seeds is which
labels were drawn); with one seed it is a bootstrap over test examples. A prompted
reference's value is its mean over seeds, its interval the spread of bootstrap draws that
resample both the seed and the test examples; those draws also carry the reference's own
uncertainty into the crossover interval.

Points are scored with the task's headline metric (``metric``; accuracy for
classification, ROUGE-L for generation, exact match for reasoning): the section names it
under ``metric`` and its values sit under that name (``accuracy``, ``accuracy_mean``;
``rouge_l``, ``rouge_l_mean``). Macro-F1 is added where the task has a label set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from taskfit.metrics.curvefit import estimate_crossover, fit_with_uncertainty
from taskfit.metrics.quality import macro_f1, metric_interval, per_example_scores
from taskfit.types import Dataset, Unit, UnitResult

__all__ = ["CurveScores", "score_curves"]


@dataclass(frozen=True)
class CurveScores:
    section: dict[str, Any]  # the results.json `curves` section
    best_reference: str | None


def _t_interval(values: Sequence[float], alpha: float = 0.05) -> tuple[float, float]:
    from scipy import stats

    a = np.asarray(values, dtype=float)
    if a.size < 2 or float(a.std(ddof=1)) == 0.0:
        return float(a.mean()), float(a.mean())
    half = stats.t.ppf(1 - alpha / 2, a.size - 1) * a.std(ddof=1) / np.sqrt(a.size)
    return float(a.mean() - half), float(a.mean() + half)


def _reference(
    name: str,
    runs: list[tuple[int, UnitResult, np.ndarray]],
    metric: str,
    n_draws: int,
    seed: int,
) -> tuple[dict[str, Any], np.ndarray]:
    rng = np.random.default_rng(seed)
    correct = [c for _, _, c in runs]
    per_seed = [float(c.mean()) for c in correct]
    draws = np.empty(n_draws)
    for k in range(n_draws):
        c = correct[int(rng.integers(len(correct)))]
        draws[k] = c[rng.integers(0, c.size, size=c.size)].mean()
    value = float(np.mean(per_seed))
    lo, hi = (float(x) for x in np.percentile(draws, [2.5, 97.5]))
    first = runs[0][1]
    doc = {
        "name": name,
        "family": "prompt",
        "n_labels": first.n_train_labels,
        metric: value,
        "ci_low": min(lo, value),
        "ci_high": max(hi, value),
        "n_test": len(first.predictions),
        "per_seed": per_seed,
        "seeds": [s for s, _, _ in runs],
    }
    return doc, draws


def score_curves(
    dataset: Dataset,
    units: Sequence[Unit],
    results: Sequence[UnitResult],
    *,
    budgets: Sequence[int],
    seeds: Sequence[int],
    budget_unit: str,
    notes: Sequence[str] = (),
    n_boot: int = 200,
    seed: int = 0,
    metric: str = "accuracy",
    metric_title: str = "accuracy",
) -> CurveScores:
    """The ``curves`` section from the sweep's units and their results (same order);
    ``metric``: the task's headline metric (a mean over examples)."""
    y_all = [e.target for e in dataset.test]
    learners: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    families: dict[str, str] = {}
    refs: dict[str, list[tuple[int, UnitResult, np.ndarray]]] = defaultdict(list)
    for unit, res in zip(units, results, strict=True):
        y = [y_all[i] for i in res.test_indices]
        scores = per_example_scores(metric, y, res.predictions)
        if unit.family == "prompt":
            refs[res.name].append((unit.seed, res, scores))
            continue
        families[res.name] = res.family
        point: dict[str, Any] = {
            "budget": int(unit.param("budget")),
            "n_train_labels": res.n_train_labels,
            "seed": unit.seed,
            metric: float(scores.mean()) if scores.size else 0.0,
        }
        if dataset.labels:
            point["macro_f1"] = macro_f1(y, res.predictions, res.labels)
        point |= {"train_seconds": res.train_seconds, "_y": y, "_pred": res.predictions}
        learners[res.name][int(unit.param("budget"))].append(point)
    references, draws = [], {}
    for name, runs in refs.items():
        doc, d = _reference(name, runs, metric, n_draws=max(n_boot, 1000), seed=seed)
        references.append(doc)
        draws[name] = d
    best = max(references, key=lambda r: r[metric], default=None)
    approaches = [
        _learner_curve(name, families[name], by_budget, best, draws, metric, n_boot, seed)
        for name, by_budget in learners.items()
    ]
    section = {
        "metric": metric,
        "metric_title": metric_title,
        "budget_unit": budget_unit,
        "budgets": list(budgets),
        "seeds": list(seeds),
        "x": "training labels seen (mean over seeds)",
        "approaches": approaches,
        "references": references,
        "best_reference": best["name"] if best else None,
        "notes": list(notes),
    }
    return CurveScores(section, best["name"] if best else None)


def _learner_curve(
    name: str,
    family: str,
    by_budget: dict[int, list[dict[str, Any]]],
    best: dict[str, Any] | None,
    draws: dict[str, np.ndarray],
    metric: str,
    n_boot: int,
    seed: int,
) -> dict[str, Any]:
    summary = []
    by_labels: dict[int, list[float]] = {}
    points = []
    for budget in sorted(by_budget):
        pts = sorted(by_budget[budget], key=lambda p: p["seed"])
        accs = [p[metric] for p in pts]
        if len(pts) > 1:
            lo, hi = _t_interval(accs)
        else:
            iv = metric_interval(metric, pts[0]["_y"], pts[0]["_pred"], seed=seed)
            lo, hi = iv.ci_low, iv.ci_high
        n_labels = float(np.mean([p["n_train_labels"] for p in pts]))
        row: dict[str, Any] = {
            "budget": budget,
            "n_train_labels": n_labels,
            f"{metric}_mean": float(np.mean(accs)),
        }
        if "macro_f1" in pts[0]:
            row["macro_f1_mean"] = float(np.mean([p["macro_f1"] for p in pts]))
        row |= {"ci_low": max(0.0, lo), "ci_high": min(1.0, hi), "n_seeds": len(pts)}
        summary.append(row)
        by_labels[max(1, round(n_labels))] = accs
        points += [{k: v for k, v in p.items() if not k.startswith("_")} for p in pts]
    fit = None
    if len(by_labels) >= 3:
        fit = fit_with_uncertainty(by_labels, n_boot=n_boot, seed=seed).to_json()
    crossover = None
    if best is not None:
        crossover = estimate_crossover(
            by_labels,
            best[metric],
            reference_name=best["name"],
            approach_name=name,
            reference_draws=draws[best["name"]],
            n_boot=n_boot,
            seed=seed,
        ).to_json()
    return {
        "name": name,
        "family": family,
        "points": points,
        "summary": summary,
        "fit": fit,
        "crossover": crossover,
    }
