"""One conformance test over every learner approach in the registry (plugins included):
the scikit-learn estimator contract, with the constructor arguments execution gives."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from taskfit import approaches
from taskfit.learners import predict
from taskfit.run.plan import PlanOptions, learner_unit
from taskfit.types import Dataset, Example

TEXTS = [
    "refund my money please",
    "I want my money back",
    "give me a refund now",
    "refund the charge",
    "please send the refund",
    "where is my parcel",
    "my parcel has not arrived",
    "track my parcel delivery",
    "parcel delivery is late",
    "when will the parcel arrive",
    "reset my password",
    "forgot my password",
    "password reset link broken",
    "cannot log in, password wrong",
    "change my password",
]
LABELS = ["refund"] * 5 + ["delivery"] * 5 + ["password"] * 5


DATASET = Dataset(
    tuple(Example(t, lab) for t, lab in zip(TEXTS, LABELS, strict=True)),
    (),
    tuple(sorted(set(LABELS))),
    "learner-conformance",
    "",
    "text",
    "label",
)


def _params(name: str, request) -> dict:
    """The constructor arguments execution passes for a unit of ``name``."""
    approach = approaches.get(name)
    # the real encoder: the fixture skips when it is not installed
    embedder = request.getfixturevalue("embedder") if approach.uses_encoder else None
    opts = PlanOptions(setfit_per_class=4, setfit_max_pairs=64)
    unit = learner_unit(name, DATASET, (), 0, opts)
    return approach.learner_params(unit, embedder)


# Classification approaches with a learner class. One that runs its units itself (its own
# runner, e.g. LoRA fine-tuning of an LLM) or learns free-text targets (nearest-output) is
# checked on its own task's data by test_approaches.py instead.
LEARNERS = sorted(
    n for n in approaches.learner_names("classification") if approaches.get(n).learner is not None
)


@pytest.mark.parametrize("name", LEARNERS)
def test_learner_conformance(name: str, request) -> None:
    params = _params(name, request)
    make_learner = approaches.get(name).make_learner
    learner = make_learner(**params)
    # __init__ only stores parameters: no learned state before fit.
    assert not [a for a in vars(learner) if a.endswith("_") and not a.startswith("_")]
    sig = inspect.signature(type(learner).__init__)
    for p in params:
        assert p in sig.parameters

    assert learner.fit(TEXTS, LABELS) is learner
    assert list(learner.classes_) == sorted(set(LABELS))
    test = ["I need a refund", "my parcel is lost", "password does not work"]
    proba = learner.predict_proba(test)
    assert proba.shape == (3, 3)
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert (proba >= 0).all()
    preds = predict(learner, test)
    if name == "majority":
        assert preds == ["delivery"] * 3  # ties: sorted first among equally frequent
    else:
        assert preds == ["refund", "delivery", "password"]

    # Same seed and data give the same probabilities.
    again = make_learner(**params).fit(TEXTS, LABELS).predict_proba(test)
    assert np.allclose(proba, again, atol=1e-4)
