"""The LLM backend interface: two batched calls and a description.

Every backend (llama.cpp, OpenAI-compatible HTTP, the scripted fake) implements
:class:`LLMBackend` and passes the same conformance test
(``tests/conformance/test_backends.py``).

- :meth:`LLMBackend.score_options` returns, for each request, the total
  log-probability of each option continuation given ``prefix + body``. ``prefix`` is
  shared by many requests (instruction, fixed demonstrations); backends that can keep
  model state evaluate it once and reuse it.
- :meth:`LLMBackend.generate` returns completions, for endpoints that cannot return
  prompt log-probabilities (the prompting layer then parses the answer).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

__all__ = [
    "BackendInfo",
    "GenerateRequest",
    "Generation",
    "LLMBackend",
    "ScoreRequest",
    "ScoreResult",
]


@dataclass(frozen=True)
class ScoreRequest:
    """Score each of ``options`` as a continuation of ``prefix + body``."""

    prefix: str
    body: str
    options: tuple[str, ...]


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


@dataclass(frozen=True)
class GenerateRequest:
    """A completion request; ``system`` + ``prompt`` form a chat on chat-only endpoints."""

    prompt: str
    max_tokens: int = 16
    temperature: float = 0.0
    seed: int = 0
    stop: tuple[str, ...] = ()
    system: str | None = None


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


class LLMBackend(ABC):
    """Batched LLM interface. Use as a context manager so models are closed."""

    @abstractmethod
    def info(self) -> BackendInfo: ...

    @abstractmethod
    def score_options(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]: ...

    @abstractmethod
    def generate(self, requests: Sequence[GenerateRequest]) -> list[Generation]: ...

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
