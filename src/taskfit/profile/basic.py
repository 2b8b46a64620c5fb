"""Label counts, class balance, label type and text lengths (characters and model tokens)."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from taskfit.types import Dataset, LengthStats

__all__ = ["char_lengths", "label_stats", "label_type", "token_lengths"]

# A label column is "numeric" (a regression-like target) when every label parses as a
# number and the values are not a small set of class codes: some value is fractional,
# or there are more than this many distinct values.
NUMERIC_DISTINCT_MIN = 20


def label_type(labels: Sequence[str]) -> str:
    """``"numeric"`` for a regression-like target, else ``"categorical"``.

    >>> label_type(["0", "1", "1"]), label_type([str(x / 10) for x in range(30)])
    ('categorical', 'numeric')
    """
    values = []
    for lab in set(labels):
        try:
            v = float(lab)
        except ValueError:
            return "categorical"
        if not math.isfinite(v):
            return "categorical"
        values.append(v)
    fractional = any(v != int(v) for v in values)
    return "numeric" if fractional or len(values) > NUMERIC_DISTINCT_MIN else "categorical"


def label_stats(dataset: Dataset) -> dict[str, object]:
    """Train/test label counts, examples per class (min, median) and imbalance ratio."""
    train = Counter(e.label for e in dataset.train)
    test = Counter(e.label for e in dataset.test)
    counts = [train[lab] for lab in dataset.labels]
    return {
        "label_counts": {lab: train[lab] for lab in dataset.labels},
        "test_label_counts": {lab: test[lab] for lab in dataset.labels},
        "min_per_class": min(counts),
        "median_per_class": float(statistics.median(counts)),
        "imbalance_ratio": max(counts) / max(1, min(counts)),
    }


def _stats(lengths: np.ndarray, unit: str, context: int | None = None) -> LengthStats:
    share = None if context is None else float(np.mean(lengths > context))
    return LengthStats(
        unit=unit,
        p50=float(np.percentile(lengths, 50)),
        p95=float(np.percentile(lengths, 95)),
        max=int(lengths.max()),
        context=context,
        share_truncated=share,
    )


def char_lengths(texts: Sequence[str]) -> LengthStats:
    return _stats(np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)), "chars")


def token_lengths(
    texts: Sequence[str], count: Callable[[str], int], unit: str, context: int | None
) -> LengthStats:
    """Lengths in a model's tokens; ``share_truncated`` = rows longer than ``context``
    (None: no context to compare with)."""
    lengths = np.fromiter((count(t) for t in texts), dtype=np.int64, count=len(texts))
    return _stats(lengths, unit, context)
