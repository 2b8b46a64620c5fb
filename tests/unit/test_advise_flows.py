"""Flows P and B node by node, and the advice built on them (offline, no models)."""

from __future__ import annotations

import json

import pytest

from taskfit.advise import (
    FACTS,
    NODES,
    Fact,
    Node,
    advise,
    default_facts,
    facts_from_profile,
    merge_facts,
    questions_unanswered,
    run_flow,
)
from taskfit.advise.advice import DISTILL_ADVICE, SMALL_INSTRUCT_ADVICE
from taskfit.advise.catalog import ModelEntry
from taskfit.advise.flows import first_node, flow_nodes, is_outcome
from taskfit.advise.picks import PROMPT_SIDE, model_json
from taskfit.errors import UsageError
from taskfit.types import DomainFit, LanguageReport, LengthStats, Profile, ShiftScore

# ------------------------------------------------------------------------------ helpers


def _route(flow: str, target: str) -> dict[str, bool] | None:
    """Answers that lead from the flow's first node to ``target``, derived from the table."""
    rows = {n.id: n for n in flow_nodes(flow)}

    def walk(current: str, acc: dict[str, bool]) -> dict[str, bool] | None:
        if current == target:
            return acc
        n = rows[current]
        for answer, nxt in ((True, n.yes), (False, n.no)):
            if nxt in rows and acc.get(n.fact, answer) == answer:
                found = walk(nxt, {**acc, n.fact: answer})
                if found is not None:
                    return found
        return None

    return walk(first_node(flow), {})


def _all(value: bool, **overrides: bool) -> dict[str, bool]:
    return {**{f: value for f in FACTS}, **overrides}


def make_profile(**kw: object) -> Profile:
    base: dict[str, object] = {
        "data_hash": "h",
        "n_train": 400,
        "n_test": 100,
        "labels": ("a", "b", "c", "d"),
        "label_counts": {"a": 100, "b": 100, "c": 100, "d": 100},
        "test_label_counts": {"a": 25, "b": 25, "c": 25, "d": 25},
        "min_per_class": 100,
        "median_per_class": 100.0,
        "imbalance_ratio": 1.0,
        "label_type": "categorical",
        "is_pair": False,
        "lengths": (LengthStats(unit="chars", p50=80.0, p95=200.0, max=400),),
    }
    base.update(kw)
    return Profile(**base)  # type: ignore[arg-type]


def _shift(shifted: bool, reference: str = "test") -> ShiftScore:
    return ShiftScore(
        reference=reference,
        auc=0.81 if shifted else 0.52,
        null_mean=0.5,
        null_p95=0.56,
        p_value=0.001 if shifted else 0.4,
        n_permutations=100,
        n_train=400,
        n_reference=100,
        shifted=shifted,
    )


def _entry(name: str, **kw: object) -> ModelEntry:
    base: dict[str, object] = {
        "name": name,
        "family": name,
        "org": "org",
        "architecture": "decoder-only",
        "params_b": 1.0,
        "context": 4096,
        "licence": "Apache-2.0",
        "open_weights": True,
        "backends": ("llamacpp", "openai"),
        "spec": None,
        "use": "prompt",
        "year": 2024,
        "notes": "",
    }
    base.update(kw)
    return ModelEntry(**base)  # type: ignore[arg-type]


CATALOG = (
    _entry("Api Big", open_weights=False, params_b=0.0, backends=("openai",),
           spec="openai:api-big", year=2025),
    _entry("Open 70B", params_b=70.0, year=2025),
    _entry("Open 8B", params_b=8.0, year=2025),
    _entry("Tiny 1B", params_b=1.0, year=2024),
    _entry("Enc Small", architecture="encoder-only", params_b=0.02, backends=("encoder",),
           spec="enc", use="finetune", year=2021),
    _entry("Enc Multi", architecture="encoder-only", params_b=0.28, backends=("encoder",),
           use="finetune", year=2021, notes="multilingual (100 languages)"),
    _entry("Enc Big 3B", architecture="encoder-decoder", params_b=3.0, backends=(),
           use="finetune", year=2022),
    _entry("Small Instruct (fine-tune)", params_b=0.5, use="finetune", year=2024),
)  # fmt: skip


# ---------------------------------------------------------------------- every node decides


@pytest.mark.parametrize("n", NODES, ids=lambda n: n.id)
def test_every_node_decides_as_the_table_says(n: Node) -> None:
    route = _route(n.flow, n.id)
    assert route is not None, f"{n.id} is unreachable"
    assert n.fact not in route
    flips_outcome = []
    for fill in (False, True):
        base = {**_all(fill), **route}
        yes = run_flow(n.flow, {**base, n.fact: True})
        no = run_flow(n.flow, {**base, n.fact: False})
        for result, answer, target in ((yes, True, n.yes), (no, False, n.no)):
            i = result.nodes.index(n.id)
            assert result.path[i].answer is answer
            assert result.path[i].next == target
            if is_outcome(target):
                assert result.outcome == target
                assert result.decided_by == n.id
            else:
                assert result.path[i + 1].node == target
        assert yes.nodes[: yes.nodes.index(n.id)] == no.nodes[: no.nodes.index(n.id)]
        flips_outcome.append(yes.outcome != no.outcome)
    # With the other facts all no or all yes, flipping this node flips the flow's outcome.
    assert any(flips_outcome), n.id


# Literal expectations read off DECISION_FLOWS.md (facts not named are "no").
LITERAL = [
    ((), "finetune", "P8", "finetune", "B7c"),
    (("mimics_human",), "prompt", "P1", "prompt", "B4a"),
    (("emergent_abilities",), "prompt", "P2", "prompt", "B4b"),
    (("many_tasks",), "prompt", "P3", "prompt", "B3"),
    (("regression_like",), "finetune", "P4", "finetune", "B5c"),
    (("few_labels",), "prompt", "P5", "prompt", "B6"),
    (("ood",), "prompt", "P6", "prompt", "B7b"),
    (("creative_generation",), "prompt", "P7", "prompt", "B2"),
    (("knowledge_intensive",), "prompt", "P10", "prompt", "B8c"),
    (("knowledge_intensive", "context_has_knowledge"), "finetune", "P9", "finetune", "B8a"),
    (("knowledge_intensive", "counterfactual_knowledge"), "none", "P10", "finetune", "B8b"),
    (("knowledge_intensive", "knowledge_manipulation"), "prompt", "P10", "finetune", "B8c"),
    (("low_resource_language", "creative_generation"), "prompt", "P7", "finetune", "B1"),
    (("spurious_correlations", "ood"), "prompt", "P6", "finetune", "B7a"),
    (("needs_generation",), "finetune", "P8", "prompt", "B5a"),
    (("lm_like",), "finetune", "P8", "prompt", "B5b"),
    (("regression_like", "few_labels"), "finetune", "P4", "finetune", "B5c"),
]


@pytest.mark.parametrize(("true", "p_out", "p_node", "b_out", "b_node"), LITERAL)
def test_literal_expectations(
    true: tuple[str, ...], p_out: str, p_node: str, b_out: str, b_node: str
) -> None:
    facts = _all(False, **dict.fromkeys(true, True))
    p, b = run_flow("P", facts), run_flow("B", facts)
    assert (p.outcome, p.decided_by) == (p_out, p_node)
    assert (b.outcome, b.decided_by) == (b_out, b_node)


def test_all_no_paths_are_the_whole_chains() -> None:
    p, b = run_flow("P", _all(False)), run_flow("B", _all(False))
    assert p.nodes == ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8")
    assert b.nodes == ("B1", "B2", "B3", "B4a", "B4b", "B5a", "B5b", "B5c", "B6", "B7a",
                       "B7b", "B7c")  # fmt: skip


def test_steps_carry_fact_source_and_detail() -> None:
    facts = default_facts("classification")
    facts["ood"] = Fact("ood", True, "measured", "AUC 0.81 vs null p95 0.56")
    result = run_flow("P", facts)
    last = result.path[-1]
    assert (last.node, last.source, last.detail, last.next) == (
        "P6",
        "measured",
        "AUC 0.81 vs null p95 0.56",
        "prompt",
    )
    assert result.path[0].source == "assumed"
    assert result.to_json()["decided_by"] == "P6"


# ------------------------------------------------------------------------------- facts


def test_default_facts_by_task_type() -> None:
    assert not any(f.value for f in default_facts("classification").values())
    gen = default_facts("generation")
    assert gen["needs_generation"].value and gen["creative_generation"].value
    assert default_facts("regression")["regression_like"].value
    qa = default_facts("qa")
    assert qa["knowledge_intensive"].value and qa["context_has_knowledge"].value
    assert default_facts("chat")["mimics_human"].value
    tr = default_facts("translation")
    assert tr["needs_generation"].value and not tr["creative_generation"].value
    assert {f.source for f in gen.values()} == {"assumed"}
    with pytest.raises(UsageError, match="unknown task type 'poetry'; task types: "):
        default_facts("poetry")


def test_facts_from_profile_are_measured_with_figures() -> None:
    profile = make_profile(
        median_per_class=6.0,
        min_per_class=3,
        shift=_shift(True),
        languages=LanguageReport(
            mix={"sw": 0.9, "en": 0.1},
            primary="sw",
            low_resource=("sw",),
            undetected_share=0.0,
            detector="lingua",
            n_rows=500,
        ),
    )
    facts = facts_from_profile(profile)
    assert set(facts) == {"few_labels", "regression_like", "ood", "low_resource_language"}
    assert {f.source for f in facts.values()} == {"measured"}
    assert facts["few_labels"].value is True
    assert "median 6 labelled examples per class" in facts["few_labels"].detail
    assert "below 16" in facts["few_labels"].detail
    assert facts["ood"].value is True and "AUC 0.81 vs null p95 0.56" in facts["ood"].detail
    assert facts["low_resource_language"].value is True
    assert "'sw'" in facts["low_resource_language"].detail
    assert facts["regression_like"].value is False


def test_profile_thresholds() -> None:
    assert facts_from_profile(make_profile(median_per_class=16.0))["few_labels"].value is False
    assert facts_from_profile(make_profile(median_per_class=15.5))["few_labels"].value is True
    assert "ood" not in facts_from_profile(make_profile())
    assert facts_from_profile(make_profile(shift=_shift(False)))["ood"].value is False
    # An OOD test set means OOD generalization is required, whatever its shift score.
    ood = facts_from_profile(make_profile(shift=_shift(False), ood_shift=_shift(False, "ood")))
    assert ood["ood"].value is True and "OOD test set" in ood["ood"].detail
    assert facts_from_profile(None) == {}


def test_context_measured_only_for_long_pairs() -> None:
    long_pair = make_profile(is_pair=True, lengths=(LengthStats("chars", 900.0, 2000.0, 3000),))
    fact = facts_from_profile(long_pair)["context_has_knowledge"]
    assert fact.value is True and fact.source == "measured" and "900" in fact.detail
    short_pair = make_profile(is_pair=True, lengths=(LengthStats("chars", 120.0, 300.0, 500),))
    assert "context_has_knowledge" not in facts_from_profile(short_pair)
    long_single = make_profile(lengths=(LengthStats("chars", 900.0, 2000.0, 3000),))
    assert "context_has_knowledge" not in facts_from_profile(long_single)


def test_numeric_profile_is_regression_like() -> None:
    p = make_profile(label_type="numeric", labels=tuple(str(i / 10) for i in range(50)))
    facts = facts_from_profile(p)
    assert facts["regression_like"].value is True
    assert facts["regression_like"].source == "measured"
    assert facts["few_labels"].value is False  # 400 rows, not per-class counts


def test_merge_precedence_and_override_detail() -> None:
    measured = facts_from_profile(make_profile(median_per_class=4.0))
    merged = merge_facts(default_facts("classification"), measured, {"few_labels": False})
    f = merged["few_labels"]
    assert (f.value, f.source, f.measured_value) == (False, "answered", True)
    assert "overrides the measurement" in f.detail and "median 4" in f.detail
    assert f.to_json()["overrides_measurement"] is True
    assert merged["regression_like"].source == "measured"
    assert merged["ood"].source == "assumed"
    agree = merge_facts(default_facts("classification"), measured, {"few_labels": True})
    assert "agrees with the measurement" in agree["few_labels"].detail
    with pytest.raises(UsageError, match="unknown fact 'oops'"):
        merge_facts(default_facts("classification"), {}, {"oops": True})


# ------------------------------------------------------------------------------ advice


@pytest.mark.parametrize(
    ("constraint", "name"),
    [
        ({"on_prem": True}, "on_prem"),
        ({"budget_per_1k": 0.1}, "budget"),
        ({"latency_p95_ms": 150.0}, "latency"),
        ({"replacing_finetuned": True}, "replacing_finetuned"),
        ({"hardware": "cpu", "on_prem": True}, "hardware"),
    ],
)
def test_constraint_turns_prompt_into_distillation(constraint: dict, name: str) -> None:
    free = advise(None, answers={"few_labels": True}, catalog=CATALOG)
    assert free.prior == "prompt" and free.constraints == ()
    bound = advise(None, answers={"few_labels": True}, catalog=CATALOG, **constraint)
    assert bound.prior == "distill"
    assert DISTILL_ADVICE in bound.prior_reason
    assert any(DISTILL_ADVICE in r for r in bound.recommendations)
    finding = next(c for c in bound.constraints if c.name == name)
    assert finding.pushes_local


def test_loose_constraints_do_not_push() -> None:
    a = advise(None, answers={"few_labels": True}, budget_per_1k=5.0, latency_p95_ms=3000.0,
               hardware="cpu", catalog=CATALOG)  # fmt: skip
    assert a.prior == "prompt"
    assert [c.name for c in a.constraints] == ["budget", "latency", "hardware"]
    assert not any(c.pushes_local for c in a.constraints)


def test_distillation_names_the_unlabeled_pool() -> None:
    a = advise(make_profile(n_unlabeled=12000), answers={"ood": True}, on_prem=True,
               catalog=CATALOG)  # fmt: skip
    assert a.prior == "distill"
    assert "12,000 texts" in a.recommendations[0]


def test_enough_labels_and_limited_budget_suggest_small_instruction_model() -> None:
    a = advise(make_profile(), answers={"ood": True}, budget_per_1k=0.2, catalog=CATALOG)
    assert a.prior == "distill"
    assert any(SMALL_INSTRUCT_ADVICE in r and "Small Instruct" in r for r in a.recommendations)
    few = advise(make_profile(median_per_class=4.0), budget_per_1k=0.2, catalog=CATALOG)
    assert not any(SMALL_INSTRUCT_ADVICE in r for r in few.recommendations)


def test_finetune_prior_with_agreeing_constraint() -> None:
    a = advise(None, on_prem=True, catalog=CATALOG)
    assert a.prior == "finetune"
    assert "on_prem agrees" in a.prior_reason


def test_measured_facts_from_profile_are_labelled_measured() -> None:
    a = advise(make_profile(median_per_class=5.0, shift=_shift(False)), catalog=CATALOG)
    assert a.facts["few_labels"].source == "measured" and a.facts["few_labels"].value
    assert a.facts["ood"].source == "measured" and not a.facts["ood"].value
    assert a.facts["mimics_human"].source == "assumed"
    p5 = next(s for s in a.flow("P").path if s.node == "P5")
    assert (p5.source, p5.answer, p5.next) == ("measured", True, "prompt")
    facts_json = {f["name"]: f for f in a.to_json()["facts"]}
    assert facts_json["few_labels"]["source"] == "measured"
    assert "few_labels" not in a.questions


def test_answered_overrides_measured() -> None:
    a = advise(make_profile(median_per_class=5.0), answers={"few_labels": False}, catalog=CATALOG)
    f = a.facts["few_labels"]
    assert (f.value, f.source, f.measured_value) == (False, "answered", True)
    assert "overrides the measurement" in f.detail
    assert a.flow("P").decided_by == "P8"


def test_card_answers_and_set_answers(tmp_path) -> None:
    from taskfit.advise import load_card

    path = tmp_path / "card.yaml"
    path.write_text("task_type: nli\nood: yes\nspurious_correlations: yes\n", encoding="utf-8")
    card = load_card(path)
    a = advise(None, card, catalog=CATALOG)
    assert a.task_type == "nli"
    assert a.facts["ood"].source == "answered" and "task card" in a.facts["ood"].detail
    assert (a.flow("P").outcome, a.flow("B").decided_by) == ("prompt", "B7a")
    b = advise(None, card, {"spurious_correlations": False}, catalog=CATALOG)
    assert b.flow("B").decided_by == "B7b"
    assert advise(None, card, task_type="classification", catalog=CATALOG).task_type == (
        "classification"
    )


def test_regression_gets_no_prompted_approach_or_model() -> None:
    numeric = make_profile(label_type="numeric", labels=tuple(str(i / 4) for i in range(40)))
    a = advise(numeric, catalog=CATALOG)
    assert a.task_type == "regression"
    assert a.approaches and not set(a.approaches) & set(PROMPT_SIDE)
    assert a.models["prompt"] == ()
    b = advise(None, answers={"regression_like": True}, catalog=CATALOG)
    assert not set(b.approaches) & set(PROMPT_SIDE)
    assert any(r.id == "6" for r in b.remarks)


def test_approaches_test_both_sides() -> None:
    from taskfit.run.plan import DEFAULT_APPROACHES, FINETUNE_APPROACHES

    few = advise(None, answers={"few_labels": True}, catalog=CATALOG)
    assert few.approaches[:2] == ("zero-shot", "few-shot")
    assert {"setfit", "majority"} <= set(few.approaches)
    plenty = advise(None, catalog=CATALOG)
    assert plenty.approaches[0] == "tfidf-lr"
    assert {"encoder-lr", "few-shot-knn", "zero-shot", "majority"} <= set(plenty.approaches)
    for a in (few, plenty):
        assert set(a.approaches) <= set(DEFAULT_APPROACHES)
        assert set(a.approaches) & set(PROMPT_SIDE)
        assert set(a.approaches) & set(FINETUNE_APPROACHES)
    summ = advise(None, task_type="summarization", catalog=CATALOG)
    assert summ.approaches == () and "summarization" in summ.approaches_reason


def test_disagreements_name_the_nodes() -> None:
    low = advise(None, answers={"low_resource_language": True, "creative_generation": True},
                 catalog=CATALOG)  # fmt: skip
    assert low.prior == "split"
    (d,) = low.disagreements
    assert (d.p_node, d.b_node) == ("P7", "B1") and "low-resource" in d.why
    spur = advise(None, answers={"spurious_correlations": True, "ood": True}, catalog=CATALOG)
    assert spur.disagreements[0].b_node == "B7a" and "spurious" in spur.disagreements[0].why
    cf = advise(None, task_type="closed-book-qa", answers={"counterfactual_knowledge": True},
                catalog=CATALOG)  # fmt: skip
    (d,) = cf.disagreements
    assert (d.p_node, d.p_outcome, d.b_node, d.b_outcome) == ("P10", "none", "B8b", "finetune")
    assert "counterfactual" in d.why and cf.prior == "split"
    order = advise(None, answers={"regression_like": True, "creative_generation": True},
                   catalog=CATALOG)  # fmt: skip
    (d,) = order.disagreements
    assert (d.p_node, d.b_node) == ("P4", "B2") and "different order" in d.why
    assert advise(None, catalog=CATALOG).disagreements == ()


def test_models_follow_constraints() -> None:
    free = advise(None, catalog=CATALOG)
    names = [e.name for e in free.models["prompt"]]
    assert names[0] == "Api Big" and "Open 8B" in names and "Open 70B" not in names
    assert model_json(free.models["prompt"][0], "prompt")["run"] == "--llm openai:api-big"
    assert free.models["finetune"][0].name == "Enc Small"
    assert model_json(free.models["finetune"][0], "finetune")["run"] == "--encoder enc"
    onprem = advise(None, on_prem=True, catalog=CATALOG)
    assert onprem.models["prompt"] and all(e.open_weights for e in onprem.models["prompt"])
    cpu = advise(None, hardware="cpu", catalog=CATALOG)
    assert [e.name for e in cpu.models["prompt"]] == ["Api Big", "Tiny 1B"]
    cpu_local = advise(None, hardware="cpu", on_prem=True, catalog=CATALOG)
    assert [e.name for e in cpu_local.models["prompt"]] == ["Tiny 1B"]
    gen_cpu = advise(None, task_type="summarization", hardware="cpu", catalog=CATALOG)
    assert gen_cpu.models["finetune"] == ()  # the only encoder-decoder is 3B, too big for CPU
    low = advise(None, answers={"low_resource_language": True}, catalog=CATALOG)
    assert low.models["finetune"][0].name == "Enc Multi"


def test_packaged_catalog_gives_models_on_both_sides() -> None:
    a = advise(None, hardware="cpu", on_prem=True)
    assert a.models["prompt"] and a.models["finetune"]
    assert all(e.architecture == "decoder-only" for e in a.models["prompt"])
    assert all(e.open_weights for side in a.models.values() for e in side)


def test_remarks_that_apply() -> None:
    ids = {r.id for r in advise(None, catalog=CATALOG).remarks}
    assert ids == {"2"}
    ood = {r.id for r in advise(None, answers={"ood": True}, budget_per_1k=3.0,
                                catalog=CATALOG).remarks}  # fmt: skip
    assert {"1", "2", "8"} <= ood
    summ = {r.id for r in advise(None, task_type="summarization", catalog=CATALOG).remarks}
    assert "3" in summ and "2" not in summ
    fit = DomainFit("smollm2", 40.0, 10.0, 4.0, 100, 5000)
    near = DomainFit("smollm2", 12.0, 10.0, 1.2, 100, 5000)
    far = advise(make_profile(domain_fit=(fit,)), catalog=CATALOG).remarks
    assert "4.0x" in next(r.why for r in far if r.id == "1(3)")
    assert "1(3)" not in {r.id for r in advise(make_profile(domain_fit=(near,))).remarks}


def test_questions_unanswered_are_assumed_facts_on_a_path() -> None:
    facts = default_facts("classification")
    assert questions_unanswered(facts) == [
        "mimics_human", "emergent_abilities", "many_tasks", "regression_like", "few_labels",
        "ood", "creative_generation", "knowledge_intensive", "low_resource_language",
        "needs_generation", "lm_like", "spurious_correlations",
    ]  # fmt: skip
    answered = merge_facts(facts, {}, dict.fromkeys(FACTS, False))
    assert questions_unanswered(answered) == []
    a = advise(make_profile(shift=_shift(False)), answers={"mimics_human": False},
               catalog=CATALOG)  # fmt: skip
    assert "few_labels" not in a.questions and "ood" not in a.questions
    assert "mimics_human" not in a.questions and "emergent_abilities" in a.questions


def test_advice_json_round_trips() -> None:
    a = advise(make_profile(shift=_shift(True)), on_prem=True, catalog=CATALOG)
    doc = json.loads(json.dumps(a.to_json()))
    assert doc["prior"] == a.prior == "distill"
    assert doc["flows"]["P"]["decided_by"] == "P6"
    assert doc["flows"]["B"]["path"][-1]["next"] == "prompt"
    assert doc["constraints"][0]["name"] == "on_prem"
    assert doc["questions_unanswered"] == list(a.questions)
    assert {m["name"] for m in doc["models"]["prompt"]} == {e.name for e in a.models["prompt"]}


def test_bad_options_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="hardware must be one of: cpu, gpu"):
        advise(None, hardware="tpu", catalog=CATALOG)
    with pytest.raises(UsageError, match="budget_per_1k must be >= 0"):
        advise(None, budget_per_1k=-1.0, catalog=CATALOG)
    with pytest.raises(UsageError, match="unknown task type"):
        advise(None, task_type="poem", catalog=CATALOG)
