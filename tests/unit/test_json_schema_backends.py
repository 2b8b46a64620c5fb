"""Generation under a JSON schema: the request field, the OpenAI-compatible backend's
``response_format`` fallback (against the fake HTTP server), the scripted fake, the
llama.cpp grammar and the LLM-call cache key."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest
from tests.support.fake_openai_server import (
    FakeOpenAIServer,
    fast_backend,
    follows_schema,
    schema_instance,
)

from taskfit.backends import GenerateRequest
from taskfit.backends.fake import FakeBackend
from taskfit.errors import BackendError, UsageError
from taskfit.run.llm_cache import CachingBackend, call_key
from taskfit.run.store import Store

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "entities": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "type": {"type": "string", "enum": ["A", "B"]},
                },
                "required": ["text", "type"],
            },
        }
    },
    "required": ["entities"],
}
SCHEMA_TEXT = json.dumps(SCHEMA)


def _req(text: str = "Alice met Bob in Paris.", **kwargs: Any) -> GenerateRequest:
    kwargs.setdefault("json_schema", SCHEMA_TEXT)
    kwargs.setdefault("max_tokens", 64)
    return GenerateRequest(f"Entities of: {text}", **kwargs)


def _formats(server: FakeOpenAIServer) -> list[str | None]:
    """The response_format kind of each request the server received."""
    out: list[str | None] = []
    for payload in server.payloads:
        fmt = payload.get("response_format")
        if fmt is None:
            out.append(None)
        elif fmt["type"] == "json_object" and "schema" in fmt:
            out.append("json_object_schema")
        else:
            out.append(fmt["type"])
    return out


# ---------------------------------------------------------------------- the request


def test_schema_text_is_compact_with_key_order_kept() -> None:
    spaced = json.dumps(SCHEMA, indent=2)
    req = _req(json_schema=spaced)
    assert req.json_schema == json.dumps(SCHEMA, separators=(",", ":"))
    assert req == _req(json_schema=SCHEMA_TEXT)  # equal schemas, one request
    assert hash(req) == hash(_req())
    assert list(json.loads(req.json_schema)["properties"]["entities"]["items"]["properties"]) == [
        "text",
        "type",
    ]
    assert req.schema == SCHEMA
    assert GenerateRequest("x").json_schema is None and GenerateRequest("x").schema is None


@pytest.mark.parametrize("bad", ["not json", "[1, 2]", '"a string"'])
def test_a_schema_that_is_not_a_json_object_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="json_schema"):
        _req(json_schema=bad)


# ---------------------------------------------------------------------- OpenAI-compatible


def test_structured_outputs_are_sent_as_json_schema_without_stops() -> None:
    with FakeOpenAIServer() as server, fast_backend(server) as backend:
        gens = backend.generate([_req(stop=("\n\n",)), _req("Rome.", stop=("\n\n",))])
        assert backend.json_mode == "json_schema"
        assert server.requests == 2 and backend.retries_total == 0
        first = server.payloads[0]
        assert first["response_format"] == {
            "type": "json_schema",
            "json_schema": {"name": "reply", "schema": SCHEMA, "strict": True},
        }
        assert "stop" not in first
    for gen in gens:
        assert follows_schema(json.loads(gen.text), SCHEMA) and not gen.truncated


def test_a_refused_json_schema_falls_back_once_and_is_remembered() -> None:
    # An endpoint without structured outputs: json_schema is a 400; json_object with a
    # schema is taken (as llama-cpp-python's server takes it).
    with (
        FakeOpenAIServer(json_modes=("json_object_schema", "json_object")) as server,
        fast_backend(server) as backend,
    ):
        assert backend.json_mode is None
        gens = backend.generate([_req(f"text {i}") for i in range(5)])
        assert backend.json_mode == "json_object_schema"
        assert server.requests == 6  # one refusal, then one request per generation
        assert _formats(server) == ["json_schema"] + ["json_object_schema"] * 5
        assert backend.retries_total == 0
        backend.generate([_req("again")])
        assert server.requests == 7  # remembered: no refusal paid again
    for gen in gens:
        assert follows_schema(json.loads(gen.text), SCHEMA)


def test_a_server_error_naming_response_format_is_a_refusal_not_retried() -> None:
    # llama-cpp-python's server answers a response_format it cannot validate with 500.
    with (
        FakeOpenAIServer(json_modes=("json_object_schema",), format_refusal_status=500) as server,
        fast_backend(server) as backend,
    ):
        backend.generate([_req()])
        assert backend.json_mode == "json_object_schema"
        assert server.requests == 2 and backend.retries_total == 0


def test_an_endpoint_without_json_modes_falls_back_to_plain_requests() -> None:
    with (
        FakeOpenAIServer(json_modes=(), answer='{"entities": []}') as server,
        fast_backend(server) as backend,
    ):
        gens = backend.generate([_req("a"), _req("b")])
        assert backend.json_mode == "none"
        assert _formats(server) == ["json_schema", "json_object_schema", "json_object", None, None]
    assert [g.text for g in gens] == ['{"entities": []}'] * 2


def test_only_json_object_is_taken() -> None:
    with (
        FakeOpenAIServer(json_modes=("json_object",)) as server,
        fast_backend(server) as backend,
    ):
        (gen,) = backend.generate([_req()])
        assert backend.json_mode == "json_object"
        assert _formats(server) == ["json_schema", "json_object_schema", "json_object"]
    assert gen.text == "{}"


def test_a_transient_server_error_while_probing_is_retried_not_a_refusal() -> None:
    with FakeOpenAIServer() as server, fast_backend(server) as backend:
        server.add_faults("503")
        backend.generate([_req()])
        assert backend.json_mode == "json_schema"
        assert _formats(server) == ["json_schema", "json_schema"]


def test_a_context_length_error_while_probing_is_raised_not_a_fallback() -> None:
    with (
        FakeOpenAIServer(error_message="This model's maximum context length is 8 tokens") as server,
        fast_backend(server) as backend,
    ):
        server.add_faults("400")
        with pytest.raises(BackendError, match="maximum context length"):
            backend.generate([_req()])
        assert backend.json_mode is None and server.requests == 1


def test_a_forced_json_mode_is_used_without_probing() -> None:
    with (
        FakeOpenAIServer(json_modes=("json_object",)) as server,
        fast_backend(server, json_mode="json_object") as backend,
    ):
        backend.generate([_req(), _req("b")])
        assert _formats(server) == ["json_object", "json_object"]
    with pytest.raises(UsageError, match="json_mode"):
        fast_backend(server, json_mode="grammar")


def test_plain_requests_are_untouched_and_order_is_kept_in_mixed_batches() -> None:
    with FakeOpenAIServer() as server, fast_backend(server, max_concurrency=4) as backend:
        backend.generate([GenerateRequest("Options: yes, no", stop=("\n",))])
        assert backend.json_mode is None  # no schema request yet: nothing probed
        assert server.payloads[0]["stop"] == ["\n"]
        assert "response_format" not in server.payloads[0]
        mixed = [
            GenerateRequest("Options: yes, no"),
            _req("a"),
            GenerateRequest("Options: maybe, no"),
            _req("b"),
        ]
        gens = backend.generate(mixed)
        assert backend.json_mode == "json_schema"
    assert [g.text for g in gens][0::2] == ["yes", "maybe"]
    for gen in gens[1::2]:
        assert follows_schema(json.loads(gen.text), SCHEMA)


def test_a_reply_cut_at_max_tokens_is_returned_as_truncated() -> None:
    long_reply = '{"entities": [{"text": "a b c d e f g h", "type": "A"}]}'
    with FakeOpenAIServer(answer=long_reply) as server, fast_backend(server) as backend:
        (gen,) = backend.generate([_req(max_tokens=4)])
    assert gen.truncated and long_reply.startswith(gen.text) and gen.text != long_reply
    with pytest.raises(ValueError):
        json.loads(gen.text)


# ---------------------------------------------------------------------- fake backend


def test_the_fake_returns_scripted_replies_verbatim_and_records_the_schema() -> None:
    reply = '{\n  "entities": [ {"text": "Bob", "type": "A"} ]\n}'
    fake = FakeBackend(responder=lambda prompt: reply)
    (gen,) = fake.generate([_req()])
    assert gen.text == reply and not gen.truncated
    assert fake.last_json_schema == _req().json_schema
    (cut,) = fake.generate([_req(max_tokens=3)])
    assert cut.truncated and cut.text == '{\n  "entities": ['
    fake.generate([GenerateRequest("plain")])
    assert fake.last_json_schema is None
    # Without a schema nothing changes: words joined by single spaces.
    (plain,) = fake.generate([GenerateRequest("plain", max_tokens=64)])
    assert plain.text == " ".join(reply.split())


def test_schema_instance_follows_its_schema() -> None:
    value = schema_instance(SCHEMA)
    assert value == {"entities": [{"text": "x", "type": "A"}]}
    assert follows_schema(value, SCHEMA)
    assert not follows_schema({"entities": [{"text": "x", "type": "C"}]}, SCHEMA)
    assert not follows_schema({"entities": [{"text": 1, "type": "A"}]}, SCHEMA)
    assert not follows_schema({}, SCHEMA)


# ---------------------------------------------------------------------- llama.cpp grammar


def test_the_grammar_forbids_raw_control_characters_in_strings() -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python builds the grammar")
    from taskfit.backends.llamacpp import schema_grammar

    rules = schema_grammar(SCHEMA_TEXT)._grammar
    char = next(line for line in rules.splitlines() if line.startswith("char ::="))
    assert char.startswith('char ::= [^"\\\\\\x7F\\x00-\\x1F] | ')
    with pytest.raises(BackendError, match="cannot build a grammar"):
        schema_grammar(json.dumps({"type": "object", "properties": {"a": {"$ref": "http://x"}}}))


# ---------------------------------------------------------------------- cache key


def test_the_cache_keeps_constrained_and_plain_generations_apart(tmp_path) -> None:
    fake = FakeBackend(responder=lambda prompt: '{"entities": []}')
    store = Store(tmp_path / "s.db")
    cached = CachingBackend(fake, store)
    plain = _req(json_schema=None)
    constrained = _req()
    other_schema = _req(json_schema=json.dumps({"type": "object"}))
    cached.generate([constrained])
    cached.generate([plain])
    cached.generate([other_schema])
    assert fake.generate_calls == 3 and cached.calls_cached == 0
    cached.generate([constrained, plain, other_schema])
    assert fake.generate_calls == 3 and cached.calls_cached == 3
    # Keys of requests without a schema are those cached before schemas existed.
    before = {k: v for k, v in asdict(plain).items() if k not in ("json_schema", "seed")}
    before.pop("messages")
    info = fake.info()
    assert store.get_calls([call_key(info, "generate", before)])
    store.close()
