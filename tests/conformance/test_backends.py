"""One conformance test over every LLM backend: llama.cpp (real GGUF), OpenAI-compatible
HTTP (against a real local server) and the scripted fake."""

from __future__ import annotations

import json
import math

import pytest
from tests.support.fake_openai_server import FakeOpenAIServer, follows_schema

from taskfit.backends import GenerateRequest, LLMBackend, ScoreRequest
from taskfit.backends.fake import FakeBackend

PREFIX = "Classify each text. The possible sentiment values are:\n- positive\n- negative\n\n"
OPTIONS = (" positive", " negative")


@pytest.fixture(params=["fake", "llamacpp", "openai"])
def backend(request) -> LLMBackend:
    if request.param == "fake":
        yield FakeBackend()
    elif request.param == "llamacpp":
        yield request.getfixturevalue("smollm2")
    else:
        from taskfit.backends.openai_compat import OpenAICompatBackend

        with FakeOpenAIServer() as server:
            be = OpenAICompatBackend(
                "m", base_url=server.base_url, max_retries=1, backoff_base_s=0.01
            )
            yield be
            be.close()


def _req(text: str) -> ScoreRequest:
    return ScoreRequest(PREFIX, f"Text: {text}\nSentiment:", OPTIONS)


def test_backend_conformance(backend: LLMBackend) -> None:
    info = backend.info()
    assert info.model_id and info.context_size > 0 and isinstance(info.prompt_logprobs, bool)

    texts = ["I loved every minute of it", "Dreadful, a waste of money", "It was fine"]
    batch = backend.score_options([_req(t) for t in texts])
    assert len(batch) == len(texts)
    for res in batch:
        assert len(res.logprobs) == len(OPTIONS) == len(res.option_tokens)
        assert all(math.isfinite(lp) and lp <= 1e-6 for lp in res.logprobs)
        assert all(n >= 1 for n in res.option_tokens)
        assert res.prompt_tokens > 0 and res.evaluated_tokens > 0

    # Scores depend on the input text (the llama.cpp `scores` pitfall reads zeros).
    assert batch[0].logprobs != batch[1].logprobs

    # Order and determinism: one at a time gives what the batch gave.
    for text, res in zip(texts, batch, strict=True):
        again = backend.score_options([_req(text)])[0]
        assert again.logprobs == pytest.approx(res.logprobs, abs=0.15)

    gens = backend.generate([GenerateRequest("Say hello.", max_tokens=4)])
    assert len(gens) == 1 and isinstance(gens[0].text, str)
    assert gens[0].prompt_tokens > 0 and 0 <= gens[0].completion_tokens <= 4 + 1

    assert backend.count_tokens("one two three four") >= 1


def test_chat_conformance(backend: LLMBackend) -> None:
    """Backends with a chat format score options as the assistant's reply; the others
    refuse with a one-line BackendError, so the prompting layer can fall back."""
    from taskfit.backends import ChatScoreRequest
    from taskfit.errors import BackendError

    system = (("system", "Classify the sentiment. Reply positive or negative."),)

    def req(text: str) -> ChatScoreRequest:
        return ChatScoreRequest(system, (("user", f"Text: {text}"),), ("positive", "negative"))

    if not backend.info().chat:
        with pytest.raises(BackendError):
            backend.score_chat([req("fine")])
        return
    texts = ["I loved every minute of it", "Dreadful, a waste of money", "It was fine"]
    batch = backend.score_chat([req(t) for t in texts])
    assert len(batch) == len(texts)
    for res in batch:
        assert len(res.logprobs) == 2 and all(math.isfinite(x) and x <= 1e-6 for x in res.logprobs)
        assert res.prompt_tokens > 0 and res.requests >= 1
    assert batch[0].logprobs != batch[1].logprobs
    for text, res in zip(texts, batch, strict=True):
        assert backend.score_chat([req(text)])[0].logprobs == pytest.approx(res.logprobs, abs=0.15)


# Bounded (maxItems, maxLength) so a constrained reply always ends within max_tokens.
ENTITY_SCHEMA = {
    "type": "object",
    "properties": {
        "entities": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "maxLength": 24},
                    "type": {"type": "string", "enum": ["A", "B"]},
                },
                "required": ["text", "type"],
            },
        }
    },
    "required": ["entities"],
}


def test_json_schema_generation(backend: LLMBackend) -> None:
    """Backends that constrain decoding reply with JSON following the request's schema;
    the scripted fake returns its reply verbatim and records the schema."""
    instruction = (
        'List the people (type "A") and places (type "B") named in the text, as JSON: '
        '{"entities": [{"text": ..., "type": ...}]}'
    )
    text = "Text: Alice met Bob in Paris."
    req = GenerateRequest(
        f"{instruction}\n\n{text}\nJSON:",
        max_tokens=160,
        stop=("\n\n", "}"),  # not applied with a schema: they would cut the JSON
        json_schema=json.dumps(ENTITY_SCHEMA),
    )
    chat = GenerateRequest(
        "",
        max_tokens=160,
        json_schema=req.json_schema,
        messages=(("user", instruction + "\n\n" + text),),
    )
    gens = backend.generate([req, chat])
    assert len(gens) == 2
    if isinstance(backend, FakeBackend):
        plain = backend.generate([GenerateRequest(req.prompt, max_tokens=160)])[0]
        assert gens[0].text == plain.text  # scripted, not constrained
        assert backend.last_json_schema is None  # the plain request came last
        backend.generate([req])
        assert backend.last_json_schema == req.json_schema
        return
    for gen in gens:
        assert not gen.truncated, gen.text
        assert follows_schema(json.loads(gen.text), ENTITY_SCHEMA), gen.text
        assert gen.completion_tokens > 0
