"""``Profile`` + task card + answers -> :class:`Advice`: the flows' prior, and how to test it.

What: :func:`advise` gathers the facts (measured by the profile, answered by the user, or
assumed from the task type), walks flows P and B, checks the blog's deployment
constraints, and returns a frozen :class:`Advice` with the prior, the paths, where the
flows disagree and why, the remarks that apply, the ``taskfit compare`` approaches that
would test the prior, and candidate models from the catalog.

The prior (:data:`PRIORS`):

- ``"prompt"`` / ``"finetune"``: both flows end there, and no constraint rules out
  serving a prompted LLM (for ``"finetune"`` constraints only agree);
- ``"none"``: every flow says no model fits well yet (with the shipped tables only P10
  ends there, so one flow saying it gives ``"split"``);
- ``"distill"``: some flow ends in a prompted LLM, but a deployment constraint (budget,
  on-premises data, latency, replacing a fine-tuned model) rules out serving one: let the
  LLM label data offline and train a small model;
- ``"split"``: the flows end in different outcomes and no constraint settles it; the
  measurements must decide.

Why: the flows are a prior, not a verdict; the advice says what each answer rests on and
which measurements would confirm or overturn it.

Constraint thresholds: a budget under :data:`BUDGET_PUSH_PER_1K` USD per 1,000 predictions
(about what a frontier API LLM costs with a ~400-token prompt) and a p95 latency limit under
:data:`LATENCY_PUSH_MS` (an API round trip plus generation often takes longer) push toward a
local fine-tuned model; looser limits are reported and left to ``taskfit compare``.

>>> from taskfit.advise import advise
>>> advice = advise(None, task_type="classification", on_prem=True, answers={"ood": True})
>>> advice.prior, [f.outcome for f in advice.flows]
('distill', ['prompt', 'prompt'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from taskfit.advise.card import HARDWARE, Deployment, TaskCard
from taskfit.advise.catalog import ModelEntry, load_catalog
from taskfit.advise.engine import FlowResult, run_flow
from taskfit.advise.facts import (
    TASK_TYPES,
    Fact,
    default_facts,
    facts_from_profile,
    merge_facts,
    yes_no,
)
from taskfit.advise.flows import FACT_QUESTIONS, FLOWS, flow_nodes, node
from taskfit.advise.picks import (
    approaches_for,
    instruction_tuned_small,
    model_json,
    pick_models,
)
from taskfit.advise.remarks import AppliedRemark, RemarkContext, applicable_remarks
from taskfit.errors import UsageError
from taskfit.jsonable import JsonFields
from taskfit.types import Profile

__all__ = [
    "BUDGET_PUSH_PER_1K",
    "DISTILL_ADVICE",
    "LATENCY_PUSH_MS",
    "PRIORS",
    "Advice",
    "ConstraintFinding",
    "Disagreement",
    "Prior",
    "advise",
    "constraint_findings",
    "questions_unanswered",
]

Prior = Literal["prompt", "finetune", "distill", "none", "split"]
PRIORS: tuple[str, ...] = ("prompt", "finetune", "distill", "none", "split")
BUDGET_PUSH_PER_1K = 1.0
LATENCY_PUSH_MS = 1000.0
DISTILL_ADVICE = "let the LLM label data offline and train a small model"
SMALL_INSTRUCT_ADVICE = "try fine-tuning an instruction-tuned small model first"


@dataclass(frozen=True)
class ConstraintFinding(JsonFields):
    """One of the blog's reasons not to serve a big prompted model, as it applies here.
    ``pushes_local``: it rules out serving a prompted LLM, whatever the flows say."""

    name: str  # "budget", "on_prem", "latency", "hardware", "replacing_finetuned"
    detail: str
    pushes_local: bool


@dataclass(frozen=True)
class Disagreement:
    """Flows P and B end differently: the nodes that decided each, and why they differ."""

    p_node: str
    p_outcome: str
    b_node: str
    b_outcome: str
    why: str

    def to_json(self) -> dict[str, Any]:
        return {
            "P": {"node": self.p_node, "outcome": self.p_outcome},
            "B": {"node": self.b_node, "outcome": self.b_outcome},
            "why": self.why,
        }


@dataclass(frozen=True)
class Advice:
    """The advise stage's result; :meth:`to_json` is its JSON form."""

    task_type: str
    description: str
    facts: Mapping[str, Fact]
    flows: tuple[FlowResult, ...]
    prior: Prior
    prior_reason: str
    deployment: Deployment
    constraints: tuple[ConstraintFinding, ...]
    recommendations: tuple[str, ...]
    remarks: tuple[AppliedRemark, ...]
    disagreements: tuple[Disagreement, ...]
    approaches: tuple[str, ...]
    approaches_reason: str
    models: Mapping[str, tuple[ModelEntry, ...]]
    questions: tuple[str, ...]

    def flow(self, flow_id: str) -> FlowResult:
        return next(f for f in self.flows if f.flow == flow_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "task_type": self.task_type,
            "description": self.description,
            "prior": self.prior,
            "prior_reason": self.prior_reason,
            "facts": [
                {**f.to_json(), "question": FACT_QUESTIONS.get(f.name, "")}
                for f in self.facts.values()
            ],
            "flows": {f.flow: f.to_json() for f in self.flows},
            "deployment": self.deployment.to_json(),
            "constraints": [c.to_json() for c in self.constraints],
            "recommendations": list(self.recommendations),
            "remarks": [r.to_json() for r in self.remarks],
            "disagreements": [d.to_json() for d in self.disagreements],
            "approaches": list(self.approaches),
            "approaches_reason": self.approaches_reason,
            "models": {
                side: [model_json(e, side) for e in entries]
                for side, entries in self.models.items()
            },
            "questions_unanswered": list(self.questions),
        }


def questions_unanswered(facts: Mapping[str, Fact]) -> list[str]:
    """Names of assumed facts that some flow's path actually reads, in path order.

    Only these change the advice when answered; facts no path reaches are never asked.
    """
    out: list[str] = []
    for flow_id in FLOWS:
        for step in run_flow(flow_id, facts).path:
            if step.source == "assumed" and step.fact not in out:
                out.append(step.fact)
    return out


def constraint_findings(d: Deployment) -> tuple[ConstraintFinding, ...]:
    """The blog's cross-cutting conditions that the deployment triggers."""
    out: list[ConstraintFinding] = []
    if d.budget_per_1k is not None:
        tight = d.budget_per_1k < BUDGET_PUSH_PER_1K
        why = (
            "a prompted API LLM can cost more than that; a small local model costs a fraction "
            "of a cent per 1k"
            if tight
            else "room for a prompted LLM; taskfit compare measures each approach's cost"
        )
        detail = f"budget ${d.budget_per_1k:g} per 1k predictions: {why}"
        out.append(ConstraintFinding("budget", detail, tight))
    if d.on_prem:
        detail = (
            "the data must stay on the premises: no API LLM; a prompted LLM would have to be "
            "an open-weights model hosted in-house"
        )
        out.append(ConstraintFinding("on_prem", detail, True))
    if d.latency_p95_ms is not None:
        tight = d.latency_p95_ms < LATENCY_PUSH_MS
        why = (
            "a prompted LLM (round trip plus generation) often exceeds it; a small local "
            "model answers in milliseconds"
            if tight
            else "within reach of a prompted LLM; taskfit compare measures p95 latency"
        )
        detail = f"p95 latency limit {d.latency_p95_ms:g} ms: {why}"
        out.append(ConstraintFinding("latency", detail, tight))
    if d.hardware == "cpu":
        # CPU-only serving rules a prompted LLM out only when an API is ruled out too.
        why = (
            "with the data on the premises, no API LLM either"
            if d.on_prem
            else "a prompted LLM would be an API or a small CPU-sized model"
        )
        detail = f"CPU-only serving, no hardware to host a large model: {why}"
        out.append(ConstraintFinding("hardware", detail, d.on_prem))
    if d.replacing_finetuned:
        detail = (
            "replacing a well-performing fine-tuned model on a single NLU task: no need for "
            "a big prompted model"
        )
        out.append(ConstraintFinding("replacing_finetuned", detail, True))
    return tuple(out)


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _prior(
    results: Sequence[FlowResult], findings: Sequence[ConstraintFinding]
) -> tuple[Prior, str]:
    ends = ", ".join(f"{r.flow} at {r.decided_by} -> {r.outcome}" for r in results)
    pushing = [f.name for f in findings if f.pushes_local]
    prompted = [r.flow for r in results if r.outcome == "prompt"]
    if prompted and pushing:
        flows = f"flow {prompted[0]} ends" if len(prompted) == 1 else f"flows {_and(prompted)} end"
        verb = "rules" if len(pushing) == 1 else "rule"
        return "distill", (
            f"{flows} in a prompted LLM ({ends}), but {_and(pushing)} {verb} out serving one: "
            f"{DISTILL_ADVICE}"
        )
    outcomes = {r.outcome for r in results}
    if len(outcomes) == 1:
        only = results[0].outcome
        words = {
            "prompt": "a prompted LLM",
            "finetune": "a fine-tuned model",
            "none": "no model fitting well yet",
        }[only]
        extra = ""
        if pushing:
            extra = f"; {_and(pushing)} {'agrees' if len(pushing) == 1 else 'agree'}"
        return only, f"both flows end in {words} ({ends}){extra}"
    return "split", f"the flows disagree ({ends}); the measurements must decide"


# Nodes only flow B has, and what they mean when they decide B against P.
_B_ONLY = {
    "B1": "B checks the language first and tunes for a low-resource language (B1); "
    "P has no language node",
    "B5a": "B prompts whenever the task needs strong generation (B5a); P prompts only for "
    "creative or complex generation (P7)",
    "B5b": "B prompts for tasks close to language modelling, such as cloze (B5b); "
    "P has no such node",
    "B7a": "B tunes when spurious real-world correlations can mislead an LLM, e.g. negation "
    "traps (B7a); P has no such node",
    "B8c": "B tunes when the task relies heavily on manipulating the knowledge (B8c); "
    "P has no such node",
}


def _disagreements(p: FlowResult, b: FlowResult) -> tuple[Disagreement, ...]:
    if p.outcome == b.outcome:
        return ()
    pn, bn = node(p.decided_by), node(b.decided_by)
    if bn.id in _B_ONLY:
        why = _B_ONLY[bn.id]
    elif pn.fact == bn.fact:
        answer = yes_no(p.path[-1].answer)
        why = (
            f"both flows ask {pn.fact}, but P sends {answer} to {p.outcome} ({pn.id}) "
            f"where B sends it to {b.outcome} ({bn.id})"
        )
        if pn.fact == "counterfactual_knowledge":
            why += ": P says no model fits well yet for counterfactual knowledge, B says tune"
    else:
        why = (
            f"the flows ask in a different order: P decides at {pn.id} on {pn.fact} "
            f"before asking {bn.fact}{_where('P', bn.fact)}; B decides at {bn.id} on "
            f"{bn.fact} before asking {pn.fact}{_where('B', pn.fact)}"
        )
    return (Disagreement(pn.id, p.outcome, bn.id, b.outcome, why),)


def _where(flow_id: str, fact: str) -> str:
    ids = [n.id for n in flow_nodes(flow_id) if n.fact == fact]
    return f" ({', '.join(ids)})" if ids else ""


def _deployment(card: TaskCard | None, overrides: Mapping[str, Any]) -> Deployment:
    base = card.deployment if card is not None else Deployment()
    given = {k: v for k, v in overrides.items() if v is not None}
    if "hardware" in given and given["hardware"] not in HARDWARE:
        raise UsageError(
            f"hardware must be one of: {', '.join(HARDWARE)}; got {given['hardware']!r}"
        )
    for key in ("budget_per_1k", "latency_p95_ms", "unlabeled"):
        if key in given and given[key] < 0:
            raise UsageError(f"{key} must be >= 0; got {given[key]!r}")
    return replace(base, **given)


def advise(
    profile: Profile | None,
    card: TaskCard | None = None,
    answers: Mapping[str, bool] | None = None,
    *,
    task_type: str | None = None,
    budget_per_1k: float | None = None,
    latency_p95_ms: float | None = None,
    on_prem: bool | None = None,
    replacing_finetuned: bool | None = None,
    hardware: str | None = None,
    unlabeled: int | None = None,
    catalog: Sequence[ModelEntry] | None = None,
) -> Advice:
    """Advice for a task: facts, both flows, the prior and what to run to test it.

    ``task_type`` defaults to the card's, else "regression" for a numeric target, else
    "classification". Keyword constraints override the card's; ``answers`` override the
    card's facts, and both override measurements. ``catalog`` replaces the packaged model
    catalog (tests, ``--catalog``).

    >>> advice = advise(None, answers={"few_labels": True})
    >>> advice.prior, advice.approaches[:2]
    ('prompt', ('zero-shot', 'few-shot'))
    """
    if task_type is None:
        task_type = card.task_type if card is not None else None
    # the data's task type, when it is not the default (generation, reasoning, ...)
    known = profile is not None and profile.task != "classification" and profile.task in TASK_TYPES
    if task_type is None and known and profile is not None:
        task_type = profile.task
    if task_type is None:
        numeric = profile is not None and profile.label_type == "numeric"
        task_type = "regression" if numeric else "classification"
    answered: dict[str, Fact] = {}
    if card is not None:
        where = f"task card {card.path}" if card.path else "task card"
        for name, value in card.facts.items():
            answered[name] = Fact(
                name, value, "answered", f"answered {yes_no(value)} in the {where}"
            )
    for name, value in (answers or {}).items():
        answered[name] = Fact(name, bool(value), "answered", f"answered {yes_no(bool(value))}")
    facts = merge_facts(default_facts(task_type), facts_from_profile(profile), answered)

    deployment = _deployment(
        card,
        {
            "budget_per_1k": budget_per_1k,
            "latency_p95_ms": latency_p95_ms,
            "on_prem": on_prem,
            "replacing_finetuned": replacing_finetuned,
            "hardware": hardware,
            "unlabeled": unlabeled,
        },
    )
    if deployment.unlabeled is None and profile is not None and profile.n_unlabeled:
        deployment = replace(deployment, unlabeled=profile.n_unlabeled)

    results = tuple(run_flow(f, facts) for f in FLOWS)
    findings = constraint_findings(deployment)
    prior, prior_reason = _prior(results, findings)
    by_flow = {r.flow: r for r in results}
    disagreements = _disagreements(by_flow["P"], by_flow["B"])
    ctx = RemarkContext(
        task_type, facts, {r.flow: r.outcome for r in results}, deployment, profile, prior
    )
    approaches, approaches_reason = approaches_for(task_type, facts)
    entries = tuple(catalog) if catalog is not None else load_catalog()
    models = {
        side: pick_models(entries, side, deployment=deployment, facts=facts, task_type=task_type)
        for side in ("prompt", "finetune")
    }
    if facts["regression_like"].value:
        models["prompt"] = ()  # nothing prompted is proposed for a numeric target
    return Advice(
        task_type=task_type,
        description=card.description if card is not None else "",
        facts=facts,
        flows=results,
        prior=prior,
        prior_reason=prior_reason,
        deployment=deployment,
        constraints=findings,
        recommendations=_recommendations(prior, facts, findings, deployment, entries),
        remarks=applicable_remarks(ctx),
        disagreements=disagreements,
        approaches=approaches,
        approaches_reason=approaches_reason,
        models=models,
        questions=tuple(questions_unanswered(facts)),
    )


def _recommendations(
    prior: Prior,
    facts: Mapping[str, Fact],
    findings: Sequence[ConstraintFinding],
    deployment: Deployment,
    catalog: Sequence[ModelEntry],
) -> tuple[str, ...]:
    out: list[str] = []
    if prior == "distill":
        pool = (
            f"your unlabeled pool of {deployment.unlabeled:,} texts"
            if deployment.unlabeled
            else "an unlabeled pool of your texts"
        )
        out.append(
            f"Distillation: {DISTILL_ADVICE} — prompt the LLM on {pool} offline, fine-tune a "
            f"small local model on its labels, and serve only the small model."
        )
    elif prior == "prompt":
        out.append("Prompt an LLM; test it against the fine-tuned side with taskfit compare.")
    elif prior == "finetune":
        out.append(
            "Fine-tune a small model; taskfit compare still runs the prompted side so the "
            "prior gets tested."
        )
    elif prior == "split":
        out.append(
            "The flows disagree: run both sides with taskfit compare and let the "
            "measurements on your data decide."
        )
    else:
        out.append(
            "No model fits well yet: put the knowledge the task needs into the input "
            "(retrieval) and measure both sides."
        )
    budget_tight = any(f.name == "budget" and f.pushes_local for f in findings)
    if budget_tight and not facts["few_labels"].value:
        names = [e.name for e in instruction_tuned_small(catalog, deployment=deployment)]
        example = f" (e.g. {', '.join(names)})" if names else ""
        out.append(f"With enough labels and a limited budget, {SMALL_INSTRUCT_ADVICE}{example}.")
    return tuple(out)
