"""Baselines every recommendation is measured against: the majority class, TF-IDF+LR, and
for free-text targets the output of the nearest training input."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["MajorityClassifier", "NearestOutput", "TfidfLogReg"]


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


class NearestOutput:
    """Answers with the target of the most similar training input (word 1-2-gram TF-IDF
    cosine; ties go to the earliest training example): the retrieval floor a generation
    or reasoning model has to beat.

    >>> m = NearestOutput().fit(["red kettle 2 l", "blue lamp"], ["A red kettle.", "A lamp."])
    >>> m.predict(["a red kettle of 1.5 l"])
    ['A red kettle.']
    """

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> NearestOutput:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.train_ = self.vectorizer_.fit_transform(list(texts))
        self.targets_ = list(labels)
        self.classes_ = np.array(sorted(set(labels)))
        return self

    def _nearest(self, texts: Sequence[str]) -> np.ndarray:
        sims = (self.vectorizer_.transform(list(texts)) @ self.train_.T).toarray()
        return np.asarray(sims.argmax(axis=1))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.targets_[i] for i in self._nearest(texts)]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """One-hot rows over ``classes_`` (the nearest example's target)."""
        col = {c: j for j, c in enumerate(self.classes_)}
        out = np.zeros((len(texts), len(self.classes_)))
        for row, target in enumerate(self.predict(texts)):
            out[row, col[target]] = 1.0
        return out
