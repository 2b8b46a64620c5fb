"""Fine-tuned approaches behind one contract (see :mod:`taskfit.learners.base`).

Which learner an approach uses, and with what arguments, is declared in the approach
registry (:mod:`taskfit.approaches`), where heavy learners are named as
``"module:Class"`` and imported lazily, so the majority and TF-IDF baselines run without
torch installed: ``taskfit.approaches.get("tfidf-lr").make_learner(seed=0)``.
"""

from __future__ import annotations

from taskfit.learners.base import Learner, predict

__all__ = ["Learner", "predict"]
