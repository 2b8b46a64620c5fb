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

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskfit.backends import parse_spec
from taskfit.backends.options import options_for
from taskfit.data import load_dataset, load_demo
from taskfit.errors import UsageError
from taskfit.learners.embed import Embedder, resolve_encoder
from taskfit.metrics import DEFAULT_PRICES, DEFAULT_USD_PER_HOUR, load_price_file
from taskfit.metrics.costmodel import DEFAULT_HORIZON_MONTHS, DEFAULT_USD_PER_LABEL
from taskfit.metrics.curves import score_curves
from taskfit.metrics.noninferiority import DEFAULT_MARGIN_POINTS
from taskfit.prompting.select import DEFAULT_DEV_SIZE
from taskfit.report import render_summary
from taskfit.run.curve_plan import (
    DEFAULT_CURVE_LEARNERS,
    DEFAULT_CURVE_PROMPTED,
    CurvePlan,
    CurveSpec,
    plan_curve,
)
from taskfit.run.execute import Executor, ProgressHook
from taskfit.run.plan import PlanOptions
from taskfit.run.store import Store, default_home
from taskfit.types import Dataset, Unit, UnitResult, canonical_hash
from taskfit.workflows.compare import (
    check_llms,
    package_versions,
    read_label_descriptions,
    write_atomic,
)
from taskfit.workflows.scoring import score_headline

__all__ = ["CurveOptions", "CurveResult", "curve", "curve_dataset", "curve_demo", "plan_for"]


@dataclass(frozen=True)
class CurveOptions:
    """Everything but the data. Defaults are what `taskfit curve` uses."""

    approaches: tuple[str, ...] = DEFAULT_CURVE_LEARNERS
    prompted: tuple[str, ...] = DEFAULT_CURVE_PROMPTED
    llms: tuple[str, ...] = ()
    budgets: tuple[int, ...] = ()
    per_class: bool = False
    seeds: int = 5
    shots: int = 8
    prompt_format: str = "auto"
    dev_size: int = DEFAULT_DEV_SIZE
    max_test: int | None = None
    seed: int = 0
    encoder: str = "minilm"
    label_descriptions: str | None = None
    n_boot: int = 200
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
class CurveResult:
    run_id: str
    out_dir: Path
    dataset: Dataset
    section: dict[str, Any]  # results.json `curves`
    results_json: dict[str, Any]
    plots: tuple[Path, ...]


def curve(
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
) -> CurveResult:
    """Load ``data`` and sweep label budgets; see :class:`CurveOptions`."""
    opts = CurveOptions(**options)
    _check(opts)
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
    return curve_dataset(dataset, opts, hook=hook)


def curve_demo(**options: Any) -> CurveResult:
    """Sweep label budgets on the bundled demo data."""
    hook = options.pop("hook", None)
    return curve_dataset(load_demo(seed=options.get("seed", 0)), CurveOptions(**options), hook=hook)


def _check(opts: CurveOptions) -> None:
    if opts.shots < 1:
        raise UsageError("--shots must be at least 1")
    if opts.seeds < 1:
        raise UsageError(f"--seeds must be at least 1, got {opts.seeds}")
    if {"encoder-lr", "setfit"} & set(opts.approaches) or "few-shot-knn" in opts.prompted:
        resolve_encoder(opts.encoder)
    if opts.prompted:
        check_llms(opts.llms or ("smollm2",))


def plan_for(dataset: Dataset, opts: CurveOptions) -> CurveSpec:
    llms = check_llms(opts.llms or ("smollm2",)) if opts.prompted else ()
    base = PlanOptions(
        llms=llms,
        encoder=opts.encoder,
        shots=opts.shots,
        prompt_format=opts.prompt_format,
        dev_size=opts.dev_size,
        max_test=opts.max_test,
        seed=opts.seed,
        label_name=dataset.label_col,
        label_descriptions=read_label_descriptions(opts.label_descriptions, dataset),
    )
    plan = CurvePlan(
        learners=opts.approaches,
        prompted=opts.prompted,
        budgets=opts.budgets,
        per_class=opts.per_class,
        seeds=opts.seeds,
        base=base,
    )
    return plan_curve(dataset, plan)


def curve_dataset(
    dataset: Dataset, opts: CurveOptions, *, hook: ProgressHook | None = None
) -> CurveResult:
    _check(opts)
    spec = plan_for(dataset, opts)  # bad options fail here, before the store is opened
    prices = dict(DEFAULT_PRICES)
    if opts.price_file:
        prices.update(load_price_file(opts.price_file))
    hook = hook or ProgressHook()
    home = Path(opts.home) if opts.home else default_home()
    store = Store(home / "store.db")
    run_id = (
        time.strftime("%Y%m%d-%H%M%S") + "-curve-" + canonical_hash([u.key for u in spec.units])[:8]
    )
    out_dir = Path(opts.out) if opts.out else home / "runs" / run_id
    settings = _settings(opts, dataset, spec)
    store.start_run(run_id, settings, str(out_dir))
    llms = {s.canonical: s for s in check_llms(opts.llms or ("smollm2",))} if opts.prompted else {}
    try:
        from taskfit.backends import make_backend

        executor = Executor(
            dataset=dataset,
            store=store,
            embedder=Embedder(opts.encoder, cache=store),
            backend_factory=lambda c: make_backend(
                llms[c], **options_for(opts.backend_options, llms[c])
            ),
            hook=hook,
        )
        results = executor.run(spec.units)
        hook.stage("fitting curves")
        result = _render(dataset, opts, spec, results, executor, prices, run_id, out_dir, settings)
        store.finish_run(run_id, "finished")
        return result
    except BaseException:
        store.finish_run(run_id, "failed")
        raise
    finally:
        store.close()


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


def _render(
    dataset: Dataset,
    opts: CurveOptions,
    spec: CurveSpec,
    results: list[UnitResult],
    executor: Executor,
    prices: dict[str, tuple[float, float]],
    run_id: str,
    out_dir: Path,
    settings: dict[str, Any],
) -> CurveResult:
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
    )
    doc = score_headline(
        dataset,
        _headline(spec, results),
        run_id=run_id,
        run_stats=executor.stats.to_json(),
        settings=settings,
        llms=check_llms(opts.llms or ("smollm2",)) if opts.prompted else (),
        prices=prices,
        usd_per_hour=opts.usd_per_hour,
        usd_per_label=opts.usd_per_label,
        horizon_months=opts.horizon_months,
        max_accuracy_loss=opts.max_accuracy_loss,
        volume_per_month=opts.volume_per_month,
        seed=opts.seed,
        extra_reasons=[
            a["crossover"]["message"] for a in scores.section["approaches"] if a["crossover"]
        ],
    ).doc
    doc["curves"] = scores.section
    out_dir.mkdir(parents=True, exist_ok=True)
    plots: list[Path] = []
    if opts.plots:
        from taskfit.report.plots_report import figures_for

        plots = figures_for(doc, out_dir)
    doc["plots"] = [p.name for p in plots]
    write_atomic(out_dir / "results.json", json.dumps(doc, indent=2))
    write_atomic(out_dir / "summary.md", render_summary(doc))
    return CurveResult(run_id, out_dir, dataset, scores.section, doc, tuple(plots))


def _budget_notes(units: tuple[Unit, ...], results: list[UnitResult]) -> list[str]:
    """Shortfalls the executor reported (classes smaller than a per-class budget), once."""
    seen: dict[str, None] = {}
    for res in results:
        for n in res.notes:
            if n.startswith("budget "):
                seen.setdefault(n, None)
    return list(seen)


def _settings(opts: CurveOptions, dataset: Dataset, spec: CurveSpec) -> dict[str, Any]:
    from taskfit.version import __version__

    return {
        "command": "curve",
        "approaches": list(opts.approaches),
        "prompted": list(opts.prompted),
        # canonical specs: an endpoint's credentials are never recorded
        "llms": [
            parse_spec(s).canonical for s in opts.llms or (("smollm2",) if opts.prompted else ())
        ],
        "budgets": list(spec.budgets),
        "budget_unit": spec.budget_unit,
        "seeds": list(spec.seeds),
        "encoder": opts.encoder,
        "shots": opts.shots,
        "prompt_format": opts.prompt_format,
        "dev_size": opts.dev_size,
        "max_test": opts.max_test,
        "seed": opts.seed,
        "label_descriptions": opts.label_descriptions,
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
