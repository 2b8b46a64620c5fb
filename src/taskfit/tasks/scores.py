"""Per-example scores of the metrics that are means over examples, by metric name.

They sit with the task types (below the run and metrics stages) because prompt selection
scores dev outputs with them while a unit runs; :mod:`taskfit.metrics.quality` adds
intervals, corpus metrics and paired tests on top. ``register_metric`` there adds to
:data:`PER_EXAMPLE`.

>>> PER_EXAMPLE["exact_match"](["12", "Paris"], ["12.0", "paris."])
[1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from taskfit.tasks.answers import normalize_answer

__all__ = [
    "PER_EXAMPLE",
    "ExampleScores",
    "correct",
    "exact_match_scores",
    "length_ratios",
    "rouge_l_scores",
]

ExampleScores = Callable[[Sequence[str], Sequence[str]], "Sequence[float] | np.ndarray"]


def correct(y_true: Sequence[str], y_pred: Sequence[str]) -> np.ndarray:
    """1.0 where the prediction equals the label, else 0.0 (accuracy's scores)."""
    return np.fromiter(
        (a == b for a, b in zip(y_true, y_pred, strict=True)), dtype=np.float64, count=len(y_true)
    )


def exact_match_scores(y_true: Sequence[str], y_pred: Sequence[str]) -> list[float]:
    """1.0 where the normalised answer equals the normalised reference, else 0.0."""
    return [
        float(normalize_answer(t) == normalize_answer(p))
        for t, p in zip(y_true, y_pred, strict=True)
    ]


@cache
def _rouge() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def rouge_l_scores(y_true: Sequence[str], y_pred: Sequence[str]) -> list[float]:
    """ROUGE-L F-measure of each output against its reference (``rouge-score``'s
    tokenisation, Porter stemming)."""
    scorer = _rouge()
    return [
        float(scorer.score(t, p)["rougeL"].fmeasure) for t, p in zip(y_true, y_pred, strict=True)
    ]


def length_ratios(y_true: Sequence[str], y_pred: Sequence[str]) -> list[float]:
    """Words of each output over words of its reference (an empty reference counts 1)."""
    return [len(p.split()) / max(1, len(t.split())) for t, p in zip(y_true, y_pred, strict=True)]


PER_EXAMPLE: dict[str, ExampleScores] = {
    "accuracy": correct,
    "exact_match": exact_match_scores,
    "rouge_l": rouge_l_scores,
    "length_ratio": length_ratios,
}
