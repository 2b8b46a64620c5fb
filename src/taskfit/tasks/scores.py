"""Per-example scores of the metrics that are means over examples, by metric name.

They sit with the task types (below the run and metrics stages) because prompt selection
scores dev outputs with them while a unit runs; :mod:`taskfit.metrics.quality` adds
intervals, corpus metrics and paired tests on top. ``register_metric`` there adds to
:data:`PER_EXAMPLE`.

>>> PER_EXAMPLE["exact_match"](["12", "Paris"], ["12.0", "paris."])
[1.0, 1.0]
"""

from __future__ import annotations

from collections import Counter
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
    "token_f1_scores",
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


def _token_f1(truth: str, pred: str) -> float:
    t, p = normalize_answer(truth).split(), normalize_answer(pred).split()
    if not t or not p:
        return float(t == p)
    common = sum((Counter(t) & Counter(p)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(t)
    return 2 * precision * recall / (precision + recall)


def token_f1_scores(y_true: Sequence[str], y_pred: Sequence[str]) -> list[float]:
    """SQuAD's token F1 of each answer against its reference: the harmonic mean of the
    precision and recall of their shared words (bag of words, after
    :func:`~taskfit.tasks.answers.normalize_answer`). An answer or reference that says the
    documents do not answer ("not in the documents") scores 1 only against the same.

    >>> token_f1_scores(["14 days", "not in the documents"], ["within 14 days", "14 days"])
    [0.8, 0.0]
    """
    from taskfit.tasks.qa import is_no_answer

    out = []
    for t, p in zip(y_true, y_pred, strict=True):
        nt, np_ = is_no_answer(t), is_no_answer(p)
        out.append(float(nt == np_) if nt or np_ else _token_f1(t, p))
    return out


def _text_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> list[float]:
    from taskfit.tasks.extraction import text_f1_scores

    return text_f1_scores(y_true, y_pred)


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
    "token_f1": token_f1_scores,
    # extraction: each text's F1 (the corpus micro-F1 is the metric's value and interval)
    "entity_f1": _text_f1,
}
