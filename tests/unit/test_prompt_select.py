"""Prompt selection on a dev split: the split, the candidates, the choice, the unit record."""

from __future__ import annotations

from collections import Counter

import pytest

from taskfit.backends.base import ChatScoreRequest, ScoreRequest
from taskfit.backends.fake import FakeBackend
from taskfit.data import load_demo
from taskfit.errors import UsageError
from taskfit.prompting.classify import run_prompt_approach
from taskfit.prompting.select import PromptChoice, best, candidates, dev_split, score_candidate
from taskfit.run.plan import PlanOptions, prompt_unit
from taskfit.run.prompt_unit import prompt_total, run_prompt_unit
from taskfit.tasks.classification.prompts import VARIANTS, Template
from taskfit.types import Example

KEYWORDS = {
    " refund": ["money", "back", "refund", "return"],
    " password": ["password", "login", "reset", "locked"],
}


def _train(n_per: int = 20) -> list[Example]:
    rows = [Example(f"I want my money back {i}", "refund") for i in range(n_per)]
    rows += [Example(f"reset my password {i}", "password") for i in range(n_per)]
    rows += [Example("lone example", "rare")]
    return rows


def test_dev_split_is_stratified_seeded_and_disjoint():
    train = _train()
    dev, rest = dev_split(train, 10, seed=3)
    assert len(dev) == 10 and len(rest) == len(train) - 10
    assert Counter(e.label for e in dev) == {"refund": 5, "password": 5}
    assert not {id(e) for e in dev} & {id(e) for e in rest}
    # a class with one example stays whole in the rest, so it can still be demonstrated
    assert any(e.label == "rare" for e in rest)
    assert dev_split(train, 10, seed=3)[0] == dev  # seeded
    assert dev_split(train, 10, seed=4)[0] != dev
    # at most half of train, and the demonstrations a few-shot prompt needs stay
    assert len(dev_split(train, 1000, seed=0)[0]) == len(train) // 2
    assert len(dev_split(train[:12], 10, seed=0, keep=8)[1]) >= 8
    assert dev_split(train, 0, seed=0) == ([], train)


def test_candidates_follow_the_backend_and_the_flag():
    both = candidates("auto", chat=True, completion=True)
    assert {c.format for c in both} == {"chat", "completion"}
    assert {c.variant for c in both} == set(VARIANTS) and len(both) == 2 * len(VARIANTS)
    # a chat endpoint without prompt log-probabilities: chat only
    assert {c.format for c in candidates("auto", chat=True, completion=False)} == {"chat"}
    # a base model without a chat template: completion only
    assert {c.format for c in candidates("auto", chat=False, completion=True)} == {"completion"}
    assert candidates("chat", chat=True, completion=True, selection=False) == [
        PromptChoice("chat", "list")
    ]
    # no selection: auto keeps the completion prompt taskfit always used
    assert candidates("auto", chat=True, completion=True, selection=False) == [
        PromptChoice("completion", "list")
    ]
    with pytest.raises(UsageError, match="--prompt-format"):
        candidates("json", chat=True, completion=True)


def test_best_prefers_accuracy_then_macro_f1_then_order():
    labels = ["a", "b"]
    y = ["a", "a", "b", "b"]
    c1 = score_candidate(
        PromptChoice("completion", "list"), y, ["a", "a", "a", "a"], [], labels, "exact"
    )
    c2 = score_candidate(PromptChoice("chat", "list"), y, ["a", "a", "b", "a"], [], labels, "exact")
    c3 = score_candidate(
        PromptChoice("chat", "question"), y, ["a", "b", "b", "b"], [], labels, "exact"
    )
    assert (c1.accuracy, c1.top_label, c1.top_label_share) == (0.5, "a", 1.0)
    assert best([c1, c2, c3]).choice == PromptChoice("chat", "list")  # 0.75, earlier
    assert best([c3, c2]).choice == PromptChoice("chat", "question")


def test_templates_render_each_variant_in_both_formats():
    labels = ["card_arrival", "lost_card"]
    for variant in VARIANTS:
        t = Template.for_task(labels, label_name="intent", variant=variant)
        assert len(set(t.options())) == 2 and len(set(t.chat_options())) == 2
        ctx = t.chat_context([("where is my card", None, "card_arrival")])
        assert ctx[0][0] == "system" and [r for r, _ in ctx[1:]] == ["user", "assistant"]
        assert ctx[2][1] == t.answer("card_arrival")
        prefix = t.prefix([("where is my card", None, "card_arrival")])
        assert prefix.endswith(f" {t.answer('card_arrival')}\n\n")
    numbered = Template.for_task(labels, variant="numbered")
    assert numbered.chat_options() == ("1", "2") and numbered.options() == (" 1\n", " 2\n")
    assert "1. card arrival" in numbered.system() and "2. lost card" in numbered.instruction()
    # descriptions reach every variant
    for variant in VARIANTS:
        t = Template.for_task(
            labels, descriptions={"lost_card": "the card is gone"}, variant=variant
        )
        assert "the card is gone" in t.system() and "the card is gone" in t.instruction()


def test_chat_requests_carry_system_demos_and_user_turns():
    fb = FakeBackend(keywords=KEYWORDS)
    seen: list[ChatScoreRequest] = []
    inner = fb.score_chat

    def spy(reqs):
        seen.extend(reqs)
        return inner(reqs)

    fb.score_chat = spy  # type: ignore[method-assign]
    pool = _train()
    test = [Example("please reset my password", "password")]
    out = run_prompt_approach(
        "few-shot",
        fb,
        pool,
        test,
        labels=["password", "rare", "refund"],
        prompt_format="chat",
        shots=3,
    )
    (req,) = seen
    roles = [r for r, _ in req.context]
    assert roles == ["system", "user", "assistant"] * 1 + ["user", "assistant"] * 2
    assert req.turns == (("user", "Text: please reset my password"),)
    assert req.options == ("password", "rare", "refund")
    assert out.predictions == ["password"] and out.probability_kind == "exact"
    assert out.n_demo_labels == 3


def _dataset():
    ds = load_demo(seed=0)
    return ds


def test_selection_picks_the_format_that_did_not_collapse():
    ds = _dataset()
    keywords = {" " + lab.replace("_", " "): lab.split("_") for lab in ds.labels}
    top = ds.labels[0].replace("_", " ")
    # completion format collapsed onto one label; chat format fine
    fb = FakeBackend(keywords=keywords, bias={top: 50.0})
    unit = prompt_unit("zero-shot", _spec(), ds, tuple(range(40)), 0, PlanOptions(dev_size=32))
    assert prompt_total(unit, fb, ds) == 40 + 2 * len(VARIANTS) * 32
    res = run_prompt_unit(unit, fb, ds, embedder=None)  # type: ignore[arg-type]
    rec = res.prompting
    assert rec["selected_on_dev"] and rec["format"] == "chat"
    assert rec["dev_n"] == 32 and len(rec["dev_labels"]) == 32
    assert len(rec["dev_probabilities"]) == 32 and len(rec["dev_probabilities"][0]) == len(
        ds.labels
    )
    by_format = {c["format"]: c for c in rec["candidates"] if c["variant"] == "list"}
    assert by_format["completion"]["top_label_share"] == 1.0
    assert by_format["chat"]["dev_accuracy"] > by_format["completion"]["dev_accuracy"]
    assert len(rec["candidates"]) == 2 * len(VARIANTS)
    assert Counter(res.predictions).most_common(1)[0][1] < 0.9 * len(res.predictions)
    # the dev split's labels count as labels the prompted arm used
    assert res.n_train_labels == 32
    assert any("dev split of 32" in n for n in res.notes)
    # dev examples are training examples, never test examples
    test_texts = {e.text for e in ds.test}
    dev, _ = dev_split(ds.train, 32, 0)
    assert not {e.text for e in dev} & test_texts


def test_dev_examples_are_never_demonstrations():
    ds = _dataset()
    fb = FakeBackend()
    prefixes: list[str] = []
    inner = fb.score_options

    def spy(reqs: list[ScoreRequest]):
        prefixes.extend(r.prefix for r in reqs)
        return inner(reqs)

    fb.score_options = spy  # type: ignore[method-assign]
    unit = prompt_unit(
        "few-shot",
        _spec(),
        ds,
        tuple(range(10)),
        0,
        PlanOptions(dev_size=24, shots=8, prompt_format="completion"),
    )
    run_prompt_unit(unit, fb, ds, embedder=None)  # type: ignore[arg-type]
    dev, _ = dev_split(ds.train, 24, 0, keep=8)
    shown = "".join(set(prefixes))
    assert prefixes and not any(f"Text: {e.text}\n" in shown for e in dev)


def test_no_dev_split_keeps_the_old_prompt():
    ds = _dataset()
    fb = FakeBackend()
    unit = prompt_unit("zero-shot", _spec(), ds, tuple(range(10)), 0, PlanOptions(dev_size=0))
    res = run_prompt_unit(unit, fb, ds, embedder=None)  # type: ignore[arg-type]
    assert res.prompting["format"] == "completion" and res.prompting["variant"] == "list"
    assert not res.prompting["selected_on_dev"] and res.prompting["candidates"] == []
    assert fb.chat_calls == 0 and fb.score_calls == 10
    assert res.n_train_labels == 0


def test_chat_without_log_probabilities_parses_generated_answers():
    ds = _dataset()
    label = ds.labels[1]
    fb = FakeBackend(prompt_logprobs=False, chat=False, responder=lambda p: label.replace("_", " "))
    out = run_prompt_approach(
        "zero-shot", fb, ds.train, ds.test[:5], labels=ds.labels, prompt_format="chat"
    )
    assert out.probability_kind == "parsed" and out.predictions == [label] * 5
    assert any("no chat log-probabilities" in n for n in out.notes)


def _spec():
    from taskfit.backends import parse_spec

    return parse_spec("fake")


def test_a_collapsed_llm_is_called_out_end_to_end(tmp_path):
    """A fake LLM that answers one label in every format and wording: the run warns in
    plain words, in results.json, the summary and the CLI's recommendation, and the
    label-prior correction repairs it."""
    from taskfit.workflows.compare import compare_demo

    ds = load_demo(seed=0)
    keywords = {" " + lab.replace("_", " "): lab.split("_") for lab in ds.labels}
    top = ds.labels[0].replace("_", " ")
    bias = {top: 6.0, "1": 6.0}
    res = compare_demo(
        llms=("fake",),
        approaches=("zero-shot", "majority", "tfidf-lr"),
        home=str(tmp_path / "h"),
        out=str(tmp_path / "out"),
        max_test=60,
        dev_size=24,
        plots=False,
        backend_options={"fake": {"keywords": keywords, "bias": bias, "chat_bias": bias}},
    )
    doc = res.results_json
    assert "zero-shot@fake" in doc["collapsed"]
    rec = doc["prompting"]["zero-shot@fake"]
    assert rec["collapse"]["label"] == ds.labels[0] and rec["collapse"]["pred_share"] > 0.9
    warning = next(w for w in doc["recommendation"]["warnings"] if "zero-shot@fake" in w)
    assert "collapsed" in warning and ds.labels[0] in warning
    # batch calibration needs no test labels and undoes a constant label bias
    by_name = {a["name"]: a for a in doc["approaches"]}
    raw = by_name["zero-shot@fake"]["metrics"]["accuracy"]["value"]
    fixed = by_name["zero-shot+batch-cal@fake"]["metrics"]["accuracy"]["value"]
    assert fixed > raw + 0.3
    assert "batch" in warning  # the remedy that helped is named
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "collapsed" in summary and "zero-shot+batch-cal@fake" in summary


def test_auto_skips_the_completion_format_when_it_costs_a_request_per_label():
    ds = _dataset()
    fb = FakeBackend(option_requests=True)  # like a served model without prompt arrays
    unit = prompt_unit("zero-shot", _spec(), ds, tuple(range(8)), 0, PlanOptions(dev_size=16))
    assert prompt_total(unit, fb, ds) == 8 + len(VARIANTS) * 16  # chat candidates only
    res = run_prompt_unit(unit, fb, ds, embedder=None)  # type: ignore[arg-type]
    assert {c["format"] for c in res.prompting["candidates"]} == {"chat"}
    assert any("completion format was not tried" in n for n in res.notes)
    forced = prompt_unit(
        "zero-shot",
        _spec(),
        ds,
        tuple(range(8)),
        0,
        PlanOptions(dev_size=16, prompt_format="completion"),
    )
    res = run_prompt_unit(forced, fb, ds, embedder=None)  # type: ignore[arg-type]
    assert {c["format"] for c in res.prompting["candidates"]} == {"completion"}
    # few labels: one request per label is cheap enough to try
    few = FakeBackend(option_requests=True)
    two = type(ds)(
        ds.train[:0] + tuple(e for e in ds.train if e.label in ds.labels[:2]),
        tuple(e for e in ds.test if e.label in ds.labels[:2]),
        ds.labels[:2],
        "h2",
        ds.source,
        ds.text_col,
        ds.label_col,
    )
    u2 = prompt_unit("zero-shot", _spec(), two, tuple(range(4)), 0, PlanOptions(dev_size=8))
    res = run_prompt_unit(u2, few, two, embedder=None)  # type: ignore[arg-type]
    assert {c["format"] for c in res.prompting["candidates"]} == {"chat", "completion"}
