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

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from taskfit.backends import LLMSpec
from taskfit.backends.options import options_for
from taskfit.data import load_dataset, load_demo, load_examples, read_table
from taskfit.errors import DataError, UsageError
from taskfit.learners.embed import Embedder, resolve_encoder
from taskfit.metrics import (
    DEFAULT_PRICES,
    DEFAULT_USD_PER_HOUR,
    cost_per_1k,
    load_price_file,
    price_for,
)
from taskfit.metrics.costmodel import DEFAULT_HORIZON_MONTHS, DEFAULT_USD_PER_LABEL
from taskfit.metrics.noninferiority import DEFAULT_MARGIN_POINTS
from taskfit.metrics.quality import bootstrap_interval
from taskfit.prompting.select import DEFAULT_DEV_SIZE
from taskfit.report import render_summary
from taskfit.run.budgets import budget_indices, default_budgets
from taskfit.run.execute import Executor, ProgressHook
from taskfit.run.plan import (
    FINETUNE_APPROACHES,
    PROMPT_APPROACHES,
    PlanOptions,
    learner_unit,
    prompt_unit,
    stratified_sample,
)
from taskfit.run.store import Store, default_home
from taskfit.types import Dataset, Example, Unit, UnitResult, canonical_hash
from taskfit.workflows.compare import check_llms, package_versions, write_atomic
from taskfit.workflows.scoring import score_headline

__all__ = [
    "DistillOptions",
    "DistillResult",
    "check_options",
    "distill",
    "distill_dataset",
    "distill_demo",
]

DEFAULT_STUDENTS = ("encoder-lr", "tfidf-lr")


@dataclass(frozen=True)
class DistillOptions:
    """Everything but the data. Defaults are what `taskfit distill` uses."""

    llms: tuple[str, ...] = ()  # the teacher: one LLM spec (default smollm2)
    teacher: str = "zero-shot"
    students: tuple[str, ...] = DEFAULT_STUDENTS
    unlabeled: str | None = None
    from_train: bool = False
    min_confidence: float | None = None
    gold: int = 0
    sizes: tuple[int, ...] = ()  # LLM-labelled pool sizes for the growth curve
    seeds: int = 3
    shots: int = 8
    prompt_format: str = "auto"
    dev_size: int = DEFAULT_DEV_SIZE
    max_test: int | None = None
    seed: int = 0
    encoder: str = "minilm"
    usd_per_hour: float = DEFAULT_USD_PER_HOUR
    usd_per_label: float = DEFAULT_USD_PER_LABEL
    horizon_months: float = DEFAULT_HORIZON_MONTHS
    max_accuracy_loss: float = DEFAULT_MARGIN_POINTS  # the recommendation's trade rule
    volume_per_month: float | None = None
    price_file: str | None = None
    plots: bool = True
    out: str | None = None
    home: str | None = None
    backend_options: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class DistillResult:
    run_id: str
    out_dir: Path
    section: dict[str, Any]  # results.json `distill`
    results_json: dict[str, Any]
    plots: tuple[Path, ...]


def distill(
    data: str | os.PathLike[str],
    *,
    text: str,
    label: str,
    text_pair: str | None = None,
    test: str | os.PathLike[str] | None = None,
    test_size: float = 0.3,
    drop_empty: bool = False,
    hook: ProgressHook | None = None,
    **options: Any,
) -> DistillResult:
    """Load ``data`` (gold labels) and distil an LLM into students; see DistillOptions."""
    opts = DistillOptions(**options)
    check_options(opts)
    dataset = load_dataset(
        data,
        text=text,
        label=label,
        text_pair=text_pair,
        test=test,
        test_size=test_size,
        seed=opts.seed,
        drop_empty=drop_empty,
    )
    return distill_dataset(dataset, opts, hook=hook)


def distill_demo(**options: Any) -> DistillResult:
    """Distil on the bundled demo data (the pool is its training texts, labels hidden)."""
    hook = options.pop("hook", None)
    options.setdefault("from_train", True)
    return distill_dataset(
        load_demo(seed=options.get("seed", 0)), DistillOptions(**options), hook=hook
    )


def check_options(opts: DistillOptions) -> LLMSpec:
    if (opts.unlabeled is None) == (not opts.from_train):
        raise UsageError("give the pool to label: --unlabeled POOL or --from-train (not both)")
    if opts.teacher not in PROMPT_APPROACHES:
        raise UsageError(
            f"unknown teacher approach {opts.teacher!r}; use one of {', '.join(PROMPT_APPROACHES)}"
        )
    bad = [s for s in opts.students if s not in FINETUNE_APPROACHES]
    if bad or not opts.students:
        raise UsageError(
            f"unknown student {bad[0] if bad else ''!r}; students: {', '.join(FINETUNE_APPROACHES)}"
        )
    if opts.min_confidence is not None and not 0.0 <= opts.min_confidence < 1.0:
        raise UsageError(f"--min-confidence must be in [0, 1), got {opts.min_confidence}")
    if opts.gold < 0 or opts.seeds < 1 or opts.shots < 1:
        raise UsageError("--gold must be >= 0, --seeds and --shots >= 1")
    if len(opts.llms) > 1:
        raise UsageError("distill uses one teacher LLM; give --llm once")
    if {"encoder-lr", "setfit"} & set(opts.students) or opts.teacher == "few-shot-knn":
        resolve_encoder(opts.encoder)
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
    pool = _load_pool(dataset, opts)
    gold_idx = _gold_sample(dataset, opts.gold, opts.seed)
    prices = dict(DEFAULT_PRICES)
    if opts.price_file:
        prices.update(load_price_file(opts.price_file))
    hook = hook or ProgressHook()
    pool_ds = _pool_dataset(dataset, pool)
    base = PlanOptions(
        llms=(spec,),
        encoder=opts.encoder,
        shots=opts.shots,
        prompt_format=opts.prompt_format,
        dev_size=opts.dev_size,
        max_test=opts.max_test,
        seed=opts.seed,
        label_name=dataset.label_col,
    )
    teacher_pool = prompt_unit(
        opts.teacher, spec, pool_ds, tuple(range(len(pool))), opts.seed, base
    )
    test_idx = stratified_sample([e.label for e in dataset.test], opts.max_test, opts.seed)
    teacher_test = prompt_unit(opts.teacher, spec, dataset, test_idx, opts.seed, base)

    home = Path(opts.home) if opts.home else default_home()
    store = Store(home / "store.db")
    run_id = (
        time.strftime("%Y%m%d-%H%M%S")
        + "-distill-"
        + canonical_hash([teacher_pool.key, teacher_test.key, opts.students, opts.gold])[:8]
    )
    out_dir = Path(opts.out) if opts.out else home / "runs" / run_id
    settings = _settings(opts, dataset, spec)
    store.start_run(run_id, settings, str(out_dir))
    try:
        from taskfit.backends import make_backend

        embedder = Embedder(opts.encoder, cache=store)

        def executor(ds: Dataset) -> Executor:
            return Executor(
                dataset=ds,
                store=store,
                embedder=embedder,
                backend_factory=lambda c: make_backend(
                    spec, **options_for(opts.backend_options, spec)
                ),
                hook=hook,
            )

        ex_pool = executor(pool_ds)
        labelled = ex_pool.run([teacher_pool])[0]
        ex_test = executor(dataset)
        teacher_res = ex_test.run([teacher_test])[0]
        student_ds, kept, n_gold_used = _student_dataset(dataset, pool, labelled, gold_idx, opts)
        student_units = _student_units(student_ds, n_gold_used, len(kept), opts, base)
        ex_students = executor(student_ds)
        student_res = ex_students.run(student_units)
        hook.stage("scoring")
        result = _render(
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
            prices,
            run_id,
            out_dir,
            settings,
        )
        store.finish_run(run_id, "finished")
        return result
    except BaseException:
        store.finish_run(run_id, "failed")
        raise
    finally:
        store.close()


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
    for a in opts.students:
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
    prices: dict[str, tuple[float, float]],
    run_id: str,
    out_dir: Path,
    settings: dict[str, Any],
) -> DistillResult:
    labelling_usd, labelling_basis = _labelling_usd(labelled, spec, prices, opts.usd_per_hour)
    top = max(int(u.param("budget")) for u in units)
    headline = [
        replace(r, name=f"distill:{r.name}")
        for u, r in zip(units, results, strict=True)
        if u.param("budget") == top and u.seed == opts.seed
    ]
    human_gold = n_gold + (teacher_res.n_train_labels if opts.teacher != "zero-shot" else 0)
    stats = _merge_stats(executors)
    scored = score_headline(
        dataset,
        [teacher_res, *headline],
        run_id=run_id,
        run_stats=stats,
        settings=settings,
        llms=(spec,),
        prices=prices,
        usd_per_hour=opts.usd_per_hour,
        usd_per_label=opts.usd_per_label,
        horizon_months=opts.horizon_months,
        max_accuracy_loss=opts.max_accuracy_loss,
        volume_per_month=opts.volume_per_month,
        seed=opts.seed,
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
    doc["distill"] = section
    out_dir.mkdir(parents=True, exist_ok=True)
    plots: list[Path] = []
    if opts.plots:
        from taskfit.report.plots_report import figures_for

        plots = figures_for(doc, out_dir)
    doc["plots"] = [p.name for p in plots]
    write_atomic(out_dir / "results.json", json.dumps(doc, indent=2))
    write_atomic(out_dir / "summary.md", render_summary(doc))
    return DistillResult(run_id, out_dir, section, doc, tuple(plots))


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


def _settings(opts: DistillOptions, dataset: Dataset, spec: LLMSpec) -> dict[str, Any]:
    from taskfit.version import __version__

    return {
        "command": "distill",
        "llms": [spec.canonical],
        "teacher": opts.teacher,
        "students": list(opts.students),
        "unlabeled": opts.unlabeled,
        "from_train": opts.from_train,
        "min_confidence": opts.min_confidence,
        "gold": opts.gold,
        "sizes": list(opts.sizes),
        "seeds": opts.seeds,
        "shots": opts.shots,
        "prompt_format": opts.prompt_format,
        "dev_size": opts.dev_size,
        "max_test": opts.max_test,
        "seed": opts.seed,
        "encoder": opts.encoder,
        "usd_per_hour": opts.usd_per_hour,
        "usd_per_label": opts.usd_per_label,
        "horizon_months": opts.horizon_months,
        "max_accuracy_loss": opts.max_accuracy_loss,
        "volume_per_month": opts.volume_per_month,
        "price_file": opts.price_file,
        "columns": {
            "text": dataset.text_col,
            "text_pair": dataset.text_pair_col,
            "label": dataset.label_col,
        },
        "versions": package_versions(__version__),
    }
