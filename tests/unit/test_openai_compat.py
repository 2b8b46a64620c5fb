"""OpenAICompatBackend against a real local HTTP server (tests/support/fake_openai_server.py)."""

from __future__ import annotations

import re
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from taskfit.backends.base import GenerateRequest, ScoreRequest
from taskfit.backends.openai_compat import OpenAICompatBackend
from taskfit.errors import BackendError, UsageError

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # `tests.support` without relying on the working directory
    sys.path.insert(0, _ROOT)

from tests.support.fake_openai_server import (  # noqa: E402
    FAULTS,
    FakeOpenAIServer,
    expected_score,
    fast_backend,
    token_logprob,
)

PREFIX = "Classify the sentiment of the review.\nReview:"
OPTIONS = (" positive", " negative")
SECRET = "sk-test-SECRET-0123456789"


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


def score_request(body: str, options: tuple[str, ...] = OPTIONS) -> ScoreRequest:
    return ScoreRequest(prefix=PREFIX, body=body, options=options)


# ---------------------------------------------------------------------- scoring


@pytest.mark.parametrize("arrays", [None, False])
def test_scores_equal_the_servers_computation_and_depend_on_the_body(
    server: FakeOpenAIServer, arrays: bool | None
) -> None:
    requests = [score_request(" a wonderful film\nAnswer:"), score_request(" dull\nAnswer:")]
    with make_backend(server, prompt_arrays=arrays) as backend:
        results = backend.score_options(requests)
        assert backend.score_path == ("array" if arrays is None else "per-option")

    assert len(results) == 2
    for req, res in zip(requests, results, strict=True):
        context = req.prefix + req.body
        expected = [expected_score(context, option) for option in req.options]
        assert res.logprobs == pytest.approx([e[0] for e in expected])
        assert res.option_tokens == tuple(e[1] for e in expected)
        assert res.prompt_tokens == expected[0][2]
        assert res.evaluated_tokens == sum(e[2] + e[1] for e in expected)
        assert not res.truncated and not res.approximate
    assert results[0].logprobs != results[1].logprobs
    assert results[0].logprobs[0] != results[0].logprobs[1]

    payload = server.payloads[0]
    context = requests[0].prefix + requests[0].body
    if arrays is None:  # one request per example: all options in a prompt array
        assert payload["prompt"] == [context + option for option in OPTIONS]
        assert server.by_path["/v1/completions"] == 2
        assert [r.requests for r in results] == [1, 1]
    else:
        assert payload["prompt"] == context + OPTIONS[0]
        assert server.by_path["/v1/completions"] == 4
        assert [r.requests for r in results] == [2, 2]
    assert payload["echo"] is True
    assert payload["logprobs"] == 1
    assert payload["max_tokens"] == 1
    assert payload["temperature"] == 0
    assert payload["model"] == "fake-model"


def test_multi_token_options_and_the_generated_token_is_excluded(
    server: FakeOpenAIServer,
) -> None:
    req = score_request(" meh\nAnswer:", (" very good", " bad", " not bad at all"))
    with make_backend(server) as backend:
        (res,) = backend.score_options([req])
    context = req.prefix + req.body
    assert res.option_tokens == (2, 1, 4)
    assert res.logprobs == pytest.approx([expected_score(context, o)[0] for o in req.options])


def test_option_straddling_a_trailing_space_is_scored(server: FakeOpenAIServer) -> None:
    # The prompt ends with a space, so the server's token " positive" starts one
    # character before the option; it still belongs to the option.
    req = ScoreRequest(prefix=PREFIX, body=" great\nAnswer: ", options=("positive",))
    with make_backend(server) as backend:
        (res,) = backend.score_options([req])
    text = req.prefix + req.body + "positive"
    offset = len(req.prefix + req.body) - 1
    assert res.option_tokens == (1,)
    assert res.logprobs[0] == pytest.approx(token_logprob(text[:offset], " positive"))


def test_empty_option_needs_no_request(server: FakeOpenAIServer) -> None:
    req = score_request(" fine\nAnswer:", ("", " positive"))
    with make_backend(server) as backend:
        (res,) = backend.score_options([req])
    assert res.logprobs[0] == 0.0
    assert res.option_tokens == (0, 1)
    assert server.requests == 1


def test_empty_batches_send_nothing(server: FakeOpenAIServer) -> None:
    with make_backend(server) as backend:
        assert backend.score_options([]) == []
        assert backend.generate([]) == []
    assert server.requests == 0


def test_score_results_keep_request_order_under_concurrency(server: FakeOpenAIServer) -> None:
    # Earlier requests answer more slowly, so completion order is reversed.
    server.latency = lambda p: 0.01 * (9 - int(re.findall(r"item (\d)", str(p["prompt"]))[0]))
    requests = [score_request(f" item {i}\nAnswer:") for i in range(8)]
    with make_backend(server, max_concurrency=4) as backend:
        results = backend.score_options(requests)
    for req, res in zip(requests, results, strict=True):
        context = req.prefix + req.body
        assert res.logprobs == pytest.approx([expected_score(context, o)[0] for o in OPTIONS])


# ---------------------------------------------------------------------- prompt arrays


def test_array_path_gives_the_per_option_scores_in_one_request_per_example(
    server: FakeOpenAIServer,
) -> None:
    options = (" very good", " bad", "", " not bad at all")
    requests = [score_request(f" review {i}\nAnswer:", options) for i in range(5)]
    with make_backend(server, prompt_arrays=False) as backend:
        per_option = backend.score_options(requests)
    one_by_one = server.requests
    with make_backend(server) as backend:
        arrays = backend.score_options(requests)
        assert backend.score_path == "array"
    assert server.requests - one_by_one == len(requests)
    assert one_by_one == 3 * len(requests)  # the empty option needs no request
    assert [r.requests for r in arrays] == [1] * 5
    assert [r.requests for r in per_option] == [3] * 5
    for a, b in zip(arrays, per_option, strict=True):
        assert a.logprobs == pytest.approx(b.logprobs, abs=1e-12)
        assert a.logprobs[2] == 0.0
        assert (a.option_tokens, a.prompt_tokens, a.evaluated_tokens) == (
            b.option_tokens,
            b.prompt_tokens,
            b.evaluated_tokens,
        )
    assert len({a.logprobs for a in arrays}) == 5  # the scores depend on the text
    array_payload = server.payloads[one_by_one]
    assert array_payload["prompt"] == [
        requests[0].prefix + requests[0].body + o for o in options if o
    ]


@pytest.mark.parametrize("mode", ["reject", "first"])
def test_servers_without_prompt_arrays_fall_back_to_one_request_per_option(
    server: FakeOpenAIServer, mode: str
) -> None:
    # "reject": HTTP 500 as llama.cpp's python server; "first": only prompt 0 answered.
    server.prompt_arrays = mode
    requests = [score_request(f" item {i}\nAnswer:") for i in range(3)]
    with make_backend(server) as backend:
        results = backend.score_options(requests)
        assert backend.score_path == "per-option"
        assert backend.retries_total == 0  # the refusal is an answer, not a failure
        again = backend.score_options(requests[:1])
        assert backend.info().prompt_logprobs is True
    for req, res in zip(requests, results, strict=True):
        context = req.prefix + req.body
        assert res.logprobs == pytest.approx([expected_score(context, o)[0] for o in OPTIONS])
    assert again[0].logprobs == results[0].logprobs
    assert [r.requests for r in results] == [3, 2, 2]  # the refused array counts once
    assert server.requests == 1 + 6 + 2
    assert isinstance(server.payloads[0]["prompt"], list)
    assert all(isinstance(p["prompt"], str) for p in server.payloads[1:])


def test_a_single_option_is_no_verdict_on_prompt_arrays(server: FakeOpenAIServer) -> None:
    # llama.cpp's server accepts an array of one prompt and refuses longer ones.
    server.prompt_arrays = "reject"
    requests = [score_request(" one\nAnswer:", (" positive",)), score_request(" two\nAnswer:")]
    with make_backend(server) as backend:
        results = backend.score_options(requests)
        assert backend.score_path == "per-option"
        assert backend.retries_total == 0
    assert server.payloads[0]["prompt"] == requests[0].prefix + requests[0].body + " positive"
    assert isinstance(server.payloads[1]["prompt"], list)  # the probe, refused
    assert [r.requests for r in results] == [1, 1 + 2]
    for req, res in zip(requests, results, strict=True):
        context = req.prefix + req.body
        assert res.logprobs == pytest.approx([expected_score(context, o)[0] for o in req.options])


def test_forced_prompt_arrays_treat_a_refusal_as_an_error(server: FakeOpenAIServer) -> None:
    server.prompt_arrays = "reject"
    with make_backend(server, prompt_arrays=True, max_retries=1) as backend:
        with pytest.raises(BackendError, match=r"/completions: HTTP 500 after 1 retry$"):
            backend.score_options([score_request(" x\nAnswer:")])
        assert backend.score_path == "array"
    assert server.requests == 2


def test_an_auth_error_on_the_first_array_is_not_taken_for_no_arrays(
    server: FakeOpenAIServer,
) -> None:
    server.api_key = "the-right-key"
    with make_backend(server, api_key="wrong") as backend:
        with pytest.raises(BackendError, match="HTTP 401"):
            backend.score_options([score_request(" x\nAnswer:")])
        assert backend.score_path is None
    assert server.requests == 1


# ---------------------------------------------------------------------- generation


def test_generate_builds_chat_payload_and_reads_usage(server: FakeOpenAIServer) -> None:
    requests = [
        GenerateRequest(prompt="Text: great\nOptions: positive, negative", system="Be brief."),
        GenerateRequest(prompt="Text: awful\nOptions: negative, positive", stop=("\n",), seed=7),
    ]
    with make_backend(server) as backend:
        gens = backend.generate(requests)

    assert [g.text for g in gens] == ["positive", "negative"]
    # Requests run concurrently: find each payload by its user message.
    by_prompt = {p["messages"][-1]["content"]: p for p in server.payloads}
    first, second = (by_prompt[r.prompt] for r in requests)
    assert first["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": requests[0].prompt},
    ]
    assert "stop" not in first
    assert (first["max_tokens"], first["temperature"], first["seed"]) == (16, 0.0, 0)
    assert second["messages"] == [{"role": "user", "content": requests[1].prompt}]
    assert second["stop"] == ["\n"]
    assert second["seed"] == 7
    assert gens[0].prompt_tokens == 2 + 5  # "Be brief." + the user message
    assert gens[0].completion_tokens == 1


def test_generate_keeps_request_order_under_concurrency(server: FakeOpenAIServer) -> None:
    server.latency = lambda p: 0.01 * (9 - int(p["messages"][-1]["content"][-1]))
    requests = [GenerateRequest(prompt=f"Options: label{i}") for i in range(8)]
    with make_backend(server, max_concurrency=4) as backend:
        gens = backend.generate(requests)
    assert [g.text for g in gens] == [f"label{i}" for i in range(8)]


def test_missing_usage_is_estimated(server: FakeOpenAIServer) -> None:
    server.omit_usage = True
    req = GenerateRequest(prompt="Options: positive, negative", system="You label texts.")
    with make_backend(server) as backend:
        (gen,) = backend.generate([req])
        (res,) = backend.score_options([score_request(" ok\nAnswer:")])
        expected_prompt = backend.count_tokens(req.prompt) + backend.count_tokens(
            "You label texts."
        )
        assert gen.prompt_tokens == expected_prompt
        assert gen.completion_tokens == backend.count_tokens("positive")
    # Scoring falls back to the echoed offsets.
    assert res.prompt_tokens == expected_score(PREFIX + " ok\nAnswer:", OPTIONS[0])[2]


# ---------------------------------------------------------------------- retries


@pytest.mark.parametrize("endpoint", ["score", "generate"])
@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_retried_then_succeeds(
    server: FakeOpenAIServer, fault: str, endpoint: str
) -> None:
    server.slow_s = 2.0
    with make_backend(server, timeout_s=0.5) as backend:
        req = score_request(" fine\nAnswer:")
        if endpoint == "score":
            backend.score_options([req])  # settles the prompt-array path
        before = server.requests
        server.add_faults(fault)
        if endpoint == "score":
            (res,) = backend.score_options([req])
            assert res.logprobs == pytest.approx(
                [expected_score(req.prefix + req.body, o)[0] for o in OPTIONS]
            )
            assert res.requests == 2
            assert backend.score_path == "array"
        else:
            (gen,) = backend.generate([GenerateRequest(prompt="Options: positive, negative")])
            assert gen.text == "positive"
        assert backend.retries_total == 1
        assert backend.requests_total == before + 2
        assert backend.info().prompt_logprobs is True
    assert server.requests == before + 2
    assert server.faults_served == [fault]


def test_several_faults_in_a_row_are_retried(server: FakeOpenAIServer) -> None:
    server.add_faults("429", "503", "garbage")
    with make_backend(server) as backend:
        (gen,) = backend.generate([GenerateRequest(prompt="Options: yes, no")])
        assert gen.text == "yes"
        assert backend.retries_total == 3
    assert server.requests == 4


def test_retry_after_is_honoured(server: FakeOpenAIServer) -> None:
    server.retry_after = "0.3"
    server.add_faults("429")
    with make_backend(server, backoff_max_s=5.0) as backend:
        start = time.monotonic()
        backend.generate([GenerateRequest(prompt="Options: yes")])
        assert time.monotonic() - start >= 0.3


def test_retry_after_is_capped_at_backoff_max(server: FakeOpenAIServer) -> None:
    server.retry_after = "60"
    server.add_faults("429", "429")
    with make_backend(server, backoff_max_s=0.02) as backend:
        start = time.monotonic()
        backend.generate([GenerateRequest(prompt="Options: yes")])
        assert time.monotonic() - start < 2.0
        assert backend.retries_total == 2


def test_exhausted_retries_raise_one_line_error_naming_url_without_key(
    server: FakeOpenAIServer,
) -> None:
    server.add_faults("500", "500", "500", "500")
    with make_backend(server, api_key=SECRET) as backend:
        with pytest.raises(BackendError) as excinfo:
            backend.generate([GenerateRequest(prompt="Options: yes")])
        assert backend.retries_total == 3
    message = str(excinfo.value)
    assert message.startswith(f"openai backend: {server.base_url}/chat/completions: HTTP 500")
    assert message.endswith("after 3 retries")
    assert "\n" not in message
    assert SECRET not in message
    assert server.requests == 4
    assert server.auth_headers[0] == f"Bearer {SECRET}"


def test_exhausted_retries_on_malformed_bodies(server: FakeOpenAIServer) -> None:
    server.add_faults("missing_fields", "truncated_json", "missing_fields")
    with make_backend(server, max_retries=2) as backend:
        with pytest.raises(BackendError, match=r"malformed response .*after 2 retries$"):
            backend.score_options([score_request(" x\nAnswer:")])
        # A transport failure is not a verdict on prompt log-probabilities.
        assert backend.info().prompt_logprobs is True


def test_connection_refused_after_retries() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = OpenAICompatBackend(
        "m",
        f"http://127.0.0.1:{port}/v1",
        api_key=SECRET,
        max_retries=2,
        backoff_base_s=0.001,
        backoff_max_s=0.005,
    )
    with backend, pytest.raises(BackendError) as excinfo:
        backend.generate([GenerateRequest(prompt="hi")])
    assert str(excinfo.value) == (
        f"openai backend: http://127.0.0.1:{port}/v1/chat/completions: "
        "connection refused after 2 retries"
    )
    assert backend.retries_total == 2
    assert backend.requests_total == 3


def test_client_errors_are_not_retried(server: FakeOpenAIServer) -> None:
    server.add_faults("400")
    with make_backend(server) as backend:
        with pytest.raises(BackendError, match="HTTP 400: injected 400"):
            backend.generate([GenerateRequest(prompt="Options: yes")])
        assert backend.retries_total == 0
    assert server.requests == 1


def test_unauthorized_is_not_retried_and_does_not_leak_the_key(server: FakeOpenAIServer) -> None:
    server.api_key = "the-right-key"
    with make_backend(server, api_key=SECRET) as backend, pytest.raises(BackendError) as excinfo:
        backend.generate([GenerateRequest(prompt="Options: yes")])
    assert "HTTP 401" in str(excinfo.value)
    assert SECRET not in str(excinfo.value)
    assert server.requests == 1


def test_context_length_400_is_not_taken_for_missing_logprobs(server: FakeOpenAIServer) -> None:
    server.error_message = "This model's maximum context length is 8192 tokens"
    server.add_faults("400")
    with make_backend(server) as backend:
        with pytest.raises(BackendError, match="maximum context length"):
            backend.score_options([score_request(" x\nAnswer:")])
        assert backend.info().prompt_logprobs is True
        assert len(backend.score_options([score_request(" x\nAnswer:")])) == 1


# ---------------------------------------------------------------------- chat-only endpoints


@pytest.mark.parametrize("mode", ["reject_echo", "null_logprobs"])
def test_chat_only_endpoint_marks_prompt_logprobs_unavailable(
    server: FakeOpenAIServer, mode: str
) -> None:
    setattr(server, mode, True)
    requests = [score_request(f" item {i}\nAnswer:") for i in range(3)]
    with make_backend(server) as backend:
        assert backend.info().prompt_logprobs is True  # a local server: assume until probed
        with pytest.raises(BackendError, match="prompt log-probabilities are unavailable"):
            backend.score_options(requests)
        # One probe, not one request per option; a 400 to the prompt array is first
        # taken for "no arrays here" and the probe repeated with a single prompt.
        probes = 2 if mode == "reject_echo" else 1
        assert server.requests == probes
        assert backend.retries_total == 0
        assert backend.info().prompt_logprobs is False
        with pytest.raises(BackendError, match="prompt log-probabilities are unavailable"):
            backend.score_options(requests)
        assert server.requests == probes
        (gen,) = backend.generate([GenerateRequest(prompt="Options: positive, negative")])
        assert gen.text == "positive"


def test_prompt_logprobs_false_raises_without_a_request(server: FakeOpenAIServer) -> None:
    with make_backend(server, prompt_logprobs=False) as backend:
        assert backend.info().prompt_logprobs is False
        with pytest.raises(BackendError, match="prompt log-probabilities are unavailable"):
            backend.score_options([score_request(" x\nAnswer:")])
    assert server.requests == 0


def test_prompt_logprobs_true_is_not_overridden_by_a_failed_probe(
    server: FakeOpenAIServer,
) -> None:
    server.reject_echo = True
    with make_backend(server, prompt_logprobs=True) as backend:
        with pytest.raises(BackendError, match="prompt log-probabilities are unavailable"):
            backend.score_options([score_request(" x\nAnswer:")])
        assert backend.info().prompt_logprobs is True


# ---------------------------------------------------------------------- concurrency, accounting


@pytest.mark.parametrize("endpoint", ["score", "generate"])
def test_concurrency_bound_is_respected(server: FakeOpenAIServer, endpoint: str) -> None:
    server.latency = 0.05
    with make_backend(server, max_concurrency=2) as backend:
        if endpoint == "score":
            backend.score_options([score_request(f" item {i}\nAnswer:") for i in range(8)])
        else:
            backend.generate([GenerateRequest(prompt=f"Options: l{i}") for i in range(8)])
    assert server.requests == 8
    assert server.max_in_flight == 2


def test_requests_do_run_concurrently(server: FakeOpenAIServer) -> None:
    server.latency = 0.05
    with make_backend(server, max_concurrency=8) as backend:
        backend.generate([GenerateRequest(prompt=f"Options: l{i}") for i in range(8)])
    assert server.max_in_flight > 2


@pytest.mark.parametrize("arrays", [None, False])
def test_token_accounting_matches_server_usage(
    server: FakeOpenAIServer, arrays: bool | None
) -> None:
    # A failed attempt is counted as a request, not as tokens. (A 429: an error status on
    # the first prompt array would be taken for "no arrays here".)
    server.add_faults("429")
    with make_backend(server, max_concurrency=3, prompt_arrays=arrays) as backend:
        results = backend.score_options([score_request(f" item {i}\nAnswer:") for i in range(3)])
        gens = backend.generate([GenerateRequest(prompt=f"Options: l{i}") for i in range(5)])
        assert backend.prompt_tokens_total == server.usage_prompt_tokens
        assert backend.completion_tokens_total == server.usage_completion_tokens
        assert backend.prompt_tokens_total == sum(r.evaluated_tokens for r in results) + sum(
            g.prompt_tokens for g in gens
        )
        scoring = 6 if arrays is False else 3
        assert sum(r.requests for r in results) == scoring + 1
        assert backend.requests_total == server.requests == scoring + 5 + 1
        assert backend.retries_total == 1


# ---------------------------------------------------------------------- configuration


def test_info_for_a_local_server(server: FakeOpenAIServer) -> None:
    with make_backend(
        server, context_size=4096, price_in_per_1m=0.5, price_out_per_1m=1.5
    ) as backend:
        info = backend.info()
    assert info.backend == "openai"
    assert info.model_id == "fake-model"
    assert info.context_size == 4096
    assert info.local is True
    assert (info.price_in_per_1m, info.price_out_per_1m) == (0.5, 1.5)


@pytest.mark.parametrize(
    ("base_url", "local", "prompt_logprobs"),
    [
        (None, False, False),  # api.openai.com
        ("http://localhost:8000/v1", True, True),
        ("http://[::1]:8000/v1/", True, True),
        ("https://vllm.internal.example:8000/v1", False, True),
    ],
)
def test_info_defaults_by_host(base_url: str | None, local: bool, prompt_logprobs: bool) -> None:
    with OpenAICompatBackend("m", base_url) as backend:
        info = backend.info()
    assert info.local is local
    assert info.prompt_logprobs is prompt_logprobs


def test_environment_supplies_base_url_and_key(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    with OpenAICompatBackend("m") as backend:
        backend.generate([GenerateRequest(prompt="Options: yes")])
    monkeypatch.delenv("OPENAI_API_KEY")
    with OpenAICompatBackend("m") as backend:
        backend.generate([GenerateRequest(prompt="Options: yes")])
    assert server.auth_headers == ["Bearer sk-from-env", None]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_concurrency": 0},
        {"max_retries": -1},
        {"timeout_s": 0},
        {"base_url": "ftp://example.com/v1"},
        {"model": ""},
    ],
)
def test_bad_configuration_is_a_usage_error(kwargs: dict[str, Any]) -> None:
    options: dict[str, Any] = {"model": "m", "base_url": "http://localhost:1/v1"} | kwargs
    with pytest.raises(UsageError):
        OpenAICompatBackend(**options)
