"""Metrics of free-text outputs: ROUGE-L, chrF, BLEU, output length, exact match.

- **ROUGE-L** (``rouge_l``): the F-measure of the longest common subsequence of words, per
  example, with the ``rouge-score`` package's tokenisation (lower case, non-alphanumerics
  dropped) and Porter stemming; the metric is the mean over examples, in [0, 1]. It is the
  generation task's headline: a mean of per-example scores, so approaches are compared
  example by example.
- **chrF** and **BLEU** (``chrf``, ``bleu``): corpus scores from ``sacrebleu`` (default
  settings: chrF with character 6-grams and beta 2, BLEU-4 with its 13a tokenisation), on
  sacrebleu's 0-100 scale. A corpus score is not a mean over examples: its interval
  resamples the examples' sufficient statistics (n-gram matches and counts), summed and
  scored again in each round.
- **length ratio** (``length_ratio``): words of the output over words of the reference,
  averaged over examples; 1.0 is the reference's length (not a quality score: it says
  whether outputs run long or short).
- **exact match** (``exact_match``): the answer equals the reference after
  :func:`taskfit.tasks.answers.normalize_answer`; the reasoning and QA tasks' headline.
- **token F1** (``token_f1``): SQuAD's F1 of the words an answer shares with its
  reference (:func:`taskfit.tasks.scores.token_f1_scores`), the mean over examples.

Importing :mod:`taskfit.metrics` registers them in :mod:`taskfit.metrics.quality`.

>>> round(bleu(["the cat sat on the mat"], ["the cat sat on the mat"]), 1)
100.0
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from taskfit.metrics.quality import register_metric
from taskfit.tasks.scores import (
    exact_match_scores,
    length_ratios,
    rouge_l_scores,
    token_f1_scores,
)

__all__ = ["bleu", "chrf", "corpus_stats", "score_from_stats"]


@cache
def _sacre(name: str) -> Any:
    from sacrebleu.metrics import BLEU, CHRF

    return BLEU() if name == "bleu" else CHRF()


def corpus_stats(name: str, y_true: Sequence[str], y_pred: Sequence[str]) -> np.ndarray:
    """Per-example sufficient statistics of a sacrebleu corpus metric (rows sum up)."""
    stats = _sacre(name)._extract_corpus_statistics(list(y_pred), [list(y_true)])
    return np.asarray(stats, dtype=np.float64)


def score_from_stats(name: str, summed: np.ndarray) -> float:
    """The corpus score of summed statistics."""
    metric = _sacre(name)
    return float(metric._compute_score_from_stats([float(x) for x in summed]).score)


def bleu(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Corpus BLEU (0-100)."""
    return score_from_stats("bleu", corpus_stats("bleu", y_true, y_pred).sum(axis=0))


def chrf(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Corpus chrF (0-100)."""
    return score_from_stats("chrf", corpus_stats("chrf", y_true, y_pred).sum(axis=0))


def _mean_of(fn: Any) -> Any:
    def point(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
        scores = fn(y_true, y_pred)
        return float(np.mean(scores)) if len(scores) else 0.0

    return point


def _corpus_entry(name: str) -> tuple[Any, Any]:
    def stats(y_true: Sequence[str], y_pred: Sequence[str]) -> np.ndarray:
        return corpus_stats(name, y_true, y_pred)

    def score(summed: np.ndarray) -> float:
        return score_from_stats(name, summed)

    return stats, score


def _register() -> None:
    from taskfit.metrics.quality import CORPUS, METRICS

    if "rouge_l" in METRICS:
        return
    register_metric("rouge_l", _mean_of(rouge_l_scores), rouge_l_scores)
    register_metric("exact_match", _mean_of(exact_match_scores), exact_match_scores)
    register_metric("length_ratio", _mean_of(length_ratios), length_ratios)
    register_metric("token_f1", _mean_of(token_f1_scores), token_f1_scores)
    register_metric("chrf", chrf)
    register_metric("bleu", bleu)
    CORPUS["chrf"] = _corpus_entry("chrf")
    CORPUS["bleu"] = _corpus_entry("bleu")


_register()
