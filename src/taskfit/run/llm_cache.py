"""Content-addressed cache of LLM calls, wrapped around any backend.

The key of a call is the sha256 of the canonical JSON of (backend, model, kind, request,
decoding params), and for an HTTP backend its endpoint URL with credentials redacted
(only the hash is stored). Greedy generations ignore the seed; sampled ones
(temperature > 0) are keyed with it, so a sampled output is never served for another
seed. A generation's JSON schema is part of its key: a constrained reply is never
served for an unconstrained request, nor for another schema. Misses are sent to the
backend as one batch and written to the store as soon as they return.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, replace
from typing import Any, Protocol

from taskfit.backends import base
from taskfit.types import canonical_hash

__all__ = ["CachingBackend", "CallCache", "call_key"]


class CallCache(Protocol):
    """Where calls are cached: the store, or a Ray worker's relay to it."""

    def get_calls(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]: ...

    def put_calls(self, rows: Iterable[tuple[str, str, str, str, dict[str, Any]]]) -> None: ...


def call_key(info: base.BackendInfo, kind: str, request: dict[str, Any]) -> str:
    key: dict[str, Any] = {
        "backend": info.backend,
        "model": info.model_id,
        "kind": kind,
        "request": request,
    }
    if info.endpoint is not None:
        # Servers that name their model alike are different models. The URL is the
        # redacted one: another key for the same endpoint keeps the cached answers.
        key["endpoint"] = info.endpoint
    return canonical_hash(key)


def _gen_request_json(req: base.GenerateRequest) -> dict[str, Any]:
    d = asdict(req)
    if req.temperature == 0:
        d.pop("seed")  # greedy decoding does not depend on the seed
    if not req.messages:
        d.pop("messages")  # keys of calls cached before chat requests existed stay valid
    if req.json_schema is None:
        d.pop("json_schema")  # likewise; a schema is part of the key when there is one
    return d


def _decode_score(d: dict[str, Any]) -> base.ScoreResult:
    return base.ScoreResult(
        **{**d, "logprobs": tuple(d["logprobs"]), "option_tokens": tuple(d["option_tokens"])}
    )


class CachingBackend(base.LLMBackend):
    """Serve repeated calls from the store; count calls made and served from cache."""

    def __init__(self, inner: base.LLMBackend, store: CallCache, *, chunk: int = 8) -> None:
        self.inner = inner
        self.store = store
        self.chunk = chunk  # misses are sent and saved this many at a time
        self.calls_made = 0
        self.calls_cached = 0
        self._info = inner.info()

    def info(self) -> base.BackendInfo:
        return self.inner.info()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def close(self) -> None:
        self.inner.close()

    def score_options(self, requests: Sequence[base.ScoreRequest]) -> list[base.ScoreResult]:
        keys = [call_key(self._info, "score", asdict(r)) for r in requests]
        return self._cached(
            "score",
            keys,
            list(requests),
            self.inner.score_options,
            _decode_score,
        )

    def score_chat(self, requests: Sequence[base.ChatScoreRequest]) -> list[base.ScoreResult]:
        keys = [call_key(self._info, "chat", asdict(r)) for r in requests]
        return self._cached("chat", keys, list(requests), self.inner.score_chat, _decode_score)

    def generate(self, requests: Sequence[base.GenerateRequest]) -> list[base.Generation]:
        keys = [call_key(self._info, "generate", _gen_request_json(r)) for r in requests]
        return self._cached(
            "generate", keys, list(requests), self.inner.generate, lambda d: base.Generation(**d)
        )

    def _cached(
        self,
        kind: str,
        keys: list[str],
        requests: list[Any],
        call: Callable[[list[Any]], Sequence[Any]],
        decode: Callable[[dict[str, Any]], Any],
    ) -> list[Any]:
        found = self.store.get_calls(keys)
        results: list[Any] = [None] * len(requests)
        todo = []
        for i, k in enumerate(keys):
            if k in found:
                results[i] = decode(found[k])
                self.calls_cached += 1
            else:
                todo.append(i)
        for start in range(0, len(todo), self.chunk):
            part = todo[start : start + self.chunk]
            t0 = time.perf_counter()
            fresh = call([requests[i] for i in part])
            per_request = (time.perf_counter() - t0) / max(1, len(part))
            rows = []
            for i, res in zip(part, fresh, strict=True):
                if not res.seconds:
                    res = replace(res, seconds=per_request)
                results[i] = res
                rows.append((keys[i], self._info.backend, self._info.model_id, kind, asdict(res)))
            self.store.put_calls(rows)
            self.calls_made += len(part)
        return results
