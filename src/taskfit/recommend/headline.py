"""Recommendation: evidence + constraints -> a choice with its reasons.

1. Drop approaches that break a hard constraint (``--latency-p95-ms``,
   ``--budget-per-1k``), saying which and by how much.
2. Among the rest take the most accurate; a cheaper approach replaces it only when it is
   *non-inferior*: the paired bootstrap interval of the accuracy difference ends within
   ``margin`` (``--max-accuracy-loss``, default 1 point) on the test set and, when the run
   measured them, out of distribution and on perturbed inputs
   (:mod:`taskfit.recommend.choice`). "Cheaper" is the total cost over the horizon at
   ``--volume-per-month`` when given, else the running cost per 1k predictions. McNemar
   p-values are still reported with every comparison, but "not significantly worse" is
   never read as "as good".
3. Every reason names its figures; warnings flag evidence that says little (the
   embedded smoke-test LLM, a best approach that does not beat the majority baseline).
4. Given the decision flows' prior (``taskfit advise``), say whether the measured choice
   agrees with it, naming the best approach of each side (:func:`against_prior`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from taskfit.metrics import compare_to_best
from taskfit.metrics.costmodel import CostModel
from taskfit.metrics.noninferiority import DEFAULT_MARGIN_POINTS
from taskfit.metrics.summarize import scores_by_index
from taskfit.recommend.choice import EvidenceSet, choose
from taskfit.tasks import metric_title
from taskfit.types import ApproachMetrics, Comparison, Recommendation, UnitResult

__all__ = ["SMOKE_TEST_WARNING", "Constraints", "EvidenceSet", "against_prior", "recommend"]

SMOKE_TEST_WARNING = (
    "The only LLM measured is the embedded SmolLM2-135M smoke-test model, which is near "
    "chance on real tasks: its results say little about what a real LLM would do here. "
    "Point taskfit at a real one with --llm openai:gpt-4o-mini (OPENAI_API_KEY), "
    "--llm openai:MODEL@http://localhost:8000/v1 (vLLM, llama.cpp server, Ollama), or "
    "--llm gguf:/path/model.gguf."
)


@dataclass(frozen=True)
class Constraints:
    """Hard limits and the trade rule's settings.

    ``max_accuracy_loss`` is in accuracy points (1.0 = one point; 0 never trades accuracy
    for cost); ``volume_per_month`` switches "cheaper" from running cost per 1k to the
    total cost over the cost model's horizon.
    """

    latency_p95_ms: float | None = None
    budget_per_1k: float | None = None
    max_accuracy_loss: float = DEFAULT_MARGIN_POINTS
    volume_per_month: float | None = None


def _usd(x: float) -> str:
    return f"${x:.3g}"


def _fmt_acc(m: ApproachMetrics) -> str:
    a = m.headline
    title = metric_title(m.headline_metric)
    return f"{title} {a.value:.3f} [{a.ci_low:.3f}, {a.ci_high:.3f}] (n={m.n_test})"


def _best_line(m: ApproachMetrics) -> str:
    """The reason naming the best approach: its headline metric, then the next one."""
    head = (
        "Most accurate"
        if m.headline_metric == "accuracy"
        else "Best by " + metric_title(m.headline_metric)
    )
    rest = [f"{metric_title(name)} {s.value:.3f}" for name, s in list(m.scores.items())[1:2]]
    return f"{head}: {m.name}, {', '.join([_fmt_acc(m), *rest])}."


def _violations(m: ApproachMetrics, c: Constraints) -> list[str]:
    out = []
    if c.latency_p95_ms is not None and m.latency_p95_ms > c.latency_p95_ms:
        out.append(f"p95 latency {m.latency_p95_ms:.1f} ms > {c.latency_p95_ms:g} ms")
    if c.budget_per_1k is not None and m.cost_per_1k_usd > c.budget_per_1k:
        out.append(f"{_usd(m.cost_per_1k_usd)} per 1k > budget ${c.budget_per_1k:g}")
    return out


def recommend(
    metrics: Sequence[ApproachMetrics],
    results: Mapping[str, UnitResult],
    y_true: Mapping[str, Sequence[str]],
    *,
    constraints: Constraints = Constraints(),
    smoke_test_llms: Sequence[str] = (),
    real_llms: Sequence[str] = (),
    prior: str | None = None,
    cost_model: CostModel | None = None,
    evidence: Sequence[EvidenceSet] = (),
    seed: int = 0,
) -> tuple[Recommendation, list[Comparison]]:
    """Choose an approach; also return the comparisons against the best feasible one.

    ``prior`` is the advice's prior (one of ``taskfit.advise.PRIORS``); when given, the
    last reason says whether the measurements agree with it. ``evidence`` holds the
    out-of-distribution and perturbed-input sets the choice must also hold up on;
    ``cost_model`` prices the trade at ``constraints.volume_per_month``.
    """
    rec, comparisons = _recommend(
        metrics,
        results,
        y_true,
        constraints,
        smoke_test_llms,
        real_llms,
        cost_model,
        evidence,
        seed,
    )
    if prior is None:
        return rec, comparisons
    agrees, why = against_prior(prior, rec.choice, metrics)
    return (
        replace(rec, reasons=(*rec.reasons, why), prior=prior, agrees_with_prior=agrees),
        comparisons,
    )


def _side(m: ApproachMetrics) -> str:
    return "prompt" if m.family == "prompt" else "finetune"


_SIDE_WORDS = {"prompt": "a prompted LLM", "finetune": "a fine-tuned (local) model"}
_NO_SIDE = {
    "split": "The decision flows disagreed (prior: split)",
    "none": "The decision flows said no model fits well yet",
}


def against_prior(
    prior: str, choice: str, metrics: Sequence[ApproachMetrics]
) -> tuple[bool | None, str]:
    """(agrees, reason): does the measured ``choice`` agree with the flows' ``prior``?

    Baselines count as the fine-tuned side (small local models). ``agrees`` is None when
    the prior takes no side ("split", "none") or nothing was chosen.

    >>> from taskfit.types import ApproachMetrics
    >>> against_prior("split", "none", [])
    (None, "The decision flows' prior was split; no approach met the constraints.")
    """
    by_side: dict[str, ApproachMetrics] = {}
    for m in metrics:
        side = _side(m)
        if side not in by_side or m.headline.value > by_side[side].headline.value:
            by_side[side] = m
    chosen = next((m for m in metrics if m.name == choice), None)
    if chosen is None:
        return None, f"The decision flows' prior was {prior}; no approach met the constraints."
    side = _side(chosen)
    best = ", ".join(
        f"best {s}: {m.name} {metric_title(m.headline_metric)} {m.headline.value:.3f} "
        f"(n={m.n_test})"
        for s, m in sorted(by_side.items())
    )
    if prior in ("prompt", "finetune"):
        agrees = side == prior
        verb = "agree with" if agrees else "go against"
        return agrees, (
            f"The measurements {verb} the decision flows' prior ({_SIDE_WORDS[prior]}): "
            f"the choice is {_SIDE_WORDS[side]} ({best})."
        )
    if prior == "distill":
        if side == "prompt":
            return False, (
                "The decision flows advised distillation (a prompted LLM is ruled out for "
                f"serving), but the measured choice is a prompted LLM ({best}); check the "
                "deployment constraints."
            )
        top = max(by_side.values(), key=lambda m: m.headline.value)
        if _side(top) == "prompt":
            return True, (
                "The measurements agree with the decision flows' prior (distil): the "
                f"prompted LLM is most accurate but a small model is chosen to serve ({best}); "
                "let the LLM label data offline to train it."
            )
        return True, (
            "The decision flows advised distillation; the measurements go further: a "
            f"fine-tuned model is already the most accurate ({best}), so no LLM labels are "
            "needed."
        )
    words = _NO_SIDE.get(prior, f"The decision flows' prior was {prior}")
    return None, f"{words}; the measurements decide for {_SIDE_WORDS[side]} ({best})."


def _test_set(
    names: Sequence[str],
    results: Mapping[str, UnitResult],
    y_true: Mapping[str, Sequence[str]],
    metric: str,
) -> EvidenceSet:
    """Per-example scores of ``metric`` (the headline) of each approach on the test set."""
    correct = {n: scores_by_index(results[n], y_true[n], metric) for n in names}
    return EvidenceSet("test", "the test set", correct)


def _recommend(
    metrics: Sequence[ApproachMetrics],
    results: Mapping[str, UnitResult],
    y_true: Mapping[str, Sequence[str]],
    constraints: Constraints,
    smoke_test_llms: Sequence[str],
    real_llms: Sequence[str],
    cost_model: CostModel | None,
    evidence: Sequence[EvidenceSet],
    seed: int,
) -> tuple[Recommendation, list[Comparison]]:
    reasons: list[str] = []
    warnings: list[str] = []
    if smoke_test_llms and not real_llms:
        warnings.append(SMOKE_TEST_WARNING)
    feasible = []
    for m in metrics:
        bad = _violations(m, constraints)
        if bad:
            reasons.append(f"{m.name} is ruled out: {'; '.join(bad)}.")
        else:
            feasible.append(m)
    if not feasible:
        return Recommendation(
            "none", tuple([*reasons, "No approach meets the constraints."]), tuple(warnings)
        ), []

    by_name = {m.name: m for m in feasible}
    best_name, mcnemar = compare_to_best(
        {n: results[n] for n in by_name}, {n: y_true[n] for n in by_name}, by_name
    )
    best = by_name[best_name]
    reasons.insert(0, _best_line(best))
    picked = choose(
        feasible,
        best_name,
        _test_set(list(by_name), results, y_true, best.headline_metric),
        evidence,
        margin=constraints.max_accuracy_loss / 100.0,
        cost_model=cost_model,
        volume_per_month=constraints.volume_per_month,
        seed=seed,
        metric_title=metric_title(best.headline_metric),
    )
    reasons += picked.reasons
    warnings += picked.warnings
    tests = picked.sets[0].tests
    comparisons = [
        replace(
            c,
            difference=tests[c.b].difference if c.b in tests else None,
            verdict=tests[c.b].verdict if c.b in tests else None,
            n_needed=tests[c.b].n_needed if c.b in tests else None,
        )
        for c in mcnemar
    ]
    choice = by_name[picked.choice]
    reasons.append(
        f"{choice.name} costs {_usd(choice.cost_per_1k_usd)} per 1k predictions "
        f"({choice.cost_basis}); p50/p95 latency {choice.latency_p50_ms:.1f}/"
        f"{choice.latency_p95_ms:.1f} ms."
    )
    majority = next((m for m in metrics if m.name == "majority"), None)
    if majority is not None and choice.name != "majority":
        title = metric_title(choice.headline_metric)
        gain = choice.headline.value - majority.headline.value
        reasons.append(
            f"Against the majority-class baseline ({majority.headline.value:.3f}) "
            f"{choice.name} gains {gain * 100:+.1f} {title} points."
        )
        if choice.headline.ci_low <= majority.headline.value:
            warnings.append(
                f"{choice.name}'s {title} interval includes the majority baseline: "
                "the evidence for any learned approach here is weak."
            )
    rule = {
        "metric": metric_title(best.headline_metric),
        "max_accuracy_loss_points": constraints.max_accuracy_loss,
        "volume_per_month": constraints.volume_per_month,
        **picked.to_json(),
    }
    return Recommendation(choice.name, tuple(reasons), tuple(warnings), rule=rule), comparisons
