"""The chat format with the embedded SmolLM2: its own template, rendered and scored for real."""

from __future__ import annotations

import math

import pytest

from taskfit.backends.base import ChatScoreRequest, ScoreRequest
from taskfit.data import load_demo
from taskfit.prompting.classify import run_prompt_approach
from taskfit.tasks.classification.prompts import Template

pytestmark = pytest.mark.integration

CONVERSATIONS = [
    [("user", "Text: where is my card?")],
    [("system", "Classify the text."), ("user", "Text: hello")],
    [
        ("system", "Classify the text. Reply with the intent only."),
        ("user", "Text: my card has not arrived"),
        ("assistant", "card arrival"),
        ("user", 'Text: I forgot my PIN, ünïcödé and "quotes"'),
    ],
]


@pytest.mark.parametrize("turns", CONVERSATIONS)
def test_rendering_matches_llama_cpp_pythons_own_formatter(smollm2, turns):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    t = smollm2.chat_template
    assert t is not None and "im_start" in t.source
    theirs = Jinja2ChatFormatter(t.source, eos_token=t.eos_token, bos_token=t.bos_token)
    messages = [{"role": r, "content": c} for r, c in turns]
    assert t.render(turns) == theirs(messages=messages).prompt
    assert (
        t.render(turns, add_generation_prompt=False)
        == Jinja2ChatFormatter(
            t.source, eos_token=t.eos_token, bos_token=t.bos_token, add_generation_prompt=False
        )(messages=messages).prompt
    )


def test_template_parts_and_special_tokens(smollm2):
    t = smollm2.chat_template
    assert t.end_of_turn == "<|im_end|>"
    head, rest = t.split((("system", "S"),), (("user", "Text: hi"),))
    assert head == "<|im_start|>system\nS<|im_end|>\n"
    assert rest == "<|im_start|>user\nText: hi<|im_end|>\n<|im_start|>assistant\n"
    # control tokens are single tokens when parsed as special, many when not
    assert len(smollm2.tokenize("<|im_end|>", special=True)) == 1
    assert len(smollm2.tokenize("<|im_end|>")) > 1
    assert smollm2.info().chat


def test_chat_scores_depend_on_the_input_and_match_a_plain_prompt(smollm2):
    system = "Classify the sentiment of the text. Reply positive or negative."

    def score(text: str) -> tuple[float, ...]:
        req = ChatScoreRequest(
            (("system", system),), (("user", f"Text: {text}"),), ("positive", "negative")
        )
        (res,) = smollm2.score_chat([req])
        assert all(math.isfinite(x) and x < 0 for x in res.logprobs)
        assert not res.approximate
        return res.logprobs

    good = score("I loved this film, it was wonderful")
    bad = score("Terrible, boring and awful")
    assert good != bad
    assert good[0] - good[1] > bad[0] - bad[1]  # the model leans the right way
    # the same rendered text as one plain special-token prompt scores the same
    t = smollm2.chat_template
    head, rest = t.split((("system", system),), (("user", "Text: Terrible, boring and awful"),))
    plain = smollm2._score_one(
        ScoreRequest(head, rest, tuple(o + t.end_of_turn for o in ("positive", "negative"))),
        chat=True,
    )
    assert plain.logprobs == pytest.approx(bad, abs=1e-3)


@pytest.mark.parametrize("fmt", ["completion", "chat"])
@pytest.mark.parametrize("variant", ["list", "numbered"])
def test_both_formats_classify_the_demo_data(smollm2, fmt, variant):
    ds = load_demo(seed=0)
    test = ds.test[:12]
    out = run_prompt_approach(
        "few-shot",
        smollm2,
        ds.train,
        test,
        labels=ds.labels,
        label_name=ds.label_col,
        prompt_format=fmt,
        variant=variant,
        shots=4,
    )
    assert len(out.predictions) == len(test) and out.probability_kind == "exact"
    for p in out.probabilities:
        assert sum(p) == pytest.approx(1.0) and len(p) == len(ds.labels)
    assert len({tuple(round(x, 6) for x in p) for p in out.probabilities}) > 1
    assert out.requests == len(test)


def test_numbered_answers_are_parsed_in_generation(smollm2):
    ds = load_demo(seed=0)
    t = Template.for_task(ds.labels, variant="numbered")
    assert t.answers[ds.labels[2]] == "3"
    out = run_prompt_approach(
        "zero-shot",
        _NoLogprobs(smollm2),
        ds.train,
        ds.test[:3],
        labels=ds.labels,
        prompt_format="chat",
        variant="numbered",
    )
    assert out.probability_kind == "parsed" and len(out.predictions) == 3
    assert set(out.predictions) <= set(ds.labels)


class _NoLogprobs:
    """The real model behind an endpoint that cannot return log-probabilities."""

    def __init__(self, inner):
        self.inner = inner

    def info(self):
        from dataclasses import replace

        return replace(self.inner.info(), chat=False, prompt_logprobs=False)

    def count_tokens(self, text):
        return self.inner.count_tokens(text)

    def generate(self, requests):
        return self.inner.generate(requests)
