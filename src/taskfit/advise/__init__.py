"""The advise stage: ``Profile`` (+ task card, answers) -> :class:`Advice`.

Flows P and B (DECISION_FLOWS.md) are tables of nodes (:mod:`.flows`) walked by one engine
(:mod:`.engine`) over facts that are measured by the profile, answered by the user (task
card, ``--set``, interactive questions) or assumed from the task type (:mod:`.facts`). The
advice adds the blog's deployment constraints, the paper's remarks (:mod:`.remarks`), the
``taskfit compare`` approaches and catalog models that would test the prior (:mod:`.picks`).

>>> from taskfit.advise import advise
>>> advise(None, task_type="classification").prior
'finetune'
"""

from __future__ import annotations

from taskfit.advise.advice import (
    PRIORS,
    Advice,
    ConstraintFinding,
    Disagreement,
    Prior,
    advise,
    constraint_findings,
    questions_unanswered,
)
from taskfit.advise.card import CARD_KEYS, Deployment, TaskCard, load_card, parse_answers
from taskfit.advise.engine import FlowResult, Step, run_flow
from taskfit.advise.facts import (
    TASK_TYPES,
    Fact,
    default_facts,
    facts_from_profile,
    merge_facts,
)
from taskfit.advise.flows import FACT_QUESTIONS, FACTS, NODES, OUTCOMES, Node, check_table
from taskfit.advise.interactive import ask_missing
from taskfit.advise.remarks import REMARKS, AppliedRemark, Remark, applicable_remarks

__all__ = [
    "CARD_KEYS",
    "FACTS",
    "FACT_QUESTIONS",
    "NODES",
    "OUTCOMES",
    "PRIORS",
    "REMARKS",
    "TASK_TYPES",
    "Advice",
    "AppliedRemark",
    "ConstraintFinding",
    "Deployment",
    "Disagreement",
    "Fact",
    "FlowResult",
    "Node",
    "Prior",
    "Remark",
    "Step",
    "TaskCard",
    "advise",
    "applicable_remarks",
    "ask_missing",
    "check_table",
    "constraint_findings",
    "default_facts",
    "facts_from_profile",
    "load_card",
    "merge_facts",
    "parse_answers",
    "questions_unanswered",
    "run_flow",
]
