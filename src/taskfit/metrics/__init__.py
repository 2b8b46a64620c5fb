"""Metrics stage: quality with confidence intervals, significance tests, latency and cost.

``UnitResult`` -> :func:`summarize` -> ``ApproachMetrics``; :func:`compare_to_best`
tests every approach against the best one on the examples they share.
"""

from __future__ import annotations

from taskfit.metrics import spans as _spans  # noqa: F401  (registers the entity metrics)
from taskfit.metrics import text as _text  # noqa: F401  (registers the free-text metrics)
from taskfit.metrics.cost import (
    DEFAULT_PRICES,
    DEFAULT_USD_PER_HOUR,
    cost_per_1k,
    load_price_file,
    price_for,
)
from taskfit.metrics.quality import (
    MetricName,
    accuracy,
    bootstrap_interval,
    macro_f1,
    mcnemar,
    per_class_f1,
)
from taskfit.metrics.summarize import compare_to_best, summarize

__all__ = [
    "DEFAULT_PRICES",
    "DEFAULT_USD_PER_HOUR",
    "MetricName",
    "accuracy",
    "bootstrap_interval",
    "compare_to_best",
    "cost_per_1k",
    "load_price_file",
    "macro_f1",
    "mcnemar",
    "per_class_f1",
    "price_for",
    "summarize",
]
