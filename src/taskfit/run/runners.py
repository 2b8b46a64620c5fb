"""How one unit runs: the :class:`UnitRunner` seam between the executor and approaches.

The executor serves finished units from the store and hands every other unit to the
runner of its approach: the approach's own (``Approach.runner``), else the prompted
runner of the data's task type (``TaskType.prompt_runner``) for a prompted approach, else
the learner runner (fit on the training targets, predict label probabilities). A runner
reads what it needs from a :class:`UnitEnv` and returns the unit's
:class:`~taskfit.types.UnitResult`; the executor stores it. A new way of running (a
chain-of-thought prompt, a LoRA fine-tune) is a new runner named by its approach, not an
edit of the executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from taskfit import approaches as registry
from taskfit.approaches.registry import resolve
from taskfit.learners.embed import Embedder
from taskfit.tasks import get_task
from taskfit.types import Dataset, Unit, UnitResult

if TYPE_CHECKING:
    from taskfit.run.llm_cache import CachingBackend

__all__ = ["UnitEnv", "UnitRunner", "runner_for", "text_result"]


@dataclass
class UnitEnv:
    """What a runner may use: the data, the run's (cached) encoder, the run's LLM
    backends by spec (opened on first use, every call cached in the store), a progress
    callback (examples done), the memo of fitted learners (None: no memo) and a folder
    for files that outlive the unit, e.g. trained adapters (the store's folder; None: keep
    nothing on disk)."""

    dataset: Dataset
    embedder: Embedder
    backend: Callable[[str], CachingBackend]
    progress: Callable[[int], None]
    fitted: dict[str, Any] | None = None
    cache_dir: Path | None = None


@runtime_checkable
class UnitRunner(Protocol):
    """Runs the units of an approach."""

    def total(self, unit: Unit, env: UnitEnv) -> int:
        """How many progress steps (examples) :meth:`run` will report."""
        ...

    def run(self, unit: Unit, env: UnitEnv) -> UnitResult:
        """The unit's result (predictions, latencies, costs, notes)."""
        ...


def runner_for(unit: Unit, task: str) -> UnitRunner:
    """The runner of ``unit``'s approach on data of task type ``task``."""
    approach = registry.get(unit.approach)
    if approach.runner is not None:
        ref = approach.runner
    elif approach.is_prompted:
        ref = get_task(task).prompt_runner
    else:
        ref = "taskfit.run.learner_unit:LEARNER"
    runner = resolve(ref) if isinstance(ref, str) else ref
    if not isinstance(runner, UnitRunner):
        raise TypeError(f"{ref!r} (runner of {approach.name}) has no total() and run()")
    return runner


def text_result(
    unit: Unit,
    answers: Iterable[str | None],
    latency_ms: Iterable[float],
    *,
    n_train_labels: int,
    train_seconds: float,
    **fields: Any,
) -> UnitResult:
    """The result of a unit with free-text targets: no label space, so no labels and no
    probabilities; an answer that could not be read (None) is predicted as ``""``.
    ``fields`` are the other :class:`~taskfit.types.UnitResult` fields (token counts, parse
    failures, notes, ...)."""
    return UnitResult(
        unit_key=unit.key,
        name=unit.name,
        family=unit.family,
        model=unit.model,
        labels=(),
        test_indices=unit.test_indices,
        predictions=tuple(a or "" for a in answers),
        probabilities=(),
        latency_ms=tuple(latency_ms),
        n_train_labels=n_train_labels,
        train_seconds=train_seconds,
        **fields,
    )
