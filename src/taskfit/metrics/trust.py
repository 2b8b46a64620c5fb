"""Trust sections of `results.json`: calibration, robustness, ood, shortcuts, selective,
groups.

Each builder takes finished unit results (headline and on derived datasets) and returns
the JSON section. Results pair up by test index: a trust unit's prediction for test
example ``i`` is compared with the headline prediction for the same ``i``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from taskfit.metrics.bias import label_bias, recency_bias
from taskfit.metrics.calibration import (
    apply_temperature,
    calibration_report,
    content_free_prior,
    contextual_calibrate,
    fit_temperature,
)
from taskfit.metrics.robustness import group_report, ood_gap, perturbation_score
from taskfit.metrics.selective import selective_report
from taskfit.types import Dataset, UnitResult

__all__ = [
    "calibration_section",
    "groups_section",
    "masked_scores",
    "ood_section",
    "prompt_bias",
    "robustness_section",
    "selective_section",
]


def _arrays(r: UnitResult, dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities (n, k) and true label columns; a true label outside the label space
    (possible on OOD data) gets column -1."""
    col = {lab: j for j, lab in enumerate(r.labels)}
    probs = np.asarray(r.probabilities, dtype=float)
    y = np.array([col.get(dataset.test[i].label, -1) for i in r.test_indices], dtype=int)
    return probs, y


def _preds(r: UnitResult) -> dict[int, str]:
    return dict(zip(r.test_indices, r.predictions, strict=True))


def calibration_section(
    dataset: Dataset,
    headline: Sequence[UnitResult],
    dev: Mapping[str, UnitResult],
    dev_dataset: Dataset | None,
    content_free: Mapping[str, UnitResult],
    *,
    n_bins: int = 15,
) -> dict[str, Any]:
    """ECE (equal-width and equal-mass), Brier, NLL and reliability bins of every
    approach; temperature scaling fitted on the dev split and applied to the test
    predictions; contextual calibration of prompted approaches as a separate variant."""
    rows = []
    for r in headline:
        probs, y = _arrays(r, dataset)
        entry: dict[str, Any] = {
            "name": r.name,
            "family": r.family,
            "n": len(y),
            "uncalibrated": calibration_report(probs, y, n_bins=n_bins).to_json(),
            "temperature": None,
            "contextual": None,
        }
        d = dev.get(r.name)
        if d is not None and dev_dataset is not None:
            dprobs, dy = _arrays(d, dev_dataset)
            t = fit_temperature(dprobs, dy)
            entry["temperature"] = {
                "t": t,
                "fitted_on_n": len(dy),
                "after": calibration_report(
                    apply_temperature(probs, t), y, n_bins=n_bins
                ).to_json(),
            }
        cf = content_free.get(r.name)
        if cf is not None:
            prior = content_free_prior(np.asarray(cf.probabilities, dtype=float))
            q = contextual_calibrate(probs, prior)
            entry["contextual"] = {
                "prior": {lab: float(p) for lab, p in zip(r.labels, prior, strict=True)},
                "n_content_free": len(cf.test_indices),
                "accuracy_before": float(np.mean(probs.argmax(1) == y)),
                "accuracy_after": float(np.mean(q.argmax(1) == y)),
                "after": calibration_report(q, y, n_bins=n_bins).to_json(),
            }
        rows.append(entry)
    return {
        "n_bins": n_bins,
        "dev_n": None if dev_dataset is None else len(dev_dataset.test),
        "approaches": rows,
    }


def _paired(
    kind: str,
    dataset: Dataset,
    clean: UnitResult,
    other: UnitResult,
    changed: Sequence[bool],
    seed: int,
) -> dict[str, Any] | None:
    """Clean vs changed-input predictions on the test indices both have."""
    base = _preds(clean)
    idx = [i for i in other.test_indices if i in base]
    if not idx:
        return None
    mine = _preds(other)
    score = perturbation_score(
        kind,
        [dataset.test[i].label for i in idx],
        [base[i] for i in idx],
        [mine[i] for i in idx],
        n_changed=sum(bool(changed[i]) for i in idx) if changed else 0,
        seed=seed,
    )
    return score.to_json()


def robustness_section(
    dataset: Dataset,
    headline: Sequence[UnitResult],
    perturbed: Mapping[str, tuple[Sequence[bool], Mapping[str, UnitResult]]],
    descriptions: Mapping[str, str],
    *,
    seed: int = 0,
) -> dict[str, Any]:
    """Accuracy under each perturbation, the drop vs clean (paired interval) and the
    prediction flip rate, per approach. ``perturbed``: kind -> (changed flags, results
    by approach name)."""
    rows = []
    for r in headline:
        results = []
        for kind, (changed, by_name) in perturbed.items():
            other = by_name.get(r.name)
            if other is None:
                continue
            scored = _paired(kind, dataset, r, other, changed, seed)
            if scored is not None:
                results.append(scored)
        rows.append({"name": r.name, "family": r.family, "perturbations": results})
    return {
        "seed": seed,
        "kinds": [{"kind": k, "description": descriptions.get(k, "")} for k in perturbed],
        "approaches": rows,
    }


def masked_scores(
    dataset: Dataset,
    headline: Sequence[UnitResult],
    changed: Sequence[bool],
    masked: Mapping[str, UnitResult],
    *,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Accuracy change of each approach when the shortcut tokens are masked."""
    out = []
    for r in headline:
        other = masked.get(r.name)
        if other is None:
            continue
        scored = _paired("masked", dataset, r, other, changed, seed)
        if scored is not None:
            out.append({"name": r.name, "family": r.family, **scored})
    return out


def prompt_bias(
    dataset: Dataset,
    headline: Sequence[UnitResult],
    orders: Mapping[str, tuple[Sequence[UnitResult], Sequence[str]]],
) -> list[dict[str, Any]]:
    """Majority-label bias of every prompted approach; recency bias of few-shot prompts
    from shuffled demonstration orders (``orders``: name -> (results of orders 1.., last
    demonstration label of orders 0..))."""
    out = []
    for r in headline:
        if r.family != "prompt":
            continue
        truth = [dataset.test[i].label for i in r.test_indices]
        entry: dict[str, Any] = {
            "name": r.name,
            "label_bias": label_bias(truth, list(r.predictions), r.labels).to_json(),
            "recency": None,
        }
        if r.name in orders:
            others, last = orders[r.name]
            base = _preds(r)
            idx = [i for i in others[0].test_indices if i in base] if others else []
            if idx:
                runs = [[base[i] for i in idx]] + [[_preds(o)[i] for i in idx] for o in others]
                entry["recency"] = recency_bias(
                    [dataset.test[i].label for i in idx], runs, list(last)
                ).to_json()
        out.append(entry)
    return out


def ood_section(
    dataset: Dataset,
    n_id: int,
    results: Sequence[UnitResult],
    *,
    source: str,
    notes: Sequence[str] = (),
    seed: int = 0,
) -> dict[str, Any]:
    """In-distribution vs OOD accuracy and the gap per approach (``dataset`` is the OOD
    variant: its first ``n_id`` test examples are in-distribution)."""
    train_labels = {e.label for e in dataset.train}
    rows = []
    for r in results:
        preds = _preds(r)
        ids = [i for i in r.test_indices if i < n_id]
        ood = [i for i in r.test_indices if i >= n_id]
        if not ids or not ood:
            continue
        gap = ood_gap(
            [dataset.test[i].label for i in ids],
            [preds[i] for i in ids],
            [dataset.test[i].label for i in ood],
            [preds[i] for i in ood],
            train_labels=train_labels,
            seed=seed,
        )
        rows.append({"name": r.name, "family": r.family, **gap.to_json()})
    return {
        "source": source,
        "n_id": n_id,
        "n_ood": len(dataset.test) - n_id,
        "notes": list(notes),
        "approaches": rows,
    }


def selective_section(
    dataset: Dataset, headline: Sequence[UnitResult], *, target: float | None
) -> dict[str, Any]:
    """Accuracy-coverage curve, AURC and coverage at the target accuracy per approach,
    with the top-label probability as the confidence."""
    rows = []
    for r in headline:
        probs, y = _arrays(r, dataset)
        conf = probs.max(axis=1)
        correct = probs.argmax(axis=1) == y
        rep = selective_report(conf, correct, target=target)
        rows.append({"name": r.name, "family": r.family, **rep.to_json()})
    return {"target_accuracy": target, "approaches": rows}


def groups_section(
    dataset: Dataset, headline: Sequence[UnitResult], column: str, *, seed: int = 0
) -> dict[str, Any]:
    """Per-group accuracy and the worst-group gap of every approach on the test set."""
    rows = []
    for r in headline:
        groups = [dataset.test[i].group or "" for i in r.test_indices]
        truth = [dataset.test[i].label for i in r.test_indices]
        rep = group_report(truth, list(r.predictions), groups, min_n=5, seed=seed)
        rows.append({"name": r.name, "family": r.family, **rep.to_json()})
    return {"column": column, "min_n": 5, "approaches": rows}
