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
  log-probabilities (the prompting layer then parses the answer).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

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
    """

    prompt: str
    max_tokens: int = 16
    temperature: float = 0.0
    seed: int = 0
    stop: tuple[str, ...] = ()
    system: str | None = None
    messages: tuple[Turn, ...] = ()


@dataclass(frozen=True)
class Generation:
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
