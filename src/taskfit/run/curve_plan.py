"""Planning a label-budget sweep: learners x budgets x seeds, prompted references per seed.

Every point is an ordinary :class:`~taskfit.types.Unit` whose params carry its budget, so
the store caches points one by one and a killed sweep resumes where it stopped. Learners
see the whole test set; prompted references see the same (optionally capped) stratified
test sample for every seed. An unseeded prompted approach (zero-shot: no randomness) runs
once; a seeded one (few-shot draws its demonstrations) runs per seed. Which approaches
can be swept, and the default ones, come from the approach registry
(:mod:`taskfit.approaches`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from taskfit import approaches as registry
from taskfit.approaches.registry import computed_names
from taskfit.backends import LLMSpec
from taskfit.errors import UsageError
from taskfit.run.budgets import default_budgets
from taskfit.run.plan import PlanOptions, learner_unit, prompt_unit, strata, stratified_sample
from taskfit.types import Dataset, Unit

__all__ = [
    "DEFAULT_CURVE_LEARNERS",
    "DEFAULT_CURVE_PROMPTED",
    "CurvePlan",
    "CurveSpec",
    "default_curve_learners",
    "default_curve_prompted",
    "plan_curve",
]


def default_curve_learners() -> tuple[str, ...]:
    """The learners a curve sweeps when none is named."""
    return registry.defaults("curve", ("finetune", "baseline"), task="classification")


def default_curve_prompted() -> tuple[str, ...]:
    """The prompted references a curve draws when none is named."""
    return registry.defaults("curve", "prompt", task="classification")


# Names kept for callers of the first version, computed from the registry when read.
# Declared for type checkers and linters; the values come from __getattr__.
DEFAULT_CURVE_LEARNERS: tuple[str, ...]
DEFAULT_CURVE_PROMPTED: tuple[str, ...]

__getattr__ = computed_names(
    __name__,
    DEFAULT_CURVE_LEARNERS=default_curve_learners,
    DEFAULT_CURVE_PROMPTED=default_curve_prompted,
)


@dataclass(frozen=True)
class CurvePlan:
    """What to sweep. ``budgets`` empty means 8 geometric budgets up to all the data."""

    learners: tuple[str, ...] = field(default_factory=default_curve_learners)
    prompted: tuple[str, ...] = field(default_factory=default_curve_prompted)
    budgets: tuple[int, ...] = ()
    per_class: bool = False
    seeds: int = 5
    base: PlanOptions = field(default_factory=PlanOptions)


@dataclass(frozen=True)
class CurveSpec:
    """The planned sweep: units, the budgets actually used, and notes on capping."""

    units: tuple[Unit, ...]
    budgets: tuple[int, ...]
    seeds: tuple[int, ...]
    budget_unit: str  # "total" or "per_class"
    notes: tuple[str, ...]


def _budgets(dataset: Dataset, plan: CurvePlan) -> tuple[list[int], list[str]]:
    if plan.per_class and not dataset.labels:
        raise UsageError(
            f"--per-class needs classes; a {dataset.task} task's budgets count training pairs"
        )
    counts = Counter(e.label for e in dataset.train)
    limit = max(counts.values()) if plan.per_class else len(dataset.train)
    if not plan.budgets:
        start = 1 if plan.per_class else min(8, limit)
        return default_budgets(limit, start=start, count=8), []
    notes = []
    over = [b for b in plan.budgets if b > limit]
    if over:
        what = "examples in the largest class" if plan.per_class else "training examples"
        notes.append(
            f"budget(s) {', '.join(map(str, over))} exceed the {limit} {what}; capped at {limit}"
        )
    return sorted({min(b, limit) for b in plan.budgets}), notes


def plan_curve(dataset: Dataset, plan: CurvePlan) -> CurveSpec:
    """Units of the sweep, prompted references first (they share a backend)."""
    learners = registry.learner_names(dataset.task)
    prompted = registry.prompt_names(dataset.task)
    bad = [a for a in plan.learners if a not in learners]
    bad += [a for a in plan.prompted if a not in prompted]
    if bad:
        raise UsageError(
            f"{bad[0]!r} cannot be swept here; fine-tuned approaches: "
            f"{', '.join(learners)}; prompted references: {', '.join(prompted)}"
        )
    if not plan.learners:
        raise UsageError("a curve needs at least one fine-tuned approach (--approaches)")
    if plan.seeds < 1:
        raise UsageError(f"--seeds must be at least 1, got {plan.seeds}")
    budgets, notes = _budgets(dataset, plan)
    seeds = tuple(plan.base.seed + k for k in range(plan.seeds))
    opts = plan.base
    llm_idx = stratified_sample(strata(dataset.test, dataset), opts.max_test, opts.seed)
    units: list[Unit] = []
    for spec in opts.llms:
        units += _prompt_units(spec, dataset, llm_idx, seeds, plan)
    all_idx = tuple(range(len(dataset.test)))
    unit_name = "per_class" if plan.per_class else "total"
    for a in plan.learners:
        for b in budgets:
            for s in seeds:
                # Serving latency is timed once per approach, at full budget: the cost model
                # needs it and the curve does not.
                timed = b == budgets[-1] and s == seeds[0]
                extra: tuple[tuple[str, Any], ...] = (
                    ("budget", b),
                    ("budget_unit", unit_name),
                    ("serving_latency", timed),
                )
                units.append(learner_unit(a, dataset, all_idx, s, opts, extra, swept=True))
    return CurveSpec(tuple(units), tuple(budgets), seeds, unit_name, tuple(notes))


def _prompt_units(
    spec: LLMSpec,
    dataset: Dataset,
    idx: tuple[int, ...],
    seeds: tuple[int, ...],
    plan: CurvePlan,
) -> list[Unit]:
    out = []
    for a in plan.prompted:
        for s in seeds if registry.get(a).seeded else seeds[:1]:
            out.append(prompt_unit(a, spec, dataset, idx, s, plan.base))
    return out
