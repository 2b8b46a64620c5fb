"""The LLM backend interface: two batched calls and a description.

Every backend (llama.cpp, OpenAI-compatible HTTP, the scripted fake) implements
:class:`LLMBackend` and passes the same conformance test
(``tests/conformance/test_backends.py``).

- :meth:`LLMBackend.score_options` returns, for each request, the total
  log-probability of each option continuation given ``prefix + body``. ``prefix`` is
  shared by many requests (instruction, fixed demonstrations); backends that can keep
  model state evaluate it once and reuse it.
- :meth:`LLMBackend.score_chat` does the same for a conversation in the model's own chat
  format: each option is scored as the assistant's whole reply. A local backend renders
  the model's chat template and scores exactly; a chat endpoint reads the log-probabilities
  of the first answer token (``top_logprobs``), which is approximate
  (:attr:`ScoreResult.approximate`). Backends without a chat format raise
  :class:`~taskfit.errors.BackendError` and say ``info().chat = False``.
- :meth:`LLMBackend.generate` returns completions, for endpoints that cannot return
  log-probabilities (the prompting layer then parses the answer). A request with a
  ``json_schema`` asks for one JSON value following that schema: the llama.cpp backend
  constrains decoding with a grammar built from the schema, the OpenAI-compatible
  backend sends it as ``response_format`` (falling back on endpoints that refuse it),
  the fake returns its scripted reply. Replies are returned as generated: the caller
  parses them and counts the ones that do not parse or follow the schema.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

__all__ = [
    "BackendInfo",
    "ChatScoreRequest",
    "GenerateRequest",
    "Generation",
    "LLMBackend",
    "ScoreRequest",
    "ScoreResult",
    "Turn",
]

# One chat turn: (role, content); role is "system", "user" or "assistant".
Turn = tuple[str, str]


@dataclass(frozen=True)
class ScoreRequest:
    """Score each of ``options`` as a continuation of ``prefix + body``."""

    prefix: str
    body: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ChatScoreRequest:
    """Score each of ``options`` as the assistant's whole reply to a conversation.

    ``context`` holds the turns many requests share (the system instruction, fixed
    demonstrations as user/assistant pairs), ``turns`` this example's turns, ending with
    the user's. A backend that renders the chat template itself evaluates the shared
    context once; a chat endpoint is sent ``context + turns``.
    """

    context: tuple[Turn, ...]
    turns: tuple[Turn, ...]
    options: tuple[str, ...]

    @property
    def messages(self) -> list[dict[str, str]]:
        """The whole conversation as OpenAI-style messages."""
        return [{"role": r, "content": c} for r, c in (*self.context, *self.turns)]


@dataclass(frozen=True)
class ScoreResult:
    """Per-option total log-probabilities, in the order of the request's options.

    ``prompt_tokens`` counts the tokens of ``prefix + body``; ``option_tokens`` the
    tokens of each option; ``evaluated_tokens`` what the backend actually ran through
    the model for this request (a shared prefix evaluated earlier is not counted again).
    """

    logprobs: tuple[float, ...]
    option_tokens: tuple[int, ...]
    prompt_tokens: int
    evaluated_tokens: int
    truncated: bool = False
    seconds: float = 0.0  # compute time spent on this request (0 if the backend did not say)
    # True when the log-probabilities come from the top-k of the first answer token
    # (chat endpoints): options outside the top-k share the probability left over.
    approximate: bool = False
    requests: int = 1  # HTTP requests (or model calls) this result took


@dataclass(frozen=True)
class GenerateRequest:
    """A completion request; ``system`` + ``prompt`` form a chat on chat-only endpoints.

    With ``messages`` the request is a conversation in the model's chat format and
    ``prompt``/``system`` are ignored.

    ``json_schema``: a JSON schema, as JSON text (``json.dumps(schema)``). When set, the
    reply must be one JSON value following the schema. Backends that can constrain
    decoding do so (llama.cpp: a grammar; OpenAI-compatible servers: ``response_format``);
    the others only pass the request on, so the prompt should still ask for the JSON and
    describe it, and the caller parses every reply and counts the failures (a reply cut
    at ``max_tokens`` is returned as is, with ``Generation.truncated`` set). With a
    schema, ``stop`` sequences are not applied: a stop string inside a JSON string
    would cut the value short. The text is stored compact (no whitespace between
    tokens) with the key order kept - it is the order in which constrained replies
    write an object's keys - so equal schemas written differently are one request (and
    one cache key). For OpenAI's strict structured outputs, give every object
    ``"additionalProperties": false`` and list all its properties in ``required``;
    a schema strict mode refuses makes the backend fall back to a looser mode.
    Raises :class:`ValueError` when the text is not a JSON object.
    """

    prompt: str
    max_tokens: int = 16
    temperature: float = 0.0
    seed: int = 0
    stop: tuple[str, ...] = ()
    system: str | None = None
    messages: tuple[Turn, ...] = ()
    json_schema: str | None = None

    def __post_init__(self) -> None:
        if self.json_schema is None:
            return
        try:
            schema = json.loads(self.json_schema)
        except (TypeError, ValueError) as e:
            raise ValueError(f"json_schema is not valid JSON text: {e}") from None
        if not isinstance(schema, dict):
            raise ValueError("json_schema must be a JSON object")
        compact = json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
        object.__setattr__(self, "json_schema", compact)

    @property
    def schema(self) -> dict[str, Any] | None:
        """``json_schema`` parsed, or None."""
        if self.json_schema is None:
            return None
        parsed: dict[str, Any] = json.loads(self.json_schema)
        return parsed


@dataclass(frozen=True)
class Generation:
    """A generated reply. ``truncated``: the prompt was cut to fit the context, or the
    reply stopped at ``max_tokens`` (backends that report why generation stopped)."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    truncated: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class BackendInfo:
    """What a backend is and can do.

    ``price_*_per_1m`` are USD per million tokens for API models (``None`` for local
    models, which are priced by measured compute time instead).
    """

    backend: str  # "llamacpp", "openai", "fake"
    model_id: str
    context_size: int
    prompt_logprobs: bool
    local: bool
    price_in_per_1m: float | None = None
    price_out_per_1m: float | None = None
    smoke_test_model: bool = False  # True for the embedded 135M model
    # Can score a conversation in the model's chat format (a GGUF chat template, or a
    # chat endpoint that returns log-probabilities).
    chat: bool = False
    # Scoring in the completion format costs one request per option (an HTTP server that
    # has not shown it takes prompt arrays): with many labels that is many times the cost
    # of the chat format's one request per example.
    option_requests: bool = False
    # An HTTP backend's base URL, credentials redacted: two servers that name their
    # model alike are still two models (the LLM-call cache keys on it). None: local.
    endpoint: str | None = None


class LLMBackend(ABC):
    """Batched LLM interface. Use as a context manager so models are closed."""

    @abstractmethod
    def info(self) -> BackendInfo: ...

    @abstractmethod
    def score_options(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]: ...

    @abstractmethod
    def generate(self, requests: Sequence[GenerateRequest]) -> list[Generation]: ...

    def score_chat(self, requests: Sequence[ChatScoreRequest]) -> list[ScoreResult]:
        """Score options as the assistant's reply; see :class:`ChatScoreRequest`."""
        from taskfit.errors import BackendError

        raise BackendError(f"{self.info().backend} backend: no chat format for this model")

    def count_tokens(self, text: str) -> int:
        """Number of tokens of ``text``; backends without a tokenizer estimate it."""
        return max(1, len(text) // 4)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the model or connection pool."""

    def __enter__(self) -> LLMBackend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
