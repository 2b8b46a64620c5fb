"""The compare workflow: load -> profile/advise -> plan -> execute -> trust -> score ->
recommend -> render.

Everything a user can get wrong (files, columns, approach names, LLM specs, model
paths) is checked before the store is opened, so bad input writes nothing.

>>> from taskfit import compare
>>> res = compare("tickets.csv", text="body", label="intent", max_test=100)  # doctest: +SKIP
>>> res.to_frame()[["name", "accuracy", "cost_per_1k_usd"]]  # doctest: +SKIP
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskfit.advise.card import TaskCard, load_card
from taskfit.advise.flows import FACTS
from taskfit.approaches import defaults, for_task, needs_of
from taskfit.approaches import get as get_approach
from taskfit.backends import LLMSpec
from taskfit.config import CompareOptions, ProfileOptions, TrustOptions, build, merge, split_options
from taskfit.data import load_examples
from taskfit.errors import UsageError
from taskfit.learners.embed import resolve_encoder
from taskfit.report.json import add_sections, set_recommendation
from taskfit.run.execute import ProgressHook
from taskfit.run.plan import parse_approaches, plan_units
from taskfit.tasks import get_task
from taskfit.types import (
    ApproachMetrics,
    Comparison,
    Dataset,
    EvidenceSet,
    Example,
    Profile,
    Recommendation,
    UnitResult,
)
from taskfit.workflows.checks import check_llms, check_prompt_options, plan_options
from taskfit.workflows.context import RunContext, demo_dataset, load_source, prices_for, record
from taskfit.workflows.profile import profile_dataset
from taskfit.workflows.scoring import score_headline

if TYPE_CHECKING:
    import pandas as pd

    from taskfit.advise import Advice

__all__ = [
    "CompareOptions",
    "CompareResult",
    "compare",
    "compare_dataset",
    "compare_demo",
    "validate_options",
]

# What a compare run records (results.json "settings") besides the shared run options.
_RECORDED = (
    "setfit_per_class",
    "label_descriptions",
    "latency_p95_ms",
    "budget_per_1k",
    "card",
)


@dataclass(frozen=True)
class CompareResult:
    """What `compare` returns: typed metrics, the recommendation, and the JSON written."""

    run_id: str
    out_dir: Path
    dataset: Dataset
    metrics: tuple[ApproachMetrics, ...]
    comparisons: tuple[Comparison, ...]
    recommendation: Recommendation
    results_json: dict[str, Any]
    advice: Advice | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per approach with the headline figures."""
        import pandas as pd

        rows = []
        for m in self.metrics:
            rows.append(
                {
                    "name": m.name,
                    "family": m.family,
                    "model": m.model,
                    "n_train_labels": m.n_train_labels,
                    "n_test": m.n_test,
                    **{
                        f"{name}{part}": value
                        for name, s in m.scores.items()
                        for part, value in (
                            ("", s.value),
                            ("_ci_low", s.ci_low),
                            ("_ci_high", s.ci_high),
                        )
                    },
                    "latency_p50_ms": m.latency_p50_ms,
                    "latency_p95_ms": m.latency_p95_ms,
                    "throughput_per_s": m.throughput_per_s,
                    "train_seconds": m.train_seconds,
                    "cost_per_1k_usd": m.cost_per_1k_usd,
                    "parse_failures": m.parse_failures,
                }
            )
        return pd.DataFrame(rows)


def compare(
    data: str | os.PathLike[str],
    *,
    settings: CompareOptions | None = None,
    hook: ProgressHook | None = None,
    **options: Any,
) -> CompareResult:
    """Load ``data`` and compare approaches on it.

    ``options`` are the columns and test split (:class:`~taskfit.config.DataSource`:
    ``text``, ``label``, ``text_pair``, ``test``, ``test_size``, ``drop_empty``) and any
    :class:`~taskfit.config.CompareOptions` field, which update ``settings`` if given."""
    source, opts = split_options(CompareOptions, settings, options)
    validate_options(opts)  # before loading: a typo in a flag should not wait for a big file
    dataset = load_source(data, source, seed=opts.seed, group=opts.trust.group_col)
    ood = load_ood(opts.trust, source.text, source.label, source.text_pair, source.drop_empty)
    return compare_dataset(dataset, opts, hook=hook, ood_examples=ood)


def load_ood(
    trust: TrustOptions,
    text: str,
    label: str,
    text_pair: str | None = None,
    drop_empty: bool = False,
) -> tuple[Example, ...]:
    """The labelled ``--ood-test`` file (same columns as the data), or nothing."""
    if not trust.ood_test:
        return ()
    return load_examples(
        trust.ood_test,
        text=text,
        label=label,
        text_pair=text_pair,
        drop_empty=drop_empty,
        group=trust.group_col,
    )


def validate_options(
    opts: CompareOptions,
) -> tuple[tuple[str, ...], tuple[LLMSpec, ...], TaskCard | None]:
    """Check what the settings point at; the approaches are the user's or all of them
    (the advice narrows the default later)."""
    approaches = parse_approaches(opts.approaches or defaults("compare"))
    llms = check_llms(opts.llms or ("smollm2",))
    check_prompt_options(opts.prompt_format, opts.dev_size)
    if "encoder" in needs_of(approaches):
        resolve_encoder(opts.encoder)
    card = load_card(opts.card) if opts.card else None
    for name in opts.answers:
        if name not in FACTS:
            raise UsageError(f"unknown fact {name!r}; facts are: {', '.join(FACTS)}")
    prices_for(opts)  # a bad price file fails before any work
    return approaches, llms, card


def _advise(
    dataset: Dataset,
    opts: CompareOptions,
    card: TaskCard | None,
    hook: ProgressHook,
) -> tuple[Profile, Advice]:
    """Profile the data and run the decision flows; the store caches the encoder work.

    No LLM is called here: the facts the flows read come from counts, the encoder and the
    language detector, and an API LLM's domain fit would cost money on every new dataset
    (``taskfit profile --llm`` measures it)."""
    from taskfit.advise import advise

    popts = ProfileOptions(
        use_llms=False,
        encoder=opts.encoder,
        sample=opts.profile_sample,
        seed=opts.seed,
        home=opts.home,
        backend_options=opts.backend_options,
    )
    profile = profile_dataset(
        dataset, popts, on_section=lambda name: hook.stage(f"profiling: {name}")
    )
    advice = advise(
        profile,
        card,
        opts.answers,
        budget_per_1k=opts.budget_per_1k,
        latency_p95_ms=opts.latency_p95_ms,
        on_prem=opts.on_prem or None,
    )
    return profile, advice


def compare_dataset(
    dataset: Dataset,
    opts: CompareOptions,
    *,
    hook: ProgressHook | None = None,
    ood_examples: Sequence[Example] = (),
) -> CompareResult:
    approaches, llms, card = validate_options(opts)
    get_task(dataset.task).require(opts.trust.measures, "the trust measure")
    corpus = bool(dataset.corpus)
    if opts.approaches is not None:  # named ones must serve the task: say so before profiling
        for_task(approaches, dataset.task, named=True, corpus=corpus)
    hook = hook or ProgressHook()
    profile, advice = _advise(dataset, opts, card, hook)
    # The advice's picks are classification approaches: they narrow the default only when
    # every pick serves the data's task type.
    from_advice = (
        opts.approaches is None
        and bool(advice.approaches)
        and all(get_approach(a).supports(dataset.task) for a in advice.approaches)
    )
    if from_advice:
        # The advice names the approaches that test its prior; the user's list wins.
        approaches = tuple(a for a in advice.approaches if a in approaches)
    approaches = for_task(
        approaches, dataset.task, named=opts.approaches is not None, corpus=corpus
    )
    if "llm" not in needs_of(approaches):
        llms = ()
    plan = plan_options(
        opts,
        dataset,
        llms,
        opts.label_descriptions,
        approaches=approaches,
        setfit_per_class=opts.setfit_per_class,
    )
    units = plan_units(dataset, plan)
    settings = record(
        opts,
        _RECORDED,
        dataset,
        approaches=list(approaches),
        llms=[s.canonical for s in llms],
        answers=dict(sorted(opts.answers.items())),
        on_prem=opts.on_prem,
        trust=asdict(opts.trust),
        approaches_from_advice=from_advice,
    )
    with RunContext.open(
        opts, key=[u.key for u in units], settings=settings, hook=hook, announce=True
    ) as ctx:
        # with trust measures, headline models are kept to predict the derived test sets
        executor = ctx.executor(dataset, llms, fitted={} if opts.trust.measures else None)
        results = executor.run(units)
        trust_sections: dict[str, Any] = {}
        evidence: list[EvidenceSet] = []
        if opts.trust.measures:
            from taskfit.workflows.trust import run_trust

            t_trust = time.perf_counter()
            outcome = run_trust(
                executor,
                dataset,
                units,
                results,
                opts.trust,
                seed=opts.seed,
                ood_examples=ood_examples,
                ood_source=opts.trust.ood_test or "",
            )
            trust_sections = outcome.sections
            evidence = outcome.evidence
            trust_sections["trust_notes"] = outcome.notes
            trust_sections["trust_seconds"] = time.perf_counter() - t_trust
        return _score_and_render(
            ctx,
            dataset,
            opts,
            results,
            executor.stats.to_json(),
            llms,
            profile,
            advice,
            trust_sections,
            evidence,
        )


def _score_and_render(
    ctx: RunContext,
    dataset: Dataset,
    opts: CompareOptions,
    results: Sequence[UnitResult],
    run_stats: dict[str, Any],
    llms: Sequence[LLMSpec],
    profile: Profile,
    advice: Advice,
    trust_sections: dict[str, Any] | None = None,
    evidence: Sequence[EvidenceSet] = (),
) -> CompareResult:
    scored = score_headline(
        dataset,
        results,
        opts,
        run_id=ctx.run_id,
        run_stats=run_stats,
        settings=ctx.settings,
        llms=llms,
        prices=ctx.prices,
        prior=advice.prior,
        evidence=evidence,
        sections={"profile": profile, "advice": advice},
    )
    doc = scored.doc
    recommendation = scored.recommendation
    if trust_sections:
        from taskfit.recommend.trust import with_trust

        add_sections(doc, **trust_sections)
        recommendation = with_trust(recommendation, doc)
        set_recommendation(doc, recommendation)
    ctx.write(doc)
    return CompareResult(
        ctx.run_id,
        ctx.out_dir,
        dataset,
        scored.metrics,
        scored.comparisons,
        recommendation,
        doc,
        advice,
    )


def compare_demo(
    *,
    settings: CompareOptions | None = None,
    hook: ProgressHook | None = None,
    task: str = "classification",
    **options: Any,
) -> CompareResult:
    """Compare on the bundled demo data of task type ``task`` with the embedded models:
    8 support intents (classification), product descriptions (generation) or word
    problems (reasoning).

    The OOD measure uses the classification demo's shifted test set (``ood_test.csv``)."""
    opts = merge(CompareOptions, settings, options)
    if task != "classification":
        return compare_dataset(demo_dataset(task, opts.seed), opts, hook=hook)
    if opts.trust.group_col:
        raise UsageError("the demo data has no metadata column for --group-col")
    ood: tuple[Example, ...] = ()
    if opts.trust.on("ood") and not opts.trust.ood_test:
        from taskfit.data.demo import DEMO_LABEL, DEMO_TEXT, demo_paths

        path = demo_paths()["ood_test"]
        ood = load_examples(path, text=DEMO_TEXT, label=DEMO_LABEL)
        trust = build(TrustOptions, asdict(opts.trust), ood_test=f"demo:{path.name}")
        opts = replace(opts, trust=trust)
    elif opts.trust.ood_test:
        ood = load_ood(opts.trust, "text", "intent")
    return compare_dataset(demo_dataset(seed=opts.seed), opts, hook=hook, ood_examples=ood)
