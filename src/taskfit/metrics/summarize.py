"""Turn a :class:`UnitResult` into :class:`ApproachMetrics`, and compare approaches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from taskfit.metrics.cost import cost_per_1k
from taskfit.metrics.quality import metric_interval, paired_test, per_class_f1, per_example_scores
from taskfit.types import ApproachMetrics, Comparison, UnitResult

__all__ = ["compare_to_best", "scores_by_index", "summarize"]


def summarize(
    result: UnitResult,
    y_true: Sequence[str],
    *,
    usd_per_hour: float,
    price_in_per_1m: float | None = None,
    price_out_per_1m: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    metrics: Sequence[str] = ("accuracy", "macro_f1"),
) -> ApproachMetrics:
    """Quality with bootstrap intervals, latency, throughput and cost of one result.

    ``y_true[i]`` is the target of ``result.predictions[i]``; ``metrics`` are the task
    type's metric names, headline first (:mod:`taskfit.metrics.quality` implements them).
    Macro-F1 and per-class F1 use ``result.labels`` as the label space; a result without
    one (targets that are not labels) gets no per-class F1.
    Throughput is examples per second of summed per-example latency (0.0 when no
    latency was recorded). Cost is API list price when prices are given, else the
    summed latency as compute time at ``usd_per_hour``.
    """
    preds = result.predictions
    if len(y_true) != len(preds):
        raise ValueError(f"{result.name}: {len(y_true)} true labels for {len(preds)} predictions")
    n = len(preds)
    labels = result.labels or None
    scores = {
        name: metric_interval(name, y_true, preds, labels=labels, n_boot=n_boot, seed=seed)
        for name in metrics
    }

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
        scores=scores,
        per_class_f1=per_class_f1(y_true, preds, labels) if labels else {},
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


def scores_by_index(result: UnitResult, y_true: Sequence[str], metric: str) -> dict[int, float]:
    """Test index -> the result's per-example score of ``metric`` (1/0 for accuracy)."""
    if len(y_true) != len(result.predictions) or len(result.test_indices) != len(y_true):
        raise ValueError(f"{result.name}: test_indices, predictions and y_true differ in length")
    scores = per_example_scores(metric, y_true, result.predictions)
    return {i: float(s) for i, s in zip(result.test_indices, scores, strict=True)}


def compare_to_best(
    results_by_name: Mapping[str, UnitResult],
    y_true_by_name: Mapping[str, Sequence[str]],
    metrics: Mapping[str, ApproachMetrics] | Sequence[ApproachMetrics],
) -> tuple[str, list[Comparison]]:
    """Pick the best approach and test every other one against it, paired.

    Best = highest headline metric (accuracy for classification); ties go to the next
    metrics in order (macro-F1), then to the name that sorts first (so the choice is
    deterministic). The test is McNemar's on right/wrong scores, else a paired
    permutation test (:func:`~taskfit.metrics.quality.paired_test`). Every other approach in
    ``results_by_name`` is paired with the best on the test indices both were scored
    on; ``Comparison.n`` is that shared count (0 gives ``p_value = 1.0``).
    ``y_true_by_name[name]`` is aligned with ``results_by_name[name].predictions``.
    """
    by_name = dict(metrics) if isinstance(metrics, Mapping) else {m.name: m for m in metrics}
    if not by_name:
        raise ValueError("compare_to_best needs at least one approach")
    best_m = min(by_name.values(), key=lambda m: (*(-s.value for s in m.scores.values()), m.name))
    best, metric = best_m.name, best_m.headline_metric
    if best not in results_by_name:
        raise ValueError(f"best approach {best!r} has no result to compare against")
    best_correct = scores_by_index(results_by_name[best], y_true_by_name[best], metric)

    comparisons: list[Comparison] = []
    for name, result in results_by_name.items():
        if name == best:
            continue
        other = scores_by_index(result, y_true_by_name[name], metric)
        shared = sorted(best_correct.keys() & other.keys())
        test, p = paired_test([best_correct[i] for i in shared], [other[i] for i in shared])
        comparisons.append(Comparison(a=best, b=name, test=test, p_value=p, n=len(shared)))
    return best, comparisons
