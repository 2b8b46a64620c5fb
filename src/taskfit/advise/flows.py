"""The two decision flows as data: one row per node, with stable ids.

What: :data:`NODES` holds flow P (Yang et al., 2023, "Harnessing the Power of LLMs in
Practice", Figure 2) and flow B (Jingfeng Yang's blog on when to use GPT-3.5/ChatGPT) as
:class:`Node` rows. Each node reads one yes/no *fact* and names where each answer leads:
another node of the same flow or an outcome. :data:`FACT_QUESTIONS` asks every fact in
plain words (interactive mode and the output use it).

Why: a table can be printed, checked (:func:`check_table`) and tested node by node, and the
one engine in :mod:`taskfit.advise.engine` walks both flows the same way, so the flows are
never re-encoded as nested ``if`` statements.

Outcomes are normalised: ``"prompt"`` (the flow's "LLM" / "prompt"), ``"finetune"``
("fine-tuned" / "tune") and ``"none"`` ("no model fits well yet", only P10 ends there).

>>> from taskfit.advise.flows import first_node, node
>>> first_node("P"), node("P4").fact, node("P4").yes
('P1', 'regression_like', 'finetune')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "FACTS",
    "FACT_QUESTIONS",
    "FLOWS",
    "FLOW_TITLES",
    "NODES",
    "OUTCOMES",
    "FlowId",
    "Node",
    "Outcome",
    "check_table",
    "first_node",
    "flow_facts",
    "flow_nodes",
    "is_outcome",
    "node",
]

Outcome = Literal["prompt", "finetune", "none"]
FlowId = Literal["P", "B"]

OUTCOMES: tuple[str, ...] = ("prompt", "finetune", "none")
FLOWS: tuple[str, ...] = ("P", "B")
FLOW_TITLES: dict[str, str] = {
    "P": "Harnessing the Power of LLMs in Practice (Yang et al., 2023), Figure 2",
    "B": "J. Yang, In which tasks should we use GPT-3.5/ChatGPT? (blog, Feb 2023)",
}

# Every fact a node can read, with the question asked when it is neither measured nor
# answered. The order is the order questions are listed in.
FACT_QUESTIONS: dict[str, str] = {
    "mimics_human": (
        "Does the application have to act like a person, e.g. a chatbot or an assistant "
        "talking with users?"
    ),
    "emergent_abilities": (
        "Is it a hard task that needs multi-step reasoning or other abilities that only "
        "large models show?"
    ),
    "many_tasks": "Must one model handle many different tasks rather than a single one?",
    "regression_like": (
        "Is the target far from language modelling, e.g. a numeric score to predict (regression)?"
    ),
    "few_labels": (
        "Are there only a few labelled examples (roughly under 16 per class) or none at all?"
    ),
    "ood": (
        "Must the model cope with data unlike the training data (new domains, shifted or "
        "adversarial inputs)?"
    ),
    "creative_generation": "Does the task need creative or complex text or code generation?",
    "knowledge_intensive": (
        "Does the task need world knowledge that the input does not contain (knowledge-intensive)?"
    ),
    "context_has_knowledge": (
        "Does each input already contain the knowledge needed, as in reading comprehension "
        "with a passage?"
    ),
    "counterfactual_knowledge": (
        "Does the knowledge needed contradict real-world facts (counterfactual or invented worlds)?"
    ),
    "low_resource_language": (
        "Is the text in a language with little pretraining data (a low-resource language)?"
    ),
    "needs_generation": (
        "Does the task need fluent free-text output (answers, summaries, translations)?"
    ),
    "lm_like": (
        "Is the task close to language modelling itself, e.g. cloze or predicting the last word?"
    ),
    "spurious_correlations": (
        "Can real-world correlations mislead a model here, e.g. negation traps or labels "
        "that go against common associations?"
    ),
    "knowledge_manipulation": (
        "Does the task rely heavily on manipulating that knowledge (combining, transforming "
        "or reasoning over it)?"
    ),
}
FACTS: tuple[str, ...] = tuple(FACT_QUESTIONS)


@dataclass(frozen=True)
class Node:
    """One decision: ``question`` is the flow's own condition, ``fact`` the yes/no fact it
    reads; ``yes``/``no`` are a node id of the same flow or an outcome."""

    id: str
    flow: str
    question: str
    fact: str
    yes: str
    no: str


# Rows in the order of DECISION_FLOWS.md; a flow starts at its first row.
# fmt: off
NODES: tuple[Node, ...] = (
    # --- flow P: one chain, the first node whose branch ends decides
    Node("P1", "P", "the application mimics a human (e.g. a chatbot)", "mimics_human",
         "prompt", "P2"),
    Node("P2", "P", "a hard task that needs emergent abilities (e.g. multi-step reasoning)",
         "emergent_abilities", "prompt", "P3"),
    Node("P3", "P", "one model must handle many different tasks", "many_tasks", "prompt", "P4"),
    Node("P4", "P", "the task has little to do with language modelling (e.g. regression)",
         "regression_like", "finetune", "P5"),
    Node("P5", "P", "only a few labelled examples exist (zero/few-shot regime)", "few_labels",
         "prompt", "P6"),
    Node("P6", "P", "test data are out of distribution w.r.t. the training data", "ood",
         "prompt", "P7"),
    Node("P7", "P", "creative or complex text/code generation", "creative_generation",
         "prompt", "P8"),
    Node("P8", "P", "knowledge-intensive task", "knowledge_intensive", "P9", "finetune"),
    Node("P9", "P", "the input context already contains the knowledge needed",
         "context_has_knowledge", "finetune", "P10"),
    Node("P10", "P", "the knowledge needed contradicts real-world knowledge (counterfactual)",
         "counterfactual_knowledge", "none", "prompt"),
    # --- flow B: "prompt" = use a prompted LLM, "tune" = fine-tune a smaller model
    Node("B1", "B", "the target language has little pretraining data (low-resource)",
         "low_resource_language", "finetune", "B2"),
    Node("B2", "B", "creative and complex task", "creative_generation", "prompt", "B3"),
    Node("B3", "B", "must handle a wide range of tasks", "many_tasks", "prompt", "B4a"),
    Node("B4a", "B", "needs mimicking or comparing with humans", "mimics_human", "prompt",
         "B4b"),
    Node("B4b", "B", "hard task needing emergent abilities", "emergent_abilities", "prompt",
         "B5a"),
    Node("B5a", "B", "needs the LLM's strong generation ability", "needs_generation", "prompt",
         "B5b"),
    Node("B5b", "B", "task similar to language modelling (e.g. cloze, last-word prediction)",
         "lm_like", "prompt", "B5c"),
    Node("B5c", "B", "task with little relation to language modelling (e.g. regression)",
         "regression_like", "finetune", "B6"),
    Node("B6", "B", "just a few or no labels", "few_labels", "prompt", "B7a"),
    Node("B7a", "B", "vulnerable to spurious real-world correlations (e.g. negation traps)",
         "spurious_correlations", "finetune", "B7b"),
    Node("B7b", "B", "out-of-distribution generalization required", "ood", "prompt", "B7c"),
    Node("B7c", "B", "knowledge-intensive", "knowledge_intensive", "B8a", "finetune"),
    Node("B8a", "B", "the example's context contains enough knowledge (e.g. reading "
         "comprehension)", "context_has_knowledge", "finetune", "B8b"),
    Node("B8b", "B", "required knowledge contradicts the LLM's real-world knowledge",
         "counterfactual_knowledge", "finetune", "B8c"),
    Node("B8c", "B", "task relies heavily on manipulating that knowledge",
         "knowledge_manipulation", "finetune", "prompt"),
)
# fmt: on

_BY_ID: dict[str, Node] = {n.id: n for n in NODES}


def is_outcome(target: str) -> bool:
    """Whether a ``yes``/``no`` target ends the walk."""
    return target in OUTCOMES


def node(node_id: str) -> Node:
    """The node with id ``node_id`` (``KeyError`` if there is none)."""
    return _BY_ID[node_id]


def flow_nodes(flow_id: str, nodes: Iterable[Node] = NODES) -> tuple[Node, ...]:
    """The rows of one flow, in table order."""
    return tuple(n for n in nodes if n.flow == flow_id)


def first_node(flow_id: str, nodes: Iterable[Node] = NODES) -> str:
    """Id of the node a flow starts at (its first row)."""
    rows = flow_nodes(flow_id, nodes)
    if not rows:
        raise ValueError(f"flow {flow_id!r} has no nodes; flows: {', '.join(FLOWS)}")
    return rows[0].id


def flow_facts(flow_id: str, nodes: Iterable[Node] = NODES) -> frozenset[str]:
    """The facts some node of the flow reads."""
    return frozenset(n.fact for n in flow_nodes(flow_id, nodes))


def check_table(nodes: Iterable[Node] = NODES) -> None:
    """Raise ``ValueError`` when the table is malformed: a duplicate id, an unknown fact,
    a target that is neither an outcome nor a node of the same flow, a node no walk
    reaches, or a cycle. A table bug, never a user error."""
    rows = tuple(nodes)
    by_id: dict[str, Node] = {}
    for n in rows:
        if n.id in by_id:
            raise ValueError(f"duplicate node id {n.id!r}")
        if n.fact not in FACT_QUESTIONS:
            raise ValueError(f"node {n.id}: unknown fact {n.fact!r}")
        by_id[n.id] = n
    for n in rows:
        for target in (n.yes, n.no):
            if is_outcome(target):
                continue
            if target not in by_id or by_id[target].flow != n.flow:
                raise ValueError(
                    f"node {n.id}: {target!r} is not an outcome or a node of flow {n.flow}"
                )
    for flow_id in dict.fromkeys(n.flow for n in rows):
        seen: set[str] = set()
        _visit(first_node(flow_id, rows), by_id, (), seen)
        unreachable = [n.id for n in flow_nodes(flow_id, rows) if n.id not in seen]
        if unreachable:
            raise ValueError(f"flow {flow_id}: unreachable nodes {', '.join(unreachable)}")


def _visit(node_id: str, by_id: dict[str, Node], trail: tuple[str, ...], seen: set[str]) -> None:
    if node_id in trail:
        raise ValueError(f"cycle in the flow table: {' -> '.join((*trail, node_id))}")
    seen.add(node_id)
    n = by_id[node_id]
    for target in (n.yes, n.no):
        if not is_outcome(target):
            _visit(target, by_id, (*trail, node_id), seen)
