"""Baselines every recommendation is measured against: the majority class and TF-IDF+LR."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["MajorityClassifier", "TfidfLogReg"]


class MajorityClassifier:
    """Predicts the training label distribution for every input (argmax: the majority).

    >>> MajorityClassifier().fit(["a", "b", "c"], ["x", "y", "y"]).predict_proba(["z"])
    array([[0.33333333, 0.66666667]])
    """

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> MajorityClassifier:
        counts = Counter(labels)
        self.classes_ = np.array(sorted(counts))
        self.prior_ = np.array([counts[c] for c in self.classes_], dtype=float) / len(labels)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(self.prior_, (len(texts), 1))


class TfidfLogReg:
    """Word 1-2-gram TF-IDF + logistic regression, the classic strong baseline."""

    def __init__(self, C: float = 10.0, max_features: int | None = 200_000, seed: int = 0) -> None:
        self.C = C
        self.max_features = max_features
        self.seed = seed

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TfidfLogReg:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer_ = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_features=self.max_features
        )
        x = self.vectorizer_.fit_transform(list(texts))
        self.model_ = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)
        with warnings.catch_warnings():
            # Small label budgets (8 labels, 77 classes) are legitimate here.
            warnings.filterwarnings("ignore", message="The number of unique classes")
            self.model_.fit(x, list(labels))
        self.classes_ = np.asarray(self.model_.classes_)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(self.vectorizer_.transform(list(texts))))
