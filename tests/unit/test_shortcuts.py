"""Shortcut probes (taskfit.data.shortcuts) and prompt biases (taskfit.metrics.bias)."""

from __future__ import annotations

import math
import random

import pytest

from taskfit.data.shortcuts import (
    STOPWORDS,
    TokenScore,
    mask_examples,
    mask_tokens,
    tokenize,
    top_tokens,
)
from taskfit.metrics.bias import LabelBias, RecencyBias, label_bias, recency_bias
from taskfit.types import Example

_NEUTRAL_WORDS = (
    "please help need today account issue thing since still again question quick "
    "team support hello thanks really maybe soon week month yesterday morning info "
    "update status number case request problem"
)
NEUTRAL = _NEUTRAL_WORDS.split()
WEAK = {
    "billing": ["charge", "invoice", "refund", "payment"],
    "login": ["password", "signin", "locked", "reset"],
    "shipping": ["parcel", "delivery", "courier", "tracking"],
}
SPURIOUS = "zxq"


def synthetic(seed: int = 0, per_label: int = 100) -> list[Example]:
    """Shared neutral words, weakly label-related words, and ``zxq`` in ~90% of billing."""
    rng = random.Random(seed)
    out = []
    for label in WEAK:
        for _ in range(per_label):
            words = rng.sample(NEUTRAL, 6)
            for lab, ws in WEAK.items():
                p = 0.35 if lab == label else 0.15
                words += [w for w in ws if rng.random() < p]
            if label == "billing" and rng.random() < 0.9:
                words.append(SPURIOUS)
            if rng.random() < 0.3:  # a near-miss word in every label, never to be masked
                words.append("zxqa")
            rng.shuffle(words)
            out.append(Example(" ".join(words), label))
    return out


# --- tokenize ----------------------------------------------------------------------------


def test_tokenize_lowercases_and_keeps_inner_apostrophes():
    assert tokenize("Don't CHARGE me: order #A12, 'now'!") == [
        "don't",
        "charge",
        "me",
        "order",
        "a12",
        "now",
    ]
    assert tokenize("") == []
    assert tokenize("zxq-1 zxqa") == ["zxq", "1", "zxqa"]


# --- top_tokens --------------------------------------------------------------------------


def test_planted_spurious_token_is_the_top_token_of_its_label():
    train = synthetic()
    with_zxq = sum(SPURIOUS in tokenize(e.text) for e in train)
    assert 80 <= with_zxq <= 100  # the generator planted it as intended
    top = top_tokens(train, k=5)
    assert set(top) == set(WEAK)
    best = top["billing"][0]
    assert best.token == SPURIOUS
    assert best.label == "billing"
    assert best.count == with_zxq
    assert best.precision == 1.0
    # log(P(billing | zxq) / P(billing)) with add-0.5 smoothing over 3 labels
    assert best.pmi == pytest.approx(math.log((with_zxq + 0.5) / (with_zxq + 1.5) / (1 / 3)))
    for label in ("login", "shipping"):
        assert SPURIOUS not in {t.token for t in top[label]}
        # the weakly related words are what predicts the other labels
        assert top[label][0].token in WEAK[label]
        assert len({t.token for t in top[label][:3]} & set(WEAK[label])) >= 2
    assert all("zxqa" not in {t.token for t in ts} for ts in top.values())


def test_masking_the_planted_token_removes_it_and_only_it():
    train = synthetic()
    masked, changed = mask_examples(train, [SPURIOUS])
    assert changed == sum(SPURIOUS in tokenize(e.text) for e in train)
    assert len(masked) == len(train)
    assert [e.label for e in masked] == [e.label for e in train]
    assert not any(SPURIOUS in tokenize(e.text) for e in masked)
    zxqa = [sum("zxqa" in tokenize(e.text) for e in split) for split in (train, masked)]
    assert zxqa[0] > 0 and zxqa[0] == zxqa[1]
    for before, after in zip(train, masked, strict=True):
        assert tokenize(after.text) == [t for t in tokenize(before.text) if t != SPURIOUS]
    assert SPURIOUS not in {t.token for t in top_tokens(masked)["billing"]}


def test_hand_computed_pmi_count_precision_and_tie_breaks():
    train = [
        Example("x w y", "a"),
        Example("x", "a"),
        Example("x", "a"),
        Example("x", "a"),
        Example("x", "b"),
        Example("q", "b"),
    ]
    top = top_tokens(train, k=5, min_count=1)
    # x: in 5 examples, 4 of them "a"; w and y: in 1 example, of "a". P(a) = 4/6.
    # (4 + 0.5) / (5 + 0.5 * 2) = 0.75 = (1 + 0.5) / (1 + 0.5 * 2): a three-way PMI tie,
    # broken by count (x first), then alphabetically (w before y).
    assert [t.token for t in top["a"]] == ["x", "w", "y"]
    x = top["a"][0]
    assert x == TokenScore("x", "a", math.log(0.75 / (4 / 6)), 5, 4 / 5)
    assert x.pmi == pytest.approx(math.log(1.125))
    # for "b", x is less likely than the prior ((1 + 0.5) / 6 < 2/6): not predictive
    assert [t.token for t in top["b"]] == ["q"]
    assert top["b"][0].pmi == pytest.approx(math.log((1.5 / 2) / (2 / 6)))
    assert [t.token for t in top_tokens(train, k=1, min_count=1)["a"]] == ["x"]
    assert top_tokens(train, k=0, min_count=1) == {"a": [], "b": []}


def test_text_pair_tokens_count_once_per_example():
    train = [
        Example("zz one", "a", text_pair="zz two"),
        Example("zz", "a"),
        Example("other", "b"),
        Example("other", "b"),
    ]
    top = top_tokens(train, min_count=1)["a"]
    assert [t.token for t in top] == ["zz", "one", "two"]
    assert (top[0].count, top[0].precision) == (2, 1.0)


def test_stopwords_are_excluded_unless_asked_for():
    assert "the" in STOPWORDS
    train = [Example(f"the item {i}", "a") for i in range(5)]
    train += [Example(f"an item {i}", "b") for i in range(5)]
    assert "the" not in {t.token for t in top_tokens(train)["a"]}
    assert top_tokens(train, stopwords=False)["a"][0].token == "the"
    # every label is a key, also when nothing qualifies
    assert top_tokens([Example("the cat", "a"), Example("the dog", "b")], min_count=2) == {
        "a": [],
        "b": [],
    }


def test_min_count_is_respected():
    train = [Example("rare common", "a"), Example("rare common", "a"), Example("common", "a")]
    train += [Example("filler", "b")] * 3
    assert "rare" not in {t.token for t in top_tokens(train, min_count=3)["a"]}
    assert "rare" in {t.token for t in top_tokens(train, min_count=2)["a"]}
    assert all(t.count >= 3 for ts in top_tokens(train, min_count=3).values() for t in ts)
    with pytest.raises(ValueError, match="min_count"):
        top_tokens(train, min_count=0)


def test_token_score_to_json():
    s = TokenScore("zxq", "billing", 1.0, 90, 1.0)
    assert s.to_json() == {
        "token": "zxq",
        "label": "billing",
        "pmi": 1.0,
        "count": 90,
        "precision": 1.0,
    }


# --- mask_tokens / mask_examples ---------------------------------------------------------


def test_mask_tokens_whole_words_case_insensitive():
    assert mask_tokens("Pay ZXQ now, zxqa and xzxq stay; Zxq-1", ["zxq"]) == (
        "Pay now, zxqa and xzxq stay; -1"
    )
    # an apostrophe inside a word joins it (tokenize agrees), so "zxq's" is another word
    assert mask_tokens("zxq's here zxq", {"ZXQ"}) == "zxq's here"
    assert mask_tokens("a  zxq   b", ["zxq"]) == "a b"  # whitespace collapsed


def test_mask_tokens_leaves_texts_unchanged_when_nothing_or_everything_matches():
    assert mask_tokens("two  spaces stay", ["zxq"]) == "two  spaces stay"
    assert mask_tokens("ZXQ, zxq!", ["zxq"]) == "ZXQ, zxq!"
    assert mask_tokens("zxq refund", ["zxq", "refund"]) == "zxq refund"
    assert mask_tokens("zxq refund", []) == "zxq refund"


def test_mask_examples_keeps_fields_and_counts_changes():
    data = [
        Example("zxq hello", "a", text_pair="bye ZXQ", group="g1"),
        Example("hello", "b", text_pair="zxq", group="g2"),  # pair would become empty
        Example("hello there", "b"),
        Example("hello", "c", text_pair="zxq again"),
    ]
    masked, changed = mask_examples(data, ["zxq"])
    assert changed == 2
    assert masked[0] == Example("hello", "a", text_pair="bye", group="g1")
    assert masked[1] is data[1] and masked[2] is data[2]
    assert masked[3] == Example("hello", "c", text_pair="again")
    assert mask_examples(data, []) == (tuple(data), 0)


# --- label_bias --------------------------------------------------------------------------


def test_label_bias_hand_computed():
    y_true = ["a", "a", "a", "b", "b", "c"]
    y_pred = ["a", "a", "a", "a", "b", "a"]
    b = label_bias(y_true, y_pred, ["a", "b", "c", "d"])
    assert b.pred_share == pytest.approx({"a": 5 / 6, "b": 1 / 6, "c": 0.0, "d": 0.0})
    assert b.true_share == pytest.approx({"a": 0.5, "b": 2 / 6, "c": 1 / 6, "d": 0.0})
    # 0.5 * (|5/6 - 3/6| + |1/6 - 2/6| + |0 - 1/6|) = 1/3
    assert b.tv_distance == pytest.approx(1 / 3)
    assert b.top_label == "a"
    assert b.top_excess == pytest.approx(1 / 3)
    assert b.to_json() == {
        "pred_share": b.pred_share,
        "true_share": b.true_share,
        "tv_distance": b.tv_distance,
        "top_label": "a",
        "top_excess": b.top_excess,
    }


def test_label_bias_unbiased_and_out_of_space_predictions():
    same = label_bias(["a", "b", "b"], ["b", "a", "b"], ["a", "b"])
    assert same.tv_distance == 0.0 and same.top_label == "b" and same.top_excess == 0.0
    # an unparseable answer is the most frequent prediction but not a label
    b = label_bias(["a", "b", "b", "a"], ["?", "?", "?", "b"], ["a", "b"])
    assert b.top_label == "b"
    assert b.top_excess == pytest.approx(0.25 - 0.5)
    assert b.pred_share["?"] == 0.75 and b.true_share["?"] == 0.0
    assert sum(b.pred_share.values()) == pytest.approx(1.0)
    assert b.tv_distance == pytest.approx(0.75)
    assert isinstance(b, LabelBias)


def test_label_bias_validates_lengths():
    with pytest.raises(ValueError, match="items"):
        label_bias(["a", "b"], ["a"], ["a", "b"])
    with pytest.raises(ValueError, match="zero"):
        label_bias([], [], ["a"])


# --- recency_bias ------------------------------------------------------------------------


def test_recency_bias_hand_computed():
    y_true = ["a", "b", "a", "c"]
    preds = [
        ["a", "a", "a", "c"],  # last demo "a": 3 of 4 follow it
        ["b", "b", "a", "b"],  # last demo "b": 3 of 4
        ["a", "b", "a", "a"],  # last demo "a": 3 of 4
    ]
    r = recency_bias(y_true, preds, ["a", "b", "a"])
    assert (r.n_orders, r.n) == (3, 4)
    assert r.last_label_share == pytest.approx(9 / 12)
    assert r.last_label_true_share == pytest.approx((2 + 1 + 2) / 12)
    assert r.excess == pytest.approx(9 / 12 - 5 / 12)
    assert r.flip_rate == pytest.approx(3 / 4)  # only example 2 is stable
    assert r.to_json() == {
        "n_orders": 3,
        "n": 4,
        "last_label_share": r.last_label_share,
        "last_label_true_share": r.last_label_true_share,
        "excess": r.excess,
        "flip_rate": r.flip_rate,
    }
    assert isinstance(r, RecencyBias)


def test_recency_bias_of_an_order_insensitive_model():
    y_true = ["a", "b", "c", "a"]
    r = recency_bias(y_true, [y_true, y_true], ["c", "a"])
    assert r.flip_rate == 0.0
    assert r.excess == 0.0
    assert r.last_label_share == pytest.approx(3 / 8)
    single = recency_bias(y_true, [["a"] * 4], ["a"])
    assert single.flip_rate == 0.0 and single.last_label_share == 1.0


def test_recency_bias_validates_lengths():
    with pytest.raises(ValueError, match="last-demonstration"):
        recency_bias(["a", "b"], [["a", "b"], ["a", "b"]], ["a"])
    with pytest.raises(ValueError, match="order 1"):
        recency_bias(["a", "b"], [["a", "b"], ["a"]], ["a", "b"])
    with pytest.raises(ValueError, match="at least one"):
        recency_bias(["a"], [], [])
    with pytest.raises(ValueError, match="zero"):
        recency_bias([], [[]], ["a"])
