"""Label scoring with the real embedded GGUF model (SmolLM2-135M through llama.cpp)."""

from __future__ import annotations

import numpy as np
import pytest

from taskfit.backends import ScoreRequest
from taskfit.data import load_demo
from taskfit.prompting.classify import run_prompt_approach
from taskfit.types import Example

pytestmark = pytest.mark.integration

PREFIX = "Classify each text. The possible intent values are:\n- card arrival\n- lost card\n\n"


def _naive_logprob(prefix: str, body: str, option: str) -> float:
    """One full forward pass per option, as multiple-choice harnesses do."""
    from llama_cpp import Llama

    from taskfit.backends.llamacpp import embedded_model_path

    ref = Llama(str(embedded_model_path()), n_ctx=1024, logits_all=True, verbose=False)
    try:
        ptoks = ref.tokenize(prefix.encode(), add_bos=True) + ref.tokenize(
            body.encode(), add_bos=False
        )
        otoks = ref.tokenize(option.encode(), add_bos=False)
        ref.eval(ptoks + otoks)
        scores = np.asarray(ref.scores[: len(ptoks) + len(otoks)], dtype=np.float64)
    finally:
        ref.close()
    total = 0.0
    for j, tok in enumerate(otoks):
        row = scores[len(ptoks) + j - 1]
        row = row - row.max()
        total += float(row[tok] - np.log(np.exp(row).sum()))
    return total


def test_trie_batched_scores_equal_naive_forward_passes(smollm2):
    body = "Text: I lost my card on the bus\nIntent:"
    options = (" card arrival", " lost card", " card not working", " refund")
    got = smollm2.score_options([ScoreRequest(PREFIX, body, options)])[0]
    want = [_naive_logprob(PREFIX, body, o) for o in options]
    assert got.logprobs == pytest.approx(want, abs=0.15)
    # Options share the " card" token: it is evaluated once, not three times.
    body_tokens = smollm2.count_tokens(body)
    assert got.evaluated_tokens <= smollm2.count_tokens(PREFIX) + 1 + body_tokens + 4


def test_scores_depend_on_the_input(smollm2):
    """Guards the llama-cpp-python pitfall: `scores` without logits_all reads zeros."""
    opts = (" card arrival", " lost card")
    a, b = smollm2.score_options(
        [
            ScoreRequest(PREFIX, "Text: When will my new card arrive?\nIntent:", opts),
            ScoreRequest(
                PREFIX, "Text: Help, someone stole my wallet with the card\nIntent:", opts
            ),
        ]
    )
    assert a.logprobs != b.logprobs
    assert max(abs(x - y) for x, y in zip(a.logprobs, b.logprobs, strict=True)) > 0.05
    assert all(lp < 0 for lp in a.logprobs + b.logprobs)


def test_shared_prefix_is_evaluated_once(smollm2):
    opts = (" card arrival", " lost card")
    reqs = [
        ScoreRequest(PREFIX + "\n", f"Text: message number {i}\nIntent:", opts) for i in range(3)
    ]
    res = smollm2.score_options(reqs)
    n_prefix = smollm2.count_tokens(PREFIX + "\n") + 1  # + BOS or not: at most one token
    assert res[0].evaluated_tokens >= n_prefix - 1
    for r in res[1:]:
        assert r.evaluated_tokens < n_prefix  # only body + label tokens


def test_more_options_than_parallel_sequences(smollm2):
    options = tuple(f" topic {i}" for i in range(smollm2.n_seq + 6))
    body = "Text: hello there\nIntent:"
    together = smollm2.score_options([ScoreRequest(PREFIX, body, options)])[0].logprobs
    alone = [
        smollm2.score_options([ScoreRequest(PREFIX, body, (o,))])[0].logprobs[0]
        for o in (options[0], options[-1])
    ]
    assert [together[0], together[-1]] == pytest.approx(alone, abs=0.15)


def test_one_megabyte_text_is_truncated_not_a_crash(smollm2):
    ds = load_demo()
    huge = Example("my card has not arrived " * 45_000, ds.test[0].label)  # ~1 MB
    out = run_prompt_approach("zero-shot", smollm2, ds.train, [huge, ds.test[0]], labels=ds.labels)
    assert len(out.predictions) == 2
    assert any("truncated" in n for n in out.notes)


def test_zero_shot_on_demo_is_not_constant(smollm2):
    ds = load_demo()
    out = run_prompt_approach(
        "zero-shot", smollm2, ds.train, ds.test[:24], labels=ds.labels, label_name="intent"
    )
    assert len(set(out.predictions)) > 1
    probs = np.asarray(out.probabilities)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert probs.std(axis=0).max() > 0.01  # distributions move with the text
