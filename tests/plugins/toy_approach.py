"""A toy approach plugin: a fine-tuned nearest-centroid classifier on TF-IDF words.

It is registered through the entry-point group ``taskfit.approaches`` (see
``taskfit_toy_approach-0.1.0.dist-info/entry_points.txt`` beside this file), found when
this folder is on ``sys.path`` / ``PYTHONPATH``. Everything an approach needs is here:
the learner class and one :class:`~taskfit.approaches.Approach`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from taskfit.approaches import Approach

__all__ = ["APPROACH", "ToyCentroid", "approaches"]


class ToyCentroid:
    """Nearest class centroid of L2-normalised TF-IDF word vectors.

    Probabilities are a softmax over the cosine similarities to the centroids, scaled by
    ``sharpness``. No randomness: the same data give the same model.
    """

    def __init__(self, sharpness: float = 10.0) -> None:
        self.sharpness = sharpness

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> ToyCentroid:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(sublinear_tf=True)
        x = self.vectorizer_.fit_transform(list(texts)).toarray()
        y = np.asarray(labels)
        self.classes_ = np.array(sorted(set(labels)))
        centroids = np.stack([x[y == c].mean(axis=0) for c in self.classes_])
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        self.centroids_ = centroids / np.maximum(norms, 1e-12)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        x = self.vectorizer_.transform(list(texts)).toarray()
        logits = self.sharpness * (x @ self.centroids_.T)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return np.asarray(e / e.sum(axis=1, keepdims=True))


APPROACH = Approach(
    "toy-centroid",
    "finetune",
    "nearest class centroid on TF-IDF words (a toy plugin)",
    learner="toy_approach:ToyCentroid",
)


def approaches() -> list[Approach]:
    """The entry point's callable form: one or several approaches."""
    return [APPROACH]
