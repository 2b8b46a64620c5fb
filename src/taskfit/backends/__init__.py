"""LLM backends and the ``--llm`` spec language.

Specs:

- ``smollm2`` - the embedded SmolLM2-135M-Instruct GGUF (a smoke-test-sized model);
- ``gguf:/path/model.gguf`` - any local GGUF file through llama.cpp;
- ``openai:MODEL`` or ``openai:MODEL@BASE_URL`` - OpenAI or any OpenAI-compatible
  server (vLLM, llama.cpp server, Ollama); ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``
  are honoured;
- ``fake`` - the scripted test backend.

Backends are imported lazily ("module:Class"), so heavy runtimes load only when used.

>>> parse_spec("openai:gpt-4o-mini@http://127.0.0.1:8000/v1")
LLMSpec(kind='openai', target='gpt-4o-mini', base_url='http://127.0.0.1:8000/v1')
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from taskfit.backends.base import (
    BackendInfo,
    ChatScoreRequest,
    GenerateRequest,
    Generation,
    LLMBackend,
    ScoreRequest,
    ScoreResult,
)
from taskfit.backends.redact import redact_text, redact_url
from taskfit.errors import UsageError

__all__ = [
    "REGISTRY",
    "BackendInfo",
    "ChatScoreRequest",
    "GenerateRequest",
    "Generation",
    "LLMBackend",
    "LLMSpec",
    "ScoreRequest",
    "ScoreResult",
    "make_backend",
    "parse_spec",
]

REGISTRY: dict[str, str] = {
    "gguf": "taskfit.backends.llamacpp:LlamaCppBackend",
    "openai": "taskfit.backends.openai_compat:OpenAICompatBackend",
    "fake": "taskfit.backends.fake:FakeBackend",
}

SPEC_HELP = "smollm2, gguf:/path/model.gguf, openai:MODEL, openai:MODEL@BASE_URL, fake"


@dataclass(frozen=True)
class LLMSpec:
    kind: str  # "gguf" | "openai" | "fake"
    target: str  # file path, model name, or fake model id
    base_url: str | None = None  # as given, credentials included: only requests see it

    def __repr__(self) -> str:
        url = None if self.base_url is None else redact_url(self.base_url)
        return f"LLMSpec(kind={self.kind!r}, target={self.target!r}, base_url={url!r})"

    @property
    def canonical(self) -> str:
        """The full spec as shown and stored, credentials in the URL redacted."""
        if self.kind == "gguf" and self.target == "smollm2":
            return "smollm2"
        if self.kind == "fake" and self.target == "fake":
            return "fake"
        if self.kind == "openai" and self.base_url:
            return f"openai:{self.target}@{redact_url(self.base_url)}"
        return f"{self.kind}:{self.target}"

    @property
    def short(self) -> str:
        """The model's short name: a GGUF file's stem, an endpoint's model id."""
        if self.kind == "gguf":
            if self.target == "smollm2":
                return "smollm2"
            stem = self.target.replace("\\", "/").rsplit("/", 1)[-1]
            return stem[: -len(".gguf")] if stem.lower().endswith(".gguf") else stem
        return self.target if self.kind == "openai" else f"fake-{self.target}"


def parse_spec(spec: str) -> LLMSpec:
    """Parse an ``--llm`` value; unknown forms give a one-line error listing valid ones."""
    s = spec.strip()
    if s in ("smollm2", "gguf:smollm2"):
        return LLMSpec("gguf", "smollm2")
    if s == "fake":
        return LLMSpec("fake", "fake")
    kind, sep, rest = s.partition(":")
    if sep and rest:
        if kind == "gguf":
            return LLMSpec("gguf", rest)
        if kind == "fake":
            return LLMSpec("fake", rest)
        if kind == "openai":
            model, at, url = rest.partition("@")
            if model and (not at or url):
                return LLMSpec("openai", model, url.rstrip("/") or None)
    shown = redact_text(spec)
    raise UsageError(f"unknown --llm spec {shown!r}; valid forms: {SPEC_HELP}")


def make_backend(spec: LLMSpec, **options: Any) -> LLMBackend:
    """Instantiate the backend for ``spec``; ``options`` go to its constructor."""
    module, cls = REGISTRY[spec.kind].split(":")
    factory = getattr(importlib.import_module(module), cls)
    if spec.kind == "gguf":
        if spec.target == "smollm2":
            from taskfit.backends.llamacpp import embedded_model_path

            return factory(
                embedded_model_path(),
                model_id="smollm2-135m-instruct-q4_1",
                smoke_test_model=True,
                **options,
            )
        return factory(spec.target, **options)
    if spec.kind == "openai":
        return factory(spec.target, base_url=spec.base_url, **options)
    backend: LLMBackend = factory(model_id=spec.target, **options)
    return backend
