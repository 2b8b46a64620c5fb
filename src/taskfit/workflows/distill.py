"""The distill pipeline: an LLM labels a pool, small students learn from its labels.

load -> teacher labels the pool (label + confidence = its label probability) and the gold
test set -> optional confidence filter -> each student is trained on the LLM labels (plus
N gold labels) at growing pool sizes x seeds -> scored on the gold test set -> cost of
LLM labelling vs human labelling, serving latency and cost of student vs teacher.

Every labelling call and every student fit is a cached unit, so a run resumes. With
``from_train`` the pool is the training texts with their labels hidden: their gold labels
then measure the teacher's label accuracy on the pool. Gold examples given to students are
taken out of the pool, so no text is seen twice.

>>> from taskfit.workflows.distill import distill
>>> res = distill("tickets.csv", text="body", label="intent", unlabeled="pool.csv",
...               llms=("openai:gpt-4o-mini",))  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from taskfit.approaches import defaults, get, names, needs_of
from taskfit.backends import LLMSpec
from taskfit.config import DistillOptions, merge
from taskfit.data import load_demo, load_examples, read_table
from taskfit.errors import DataError, UsageError
from taskfit.learners.embed import resolve_encoder
from taskfit.metrics import cost_per_1k, price_for
from taskfit.metrics.quality import bootstrap_interval
from taskfit.report.json import add_sections
from taskfit.run.budgets import budget_indices, default_budgets
from taskfit.run.execute import Executor, ProgressHook
from taskfit.run.plan import (
    PlanOptions,
    learner_unit,
    prompt_unit,
    stratified_sample,
)
from taskfit.tasks import get_task
from taskfit.types import Dataset, Example, Unit, UnitResult, canonical_hash
from taskfit.workflows.checks import check_llms, check_prompt_options, plan_options
from taskfit.workflows.context import RunContext, SweepResult, prices_for, record, run_on_file
from taskfit.workflows.scoring import score_headline

__all__ = [
    "DistillOptions",
    "DistillResult",
    "check_options",
    "distill",
    "distill_dataset",
    "distill_demo",
]

LEARNERS = ("finetune", "baseline")  # the families a student can be

# What a distill run records besides the shared run options and its teacher LLM.
_RECORDED: tuple[str, ...] = ("teacher", "students", "unlabeled", "from_train")
_RECORDED += ("min_confidence", "gold", "sizes", "seeds")


class DistillResult(SweepResult):
    """What ``distill`` returns; its section is results.json's `distill`."""


def distill(
    data: str | os.PathLike[str],
    *,
    settings: DistillOptions | None = None,
    hook: ProgressHook | None = None,
    **options: Any,
) -> DistillResult:
    """Load ``data`` (gold labels) and distil an LLM into students; ``options`` are the
    columns and test split (:class:`~taskfit.config.DataSource`) and
    :class:`~taskfit.config.DistillOptions` fields."""
    return run_on_file(
        DistillOptions, distill_dataset, check_options, data, settings, hook, options
    )


def distill_demo(
    *, settings: DistillOptions | None = None, hook: ProgressHook | None = None, **options: Any
) -> DistillResult:
    """Distil on the bundled demo data (the pool is its training texts, labels hidden)."""
    options.setdefault("from_train", True)
    opts = merge(DistillOptions, settings, options)
    return distill_dataset(load_demo(seed=opts.seed), opts, hook=hook)


def students_of(opts: DistillOptions) -> tuple[str, ...]:
    """The students named, or the registry's curve learners (distillation into a label
    set is for classification)."""
    if opts.students is None:
        return defaults("curve", LEARNERS, task="classification")
    return opts.students


def check_options(opts: DistillOptions) -> LLMSpec:
    students = students_of(opts)
    if (opts.unlabeled is None) == (not opts.from_train):
        raise UsageError("give the pool to label: --unlabeled POOL or --from-train (not both)")
    teachers = names("prompt", task="classification")
    if opts.teacher not in teachers:
        raise UsageError(
            f"unknown teacher approach {opts.teacher!r}; use one of {', '.join(teachers)}"
        )
    learners = names(LEARNERS, task="classification")
    bad = [s for s in students if s not in learners]
    if bad or not students:
        raise UsageError(
            f"unknown student {bad[0] if bad else ''!r}; students: {', '.join(learners)}"
        )
    if opts.min_confidence is not None and not 0.0 <= opts.min_confidence < 1.0:
        raise UsageError(f"--min-confidence must be in [0, 1), got {opts.min_confidence}")
    if opts.gold < 0 or opts.seeds < 1:
        raise UsageError("--gold must be >= 0, --seeds and --shots >= 1")
    if len(opts.llms) > 1:
        raise UsageError("distill uses one teacher LLM; give --llm once")
    if "encoder" in needs_of((*students, opts.teacher)):
        resolve_encoder(opts.encoder)
    check_prompt_options(opts.prompt_format, opts.dev_size)
    prices_for(opts)
    return check_llms(opts.llms or ("smollm2",))[0]


def _load_pool(dataset: Dataset, opts: DistillOptions) -> tuple[Example, ...]:
    """Pool examples; their label is the gold label where known, else ""."""
    if opts.from_train:
        return dataset.train
    assert opts.unlabeled is not None
    has_gold = dataset.label_col in read_table(opts.unlabeled).columns
    pool = load_examples(
        opts.unlabeled,
        text=dataset.text_col,
        label=dataset.label_col if has_gold else None,
        text_pair=dataset.text_pair_col,
        drop_empty=True,
    )
    if not pool:
        raise DataError(
            "the unlabeled pool is empty: nothing for the LLM to label", file=opts.unlabeled
        )
    return pool


def _pool_dataset(dataset: Dataset, pool: tuple[Example, ...]) -> Dataset:
    """A dataset whose test split is the pool, so the executor can label it."""
    return replace(
        dataset,
        test=pool,
        data_hash=canonical_hash([dataset.data_hash, [(e.text, e.text_pair) for e in pool]]),
        test_source="pool",
    )


def _gold_sample(dataset: Dataset, n: int, seed: int) -> tuple[int, ...]:
    if n == 0:
        return ()
    if n > len(dataset.train):
        raise UsageError(f"--gold {n} is more than the {len(dataset.train)} training examples")
    idx, _ = budget_indices([e.label for e in dataset.train], n, per_class=False, seed=seed)
    return idx


def distill_dataset(
    dataset: Dataset, opts: DistillOptions, *, hook: ProgressHook | None = None
) -> DistillResult:
    spec = check_options(opts)
    get_task(dataset.task).require(("distill",), "the section")
    opts = replace(opts, students=students_of(opts))
    pool = _load_pool(dataset, opts)
    gold_idx = _gold_sample(dataset, opts.gold, opts.seed)
    pool_ds = _pool_dataset(dataset, pool)
    base = plan_options(opts, dataset, (spec,))
    teacher_pool = prompt_unit(
        opts.teacher, spec, pool_ds, tuple(range(len(pool))), opts.seed, base
    )
    test_idx = stratified_sample([e.label for e in dataset.test], opts.max_test, opts.seed)
    teacher_test = prompt_unit(opts.teacher, spec, dataset, test_idx, opts.seed, base)
    key = [teacher_pool.key, teacher_test.key, students_of(opts), opts.gold]
    settings = record(opts, _RECORDED, dataset, command="distill", llms=[spec.canonical])
    with RunContext.open(opts, key=key, settings=settings, kind="distill", hook=hook) as ctx:
        ex_pool = ctx.executor(pool_ds, (spec,))
        labelled = ex_pool.run([teacher_pool])[0]
        ex_test = ctx.executor(dataset, (spec,))
        teacher_res = ex_test.run([teacher_test])[0]
        student_ds, kept, n_gold_used = _student_dataset(dataset, pool, labelled, gold_idx, opts)
        student_units = _student_units(student_ds, n_gold_used, len(kept), opts, base)
        ex_students = ctx.executor(student_ds, (spec,))
        student_res = ex_students.run(student_units)
        ctx.hook.stage("scoring")
        return _render(
            ctx,
            dataset,
            opts,
            spec,
            pool,
            labelled,
            kept,
            teacher_res,
            student_units,
            student_res,
            n_gold_used,
            [ex_pool, ex_test, ex_students],
        )


def _student_dataset(
    dataset: Dataset,
    pool: tuple[Example, ...],
    labelled: UnitResult,
    gold_idx: tuple[int, ...],
    opts: DistillOptions,
) -> tuple[Dataset, list[int], int]:
    """Gold examples first, then the pool with the teacher's labels (confident ones)."""
    conf = [max(p) for p in labelled.probabilities]
    gold = [dataset.train[i] for i in gold_idx]
    skip = set(gold_idx) if opts.from_train else set()
    kept = [
        i
        for i in range(len(pool))
        if i not in skip and (opts.min_confidence is None or conf[i] >= opts.min_confidence)
    ]
    if not kept:
        raise UsageError(
            f"no pool example has teacher confidence >= {opts.min_confidence}; lower "
            "--min-confidence"
        )
    train = tuple(gold) + tuple(
        Example(pool[i].text, labelled.predictions[i], pool[i].text_pair) for i in kept
    )
    student = replace(
        dataset,
        train=train,
        data_hash=canonical_hash(
            [dataset.data_hash, [(e.text, e.text_pair, e.label) for e in train]]
        ),
    )
    return student, kept, len(gold)


def _student_units(
    student_ds: Dataset, n_gold: int, n_llm: int, opts: DistillOptions, base: PlanOptions
) -> list[Unit]:
    sizes = (
        sorted({min(s, n_llm) for s in opts.sizes})
        if opts.sizes
        else default_budgets(n_llm, start=min(8, n_llm), count=5)
    )
    seeds = [opts.seed + k for k in range(opts.seeds)]
    all_idx = tuple(range(len(student_ds.test)))
    units = []
    for a in students_of(opts):
        for n in sizes:
            for s in seeds if n < n_llm else seeds[:1]:  # all labels: one sample, one fit
                extra = (
                    ("budget", n),
                    ("budget_unit", "total"),
                    ("fixed", n_gold),
                    ("serving_latency", n == sizes[-1]),
                )
                u = learner_unit(a, student_ds, all_idx, s, base, extra)
                units.append(replace(u, family="distill"))
    return units


def _labelling_usd(
    res: UnitResult, spec: LLMSpec, prices: dict[str, tuple[float, float]], usd_per_hour: float
) -> tuple[float, str]:
    price = price_for(spec.target, prices) if spec.kind == "openai" else None
    n = max(1, len(res.predictions))
    per_1k, basis = cost_per_1k(
        prompt_tokens=res.prompt_tokens,
        completion_tokens=res.completion_tokens,
        n_examples=n,
        price_in_per_1m=price[0] if price else None,
        price_out_per_1m=price[1] if price else None,
        compute_seconds=sum(res.latency_ms) / 1000.0,
        usd_per_hour=usd_per_hour,
    )
    return per_1k * n / 1000.0, basis


def _render(
    ctx: RunContext,
    dataset: Dataset,
    opts: DistillOptions,
    spec: LLMSpec,
    pool: tuple[Example, ...],
    labelled: UnitResult,
    kept: list[int],
    teacher_res: UnitResult,
    units: list[Unit],
    results: list[UnitResult],
    n_gold: int,
    executors: Sequence[Executor],
) -> DistillResult:
    labelling_usd, labelling_basis = _labelling_usd(labelled, spec, ctx.prices, opts.usd_per_hour)
    top = max(int(u.param("budget")) for u in units)
    headline = [
        replace(r, name=f"distill:{r.name}")
        for u, r in zip(units, results, strict=True)
        if u.param("budget") == top and u.seed == opts.seed
    ]
    shows_gold = get(opts.teacher).uses_shots  # its demonstrations are human labels
    human_gold = n_gold + (teacher_res.n_train_labels if shows_gold else 0)
    stats = _merge_stats(executors)
    scored = score_headline(
        dataset,
        [teacher_res, *headline],
        opts,
        run_id=ctx.run_id,
        run_stats=stats,
        settings=ctx.settings,
        llms=(spec,),
        prices=ctx.prices,
        llm_labelling_usd={r.name: labelling_usd for r in headline},
        human_labels={r.name: human_gold for r in headline},
    )
    doc = scored.doc
    by_name = {m.name: m for m in scored.metrics}
    y_test = [e.label for e in dataset.test]
    teacher_m = by_name[teacher_res.name]
    teacher_pred = dict(zip(teacher_res.test_indices, teacher_res.predictions, strict=True))
    students = []
    for r in headline:
        m = by_name[r.name]
        pairs = [
            (teacher_pred[i], p)
            for i, p in zip(r.test_indices, r.predictions, strict=True)
            if i in teacher_pred
        ]
        students.append(
            {
                "name": r.name,
                "approach": r.name.removeprefix("distill:"),
                "accuracy": m.accuracy.to_json(),
                "macro_f1": m.macro_f1.to_json(),
                "agreement_with_teacher": float(np.mean([a == b for a, b in pairs])),
                "n_agreement": len(pairs),
                "n_train": r.n_train_labels,
                "n_gold": n_gold,
                "latency_ms": {"p50": m.latency_p50_ms, "p95": m.latency_p95_ms},
                "cost_per_1k_usd": m.cost_per_1k_usd,
                "train_seconds": m.train_seconds,
            }
        )
    growth = [
        {
            "student": f"distill:{r.name}",
            "n_llm_labels": r.n_train_labels - n_gold,
            "budget": int(u.param("budget")),
            "seed": u.seed,
            "accuracy": float(
                np.mean(
                    [y_test[i] == p for i, p in zip(r.test_indices, r.predictions, strict=True)]
                )
            ),
        }
        for u, r in zip(units, results, strict=True)
    ]
    section = {
        "teacher": {
            "name": teacher_res.name,
            "approach": opts.teacher,
            "test_accuracy": teacher_m.accuracy.to_json(),
            "test_macro_f1": teacher_m.macro_f1.to_json(),
            "n_test": teacher_m.n_test,
            "latency_ms": {"p50": teacher_m.latency_p50_ms, "p95": teacher_m.latency_p95_ms},
            "cost_per_1k_usd": teacher_m.cost_per_1k_usd,
            "gold_demonstrations": human_gold - n_gold,
        },
        "pool": _pool_stats(pool, labelled, kept, opts),
        "labelling_cost": {
            "llm_usd": labelling_usd,
            "llm_basis": labelling_basis,
            "n_labels": len(pool),
            "human_usd": len(pool) * opts.usd_per_label,
            "usd_per_label": opts.usd_per_label,
            "tokens": {"prompt": labelled.prompt_tokens, "completion": labelled.completion_tokens},
        },
        "gold_labels": n_gold,
        "students": students,
        "growth": growth,
    }
    add_sections(doc, distill=section)
    plots = ctx.write(doc)
    return DistillResult(ctx.run_id, ctx.out_dir, section, doc, tuple(plots))


def _pool_stats(
    pool: tuple[Example, ...], labelled: UnitResult, kept: list[int], opts: DistillOptions
) -> dict[str, Any]:
    conf = np.asarray([max(p) for p in labelled.probabilities], dtype=float)
    gold = [i for i, e in enumerate(pool) if e.label]
    label_acc = None
    kept_acc = None
    if gold:
        iv = bootstrap_interval(
            [pool[i].label for i in gold],
            [labelled.predictions[i] for i in gold],
            "accuracy",
            seed=opts.seed,
        )
        label_acc = iv.to_json()
        kept_gold = [i for i in kept if pool[i].label]
        if kept_gold:
            kept_acc = float(np.mean([pool[i].label == labelled.predictions[i] for i in kept_gold]))
    return {
        "n": len(pool),
        "n_labelled": len(kept),
        "min_confidence": opts.min_confidence,
        "confidence_mean": float(conf.mean()),
        "n_with_gold": len(gold),
        "label_accuracy": label_acc,
        "kept_label_accuracy": kept_acc,
        "parse_failures": labelled.parse_failures,
    }


def _merge_stats(executors: Sequence[Executor]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ex in executors:
        for k, v in ex.stats.to_json().items():
            out[k] = out.get(k, 0) + v
    return out
