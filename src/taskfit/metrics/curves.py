"""Score a label-budget sweep: per-budget means with intervals, power-law fits, crossovers.

The x axis is the number of training labels a learner actually saw (a per-class budget of
8 on 77 classes is about 616 labels), so curves of different budget units compare. The
interval of a budget's mean is a t-interval over seeds (what changes between seeds is which
labels were drawn); with one seed it is a bootstrap over test examples. A prompted
reference's value is its mean over seeds, its interval the spread of bootstrap draws that
resample both the seed and the test examples; those draws also carry the reference's own
uncertainty into the crossover interval.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from taskfit.metrics.curvefit import estimate_crossover, fit_with_uncertainty
from taskfit.metrics.quality import accuracy, bootstrap_interval, macro_f1
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
    name: str, runs: list[tuple[int, UnitResult, list[bool]]], n_draws: int, seed: int
) -> tuple[dict[str, Any], np.ndarray]:
    rng = np.random.default_rng(seed)
    correct = [np.asarray(c, dtype=float) for _, _, c in runs]
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
        "accuracy": value,
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
) -> CurveScores:
    """The ``curves`` section from the sweep's units and their results (same order)."""
    y_all = [e.label for e in dataset.test]
    learners: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    families: dict[str, str] = {}
    refs: dict[str, list[tuple[int, UnitResult, list[bool]]]] = defaultdict(list)
    for unit, res in zip(units, results, strict=True):
        y = [y_all[i] for i in res.test_indices]
        if unit.family == "prompt":
            correct = [a == b for a, b in zip(y, res.predictions, strict=True)]
            refs[res.name].append((unit.seed, res, correct))
            continue
        families[res.name] = res.family
        learners[res.name][int(unit.param("budget"))].append(
            {
                "budget": int(unit.param("budget")),
                "n_train_labels": res.n_train_labels,
                "seed": unit.seed,
                "accuracy": accuracy(y, res.predictions),
                "macro_f1": macro_f1(y, res.predictions, res.labels),
                "train_seconds": res.train_seconds,
                "_y": y,
                "_pred": res.predictions,
            }
        )
    references, draws = [], {}
    for name, runs in refs.items():
        doc, d = _reference(name, runs, n_draws=max(n_boot, 1000), seed=seed)
        references.append(doc)
        draws[name] = d
    best = max(references, key=lambda r: r["accuracy"], default=None)
    approaches = [
        _learner_curve(name, families[name], by_budget, best, draws, n_boot, seed)
        for name, by_budget in learners.items()
    ]
    section = {
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
    n_boot: int,
    seed: int,
) -> dict[str, Any]:
    summary = []
    by_labels: dict[int, list[float]] = {}
    points = []
    for budget in sorted(by_budget):
        pts = sorted(by_budget[budget], key=lambda p: p["seed"])
        accs = [p["accuracy"] for p in pts]
        if len(pts) > 1:
            lo, hi = _t_interval(accs)
        else:
            iv = bootstrap_interval(pts[0]["_y"], pts[0]["_pred"], "accuracy", seed=seed)
            lo, hi = iv.ci_low, iv.ci_high
        n_labels = float(np.mean([p["n_train_labels"] for p in pts]))
        summary.append(
            {
                "budget": budget,
                "n_train_labels": n_labels,
                "accuracy_mean": float(np.mean(accs)),
                "macro_f1_mean": float(np.mean([p["macro_f1"] for p in pts])),
                "ci_low": max(0.0, lo),
                "ci_high": min(1.0, hi),
                "n_seeds": len(pts),
            }
        )
        by_labels[max(1, round(n_labels))] = accs
        points += [{k: v for k, v in p.items() if not k.startswith("_")} for p in pts]
    fit = None
    if len(by_labels) >= 3:
        fit = fit_with_uncertainty(by_labels, n_boot=n_boot, seed=seed).to_json()
    crossover = None
    if best is not None:
        crossover = estimate_crossover(
            by_labels,
            best["accuracy"],
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
