"""Run one learner unit: fit the approach's learner on the training targets (all, or a
seeded label budget), predict label probabilities on the test examples and time single
predictions as a deployed model would serve them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from taskfit import approaches as registry
from taskfit.learners.embed import Embedder
from taskfit.run.budgets import train_examples
from taskfit.run.runners import UnitEnv
from taskfit.types import Example, Unit, UnitResult, canonical_hash

__all__ = ["LEARNER", "LearnerRunner"]


class LearnerRunner:
    """The :class:`~taskfit.run.runners.UnitRunner` of fine-tuned and baseline learners."""

    def total(self, unit: Unit, env: UnitEnv) -> int:
        return len(unit.test_indices)

    def run(self, unit: Unit, env: UnitEnv) -> UnitResult:
        train, notes = train_examples(unit, env.dataset)
        learner, train_seconds = _fit(unit, env, train)
        test = [env.dataset.test[i] for i in unit.test_indices]
        labels = env.dataset.labels
        probs: list[tuple[float, ...]] = []
        if not labels and hasattr(learner, "predict"):
            # free-text targets: no label space to give probabilities over
            preds = [str(p) for p in learner.predict([e.joined for e in test])]
        else:
            proba = learner.predict_proba([e.joined for e in test])
            classes = [str(c) for c in learner.classes_]
            col = {c: j for j, c in enumerate(classes)}
            probs = [
                tuple(float(row[col[lab]]) if lab in col else 0.0 for lab in labels)
                for row in proba
            ]
            preds = [classes[int(row.argmax())] for row in proba]
        env.progress(len(test))
        n_used = int(getattr(learner, "n_used_", len(train)))
        if n_used < len(train):
            reason = registry.get(unit.approach).sample_reason
            notes.append(
                f"trained on a seeded sample of {n_used} of {len(train)} examples"
                + (f" ({reason(unit)})" if reason else "")
            )
        return UnitResult(
            unit_key=unit.key,
            name=unit.name,
            family=unit.family,
            model=unit.model,
            labels=labels,
            test_indices=unit.test_indices,
            predictions=tuple(preds),
            probabilities=tuple(probs) if labels else (),
            latency_ms=tuple(
                _serving_latency(env.embedder, learner, test)
                if unit.param("serving_latency", True)
                else ()
            ),
            n_train_labels=n_used,
            train_seconds=train_seconds,
            notes=tuple(notes),
        )


LEARNER = LearnerRunner()


def _fit(unit: Unit, env: UnitEnv, train: Sequence[Example]) -> tuple[Any, float]:
    """The fitted learner and its fit time, from the memo when already fitted (a derived
    dataset with the same training data predicts with the learner already fitted)."""
    params = [p for p in unit.params if p[0] != "serving_latency"]
    key = canonical_hash(
        [unit.approach, unit.model, unit.seed, params, [[e.joined, e.target] for e in train]]
    )
    memo = env.fitted if env.fitted is not None else {}
    if key not in memo:
        approach = registry.get(unit.approach)
        learner = approach.make_learner(**approach.learner_params(unit, env.embedder))
        t0 = time.perf_counter()
        learner.fit([e.joined for e in train], [e.target for e in train])
        memo[key] = (learner, time.perf_counter() - t0)
    return memo[key]


def _serving_latency(embedder: Embedder, learner: Any, test: Sequence[Example]) -> list[float]:
    """Per-example latency of single predictions on up to 32 test examples.

    Measured one example at a time with the embedding cache bypassed, as a deployed
    model would see requests (a learner encoding with the run's embedder, its
    ``embedder`` attribute, gets an uncached twin); batch prediction is not timed.
    """
    sample = list(test[:32])
    cached_embedder = getattr(learner, "embedder", None)
    swap = cached_embedder is not None and (
        cached_embedder is embedder or isinstance(cached_embedder, Embedder)
    )
    if swap:
        learner.embedder = embedder.uncached()
    out = []
    # free-text learners (spans, outputs) may have no probabilities to give
    serve = learner.predict_proba if hasattr(learner, "predict_proba") else learner.predict
    try:
        for ex in sample:
            t0 = time.perf_counter()
            serve([ex.joined])
            out.append((time.perf_counter() - t0) * 1000)
    finally:  # a memoised learner goes on predicting with the cached encoder
        if swap:
            learner.embedder = cached_embedder
    return out
