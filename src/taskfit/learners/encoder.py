"""Frozen sentence encoder + logistic regression."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from taskfit.learners.embed import Embedder

__all__ = ["EncoderLogReg"]


class EncoderLogReg:
    """Embeds texts with a frozen encoder (cached) and fits a logistic regression on top."""

    def __init__(self, embedder: Embedder | None = None, C: float = 10.0, seed: int = 0) -> None:
        self.embedder = embedder
        self.C = C
        self.seed = seed

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.embedder is None:
            self.embedder = Embedder()
        return self.embedder.encode(list(texts))

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> EncoderLogReg:
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)
        x = self._embed(texts)
        with warnings.catch_warnings(), one_blas_thread():
            # Small label budgets (8 labels, 77 classes) are legitimate here.
            warnings.filterwarnings("ignore", message="The number of unique classes")
            self.model_.fit(x, list(labels))
        self.classes_ = np.asarray(self.model_.classes_)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        x = self._embed(texts)
        with one_blas_thread():
            return np.asarray(self.model_.predict_proba(x))


def one_blas_thread() -> Any:
    """BLAS on one thread for the fit and the predictions: the solver's path (and, for
    a fit stopped at ``max_iter``, its probabilities) then does not depend on how many
    cores the machine or a Ray task has - the same data gives the same model anywhere.
    On banking77's label-budget curve it is also faster than two threads on two cores
    (benchmarks/RESULTS.md, the Ray executor)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
