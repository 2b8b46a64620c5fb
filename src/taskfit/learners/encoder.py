"""Frozen sentence encoder + logistic regression."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

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
        with warnings.catch_warnings():
            # Small label budgets (8 labels, 77 classes) are legitimate here.
            warnings.filterwarnings("ignore", message="The number of unique classes")
            self.model_.fit(self._embed(texts), list(labels))
        self.classes_ = np.asarray(self.model_.classes_)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(self._embed(texts)))
