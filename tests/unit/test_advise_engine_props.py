"""Properties of the flow engine and the tables, over every combination of answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskfit.advise import (
    FACTS,
    NODES,
    OUTCOMES,
    Fact,
    Node,
    advise,
    check_table,
    default_facts,
    merge_facts,
    questions_unanswered,
    run_flow,
)
from taskfit.advise.advice import PRIORS
from taskfit.advise.flows import FLOWS, first_node, flow_nodes, node

ANSWERS = st.fixed_dictionaries({name: st.booleans() for name in FACTS})
CATALOG = ()  # models are not under test here


def test_shipped_tables_are_well_formed() -> None:
    check_table()
    assert [n.id for n in flow_nodes("P")] == [f"P{i}" for i in range(1, 11)]
    assert [n.id for n in flow_nodes("B")] == [
        "B1", "B2", "B3", "B4a", "B4b", "B5a", "B5b", "B5c", "B6", "B7a", "B7b", "B7c",
        "B8a", "B8b", "B8c",
    ]  # fmt: skip
    assert {n.fact for n in NODES} == set(FACTS)
    assert node("P7").fact == node("B2").fact == "creative_generation"


@given(answers=ANSWERS, flow=st.sampled_from(FLOWS))
@settings(max_examples=400, deadline=None)
def test_every_answer_combination_ends_consistently(answers: dict[str, bool], flow: str) -> None:
    result = run_flow(flow, answers)
    assert result.outcome in OUTCOMES
    assert result.path[0].node == first_node(flow)
    assert len(set(result.nodes)) == len(result.nodes)
    for step in result.path:
        row = node(step.node)
        assert row.flow == flow and step.fact == row.fact
        assert step.answer == answers[row.fact]
        assert step.next == (row.yes if step.answer else row.no)
    for before, after in zip(result.path, result.path[1:], strict=False):
        assert before.next == after.node
    assert result.path[-1].next == result.outcome


@given(answers=ANSWERS, on_prem=st.booleans())
@settings(max_examples=150, deadline=None)
def test_prior_follows_its_definition(answers: dict[str, bool], on_prem: bool) -> None:
    advice = advise(None, answers=answers, on_prem=on_prem, catalog=CATALOG)
    outcomes = {f.flow: f.outcome for f in advice.flows}
    assert outcomes == {f: run_flow(f, answers).outcome for f in FLOWS}
    assert advice.prior in PRIORS
    if on_prem and "prompt" in outcomes.values():
        assert advice.prior == "distill"
    elif len(set(outcomes.values())) == 1:
        assert advice.prior == outcomes["P"]
    else:
        assert advice.prior == "split"
        (d,) = advice.disagreements
        assert (d.p_node, d.b_node) == (advice.flow("P").decided_by, advice.flow("B").decided_by)
    assert bool(advice.disagreements) == (outcomes["P"] != outcomes["B"])
    assert advice.questions == ()  # every fact answered


@given(answered=st.dictionaries(st.sampled_from(FACTS), st.booleans()))
@settings(max_examples=200, deadline=None)
def test_questions_are_exactly_the_assumed_facts_on_paths(answered: dict[str, bool]) -> None:
    facts = merge_facts(default_facts("classification"), {}, answered)
    questions = questions_unanswered(facts)
    on_paths = {s.fact for f in FLOWS for s in run_flow(f, facts).path if s.source == "assumed"}
    assert set(questions) == on_paths
    assert len(questions) == len(set(questions))
    assert not set(questions) & set(answered)


def test_plain_booleans_count_as_answers() -> None:
    result = run_flow("P", dict.fromkeys(FACTS, False))
    assert {s.source for s in result.path} == {"answered"}
    facts = {n: Fact(n, False, "assumed", "default") for n in FACTS}
    assert {s.source for s in run_flow("B", facts).path} == {"assumed"}


def test_engine_rejects_table_bugs() -> None:
    cycle = (Node("X1", "X", "q", "ood", "X2", "prompt"), Node("X2", "X", "q", "ood", "X1", "none"))
    with pytest.raises(ValueError, match="cycle in the flow table: X1 -> X2 -> X1"):
        run_flow("X", {"ood": True}, nodes=cycle)
    dangling = (Node("X1", "X", "q", "ood", "X9", "prompt"),)
    with pytest.raises(ValueError, match="no node 'X9'"):
        run_flow("X", {"ood": True}, nodes=dangling)
    with pytest.raises(ValueError, match="no value for fact 'mimics_human' read by P1"):
        run_flow("P", {})
    with pytest.raises(ValueError, match="flow 'Z' has no nodes"):
        run_flow("Z", dict.fromkeys(FACTS, False))


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ((Node("X1", "X", "q", "ood", "X2", "prompt"),
          Node("X2", "X", "q", "ood", "X1", "none")), "cycle"),
        ((Node("X1", "X", "q", "ood", "X9", "prompt"),), "not an outcome or a node"),
        ((Node("X1", "X", "q", "nope", "prompt", "none"),), "unknown fact 'nope'"),
        ((Node("X1", "X", "q", "ood", "prompt", "none"),
          Node("X1", "X", "q", "ood", "prompt", "none")), "duplicate node id"),
        ((Node("X1", "X", "q", "ood", "prompt", "none"),
          Node("X2", "X", "q", "ood", "prompt", "none")), "unreachable nodes X2"),
        ((Node("X1", "X", "q", "ood", "P2", "none"),), "not an outcome or a node of flow X"),
    ],
)  # fmt: skip
def test_check_table_finds_bugs(rows: tuple[Node, ...], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        check_table((*NODES, *rows))
