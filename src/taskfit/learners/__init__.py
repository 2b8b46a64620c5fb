"""Fine-tuned approaches behind one contract (see :mod:`taskfit.learners.base`).

Heavy learners are imported lazily through :data:`REGISTRY` ("module:Class"), so the
majority and TF-IDF baselines run without torch installed.
"""

from __future__ import annotations

import importlib
from typing import Any

from taskfit.learners.base import Learner, predict

__all__ = ["REGISTRY", "Learner", "make_learner", "predict"]

REGISTRY: dict[str, str] = {
    "majority": "taskfit.learners.baseline:MajorityClassifier",
    "tfidf-lr": "taskfit.learners.baseline:TfidfLogReg",
    "encoder-lr": "taskfit.learners.encoder:EncoderLogReg",
    "setfit": "taskfit.learners.setfit_learner:SetFitLearner",
}


def make_learner(name: str, **params: Any) -> Learner:
    """Instantiate a registered learner; ``params`` go to its ``__init__``."""
    module, cls = REGISTRY[name].split(":")
    learner: Learner = getattr(importlib.import_module(module), cls)(**params)
    return learner
