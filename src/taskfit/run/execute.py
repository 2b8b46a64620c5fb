"""Local executor: run units in order, serving finished ones from the store.

Each finished unit is written to the store at once; every LLM call inside a unit is
cached as it returns (:class:`~taskfit.run.llm_cache.CachingBackend`). A run killed at
any moment and started again with the same plan repeats no finished call or unit.
Backends are opened on first use and always closed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Any

from taskfit import approaches as registry
from taskfit.backends import LLMBackend, make_backend, parse_spec
from taskfit.learners.embed import Embedder
from taskfit.run.budgets import budget_indices
from taskfit.run.llm_cache import CachingBackend
from taskfit.run.prompt_unit import prompt_total, run_prompt_unit
from taskfit.run.store import Store
from taskfit.types import Dataset, Example, Unit, UnitResult, canonical_hash

__all__ = ["Executor", "ProgressHook", "RunStats"]


class ProgressHook:
    """Receives progress; the CLI renders it with rich, tests count it."""

    def unit_started(self, unit: Unit, total: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def unit_finished(self, unit: Unit, cached: bool) -> None: ...

    def stage(self, name: str) -> None:
        """A step before the units run (e.g. "profiling: duplicates")."""

    def run_started(self, run_id: str, out_dir: str) -> None:
        """The run is recorded in the store; its outputs will be written to ``out_dir``."""


@dataclass
class RunStats:
    llm_calls_made: int = 0
    llm_calls_cached: int = 0
    units_run: int = 0
    units_cached: int = 0
    wall_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Executor:
    """Runs units against one dataset. Not thread-safe; one per run."""

    dataset: Dataset
    store: Store
    embedder: Embedder
    backend_factory: Callable[[str], LLMBackend] = field(
        default=lambda spec: make_backend(parse_spec(spec))
    )
    hook: ProgressHook = field(default_factory=ProgressHook)
    stats: RunStats = field(default_factory=RunStats)
    # Fitted learners by what determines the fit (approach, params, seed, training
    # examples): a derived dataset with the same training data (perturbed or OOD test
    # sets) predicts with the learner already fitted instead of fitting it again.
    # None: no memo (a sweep of many label budgets would hold every model in memory).
    fitted: dict[str, Any] | None = None
    _backends: dict[str, CachingBackend] = field(default_factory=dict)

    def for_dataset(self, dataset: Dataset) -> Executor:
        """An executor over ``dataset`` sharing this one's store, encoder, hook, counts
        and fitted learners; it opens backends of its own."""
        return replace(self, dataset=dataset, _backends={})

    def run(self, units: Sequence[Unit]) -> list[UnitResult]:
        t0 = time.perf_counter()
        results = []
        with ExitStack() as stack:
            stack.callback(self._close_backends)
            for unit in units:
                results.append(self._run_one(unit))
        self.stats.wall_seconds += time.perf_counter() - t0
        return results

    def _close_backends(self) -> None:
        for b in self._backends.values():
            self.stats.llm_calls_made += b.calls_made
            self.stats.llm_calls_cached += b.calls_cached
            b.close()
        self._backends.clear()

    def backend(self, spec: str) -> CachingBackend:
        if spec not in self._backends:
            self._backends[spec] = CachingBackend(self.backend_factory(spec), self.store)
        return self._backends[spec]

    def _run_one(self, unit: Unit) -> UnitResult:
        key = unit.key
        cached = self.store.get_unit(key)
        if cached is not None:
            self.stats.units_cached += 1
            self.hook.unit_finished(unit, cached=True)
            # the key leaves out how the model is shown: a result stored under another
            # name (another set of LLMs to tell apart, an older version) takes this one's
            return cached if cached.name == unit.name else replace(cached, name=unit.name)
        if registry.get(unit.approach).is_prompted:
            backend = self.backend(unit.model)
            self.hook.unit_started(unit, prompt_total(unit, backend, self.dataset))
            result = run_prompt_unit(unit, backend, self.dataset, self.embedder, self.hook.advance)
        else:
            self.hook.unit_started(unit, len(unit.test_indices))
            result = self._run_learner(unit)
        self.store.put_unit(unit.to_json(), result)
        self.stats.units_run += 1
        self.hook.unit_finished(unit, cached=False)
        return result

    def _train_examples(self, unit: Unit) -> tuple[list[Example], list[str]]:
        """The training examples a learner unit sees: all, or a seeded label budget."""
        train = list(self.dataset.train)
        budget = unit.param("budget")
        if budget is None:
            return train, []
        idx, notes = budget_indices(
            [e.label for e in train],
            int(budget),
            per_class=unit.param("budget_unit") == "per_class",
            seed=unit.seed,
            fixed=int(unit.param("fixed", 0)),
        )
        return [train[i] for i in idx], notes

    def _fit(self, unit: Unit, train: Sequence[Example]) -> tuple[Any, float]:
        """The fitted learner and its fit time, from the memo when already fitted."""
        params = [p for p in unit.params if p[0] != "serving_latency"]
        key = canonical_hash(
            [unit.approach, unit.model, unit.seed, params, [[e.joined, e.label] for e in train]]
        )
        memo = self.fitted if self.fitted is not None else {}
        if key not in memo:
            approach = registry.get(unit.approach)
            learner = approach.make_learner(**approach.learner_params(unit, self.embedder))
            t0 = time.perf_counter()
            learner.fit([e.joined for e in train], [e.label for e in train])
            memo[key] = (learner, time.perf_counter() - t0)
        return memo[key]

    def _run_learner(self, unit: Unit) -> UnitResult:
        train, notes = self._train_examples(unit)
        learner, train_seconds = self._fit(unit, train)
        test = [self.dataset.test[i] for i in unit.test_indices]
        proba = learner.predict_proba([e.joined for e in test])
        self.hook.advance(len(test))
        classes = [str(c) for c in learner.classes_]
        col = {c: j for j, c in enumerate(classes)}
        probs = [
            tuple(float(row[col[lab]]) if lab in col else 0.0 for lab in self.dataset.labels)
            for row in proba
        ]
        preds = [classes[int(row.argmax())] for row in proba]
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
            labels=self.dataset.labels,
            test_indices=unit.test_indices,
            predictions=tuple(preds),
            probabilities=tuple(probs),
            latency_ms=tuple(
                self._serving_latency(unit, learner, test)
                if unit.param("serving_latency", True)
                else ()
            ),
            n_train_labels=n_used,
            train_seconds=train_seconds,
            notes=tuple(notes),
        )

    def _serving_latency(self, unit: Unit, learner: Any, test: Sequence[Any]) -> list[float]:
        """Per-example latency of single predictions on up to 32 test examples.

        Measured one example at a time with the embedding cache bypassed, as a
        deployed model would see requests (a learner encoding with the run's embedder,
        its ``embedder`` attribute, gets an uncached twin); batch prediction above is
        not timed.
        """
        sample = list(test[:32])
        cached_embedder = getattr(learner, "embedder", None)
        swap = cached_embedder is not None and (
            cached_embedder is self.embedder or isinstance(cached_embedder, Embedder)
        )
        if swap:
            learner.embedder = self.embedder.uncached()
        out = []
        try:
            for ex in sample:
                t0 = time.perf_counter()
                learner.predict_proba([ex.joined])
                out.append((time.perf_counter() - t0) * 1000)
        finally:  # a memoised learner goes on predicting with the cached encoder
            if swap:
                learner.embedder = cached_embedder
        return out
