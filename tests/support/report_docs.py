"""Made-up results documents (``results.json``) for the report tests: approach rows, a
task without a label set and the run's bookkeeping."""

from __future__ import annotations

from typing import Any


def interval(value: float, low: float, high: float) -> dict[str, float]:
    """A metric value with its confidence interval."""
    return {"value": value, "ci_low": low, "ci_high": high}


def approach_row(name: str, family: str, scores: dict[str, Any], cost: float) -> dict[str, Any]:
    """An approach's entry: ``scores`` by metric name and the running ``cost`` per 1k."""
    return {
        "name": name,
        "family": family,
        "model": name,
        "n_train_labels": 40,
        "n_test": 20,
        "metrics": scores,
        "latency_ms": {"p50": 12.0, "p95": 30.0},
        "throughput_per_s": 50.0,
        "train_seconds": 3.0,
        "tokens": {"prompt": 0, "completion": 0},
        "cost_per_1k_usd": cost,
        "cost_basis": "local compute",
        "parse_failures": 0,
        "llm_calls": {"made": 0, "cached": 0},
        "notes": [],
    }


def task_entry(
    task_type: str,
    source: str,
    columns: tuple[str, str],
    metrics: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """The ``task`` of 40 training and 20 test examples of ``source`` (``columns``: the
    text and target columns) with no label set; no ``metrics`` key when ``metrics`` is
    None."""
    text, label = columns
    task: dict[str, Any] = {
        "type": task_type,
        "labels": [],
        "n_train": 40,
        "n_test": 20,
        "data_hash": "0123456789abcdef",
        "source": source,
        "test_source": None,
        "columns": {"text": text, "text_pair": None, "label": label},
        "notes": [],
    }
    if metrics is not None:
        task["metrics"] = metrics
    return task


def results_doc(
    approaches: list[dict[str, Any]], task: dict[str, Any], choice: str, reason: str
) -> dict[str, Any]:
    """A document of ``approaches`` on ``task`` recommending ``choice`` for ``reason``."""
    return {
        "schema_version": 1,
        "taskfit_version": "0",
        "created_at": "2025-01-01T00:00:00+00:00",
        "run_id": "20250101-000000-abcd1234",
        "task": task,
        "approaches": approaches,
        "comparisons": [],
        "run_stats": {
            "llm_calls_made": 0,
            "llm_calls_cached": 0,
            "units_run": 2,
            "units_cached": 0,
            "wall_seconds": 1.0,
        },
        "recommendation": {
            "choice": choice,
            "reasons": [reason],
            "warnings": [],
            "prior": None,
            "agrees_with_prior": None,
            "rule": {},
        },
        "settings": {"command": "compare"},
    }
