"""Planning a label-budget sweep: learners x budgets x seeds, prompted references per seed.

Every point is an ordinary :class:`~taskfit.types.Unit` whose params carry its budget, so
the store caches points one by one and a killed sweep resumes where it stopped. Learners
see the whole test set; prompted references see the same (optionally capped) stratified
test sample for every seed. Zero-shot has no randomness and runs once; few-shot draws its
demonstrations per seed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from taskfit.backends import LLMSpec
from taskfit.errors import UsageError
from taskfit.run.budgets import default_budgets
from taskfit.run.plan import (
    FINETUNE_APPROACHES,
    PROMPT_APPROACHES,
    PlanOptions,
    learner_unit,
    prompt_unit,
    stratified_sample,
)
from taskfit.types import Dataset, Unit

__all__ = [
    "DEFAULT_CURVE_LEARNERS",
    "DEFAULT_CURVE_PROMPTED",
    "CurvePlan",
    "CurveSpec",
    "plan_curve",
]

DEFAULT_CURVE_LEARNERS = ("encoder-lr", "tfidf-lr")
DEFAULT_CURVE_PROMPTED = ("zero-shot", "few-shot")
# SetFit's own few-shot cap would flatten the curve: in a sweep the budget is the cap.
_SETFIT_NO_CAP = 1_000_000


@dataclass(frozen=True)
class CurvePlan:
    """What to sweep. ``budgets`` empty means 8 geometric budgets up to all the data."""

    learners: tuple[str, ...] = DEFAULT_CURVE_LEARNERS
    prompted: tuple[str, ...] = DEFAULT_CURVE_PROMPTED
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
    bad = [a for a in plan.learners if a not in FINETUNE_APPROACHES]
    bad += [a for a in plan.prompted if a not in PROMPT_APPROACHES]
    if bad:
        raise UsageError(
            f"{bad[0]!r} cannot be swept here; fine-tuned approaches: "
            f"{', '.join(FINETUNE_APPROACHES)}; prompted references: {', '.join(PROMPT_APPROACHES)}"
        )
    if not plan.learners:
        raise UsageError("a curve needs at least one fine-tuned approach (--approaches)")
    if plan.seeds < 1:
        raise UsageError(f"--seeds must be at least 1, got {plan.seeds}")
    budgets, notes = _budgets(dataset, plan)
    seeds = tuple(plan.base.seed + k for k in range(plan.seeds))
    opts = plan.base
    llm_idx = stratified_sample([e.label for e in dataset.test], opts.max_test, opts.seed)
    units: list[Unit] = []
    for spec in opts.llms:
        units += _prompt_units(spec, dataset, llm_idx, seeds, plan)
    all_idx = tuple(range(len(dataset.test)))
    unit_name = "per_class" if plan.per_class else "total"
    if "setfit" in plan.learners:
        opts = replace(opts, setfit_per_class=_SETFIT_NO_CAP)
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
                units.append(learner_unit(a, dataset, all_idx, s, opts, extra))
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
        for s in seeds[:1] if a == "zero-shot" else seeds:
            out.append(prompt_unit(a, spec, dataset, idx, s, plan.base))
    return out
