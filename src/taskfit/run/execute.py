"""Local executor: run units in order, serving finished ones from the store.

Each unit not in the store runs through its approach's runner
(:mod:`taskfit.run.runners`: prompted, learner, or the approach's own).

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
from pathlib import Path
from typing import Any

from taskfit.backends import LLMBackend, make_backend, parse_spec
from taskfit.learners.embed import Embedder
from taskfit.run.llm_cache import CachingBackend
from taskfit.run.runners import UnitEnv, runner_for
from taskfit.run.store import Store
from taskfit.types import Dataset, Unit, UnitResult

__all__ = ["Executor", "ProgressHook", "RunStats"]


class ProgressHook:
    """Receives progress; the CLI renders it with rich, tests count it."""

    def unit_started(self, unit: Unit, total: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def unit_progress(self, unit: Unit, n: int) -> None:
        """``n`` more examples of ``unit`` done; units running side by side (the Ray
        executor) report through this. By default the same as :meth:`advance`."""
        self.advance(n)

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

    def _cache_dir(self) -> Path | None:
        """The store's folder: runners keep files there that outlive a unit."""
        path = getattr(self.store, "path", None)
        if path is None or str(path) == ":memory:":
            return None
        return Path(path).parent

    def _run_one(self, unit: Unit) -> UnitResult:
        key = unit.key
        cached = self.store.get_unit(key)
        if cached is not None:
            self.stats.units_cached += 1
            self.hook.unit_finished(unit, cached=True)
            # the key leaves out how the model is shown: a result stored under another
            # name (another set of LLMs to tell apart, an older version) takes this one's
            return cached if cached.name == unit.name else replace(cached, name=unit.name)
        env = UnitEnv(
            self.dataset,
            self.embedder,
            self.backend,
            self.hook.advance,
            self.fitted,
            cache_dir=self._cache_dir(),
        )
        runner = runner_for(unit, self.dataset.task)
        self.hook.unit_started(unit, runner.total(unit, env))
        result = runner.run(unit, env)
        self.store.put_unit(unit.to_json(), result)
        self.stats.units_run += 1
        self.hook.unit_finished(unit, cached=False)
        return result
