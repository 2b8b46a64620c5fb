"""Build ``results.json`` (schema_version 1, see DESIGN.md). Never rename a field;
later stages only add sections.

The document is assembled here only, from typed results: :func:`build_results` makes the
headline document, :func:`add_sections` adds a workflow's sections (typed records are
serialised with their ``to_json``), :func:`set_recommendation` records the final reasons
and warnings, :func:`set_plots` the figure files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from taskfit.jsonable import jsonable
from taskfit.metrics.confusion import best_for_confusion, confusion_matrix
from taskfit.metrics.prompting import is_derived
from taskfit.tasks import get_task
from taskfit.types import ApproachMetrics, Comparison, Dataset, Recommendation, UnitResult
from taskfit.version import __version__

__all__ = [
    "SCHEMA_VERSION",
    "add_sections",
    "build_results",
    "set_plots",
    "set_recommendation",
]

SCHEMA_VERSION = 1


def _comparison(c: Comparison) -> dict[str, Any]:
    """McNemar's p-value and, when measured, the non-inferiority test of ``b`` vs ``a``."""
    return {
        "a": c.a,
        "b": c.b,
        "test": c.test,
        "p_value": c.p_value,
        "n": c.n,
        "difference": None if c.difference is None else c.difference.to_json(),
        "verdict": c.verdict,
        "n_needed": c.n_needed,
    }


def _approach(m: ApproachMetrics, r: UnitResult) -> dict[str, Any]:
    return {
        "name": m.name,
        "family": m.family,
        "model": m.model,
        "n_train_labels": m.n_train_labels,
        "n_test": m.n_test,
        "metrics": {
            **{name: score.to_json() for name, score in m.scores.items()},
            **({"per_class_f1": m.per_class_f1} if r.labels else {}),
        },
        "latency_ms": {"p50": m.latency_p50_ms, "p95": m.latency_p95_ms},
        "throughput_per_s": m.throughput_per_s,
        "train_seconds": m.train_seconds,
        "tokens": {"prompt": m.prompt_tokens, "completion": m.completion_tokens},
        "cost_per_1k_usd": m.cost_per_1k_usd,
        "cost_basis": m.cost_basis,
        "parse_failures": m.parse_failures,
        "llm_calls": {"made": r.llm_calls_made, "cached": r.llm_calls_cached},
        "notes": list(r.notes),
    }


def _confusion(
    dataset: Dataset, metrics: Sequence[ApproachMetrics], results: Mapping[str, UnitResult]
) -> dict[str, Any]:
    """Confusion matrices of the two most accurate approaches (baselines only when fewer
    than two others exist): rows are true labels, columns predicted labels in the same
    order plus a last ``"(other)"`` column for predictions outside the label space."""
    labels = list(dataset.labels)
    # Corrected variants of a prompted approach would show the same model twice.
    names = best_for_confusion(
        [(m.name, m.family, m.accuracy.value) for m in metrics if not is_derived(m.name)]
    )
    approaches = []
    for name in names:
        r = results[name]
        truth = [dataset.test[i].label for i in r.test_indices]
        approaches.append(
            {
                "name": name,
                "n": len(truth),
                "matrix": confusion_matrix(truth, r.predictions, labels),
            }
        )
    return {"labels": labels, "approaches": approaches}


def build_results(
    *,
    run_id: str,
    dataset: Dataset,
    metrics: Sequence[ApproachMetrics],
    results: Mapping[str, UnitResult],
    comparisons: Sequence[Comparison],
    recommendation: Recommendation,
    run_stats: Mapping[str, Any],
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    """The results document; ``settings`` records what is needed to reproduce the run."""
    task = get_task(dataset.task)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "taskfit_version": __version__,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "run_id": run_id,
        "task": {
            "type": dataset.task,
            "metrics": [
                {"name": m.name, "title": m.title, "higher_is_better": m.higher_is_better}
                for m in task.metrics
            ],
            "labels": list(dataset.labels),
            "n_train": len(dataset.train),
            "n_test": len(dataset.test),
            "data_hash": dataset.data_hash,
            "source": dataset.source,
            "test_source": dataset.test_source,
            "columns": {
                "text": dataset.text_col,
                "text_pair": dataset.text_pair_col,
                "label": dataset.label_col,
            },
            "notes": list(dataset.notes),
        },
        "approaches": [_approach(m, results[m.name]) for m in metrics],
        "comparisons": [_comparison(c) for c in comparisons],
        "run_stats": dict(run_stats),
        "recommendation": {
            "choice": recommendation.choice,
            "reasons": list(recommendation.reasons),
            "warnings": list(recommendation.warnings),
            "prior": recommendation.prior,
            "agrees_with_prior": recommendation.agrees_with_prior,
            "rule": dict(recommendation.rule),
        },
        "settings": dict(settings),
    }
    if task.applies("confusion"):
        doc["confusion"] = _confusion(dataset, metrics, results)
    return doc


def add_sections(doc: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """Add (or replace) top-level sections; typed records become their JSON form."""
    for key, value in sections.items():
        doc[key] = jsonable(value)
    return doc


def set_recommendation(doc: dict[str, Any], recommendation: Recommendation) -> None:
    """Record the recommendation's final reasons and warnings (after the prompting
    diagnostics and the trust measures had their say)."""
    doc["recommendation"]["reasons"] = list(recommendation.reasons)
    doc["recommendation"]["warnings"] = list(recommendation.warnings)


def set_plots(doc: dict[str, Any], names: Sequence[str]) -> None:
    """List the figure files written beside results.json."""
    doc["plots"] = list(names)
