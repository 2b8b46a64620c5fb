"""Score finished units into the results document: metrics, recommendation, cost model.

Shared by every command that ends in a `results.json` (compare, curve, distill): each
hands over the unit results it wants in the headline table and adds its own sections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from taskfit.backends import LLMSpec
from taskfit.config import RunOptions
from taskfit.metrics import price_for, summarize
from taskfit.metrics.costmodel import (
    CostAssumptions,
    CostModel,
    approach_cost,
    build_cost_model,
)
from taskfit.metrics.entities import entities_section
from taskfit.metrics.prompting import (
    Corrected,
    derive_corrections,
    find_collapses,
    prompting_section,
)
from taskfit.metrics.retrieval import retrieval_section
from taskfit.metrics.text_sections import outputs_section, self_consistency_section
from taskfit.recommend.headline import Constraints, EvidenceSet, recommend
from taskfit.recommend.prompting import answer_collapse_warnings, with_prompting
from taskfit.report.json import add_sections, build_results, set_recommendation
from taskfit.tasks import get_task
from taskfit.types import ApproachMetrics, Comparison, Dataset, Recommendation, UnitResult

__all__ = ["Scored", "cost_model_for", "score_headline"]


@dataclass(frozen=True)
class Scored:
    metrics: tuple[ApproachMetrics, ...]
    comparisons: tuple[Comparison, ...]
    recommendation: Recommendation
    cost_model: CostModel
    doc: dict[str, Any]


def cost_model_for(
    metrics: Sequence[ApproachMetrics],
    assumptions: CostAssumptions,
    llm_labelling_usd: Mapping[str, float] | None = None,
    human_labels: Mapping[str, int] | None = None,
) -> CostModel:
    """One-off and running cost of each measured approach, and pairwise break-evens.

    Human labels are the labels the approach was built from (training examples, or the
    demonstrations a few-shot prompt shows); zero-shot needs none. ``human_labels``
    overrides that count (a distilled student learns from LLM labels, not human ones).
    """
    labelling = llm_labelling_usd or {}
    humans = human_labels or {}
    costs = [
        approach_cost(
            m.name,
            m.family,
            human_labels=humans.get(m.name, m.n_train_labels),
            train_seconds=m.train_seconds,
            running_per_1k_usd=m.cost_per_1k_usd,
            running_basis=m.cost_basis,
            llm_labelling_usd=labelling.get(m.name, 0.0),
            assumptions=assumptions,
        )
        for m in metrics
    ]
    return build_cost_model(costs, assumptions)


def _without_ties(
    metrics: Sequence[ApproachMetrics], corrected: Sequence[Corrected]
) -> list[ApproachMetrics]:
    """``metrics`` less the corrected variants that score exactly as their raw result.

    Such a variant (often the same predictions: the correction moved nothing) would only
    ever win the tie-break on its name, and the recommendation should then name the
    approach as it ran. It stays in the approaches table and the ``prompting`` section.
    """
    by_name = {m.name: m for m in metrics}

    def score(name: str) -> tuple[float, ...]:
        return tuple(s.value for s in by_name[name].scores.values())

    ties = {
        c.result.name
        for c in corrected
        if c.source in by_name and score(c.result.name) == score(c.source)
    }
    return [m for m in metrics if m.name not in ties]


def score_headline(
    dataset: Dataset,
    results: Sequence[UnitResult],
    opts: RunOptions,
    *,
    run_id: str,
    run_stats: Mapping[str, Any],
    settings: Mapping[str, Any],
    llms: Sequence[LLMSpec],
    prices: Mapping[str, tuple[float, float]],
    prior: str | None = None,
    extra_reasons: Sequence[str] = (),
    llm_labelling_usd: Mapping[str, float] | None = None,
    human_labels: Mapping[str, int] | None = None,
    evidence: Sequence[EvidenceSet] = (),
    sections: Mapping[str, Any] | None = None,
) -> Scored:
    """Metrics with intervals, the recommendation, the cost model and the document.

    ``sections`` (typed records or JSON) join the document after the cost model.
    ``opts`` gives the cost assumptions, the trade rule, the seed of the intervals and
    (compare's settings only) the latency and budget constraints.

    Every prompted result also gets label-prior corrected variants
    (:func:`taskfit.metrics.prompting.derive_corrections`), scored and compared like any
    other approach and listed after the given ones (one that scores exactly as its raw
    result is left out of the recommendation). The document gains the
    ``prompting`` section and the ``collapsed`` list (approaches whose predictions pile
    onto one label); the recommendation warns about each collapse.
    """
    seed, usd_per_hour = opts.seed, opts.usd_per_hour
    prompting = get_task(dataset.task).applies("prompting")  # label-prior corrections
    raw = list(results)
    corrected = derive_corrections(raw) if prompting else []
    results = [*raw, *(c.result for c in corrected)]
    by_name: dict[str, UnitResult] = {r.name: r for r in results}
    task = get_task(dataset.task)
    y_true = {r.name: [dataset.test[i].target for i in r.test_indices] for r in results}
    used_prices: dict[str, tuple[float, float]] = {}
    metrics = []
    for r in results:
        spec = next((s for s in llms if s.canonical == r.model), None)
        price = price_for(spec.target, prices) if spec and spec.kind == "openai" else None
        if price and spec:
            used_prices[spec.target] = price
        metrics.append(
            summarize(
                r,
                y_true[r.name],
                usd_per_hour=usd_per_hour,
                price_in_per_1m=price[0] if price else None,
                price_out_per_1m=price[1] if price else None,
                seed=seed,
                metrics=[m.name for m in task.metrics],
            )
        )
    assumptions = CostAssumptions(
        usd_per_label=opts.usd_per_label,
        usd_per_hour=usd_per_hour,
        horizon_months=opts.horizon_months,
        prices=used_prices,
    )
    model = cost_model_for(metrics, assumptions, llm_labelling_usd, human_labels)
    rec, comparisons = recommend(
        _without_ties(metrics, corrected),
        by_name,
        y_true,
        constraints=Constraints(
            getattr(opts, "latency_p95_ms", None),
            getattr(opts, "budget_per_1k", None),
            opts.max_accuracy_loss,
            opts.volume_per_month,
        ),
        smoke_test_llms=[s.canonical for s in llms if s.canonical == "smollm2"],
        real_llms=[s.canonical for s in llms if s.canonical != "smollm2"],
        prior=prior,
        cost_model=model,
        evidence=evidence,
        seed=seed,
    )
    if extra_reasons:
        rec = replace(rec, reasons=(*rec.reasons, *extra_reasons))
    doc = build_results(
        run_id=run_id,
        dataset=dataset,
        metrics=metrics,
        results=by_name,
        comparisons=comparisons,
        recommendation=rec,
        run_stats=run_stats,
        settings=settings,
    )
    add_sections(doc, cost_model=model, **(sections or {}))
    if task.applies("outputs"):
        add_sections(doc, outputs=outputs_section(dataset, raw, task.headline.name, seed=seed))
        piled = find_collapses(dataset, raw)
        if piled:
            add_sections(doc, collapsed=list(piled))
            more = answer_collapse_warnings(piled, rec.choice, task.headline.title)
            rec = replace(rec, warnings=(*rec.warnings, *more))
            set_recommendation(doc, rec)
    if task.applies("entities"):
        add_sections(doc, entities=entities_section(dataset, raw))
    if task.applies("retrieval"):
        found = retrieval_section(dataset, raw, task.headline.name, seed=seed)
        if found:
            add_sections(doc, retrieval=found)
    if task.applies("self_consistency"):
        by_metrics = {m.name: m for m in metrics}
        curves = self_consistency_section(dataset, raw, by_metrics, seed=seed)
        if curves:
            add_sections(doc, self_consistency=curves)
    if not prompting:
        return Scored(tuple(metrics), tuple(comparisons), rec, model, doc)
    collapses = find_collapses(dataset, results)
    add_sections(
        doc,
        prompting=prompting_section(
            dataset, raw, corrected, {m.name: m for m in metrics}, collapses, seed=seed
        ),
        collapsed=[m.name for m in metrics if m.name in collapses],
    )
    rec = with_prompting(rec, doc, collapses)
    set_recommendation(doc, rec)
    return Scored(tuple(metrics), tuple(comparisons), rec, model, doc)
