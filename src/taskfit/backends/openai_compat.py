"""LLM backend for OpenAI and OpenAI-compatible HTTP servers (vLLM, llama.cpp, Ollama).

What: :class:`OpenAICompatBackend` implements :class:`~taskfit.backends.base.LLMBackend`
over HTTP.

- ``score_options`` uses the legacy ``POST /completions`` endpoint with ``echo`` and
  ``logprobs``; an option's log-probability is the sum over the echoed tokens that fall
  in the option's character span (``text_offset``). All options of one example go in
  ONE request as a prompt array (``"prompt": [context + option1, context + option2,
  ...]``), answered as one choice per prompt. Servers that do not take prompt arrays
  (the llama.cpp python server asserts a single prompt and answers HTTP 500) are
  detected on the first array request - an error status, or fewer choices than prompts
  - and from then on each option is its own request; ``score_path`` says which
  (``"array"`` or ``"per-option"``, ``None`` until known). That first refusal is not
  counted as a failure. Servers that cannot echo prompt log-probabilities (OpenAI chat
  models, Ollama, some llama.cpp builds) are detected on the first call too, after which
  ``info().prompt_logprobs`` is ``False`` and the caller switches to ``generate``.
- ``score_chat`` uses ``POST /chat/completions`` with ``max_tokens=1``, ``logprobs`` and
  ``top_logprobs`` (``top_logprobs``, default 20: OpenAI's cap): the options get the
  probability of the first answer token's top-k entries that start them, and options
  outside the top-k share the mass left over, none more than the least likely top-k
  entry (:func:`~taskfit.backends.openai_parse.chat_distribution`); the result is
  approximate (``ScoreResult.approximate``). An endpoint that ignores the request for
  log-probabilities (some Ollama versions) or refuses it (HTTP 400/404/422) makes
  ``info().chat`` ``False`` from then on and raises
  :class:`~taskfit.errors.BackendError`; the caller then falls back to ``generate``.
  ``chat_logprobs=True/False`` forces the answer.
- ``generate`` uses ``POST /chat/completions`` with the request's ``messages``, or with
  its ``system`` + ``prompt``. A reply that stopped at ``max_tokens`` (``finish_reason``
  ``"length"``) is returned with ``Generation.truncated`` set.
- A generate request with a ``json_schema`` is sent with a ``response_format``, the
  most constraining one the endpoint takes (``json_mode`` says which, ``None`` until a
  schema request settled it; the constructor's ``json_mode`` forces one):

  1. ``"json_schema"``: ``{"type": "json_schema", "json_schema": {"name": "reply",
     "schema": ..., "strict": true}}`` (OpenAI structured outputs, vLLM, Ollama);
  2. ``"json_object_schema"``: ``{"type": "json_object", "schema": ...}`` (llama-cpp-
     python's server, which turns the schema into a grammar);
  3. ``"json_object"``: ``{"type": "json_object"}`` (any JSON; OpenAI then wants the
     word "JSON" in the messages);
  4. ``"none"``: no ``response_format``; the prompt alone asks for the JSON.

  The first schema request is sent alone and tries them in this order until one is
  taken; a refusal is HTTP 400 or 422 (not about the context length), or an error
  status whose message names ``response_format`` or ``json_schema``. Other 5xx answers
  are faults: that format is sent again with the usual retries. Later requests use the
  format found, without another refusal. Stop sequences are not sent with a schema (see
  :class:`~taskfit.backends.base.GenerateRequest`). Replies are returned as generated:
  even a constrained server may cut one at ``max_tokens``.

  What llama-cpp-python 0.3.36's server (``python -m llama_cpp.server``) does: its
  ``response_format`` is validated as ``{"type": "text" | "json_object", "schema"?}``,
  so ``"json_schema"`` fails validation, answered as HTTP 500 with the validation
  error (``... 'response_format', 'type' ... Input should be 'text' or
  'json_object'``); ``{"type": "json_object", "schema": ...}`` makes it decode under
  a grammar built from the schema (a schema its converter cannot translate falls back
  to any JSON); without ``schema`` it decodes under a grammar of any JSON. It also
  takes a non-standard ``grammar`` field (GBNF text) on ``/completions`` and
  ``/chat/completions``; this backend does not send it (other servers refuse unknown
  fields) and generates through ``/chat/completions`` only, so there is nothing to
  pass for completion-format requests.

Every result says how many HTTP requests it took (``ScoreResult.requests``).

Why: most hosted and self-hosted LLMs speak this protocol, so one backend covers the
API models a user wants to compare against a fine-tuned classifier; one request per
example instead of one per label is the difference between minutes and hours.

Design: this module builds payloads and interprets answers; response parsing lives in
:mod:`taskfit.backends.openai_parse`, retries, adaptive timeouts and pacing in
:mod:`taskfit.backends.openai_http` (``timeout_s=None`` adapts the timeout to the
server's observed pace; in-flight requests follow AIMD up to ``max_concurrency``).
Running token and request totals are kept for cost accounting. Error messages are one
line, name the URL with its credentials redacted, and never contain the API key.
Credentials in the base URL are sent, never shown: userinfo
(``http://user:KEY@host/v1``) as HTTP basic authentication, a query
(``?api_key=KEY``) on every request.
"""

from __future__ import annotations

import os
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

import httpx

from taskfit.backends import base
from taskfit.backends.gate import InFlightGate
from taskfit.backends.openai_http import HTTPSession, Pacer, StatusError, suffix
from taskfit.backends.openai_parse import (
    ArrayUnsupported,
    EchoScore,
    Unavailable,
    chat_distribution,
    parse_echo,
    parse_echo_array,
    parse_reply,
    parse_top_logprobs,
)
from taskfit.backends.redact import redact_url
from taskfit.errors import BackendError, UsageError

__all__ = ["DEFAULT_BASE_URL", "JSON_MODES", "OpenAICompatBackend"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_OPENAI_HOST = "api.openai.com"
# Statuses with which an endpoint says "I cannot do these log-probabilities".
_NO_LOGPROBS_STATUSES = frozenset({400, 404, 422})
# Statuses that say nothing about prompt arrays (auth, rate limits).
_NOT_ABOUT_ARRAYS = frozenset({401, 403, 429})
_CONTEXT_HINTS = ("context length", "context window", "maximum context", "too long", "too many")
# How a generate request with a JSON schema is sent, most constraining first.
JSON_MODES = ("json_schema", "json_object_schema", "json_object", "none")
# Statuses with which an endpoint refuses a response_format it does not know.
_NO_FORMAT_STATUSES = frozenset({400, 422})
_FORMAT_HINTS = ("response_format", "json_schema")

_T = TypeVar("_T")


@dataclass
class _Logprobs:
    """What is known of one kind of log-probabilities (``"prompt"`` or ``"chat"``) on the
    endpoint: ``forced`` by configuration, else ``probed`` by the first request (None
    until then); ``message`` says why they are unavailable once that is known."""

    kind: str
    forced: bool | None
    probed: bool | None = None
    message: str | None = None

    @property
    def unknown(self) -> bool:
        """Neither forced nor probed yet: the next request is the probe."""
        return self.forced is None and self.probed is None


class OpenAICompatBackend(base.LLMBackend):
    """OpenAI or any OpenAI-compatible server.

    ``prompt_logprobs`` / ``chat_logprobs``: ``None`` probes the endpoint on the first
    ``score_options`` / ``score_chat`` call; ``True``/``False`` force it.
    ``prompt_arrays``: ``None`` tries one request per example and falls back to one per
    option; ``True``/``False`` force either. ``timeout_s``: ``None`` adapts the timeout
    to the server (see :mod:`taskfit.backends.openai_http`), a number fixes it.
    ``adaptive_concurrency=False`` keeps ``max_concurrency`` requests in flight whatever
    happens. ``max_retries`` counts retries after the first attempt. ``transport`` is
    passed to :class:`httpx.Client` (tests, proxies). ``json_mode``: how requests with
    a JSON schema are sent (one of :data:`JSON_MODES`); ``None`` finds out on the first
    one, and the attribute ``json_mode`` then says what was found.

    Running totals (thread-safe, read them after a batch): ``prompt_tokens_total`` and
    ``completion_tokens_total`` (from the servers' ``usage``, estimated when absent),
    ``requests_total`` (HTTP requests attempted, retries included), ``retries_total`` and
    ``timeouts_total``; ``concurrency_limit`` is the pacer's current in-flight limit.
    """

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        max_concurrency: int = 4,
        timeout_s: float | None = None,
        initial_timeout_s: float = 300.0,
        min_timeout_s: float = 30.0,
        adaptive_concurrency: bool = True,
        max_retries: int = 5,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 20.0,
        prompt_logprobs: bool | None = None,
        prompt_arrays: bool | None = None,
        chat_logprobs: bool | None = None,
        top_logprobs: int = 20,
        price_in_per_1m: float | None = None,
        price_out_per_1m: float | None = None,
        context_size: int = 8192,
        json_mode: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not model:
            raise UsageError("openai backend: the model name is empty")
        if max_concurrency < 1:
            raise UsageError(f"openai backend: max_concurrency must be >= 1, got {max_concurrency}")
        if max_retries < 0:
            raise UsageError(f"openai backend: max_retries must be >= 0, got {max_retries}")
        for name, value in (
            ("timeout_s", timeout_s),
            ("initial_timeout_s", initial_timeout_s),
            ("min_timeout_s", min_timeout_s),
        ):
            if value is not None and not value > 0:
                raise UsageError(f"openai backend: {name} must be > 0, got {value}")
        if backoff_base_s < 0 or backoff_max_s < 0:
            raise UsageError("openai backend: backoff times must be >= 0")
        if context_size < 1:
            raise UsageError(f"openai backend: context_size must be >= 1, got {context_size}")
        if top_logprobs < 1:
            raise UsageError(f"openai backend: top_logprobs must be >= 1, got {top_logprobs}")
        if json_mode is not None and json_mode not in JSON_MODES:
            raise UsageError(
                f"openai backend: json_mode must be one of {', '.join(JSON_MODES)}, "
                f"got {json_mode!r}"
            )

        url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        try:
            parts = urllib.parse.urlsplit(url)
            parts.port  # noqa: B018 - a bad port raises here, not in the first request
        except ValueError as e:  # not echoed: an unparsable URL cannot be redacted reliably
            raise UsageError(
                f"openai backend: the base URL cannot be parsed ({e}); "
                "write it as http(s)://[user:key@]host[:port]/path"
            ) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(
                f"openai backend: base URL must be http(s)://host[:port]/path, "
                f"got {redact_url(url)!r}"
            )
        self._host = parts.hostname.lower()
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")

        self._model = model
        self._prompt_logprobs = _Logprobs("prompt", prompt_logprobs)
        self._chat_logprobs = _Logprobs("chat", chat_logprobs)
        self._top_logprobs = top_logprobs
        self._price_in = price_in_per_1m
        self._price_out = price_out_per_1m
        self._context_size = context_size
        self.score_path: str | None = {None: None, True: "array", False: "per-option"}[
            prompt_arrays
        ]
        self.json_mode: str | None = json_mode

        self._pacer = Pacer(
            max_concurrency,
            timeout_s=timeout_s,
            initial_timeout_s=initial_timeout_s,
            min_timeout_s=min_timeout_s,
            adaptive_concurrency=adaptive_concurrency,
        )
        self._http = HTTPSession(
            url,
            key or None,
            self._pacer,
            max_retries=max_retries,
            backoff_base_s=backoff_base_s,
            backoff_max_s=backoff_max_s,
            transport=transport,
        )
        self._closed = False
        self._lock = threading.Lock()
        self.prompt_tokens_total = 0
        self.completion_tokens_total = 0

    # ------------------------------------------------------------------ counters

    @property
    def requests_total(self) -> int:
        return self._http.requests_total

    @property
    def retries_total(self) -> int:
        return self._http.retries_total

    @property
    def timeouts_total(self) -> int:
        return self._http.timeouts_total

    @property
    def concurrency_limit(self) -> int:
        return self._pacer.limit

    @property
    def max_concurrency(self) -> int:
        """The most requests this backend keeps in flight."""
        return self._pacer.max_concurrency

    @property
    def endpoint(self) -> str:
        """The base URL as shown (credentials redacted): what a shared limit is keyed by."""
        return self._http.shown_base

    @property
    def gate(self) -> InFlightGate | None:
        """A limit on requests in flight shared with other processes (None: this
        backend's own pacing only); see :mod:`taskfit.backends.gate`."""
        return self._http.gate

    @gate.setter
    def gate(self, gate: InFlightGate | None) -> None:
        self._http.gate = gate

    @property
    def timeout_now_s(self) -> float:
        """The timeout a single request sent now would get."""
        return self._pacer.timeout_now

    # ------------------------------------------------------------------ interface

    def info(self) -> base.BackendInfo:
        return base.BackendInfo(
            backend="openai",
            model_id=self._model,
            context_size=self._context_size,
            prompt_logprobs=self._supports_prompt_logprobs(),
            local=self._host in _LOCAL_HOSTS,
            price_in_per_1m=self._price_in,
            price_out_per_1m=self._price_out,
            chat=self._supports_chat(),
            option_requests=self.score_path != "array",
            endpoint=self._http.shown_base,
        )

    def score_options(self, requests: Sequence[base.ScoreRequest]) -> list[base.ScoreResult]:
        self._check_available(self._prompt_logprobs, "/completions")
        results: list[base.ScoreResult | None] = [None] * len(requests)
        todo: list[int] = []
        for ri, req in enumerate(requests):
            if req.options and not (req.prefix + req.body):
                raise BackendError("openai backend: cannot score options after an empty prompt")
            if any(req.options):
                todo.append(ri)
            else:  # an empty continuation has log-probability 0 and needs no request
                n = len(req.options)
                results[ri] = base.ScoreResult(
                    (0.0,) * n, (0,) * n, self.count_tokens(req.prefix + req.body), 0, requests=0
                )

        while todo and self.score_path is None:
            # One request alone first: it tells whether arrays (and echo) work.
            first = todo.pop(0)
            answer, attempts = self._score_array(requests[first], probe=True)
            if answer is None:  # refused: this example and the rest go one option a time
                fallback = self._score_per_option([requests[first]])[0]
                answer = replace(fallback, requests=fallback.requests + attempts)
            results[first] = answer
        if self.score_path == "array":
            batch = self._http.run_batch(
                [partial(self._score_one_array, requests[i]) for i in todo]
            )
        else:
            batch = self._score_per_option([requests[i] for i in todo])
        for i, result in zip(todo, batch, strict=True):
            results[i] = result
        return [r for r in results if r is not None]

    def score_chat(self, requests: Sequence[base.ChatScoreRequest]) -> list[base.ScoreResult]:
        self._check_available(self._chat_logprobs, "/chat/completions")
        for req in requests:
            if not req.messages:
                raise BackendError("openai backend: cannot score options after an empty chat")
        pending = list(requests)
        results = []
        if pending and self._chat_logprobs.unknown:
            # Probe with one request so an endpoint without logprobs is hit only once.
            results.append(self._score_chat_one(pending.pop(0)))
        results += self._http.run_batch([partial(self._score_chat_one, r) for r in pending])
        return results

    def generate(self, requests: Sequence[base.GenerateRequest]) -> list[base.Generation]:
        results: list[base.Generation | None] = [None] * len(requests)
        if self.json_mode is None:
            # The first request with a schema goes alone: it finds the response_format
            # the endpoint takes, so a refusal is paid once.
            first = next((i for i, r in enumerate(requests) if r.json_schema is not None), None)
            if first is not None:
                results[first] = self._generate_one(requests[first])
        todo = [i for i, r in enumerate(results) if r is None]
        batch = self._http.run_batch([partial(self._generate_one, requests[i]) for i in todo])
        for i, generation in zip(todo, batch, strict=True):
            results[i] = generation
        return [r for r in results if r is not None]

    def __enter__(self) -> OpenAICompatBackend:  # typed so the running totals are visible
        return self

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._http.close()

    # ------------------------------------------------------------------ completions

    def _echo_payload(self, prompt: str | list[str]) -> dict[str, Any]:
        return {
            "model": self._model,
            "prompt": prompt,
            "max_tokens": 1,  # some servers reject 0; the generated token is ignored
            "echo": True,
            "logprobs": 1,
            "temperature": 0,
        }

    def _score_one_array(self, req: base.ScoreRequest) -> base.ScoreResult:
        result, _ = self._score_array(req, probe=False)
        assert result is not None  # only a probe may be refused
        return result

    def _score_array(
        self, req: base.ScoreRequest, *, probe: bool
    ) -> tuple[base.ScoreResult | None, int]:
        """All options of one example in one request; ``(None, requests)`` if refused.

        A refusal (an error status or a partial answer) is only accepted while probing;
        it settles ``score_path`` to ``"per-option"``. An example with one option to
        score sends a plain prompt, which says nothing about arrays.
        """
        context = req.prefix + req.body
        scored = [oi for oi, option in enumerate(req.options) if option]
        ends = [len(context) + len(req.options[oi]) for oi in scored]
        prompts = [context + req.options[oi] for oi in scored]
        is_array = len(prompts) > 1
        probe = probe and is_array
        payload = self._echo_payload(prompts if is_array else prompts[0])
        parse = partial(parse_echo_array, start=len(context), ends=ends)
        url = self._http.shown_url("/completions")
        try:
            (scores, sent, completion), attempts = self._http.post_json(
                "/completions", payload, parse, weight=len(scored), probe=probe
            )
        except Unavailable as exc:
            raise self._mark_unavailable(self._prompt_logprobs, url, str(exc)) from None
        except ArrayUnsupported as exc:
            if not probe:
                raise BackendError(self._http.message(f"{url}: {exc}")) from None
            self._refuse_arrays()
            return None, 1
        except StatusError as exc:
            if not probe or exc.status in _NOT_ABOUT_ARRAYS or _mentions_context(exc.detail):
                raise
            self._refuse_arrays()
            return None, 1
        with self._lock:
            if is_array:
                self.score_path = "array"
            self._prompt_logprobs.probed = True
        self._add_usage(sent, completion)
        by_option: dict[int, EchoScore] = dict(zip(scored, scores, strict=True))
        return _result(req, by_option, scores[0].prompt_tokens, sent, attempts), attempts

    def _refuse_arrays(self) -> None:
        with self._lock:
            self.score_path = "per-option"

    def _score_per_option(self, requests: Sequence[base.ScoreRequest]) -> list[base.ScoreResult]:
        jobs: list[tuple[int, int, str, str]] = []
        for ri, req in enumerate(requests):
            context = req.prefix + req.body
            jobs += [(ri, oi, context, opt) for oi, opt in enumerate(req.options) if opt]
        scores: dict[tuple[int, int], tuple[EchoScore, int]] = {}
        pending = jobs
        if jobs and self._prompt_logprobs.unknown:
            # Probe with one request so a chat-only endpoint is not hit once per option.
            ri, oi, context, option = jobs[0]
            scores[(ri, oi)] = self._score_option(context, option)
            pending = jobs[1:]
        batch = self._http.run_batch(
            [partial(self._score_option, context, option) for _, _, context, option in pending]
        )
        for (ri, oi, _, _), score in zip(pending, batch, strict=True):
            scores[(ri, oi)] = score

        results = []
        for ri, req in enumerate(requests):
            mine = {oi: scores[(ri, oi)] for oi in range(len(req.options)) if (ri, oi) in scores}
            first = next(iter(mine.values()))[0]
            results.append(
                _result(
                    req,
                    {oi: s for oi, (s, _) in mine.items()},
                    first.prompt_tokens,
                    sum(s.sent_tokens for s, _ in mine.values()),
                    sum(attempts for _, attempts in mine.values()),
                )
            )
        return results

    def _score_option(self, context: str, option: str) -> tuple[EchoScore, int]:
        start, end = len(context), len(context) + len(option)
        score, attempts = self._post_logprobs(
            self._prompt_logprobs,
            "/completions",
            self._echo_payload(context + option),
            partial(parse_echo, start=start, end=end),
        )
        self._add_usage(score.sent_tokens, score.completion_tokens)
        return score, attempts

    # ------------------------------------------------------------------ chat

    def _score_chat_one(self, req: base.ChatScoreRequest) -> base.ScoreResult:
        n = len(req.options)
        if n == 0:
            return base.ScoreResult(
                (), (), self._estimate(req.messages), 0, approximate=True, requests=0
            )
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": req.messages,
            "max_tokens": 1,
            "temperature": 0,
            "logprobs": True,
            "top_logprobs": self._top_logprobs,
        }
        (top, prompt_tokens, completion_tokens), attempts = self._post_logprobs(
            self._chat_logprobs, "/chat/completions", payload, parse_top_logprobs
        )
        if prompt_tokens is None:
            prompt_tokens = self._estimate(req.messages)
        if completion_tokens is None:
            completion_tokens = 1
        self._add_usage(prompt_tokens, completion_tokens)
        return base.ScoreResult(
            logprobs=chat_distribution(top, req.options),
            option_tokens=(1,) * n,
            prompt_tokens=prompt_tokens,
            evaluated_tokens=prompt_tokens,
            approximate=True,
            requests=attempts,
        )

    def _generate_one(self, req: base.GenerateRequest) -> base.Generation:
        if req.messages:
            messages = [{"role": role, "content": content} for role, content in req.messages]
        else:
            messages = []
            if req.system:
                messages.append({"role": "system", "content": req.system})
            messages.append({"role": "user", "content": req.prompt})
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": messages,
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
            "seed": req.seed,
        }
        if req.json_schema is not None:
            answer = self._post_with_schema(payload, req.schema or {})
        else:
            if req.stop:
                payload["stop"] = list(req.stop)
            answer, _ = self._http.post_json("/chat/completions", payload, parse_reply)
        text, prompt_tokens, completion_tokens, cut = answer
        if prompt_tokens is None:
            prompt_tokens = self._estimate(messages)
        if completion_tokens is None:
            completion_tokens = self.count_tokens(text) if text else 0
        self._add_usage(prompt_tokens, completion_tokens)
        return base.Generation(
            text=text,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            truncated=cut,
        )

    def _post_with_schema(
        self, payload: dict[str, Any], schema: dict[str, Any]
    ) -> tuple[str, int | None, int | None, bool]:
        """Send a generate request with the ``response_format`` of ``json_mode``; while
        that is unknown, try :data:`JSON_MODES` in order and settle on the first taken."""
        path = "/chat/completions"
        known = self.json_mode
        if known is not None:
            answer, _ = self._http.post_json(
                path, _with_format(payload, known, schema), parse_reply
            )
            return answer
        for mode in JSON_MODES:
            sent = _with_format(payload, mode, schema)
            try:
                answer, _ = self._http.post_json(path, sent, parse_reply, probe=mode != "none")
            except StatusError as exc:
                if _refuses_format(exc):
                    continue
                if exc.status < 500:
                    raise
                # A server fault, not a refusal: this format again, with retries.
                answer, _ = self._http.post_json(path, sent, parse_reply)
            with self._lock:
                self.json_mode = mode
            return answer
        raise AssertionError("unreachable: the last mode sends no response_format")

    # ------------------------------------------------------------------ helpers

    def _estimate(self, messages: Sequence[dict[str, str]]) -> int:
        return sum(self.count_tokens(m["content"]) for m in messages if m.get("content"))

    def _unavailable(self, known: _Logprobs, url: str, reason: str) -> str:
        return self._http.message(
            f"{known.kind} log-probabilities are unavailable on {url} ({reason}); "
            "use generation instead"
        )

    def _check_available(self, known: _Logprobs, path: str) -> None:
        """Raise :class:`BackendError` when configuration or an earlier answer of the
        endpoint ruled these log-probabilities out."""
        if known.forced is False:
            url = self._http.shown_url(path)
            raise BackendError(self._unavailable(known, url, "disabled by configuration"))
        if known.message is not None:
            raise BackendError(known.message)

    def _mark_unavailable(self, known: _Logprobs, url: str, reason: str) -> BackendError:
        message = self._unavailable(known, url, reason)
        if known.forced is None:
            with self._lock:
                known.probed = False
                known.message = message
        return BackendError(message)

    def _post_logprobs(
        self, known: _Logprobs, path: str, payload: dict[str, Any], parse: Callable[[Any], _T]
    ) -> tuple[_T, int]:
        """:meth:`HTTPSession.post_json` for log-probabilities of ``known.kind``; an
        endpoint that says it has none marks them unavailable."""
        url = self._http.shown_url(path)
        try:
            answer = self._http.post_json(path, payload, parse)
        except Unavailable as exc:
            raise self._mark_unavailable(known, url, str(exc)) from None
        except StatusError as exc:
            if exc.status in _NO_LOGPROBS_STATUSES and not _mentions_context(exc.detail):
                reason = f"HTTP {exc.status}{suffix(exc.detail)}"
                raise self._mark_unavailable(known, url, reason) from None
            raise
        with self._lock:
            known.probed = True
        return answer

    def _supports_prompt_logprobs(self) -> bool:
        known = self._prompt_logprobs
        if known.forced is not None:
            return known.forced
        if known.probed is not None:
            return known.probed
        # OpenAI's current models do not echo prompt log-probabilities.
        return self._host != _OPENAI_HOST

    def _supports_chat(self) -> bool:
        known = self._chat_logprobs
        if known.forced is not None:
            return known.forced
        return known.probed is not False

    def _add_usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self.prompt_tokens_total += prompt_tokens
            self.completion_tokens_total += completion_tokens


def _result(
    req: base.ScoreRequest,
    scores: dict[int, EchoScore],
    prompt_tokens: int,
    sent: int,
    requests: int,
) -> base.ScoreResult:
    """One example's result; options without a score (empty ones) get 0 and 0 tokens."""
    mine = [scores.get(oi) for oi in range(len(req.options))]
    return base.ScoreResult(
        logprobs=tuple(s.logprob if s else 0.0 for s in mine),
        option_tokens=tuple(s.option_tokens if s else 0 for s in mine),
        prompt_tokens=prompt_tokens,
        evaluated_tokens=sent,
        requests=requests,
    )


def _with_format(payload: dict[str, Any], mode: str, schema: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the ``response_format`` of ``mode`` (see :data:`JSON_MODES`)."""
    formats: dict[str, dict[str, Any] | None] = {
        "json_schema": {
            "type": "json_schema",
            "json_schema": {"name": "reply", "schema": schema, "strict": True},
        },
        "json_object_schema": {"type": "json_object", "schema": schema},
        "json_object": {"type": "json_object"},
        "none": None,
    }
    fmt = formats[mode]
    return payload if fmt is None else {**payload, "response_format": fmt}


def _refuses_format(exc: StatusError) -> bool:
    """Whether an error answer says the endpoint does not take this ``response_format``."""
    if exc.status in _NOT_ABOUT_ARRAYS:  # authentication, rate limits
        return False
    if exc.status in _NO_FORMAT_STATUSES and not _mentions_context(exc.detail):
        return True
    lowered = exc.detail.lower()
    return any(hint in lowered for hint in _FORMAT_HINTS)


def _mentions_context(detail: str) -> bool:
    lowered = detail.lower()
    return any(hint in lowered for hint in _CONTEXT_HINTS)
