"""The curve pipeline: load -> plan a budget sweep -> execute -> score curves -> render.

Each fine-tuned approach is trained at every label budget for every seed and scored on
the same test set; prompted approaches are reference lines. Encoder embeddings are
computed once per text (store + in-memory cache) and reused by every point, and each
point is a cached unit, so an interrupted sweep resumes.

>>> from taskfit.workflows.curve import curve
>>> res = curve("tickets.csv", text="body", label="intent", seeds=3)  # doctest: +SKIP
>>> res.section["approaches"][0]["crossover"]["message"]  # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from taskfit.approaches import defaults, needs_of
from taskfit.backends import LLMSpec
from taskfit.config import CurveOptions, merge
from taskfit.learners.embed import resolve_encoder
from taskfit.metrics.curves import score_curves
from taskfit.report.json import add_sections
from taskfit.run.curve_plan import CurvePlan, CurveSpec, plan_curve
from taskfit.run.execute import ProgressHook
from taskfit.run.plan import parse_approaches
from taskfit.tasks import TaskType, get_task
from taskfit.types import Dataset, Unit, UnitResult
from taskfit.workflows.checks import check_llms, check_prompt_options, plan_options
from taskfit.workflows.context import (
    RunContext,
    SweepResult,
    demo_dataset,
    prices_for,
    record,
    run_on_file,
)
from taskfit.workflows.scoring import score_headline

__all__ = ["CurveOptions", "CurveResult", "curve", "curve_dataset", "curve_demo", "plan_for"]

# What a curve run records besides the shared run options and the plan's budgets and seeds.
_RECORDED = ("approaches", "prompted", "label_descriptions")


@dataclass(frozen=True)
class CurveResult(SweepResult):
    dataset: Dataset | None = None  # the data the sweep ran on; section is `curves`


def curve(
    data: str | os.PathLike[str],
    *,
    settings: CurveOptions | None = None,
    hook: ProgressHook | None = None,
    **options: Any,
) -> CurveResult:
    """Load ``data`` and sweep label budgets; ``options`` are the columns and test split
    (:class:`~taskfit.config.DataSource`) and :class:`~taskfit.config.CurveOptions` fields."""
    return run_on_file(CurveOptions, curve_dataset, _llms, data, settings, hook, options)


def curve_demo(
    *,
    task: str = "classification",
    settings: CurveOptions | None = None,
    hook: ProgressHook | None = None,
    **options: Any,
) -> CurveResult:
    """Sweep label budgets on the bundled demo data of ``task``."""
    opts = merge(CurveOptions, settings, options)
    return curve_dataset(demo_dataset(task, opts.seed), opts, hook=hook)


def with_defaults(
    opts: CurveOptions, task: str = "classification", *, corpus: bool = True
) -> CurveOptions:
    """``opts`` with the registry's curve defaults for ``task`` for approaches the user
    did not name (without a ``corpus``, none that retrieves passages)."""

    def usable(names: tuple[str, ...]) -> tuple[str, ...]:
        return names if corpus else tuple(n for n in names if "corpus" not in needs_of([n]))

    learners = opts.approaches
    if learners is None:
        learners = usable(defaults("curve", ("finetune", "baseline"), task=task))
    prompted = opts.prompted
    if prompted is None:
        prompted = usable(defaults("curve", "prompt", task=task))
    return replace(
        opts, approaches=parse_approaches(learners) if learners else (), prompted=prompted
    )


def _llms(opts: CurveOptions, task: str = "classification") -> tuple[LLMSpec, ...]:
    """The LLMs of the prompted reference lines (none without them); checks the options."""
    opts = with_defaults(opts, task)
    check_prompt_options(opts.prompt_format, opts.dev_size)
    if "encoder" in needs_of((*(opts.approaches or ()), *(opts.prompted or ()))):
        resolve_encoder(opts.encoder)
    prices_for(opts)
    return check_llms(opts.llms or ("smollm2",)) if opts.prompted else ()


def plan_for(dataset: Dataset, opts: CurveOptions) -> CurveSpec:
    opts = with_defaults(opts, dataset.task, corpus=bool(dataset.corpus))
    base = plan_options(opts, dataset, _llms(opts, dataset.task), opts.label_descriptions)
    plan = CurvePlan(
        learners=opts.approaches or (),
        prompted=opts.prompted or (),
        budgets=opts.budgets,
        per_class=opts.per_class,
        seeds=opts.seeds,
        base=base,
    )
    return plan_curve(dataset, plan)


def settings_of(opts: CurveOptions, dataset: Dataset, spec: CurveSpec) -> dict[str, Any]:
    """What a curve run records; LLM specs canonical, so credentials are never stored."""
    opts = with_defaults(opts, dataset.task, corpus=bool(dataset.corpus))
    return record(
        opts,
        _RECORDED,
        dataset,
        command="curve",
        llms=[s.canonical for s in _llms(opts, dataset.task)],
        budgets=list(spec.budgets),
        budget_unit=spec.budget_unit,
        seeds=list(spec.seeds),
    )


def curve_title(task: TaskType) -> str:
    """How a curve names its y axis: the headline metric, or for a corpus metric (entity
    F1) the mean of its per-example scores that a curve's points and intervals use."""
    from taskfit.metrics.quality import CORPUS

    title = task.headline.title
    return f"{title} (mean per example)" if task.headline.name in CORPUS else title


def curve_dataset(
    dataset: Dataset, opts: CurveOptions, *, hook: ProgressHook | None = None
) -> CurveResult:
    task = get_task(dataset.task)
    task.require(("curves",), "the section")
    spec = plan_for(dataset, opts)  # bad options fail here, before the store is opened
    llms = _llms(opts, dataset.task)
    key = [u.key for u in spec.units]
    settings = settings_of(opts, dataset, spec)
    with RunContext.open(opts, key=key, settings=settings, kind="curve", hook=hook) as ctx:
        executor = ctx.executor(dataset, llms)
        results = executor.run(spec.units)
        ctx.hook.stage("fitting curves")
        scores = score_curves(
            dataset,
            spec.units,
            results,
            budgets=spec.budgets,
            seeds=spec.seeds,
            budget_unit=spec.budget_unit,
            notes=[*spec.notes, *_budget_notes(spec.units, results)],
            n_boot=opts.n_boot,
            seed=opts.seed,
            metric=task.headline.name,
            metric_title=curve_title(task),
        )
        doc = score_headline(
            dataset,
            _headline(spec, results),
            opts,
            run_id=ctx.run_id,
            run_stats=executor.stats.to_json(),
            settings=settings,
            llms=llms,
            prices=ctx.prices,
            extra_reasons=[
                a["crossover"]["message"] for a in scores.section["approaches"] if a["crossover"]
            ],
        ).doc
        add_sections(doc, curves=scores.section)
        plots = ctx.write(doc)
        return CurveResult(ctx.run_id, ctx.out_dir, scores.section, doc, tuple(plots), dataset)


def _headline(spec: CurveSpec, results: list[UnitResult]) -> list[UnitResult]:
    """The points compare would show: prompted at the first seed, learners at full budget."""
    first, top = spec.seeds[0], spec.budgets[-1]
    keep = []
    for unit, res in zip(spec.units, results, strict=True):
        if unit.seed != first:
            continue
        if unit.family == "prompt" or unit.param("budget") == top:
            keep.append(res)
    return keep


def _budget_notes(units: tuple[Unit, ...], results: list[UnitResult]) -> list[str]:
    """Shortfalls the executor reported (classes smaller than a per-class budget), once."""
    seen: dict[str, None] = {}
    for res in results:
        for n in res.notes:
            if n.startswith("budget "):
                seen.setdefault(n, None)
    return list(seen)
