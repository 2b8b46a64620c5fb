"""Turn a :class:`UnitResult` into :class:`ApproachMetrics`, and compare approaches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from taskfit.metrics.cost import cost_per_1k
from taskfit.metrics.quality import bootstrap_interval, mcnemar, per_class_f1
from taskfit.types import ApproachMetrics, Comparison, UnitResult

__all__ = ["compare_to_best", "summarize"]


def summarize(
    result: UnitResult,
    y_true: Sequence[str],
    *,
    usd_per_hour: float,
    price_in_per_1m: float | None = None,
    price_out_per_1m: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> ApproachMetrics:
    """Quality with bootstrap intervals, latency, throughput and cost of one result.

    ``y_true[i]`` is the true label of ``result.predictions[i]``. Macro-F1 uses
    ``result.labels`` as the label space (see :mod:`taskfit.metrics.quality`).
    Throughput is examples per second of summed per-example latency (0.0 when no
    latency was recorded). Cost is API list price when prices are given, else the
    summed latency as compute time at ``usd_per_hour``.
    """
    preds = result.predictions
    if len(y_true) != len(preds):
        raise ValueError(f"{result.name}: {len(y_true)} true labels for {len(preds)} predictions")
    n = len(preds)
    labels = result.labels or None
    acc = bootstrap_interval(y_true, preds, "accuracy", n_boot=n_boot, seed=seed)
    mf1 = bootstrap_interval(y_true, preds, "macro_f1", labels=labels, n_boot=n_boot, seed=seed)

    lat = np.asarray(result.latency_ms, dtype=np.float64)
    if lat.size:
        p50, p95 = (float(x) for x in np.percentile(lat, [50.0, 95.0]))
    else:
        p50 = p95 = 0.0
    # The latencies may be a sample of the predictions (learners time single requests
    # on a subset), so scale their mean to the n predictions.
    total_s = float(lat.mean()) * n / 1000.0 if lat.size else 0.0
    throughput = n / total_s if total_s > 0 else 0.0

    cost, basis = cost_per_1k(
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        n_examples=n,
        price_in_per_1m=price_in_per_1m,
        price_out_per_1m=price_out_per_1m,
        compute_seconds=total_s,
        usd_per_hour=usd_per_hour,
    )
    return ApproachMetrics(
        name=result.name,
        family=result.family,
        model=result.model,
        n_train_labels=result.n_train_labels,
        n_test=n,
        accuracy=acc,
        macro_f1=mf1,
        per_class_f1=per_class_f1(y_true, preds, labels),
        latency_p50_ms=p50,
        latency_p95_ms=p95,
        throughput_per_s=throughput,
        train_seconds=result.train_seconds,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        cost_per_1k_usd=cost,
        cost_basis=basis,
        parse_failures=result.parse_failures,
    )


def _correct_by_index(result: UnitResult, y_true: Sequence[str]) -> dict[int, bool]:
    if len(y_true) != len(result.predictions) or len(result.test_indices) != len(y_true):
        raise ValueError(f"{result.name}: test_indices, predictions and y_true differ in length")
    return {
        i: t == p for i, t, p in zip(result.test_indices, y_true, result.predictions, strict=True)
    }


def compare_to_best(
    results_by_name: Mapping[str, UnitResult],
    y_true_by_name: Mapping[str, Sequence[str]],
    metrics: Mapping[str, ApproachMetrics] | Sequence[ApproachMetrics],
) -> tuple[str, list[Comparison]]:
    """Pick the best approach and test every other one against it with McNemar.

    Best = highest accuracy; ties go to higher macro-F1, then to the name that sorts
    first (so the choice is deterministic). Every other approach in
    ``results_by_name`` is paired with the best on the test indices both were scored
    on; ``Comparison.n`` is that shared count (0 gives ``p_value = 1.0``).
    ``y_true_by_name[name]`` is aligned with ``results_by_name[name].predictions``.
    """
    by_name = dict(metrics) if isinstance(metrics, Mapping) else {m.name: m for m in metrics}
    if not by_name:
        raise ValueError("compare_to_best needs at least one approach")
    best = min(by_name.values(), key=lambda m: (-m.accuracy.value, -m.macro_f1.value, m.name)).name
    if best not in results_by_name:
        raise ValueError(f"best approach {best!r} has no result to compare against")
    best_correct = _correct_by_index(results_by_name[best], y_true_by_name[best])

    comparisons: list[Comparison] = []
    for name, result in results_by_name.items():
        if name == best:
            continue
        other = _correct_by_index(result, y_true_by_name[name])
        shared = sorted(best_correct.keys() & other.keys())
        p = mcnemar([best_correct[i] for i in shared], [other[i] for i in shared])
        comparisons.append(Comparison(a=best, b=name, test="mcnemar", p_value=p, n=len(shared)))
    return best, comparisons
