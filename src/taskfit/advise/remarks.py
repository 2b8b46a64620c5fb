"""The paper's remarks 1-8 as data, each with a rule saying when it applies.

What: :data:`REMARKS` lists the remarks of "Harnessing the Power of LLMs in Practice"
(paraphrased in DECISION_FLOWS.md); each carries a ``when`` rule that looks at the task
type, the facts, the flows' outcomes, the deployment constraints and the profile, and
returns why the remark applies (or ``None``). :func:`applicable_remarks` keeps those that
apply.

Why: the flows give a one-word outcome; the remarks give the guidance that comes with it
(e.g. "fine-tuned models usually win on classification unless strong generalisation is
required"). Attaching only the remarks that apply keeps the advice short and specific.

Remark 1(3) (domain fit) applies when a candidate LLM's per-token perplexity on the user's
texts is at least :data:`DOMAIN_FIT_HIGH_RATIO` times its perplexity on a neutral reference
text: the data are far from what that model saw in pretraining.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from taskfit.advise.card import Deployment
from taskfit.advise.facts import Fact
from taskfit.types import Profile

__all__ = [
    "DOMAIN_FIT_HIGH_RATIO",
    "GENERATION_TASKS",
    "NLU_TASKS",
    "REMARKS",
    "AppliedRemark",
    "Remark",
    "RemarkContext",
    "applicable_remarks",
]

DOMAIN_FIT_HIGH_RATIO = 2.0
NLU_TASKS = frozenset({"classification", "nli", "ner"})
GENERATION_TASKS = frozenset({"summarization", "generation", "code", "translation", "chat"})


@dataclass(frozen=True)
class RemarkContext:
    """Everything a remark's rule may look at."""

    task_type: str
    facts: Mapping[str, Fact]
    outcomes: Mapping[str, str]  # flow id -> outcome
    deployment: Deployment
    profile: Profile | None = None
    prior: str = ""

    def true(self, name: str) -> bool:
        fact = self.facts.get(name)
        return fact is not None and fact.value


@dataclass(frozen=True)
class Remark:
    id: str  # "1" .. "8", and "1(3)" for the domain-fit part of remark 1
    title: str
    text: str
    when: Callable[[RemarkContext], str | None]


@dataclass(frozen=True)
class AppliedRemark:
    id: str
    title: str
    text: str
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "text": self.text, "why": self.why}


def _facts_why(ctx: RemarkContext, *names: str) -> str | None:
    hits = [f"{n} ({ctx.facts[n].source})" for n in names if ctx.true(n)]
    if not hits:
        return None
    return f"{' and '.join(hits)} {'is' if len(hits) == 1 else 'are'} yes"


def _data(ctx: RemarkContext) -> str | None:
    return _facts_why(ctx, "ood", "few_labels")


def _domain_fit(ctx: RemarkContext) -> str | None:
    if ctx.profile is None:
        return None
    far = [d for d in ctx.profile.domain_fit if d.ratio >= DOMAIN_FIT_HIGH_RATIO]
    if not far:
        return None
    shown = "; ".join(
        f"{d.model}: perplexity {d.ratio:.1f}x the reference ({d.n_texts} texts, {d.tokens} tokens)"
        for d in far
    )
    return f"{shown} (threshold {DOMAIN_FIT_HIGH_RATIO:g}x)"


def _nlu(ctx: RemarkContext) -> str | None:
    if ctx.task_type in NLU_TASKS:
        return f"the task type is {ctx.task_type}"
    return None


def _generation(ctx: RemarkContext) -> str | None:
    if ctx.task_type in GENERATION_TASKS:
        return f"the task type is {ctx.task_type}"
    return _facts_why(ctx, "needs_generation", "creative_generation")


def _knowledge(ctx: RemarkContext) -> str | None:
    return _facts_why(ctx, "knowledge_intensive", "counterfactual_knowledge")


def _scale(ctx: RemarkContext) -> str | None:
    if ctx.task_type == "reasoning":
        return "the task type is reasoning"
    return _facts_why(ctx, "emergent_abilities")


def _far_from_lm(ctx: RemarkContext) -> str | None:
    why = _facts_why(ctx, "regression_like", "mimics_human")
    if why is None and ctx.prior == "distill":
        return "the advice is to let an LLM label data for a small model"
    return why


def _real_world(ctx: RemarkContext) -> str | None:
    if ctx.task_type == "chat":
        return "the task type is chat"
    return _facts_why(ctx, "mimics_human", "many_tasks")


def _cost(ctx: RemarkContext) -> str | None:
    d = ctx.deployment
    given = []
    if d.budget_per_1k is not None:
        given.append(f"a budget of ${d.budget_per_1k:g} per 1k predictions")
    if d.latency_p95_ms is not None:
        given.append(f"a p95 latency limit of {d.latency_p95_ms:g} ms")
    if d.hardware == "cpu":
        given.append("CPU-only serving hardware")
    return "; ".join(given) if given else None


REMARKS: tuple[Remark, ...] = (
    Remark(
        "1",
        "Data",
        "LLMs generalise better under out-of-distribution data (adversarial examples, domain "
        "shift); with few labels LLMs are preferable, with abundant labels both can be right.",
        _data,
    ),
    Remark(
        "1(3)",
        "Domain fit",
        "Prefer models pretrained on data close to the task's domain.",
        _domain_fit,
    ),
    Remark(
        "2",
        "Traditional NLU",
        "On classification, NER and NLI, fine-tuned models usually win, unless strong "
        "generalisation is required.",
        _nlu,
    ),
    Remark(
        "3",
        "Generation",
        "LLMs are superior on most generation tasks (summaries, open-ended writing, code); "
        "fine-tuned models still win in high- and especially low-resource machine translation.",
        _generation,
    ),
    Remark(
        "4",
        "Knowledge-intensive tasks",
        "LLMs excel thanks to stored world knowledge, but struggle when the knowledge needed "
        "differs from what they learned; when the context holds the knowledge, a fine-tuned "
        "model does as well. Retrieval turns closed-book into open-book tasks.",
        _knowledge,
    ),
    Remark(
        "5",
        "Scale",
        "Arithmetic and commonsense reasoning improve with scale; emergent abilities appear "
        "unpredictably; some tasks show inverse or U-shaped scaling.",
        _scale,
    ),
    Remark(
        "6",
        "Tasks far from language modelling",
        "Tasks far from LM pretraining (e.g. regression) favour fine-tuned models; LLMs are "
        "good at imitating humans, annotating and generating data, and judging NLG quality.",
        _far_from_lm,
    ),
    Remark(
        "7",
        "Real-world inputs",
        "Real-world inputs are noisy, ill-defined and instruction-like; LLMs cope better, but "
        "evaluating real-world effectiveness is still open.",
        _real_world,
    ),
    Remark(
        "8",
        "Cost, latency and safety",
        "Cost- or latency-sensitive deployments should prefer light local fine-tuned models "
        "(parameter-efficient tuning helps); zero-shot LLMs learn fewer dataset shortcuts but "
        "still show some (majority-label, position, common-token bias in in-context "
        "learning); safety, bias and hallucination need attention.",
        _cost,
    ),
)


def applicable_remarks(ctx: RemarkContext) -> tuple[AppliedRemark, ...]:
    """The remarks whose rule fires for ``ctx``, each with why, in remark order."""
    out = []
    for r in REMARKS:
        why = r.when(ctx)
        if why is not None:
            out.append(AppliedRemark(r.id, r.title, r.text, why))
    return tuple(out)
