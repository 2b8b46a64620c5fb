"""Prompt building, demonstration choice, answer parsing and the prompted classifier."""

from __future__ import annotations

import numpy as np
import pytest

from taskfit.backends.fake import FakeBackend
from taskfit.prompting.classify import run_prompt_approach
from taskfit.prompting.demos import balanced_random, nearest
from taskfit.tasks.classification.parse import parse_label
from taskfit.tasks.classification.prompts import Template, verbalize
from taskfit.types import Dataset, Example


def _dataset() -> Dataset:
    train = tuple(
        Example(t, lab)
        for lab, ts in {
            "refund_request": ["money back please", "refund my order", "I want a refund"],
            "password_reset": ["forgot password", "reset my password", "locked out password"],
        }.items()
        for t in ts
    )
    test = (
        Example("give my money back", "refund_request"),
        Example("password reset needed", "password_reset"),
    )
    return Dataset(train, test, ("password_reset", "refund_request"), "h", "mem", "text", "intent")


def test_verbalize_and_template_shape():
    assert verbalize(["card_arrival", "lost-card"]) == {
        "card_arrival": "card arrival",
        "lost-card": "lost card",
    }
    assert verbalize(["a_b", "a-b"]) == {"a_b": "a_b", "a-b": "a-b"}  # would collide
    t = Template.for_task(["neg", "pos"], label_name="sentiment", descriptions={"neg": "bad"})
    assert "- neg: bad" in t.instruction()
    prefix = t.prefix([("nice", None, "pos")])
    assert prefix.endswith("Text: nice\nSentiment: pos\n\n")
    assert t.body("x", "y") == "Text: x\nSecond text: y\nSentiment:"


def test_balanced_random_demos_are_seeded_and_balanced():
    ex = [Example(f"t{i}", "abc"[i % 3]) for i in range(30)]
    d1 = balanced_random(ex, 6, seed=1)
    assert sorted(e.label for e in d1) == ["a", "a", "b", "b", "c", "c"]
    assert d1 == balanced_random(ex, 6, seed=1)
    assert d1 != balanced_random(ex, 6, seed=2)
    assert len(balanced_random(ex[:2], 5, seed=0)) == 2  # capped by the data


def test_nearest_puts_most_similar_last():
    train = np.eye(3, dtype=np.float32)
    test = np.array([[0.1, 0.2, 0.97]], dtype=np.float32)
    idx = nearest(train, test, 2)
    assert idx.tolist() == [[1, 2]]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("refund request", "refund_request"),
        ("Intent: Refund Request.", "refund_request"),
        ("REFUND_REQUEST", "refund_request"),
        ("password reset\nbecause", "password_reset"),
        ("no idea", None),
        ("", None),
        ("refund request or password reset", None),
    ],
)
def test_parse_label(answer, expected):
    verbal = {"refund_request": "refund request", "password_reset": "password reset"}
    assert parse_label(answer, verbal) == expected


def test_prefers_longest_label_when_one_contains_another():
    verbal = {"card": "card", "lost_card": "lost card"}
    assert parse_label("lost card", verbal) == "lost_card"


def test_scored_classification_uses_label_probabilities():
    ds = _dataset()
    be = FakeBackend(keywords={" refund request": ["money"], " password reset": ["password"]})
    out = run_prompt_approach(
        "zero-shot", be, ds.train, ds.test, labels=ds.labels, label_name="intent"
    )
    assert out.predictions == ["refund_request", "password_reset"]
    assert all(abs(sum(p) - 1) < 1e-9 for p in out.probabilities)
    assert out.parse_failures == 0 and len(out.latency_ms) == 2
    few = run_prompt_approach("few-shot", be, ds.train, ds.test, labels=ds.labels, shots=2, seed=0)
    assert few.n_demo_labels == 2


def test_generation_fallback_counts_parse_failures():
    ds = _dataset()
    answers = iter(["refund request", "banana"])
    be = FakeBackend(prompt_logprobs=False, responder=lambda prompt: next(answers))
    out = run_prompt_approach("zero-shot", be, ds.train, ds.test, labels=ds.labels)
    assert out.predictions[0] == "refund_request"
    assert out.parse_failures == 1
    assert out.completion_tokens > 0
    assert be.score_calls == 0 and be.generate_calls == 2


def test_long_texts_are_truncated_with_a_note():
    ds = _dataset()
    long = Example("word " * 5000, "refund_request")
    be = FakeBackend(context_size=512)
    out = run_prompt_approach("zero-shot", be, ds.train, [long], labels=ds.labels)
    assert out.notes and "truncated" in out.notes[0]
