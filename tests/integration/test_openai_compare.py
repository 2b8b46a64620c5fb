"""compare against a real HTTP server on 127.0.0.1 speaking the OpenAI API: prompt
log-probabilities via echo, the parsed-generation fallback, and injected faults."""

from __future__ import annotations

import json

from tests.support.fake_openai_server import FakeOpenAIServer

from taskfit.workflows.compare import compare_demo

FAST = ("zero-shot", "majority")
RETRY = {"max_retries": 6, "backoff_base_s": 0.01, "backoff_max_s": 0.05, "timeout_s": 0.5}


def _run(server, tmp_path, **kw):
    spec = f"openai:m@{server.base_url}"
    return compare_demo(
        llms=(spec,),
        approaches=FAST,
        max_test=16,
        dev_size=0,  # one prompt, so the calls counted are the test examples'
        home=str(tmp_path / "h"),
        out=str(tmp_path / "o"),
        backend_options={spec: RETRY},
        **kw,
    )


def test_echo_logprobs_with_faults_retried(tmp_path):
    with FakeOpenAIServer() as server:
        server.add_faults("429", "500", "garbage", "slow", "truncated_json")
        res = _run(server, tmp_path)
        assert server.pending_faults == 0
    doc = json.loads((tmp_path / "o" / "results.json").read_text())
    llm = doc["approaches"][0]
    # the name shows the model id; the full spec, endpoint included, stays in "model"
    assert llm["name"] == "zero-shot@m"
    assert llm["model"] == f"openai:m@{server.base_url}"
    assert llm["n_test"] == 16 and llm["parse_failures"] == 0
    assert llm["tokens"]["prompt"] > 0
    assert doc["run_stats"]["llm_calls_made"] == 16
    assert res.recommendation.choice
    # A real endpoint, so no smoke-test warning.
    assert not any("SmolLM2" in w for w in doc["recommendation"]["warnings"])


def test_chat_only_endpoint_falls_back_to_parsed_generation(tmp_path):
    # No echo and no chat log-probabilities: parsing the generated answer is all that is left.
    answers = iter(["refund request", "I am not sure"] * 8)
    with FakeOpenAIServer(
        reject_echo=True, chat_logprobs="reject", answer=lambda messages: next(answers)
    ) as server:
        _run(server, tmp_path)
    llm = json.loads((tmp_path / "o" / "results.json").read_text())["approaches"][0]
    assert llm["parse_failures"] == 8
    assert llm["tokens"]["completion"] > 0
    assert any("parsed generation" in n for n in llm["notes"])


def test_chat_only_endpoint_with_top_logprobs_gives_label_probabilities(tmp_path):
    # No echo, but the chat endpoint returns the first answer token's top_logprobs:
    # the approach gets real label probabilities, not parsed text.
    with FakeOpenAIServer(reject_echo=True) as server:
        _run(server, tmp_path)
    doc = json.loads((tmp_path / "o" / "results.json").read_text())
    llm = doc["approaches"][0]
    assert llm["parse_failures"] == 0
    assert not any("parsed generation" in n for n in llm["notes"])
    record = doc["prompting"][llm["name"]]
    assert record["format"] == "chat" and record["requests_per_example"] == 1.0
    assert record["probabilities"] == "approximate"  # top_logprobs cover the first token only
