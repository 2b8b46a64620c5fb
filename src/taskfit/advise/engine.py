"""One engine for both flows: walk a flow's table and record every step.

What: :func:`run_flow` starts at the flow's first node, reads the node's fact, follows the
``yes`` or ``no`` target and stops at an outcome. Each :class:`Step` records the node, its
question, the fact, the answer with its source and detail, and where the answer led, so
the output can show the whole path and why each turn was taken.

Why: the flows are data (:mod:`taskfit.advise.flows`); a single walker keeps P and B
comparable and lets tests check every node against the table. A malformed table (a cycle,
a missing node, a missing fact) raises ``ValueError``: that is a bug in taskfit, not a
user error.

>>> from taskfit.advise.engine import run_flow
>>> from taskfit.advise.flows import FACTS
>>> result = run_flow("P", {name: False for name in FACTS})
>>> result.outcome, result.decided_by
('finetune', 'P8')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from taskfit.advise.facts import Fact, Source
from taskfit.advise.flows import FLOW_TITLES, NODES, Node, Outcome, first_node, is_outcome
from taskfit.jsonable import JsonFields

__all__ = ["FlowResult", "Step", "run_flow"]


@dataclass(frozen=True)
class Step(JsonFields):
    """One node visited: the answer given to its fact and where it led (``next`` is a
    node id or, on the last step, the outcome)."""

    node: str
    question: str
    fact: str
    answer: bool
    source: Source
    detail: str
    next: str


@dataclass(frozen=True)
class FlowResult:
    """A flow's outcome and the path that led to it."""

    flow: str
    outcome: Outcome
    path: tuple[Step, ...]

    @property
    def decided_by(self) -> str:
        """Id of the node whose answer ended the walk."""
        return self.path[-1].node

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(s.node for s in self.path)

    @property
    def facts_read(self) -> tuple[str, ...]:
        return tuple(s.fact for s in self.path)

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "title": FLOW_TITLES.get(self.flow, self.flow),
            "outcome": self.outcome,
            "decided_by": self.decided_by,
            "path": [s.to_json() for s in self.path],
        }


def run_flow(
    flow_id: str, facts: Mapping[str, Fact | bool], *, nodes: Iterable[Node] = NODES
) -> FlowResult:
    """Walk flow ``flow_id`` ("P" or "B") over ``facts`` and return its outcome and path.

    ``facts`` maps fact names to :class:`Fact` values or plain booleans (a plain boolean
    is recorded as answered). ``nodes`` replaces the table, for tests. Raises
    ``ValueError`` on a cycle, a target that is no node of the flow, or a fact the
    mapping lacks.
    """
    table = {n.id: n for n in nodes if n.flow == flow_id}
    current = first_node(flow_id, table.values())
    steps: list[Step] = []
    visited: set[str] = set()
    while True:
        if current in visited:
            trail = " -> ".join((*(s.node for s in steps), current))
            raise ValueError(f"flow {flow_id}: cycle in the flow table: {trail}")
        visited.add(current)
        n = table.get(current)
        if n is None:
            raise ValueError(f"flow {flow_id}: no node {current!r} in the flow table")
        if n.fact not in facts:
            raise ValueError(f"flow {flow_id}: no value for fact {n.fact!r} read by {n.id}")
        given = facts[n.fact]
        fact = given if isinstance(given, Fact) else Fact(n.fact, bool(given), "answered")
        target = n.yes if fact.value else n.no
        steps.append(Step(n.id, n.question, n.fact, fact.value, fact.source, fact.detail, target))
        if is_outcome(target):
            return FlowResult(flow_id, cast(Outcome, target), tuple(steps))
        current = target
