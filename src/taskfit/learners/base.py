"""The learner contract: scikit-learn's estimator shape for text classifiers.

``__init__`` only stores parameters; ``fit(texts, labels)`` returns ``self``; learned
state ends in ``_`` (``classes_`` is the sorted label list and the column order of
``predict_proba``). Every learner passes ``tests/conformance/test_learners.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Learner", "predict"]


@runtime_checkable
class Learner(Protocol):
    classes_: np.ndarray

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Learner: ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


def predict(learner: Learner, texts: Sequence[str]) -> list[str]:
    """Labels with the highest probability, in ``texts`` order."""
    proba = learner.predict_proba(texts)
    return [str(learner.classes_[i]) for i in proba.argmax(axis=1)]
