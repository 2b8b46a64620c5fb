"""Chat scoring and chat generation of OpenAICompatBackend.

The distribution over options (taskfit.backends.openai_parse.chat_distribution) is
tested on its own, then end to end against the scripted local server
(tests/support/fake_openai_server.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from tests.support.fake_openai_server import FakeOpenAIServer, chat_top_logprobs, fast_backend

from taskfit.backends.base import ChatScoreRequest, GenerateRequest
from taskfit.backends.openai_compat import OpenAICompatBackend
from taskfit.backends.openai_parse import TINY_PROB, chat_distribution
from taskfit.errors import BackendError

SYSTEM = (("system", "You label the sentiment of reviews."),)
LABELS = ("positive", "negative")


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def make_backend(server: FakeOpenAIServer, **kwargs: Any) -> OpenAICompatBackend:
    backend: OpenAICompatBackend = fast_backend(server, **kwargs)
    return backend


def chat_request(text: str, options: tuple[str, ...] = LABELS) -> ChatScoreRequest:
    prompt = f"Review: {text}\nOptions: {', '.join(options)}"
    return ChatScoreRequest(context=SYSTEM, turns=(("user", prompt),), options=options)


def probs(top: list[tuple[str, float]], options: tuple[str, ...]) -> list[float]:
    return [math.exp(x) for x in chat_distribution(top, options)]


def lp(p: float) -> float:
    return math.log(p)


# ---------------------------------------------------------------------- the distribution


def test_direct_labels_get_their_token_probability() -> None:
    top = [("positive", lp(0.6)), ("negative", lp(0.3)), ("The", lp(0.05))]
    assert probs(top, LABELS) == pytest.approx([0.6, 0.3])


def test_tokens_match_stripped_case_insensitive_and_add_up() -> None:
    top = [(" Positive", lp(0.4)), ("pos", lp(0.2)), ("NEG", lp(0.1)), ("posit", lp(0.05))]
    assert probs(top, (" positive", "Negative ")) == pytest.approx([0.65, 0.1])


def test_a_shared_prefix_splits_its_mass_evenly() -> None:
    options = ("card arrival", "card linking", "lost card")
    top = [("card", lp(0.5)), ("lost", lp(0.2)), ("Card", lp(0.1))]
    assert probs(top, options) == pytest.approx([0.3, 0.3, 0.2])


def test_an_exact_match_wins_over_a_prefix() -> None:
    # Enumerated options: "1" is option 1, not a third of "1", "10" and "11".
    top = [("1", lp(0.5)), ("10", lp(0.3)), ("2", lp(0.1))]
    # "11" is reached by no token: it gets the leftover 1 - 0.9.
    assert probs(top, ("1", "10", "11", "2")) == pytest.approx([0.5, 0.3, 0.1, 0.1])


def test_unreached_options_share_the_leftover_mass() -> None:
    top = [("alpha", lp(0.4)), ("um", lp(0.3)), ("hmm", lp(0.2))]
    got = probs(top, ("alpha", "beta", "gamma"))
    assert got == pytest.approx([0.4, 0.2, 0.2])  # (1 - 0.4) / 2 = 0.3, capped at 0.2


def test_unreached_options_never_outrank_the_least_likely_top_token() -> None:
    top = [("alpha", lp(0.5)), ("The", lp(0.45)), ("I", lp(0.04))]
    got = probs(top, ("alpha", "beta"))
    assert got == pytest.approx([0.5, 0.04])  # not (1 - 0.5) = 0.5: beta is outside top-3


def test_options_all_outside_the_top_k_tie() -> None:
    top = [("The", lp(0.6)), ("I", lp(0.3))]
    got = probs(top, ("alpha", "beta", "gamma"))
    assert got == pytest.approx([0.3] * 3)  # 1/3 each, capped at the top-2's least, 0.3
    top = [("The", lp(0.3)), ("I", lp(0.28))]
    got = probs(top, ("alpha", "beta", "gamma", "delta"))
    assert got == pytest.approx([0.25] * 4)  # the leftover, 1/4 each, is within the cap
    assert probs([], ("a", "b")) == pytest.approx([0.5, 0.5])


def test_no_leftover_gives_a_tiny_but_finite_log_probability() -> None:
    got = chat_distribution([("yes", 0.0)], ("yes", "no"))
    assert got[0] == pytest.approx(0.0)
    assert got[1] == pytest.approx(math.log(TINY_PROB))


# ---------------------------------------------------------------------- end to end


def test_score_chat_sends_one_logprobs_request_per_example(server: FakeOpenAIServer) -> None:
    requests = [chat_request("a wonderful film"), chat_request("dull and far too long")]
    with make_backend(server) as backend:
        assert backend.info().chat is True  # assumed until probed
        results = backend.score_chat(requests)
        assert backend.info().chat is True
        assert backend.requests_total == 2
        assert backend.prompt_tokens_total == server.usage_prompt_tokens

    assert server.by_path["/v1/chat/completions"] == 2
    payloads = {p["messages"][-1]["content"]: p for p in server.payloads}
    for req, res in zip(requests, results, strict=True):
        payload = payloads[req.turns[-1][1]]
        assert payload["messages"] == req.messages
        assert (payload["max_tokens"], payload["temperature"]) == (1, 0)
        assert (payload["logprobs"], payload["top_logprobs"]) == (True, 20)
        want = chat_distribution(chat_top_logprobs(req.messages), req.options)
        assert res.logprobs == pytest.approx(want)
        assert res.approximate and res.requests == 1 and res.option_tokens == (1, 1)
        assert res.prompt_tokens == res.evaluated_tokens > 0
        assert sum(math.exp(x) for x in res.logprobs) <= 1.0 + 1e-9
    assert results[0].logprobs != results[1].logprobs


def test_top_logprobs_bounds_what_the_server_returns(server: FakeOpenAIServer) -> None:
    options = ("alpha", "beta", "gamma", "delta")
    req = chat_request("anything", options)
    with make_backend(server, top_logprobs=2) as backend:
        (res,) = backend.score_chat([req])
    assert server.payloads[0]["top_logprobs"] == 2
    top2 = chat_top_logprobs(req.messages)[:2]
    assert res.logprobs == pytest.approx(chat_distribution(top2, options))
    assert res.logprobs != pytest.approx(
        chat_distribution(chat_top_logprobs(req.messages), options)
    )


def test_requests_keep_order_under_concurrency(server: FakeOpenAIServer) -> None:
    server.latency = lambda p: 0.01 * (9 - int(p["messages"][-1]["content"].split()[1]))
    requests = [chat_request(f"{i} stars") for i in range(8)]
    with make_backend(server, max_concurrency=4) as backend:
        results = backend.score_chat(requests)
    assert server.max_in_flight > 1
    for req, res in zip(requests, results, strict=True):
        want = chat_distribution(chat_top_logprobs(req.messages), req.options)
        assert res.logprobs == pytest.approx(want)


@pytest.mark.parametrize("mode", ["none", "reject"])
def test_chat_without_logprobs_is_reported_once_and_remembered(
    server: FakeOpenAIServer, mode: str
) -> None:
    server.chat_logprobs = mode
    requests = [chat_request(f"review {i}") for i in range(4)]
    with make_backend(server) as backend:
        with pytest.raises(BackendError) as excinfo:
            backend.score_chat(requests)
        message = str(excinfo.value)
        assert "chat log-probabilities are unavailable" in message
        assert message.endswith("use generation instead") and "\n" not in message
        assert server.requests == 1  # one probe, not one request per example
        assert backend.info().chat is False
        with pytest.raises(BackendError, match="chat log-probabilities are unavailable"):
            backend.score_chat(requests)
        assert server.requests == 1
        assert backend.retries_total == 0
        (gen,) = backend.generate([GenerateRequest(prompt="Options: positive, negative")])
        assert gen.text == "positive"


def test_chat_logprobs_false_raises_without_a_request(server: FakeOpenAIServer) -> None:
    with make_backend(server, chat_logprobs=False) as backend:
        assert backend.info().chat is False
        with pytest.raises(BackendError, match="disabled by configuration"):
            backend.score_chat([chat_request("x")])
    assert server.requests == 0


def test_chat_logprobs_true_is_not_overridden_by_a_failed_probe(
    server: FakeOpenAIServer,
) -> None:
    server.chat_logprobs = "none"
    with make_backend(server, chat_logprobs=True) as backend:
        with pytest.raises(BackendError, match="chat log-probabilities are unavailable"):
            backend.score_chat([chat_request("x")])
        assert backend.info().chat is True


def test_a_context_length_400_is_not_taken_for_missing_chat_logprobs(
    server: FakeOpenAIServer,
) -> None:
    server.error_message = "This model's maximum context length is 2048 tokens"
    server.add_faults("400")
    with make_backend(server) as backend:
        with pytest.raises(BackendError, match="maximum context length"):
            backend.score_chat([chat_request("x")])
        assert backend.info().chat is True
        assert len(backend.score_chat([chat_request("x")])) == 1


@pytest.mark.parametrize("fault", ["500", "429", "garbage", "missing_fields"])
def test_chat_scoring_faults_are_retried(server: FakeOpenAIServer, fault: str) -> None:
    server.add_faults(fault)
    req = chat_request("fine")
    with make_backend(server) as backend:
        (res,) = backend.score_chat([req])
        assert backend.retries_total == 1
        assert backend.info().chat is True
    assert res.requests == 2
    assert res.logprobs == pytest.approx(
        chat_distribution(chat_top_logprobs(req.messages), req.options)
    )


def test_empty_chats_and_empty_option_lists(server: FakeOpenAIServer) -> None:
    with make_backend(server) as backend:
        assert backend.score_chat([]) == []
        (res,) = backend.score_chat([ChatScoreRequest(SYSTEM, (("user", "hi"),), ())])
        assert res.logprobs == () and res.requests == 0
        with pytest.raises(BackendError, match="empty chat"):
            backend.score_chat([ChatScoreRequest((), (), LABELS)])
    assert server.requests == 0


def test_missing_usage_is_estimated_for_chat(server: FakeOpenAIServer) -> None:
    server.omit_usage = True
    req = chat_request("fine")
    with make_backend(server) as backend:
        (res,) = backend.score_chat([req])
        expected = sum(backend.count_tokens(m["content"]) for m in req.messages)
    assert res.prompt_tokens == expected


# ---------------------------------------------------------------------- generation


def test_generate_sends_the_messages_and_ignores_prompt_and_system(
    server: FakeOpenAIServer,
) -> None:
    server.omit_usage = True
    turns = (
        ("system", "Answer with one label."),
        ("user", "Text: lovely\nOptions: positive, negative"),
        ("assistant", "positive"),
        ("user", "Text: awful\nOptions: negative, positive"),
    )
    req = GenerateRequest(prompt="ignored", system="ignored too", messages=turns)
    with make_backend(server) as backend:
        (gen,) = backend.generate([req])
        expected_tokens = sum(backend.count_tokens(c) for _, c in turns)
    assert server.payloads[0]["messages"] == [{"role": r, "content": c} for r, c in turns]
    assert gen.text == "negative"
    assert gen.prompt_tokens == expected_tokens
