"""LLM backend for OpenAI and OpenAI-compatible HTTP servers (vLLM, llama.cpp, Ollama).

What: :class:`OpenAICompatBackend` implements :class:`~taskfit.backends.base.LLMBackend`
over HTTP.

- ``score_options`` uses the legacy ``POST /completions`` endpoint with ``echo`` and
  ``logprobs``: one request per option, prompt ``prefix + body + option``, and the
  option's log-probability is the sum over the echoed tokens that fall in the option's
  character span (``text_offset``). Servers that cannot echo prompt log-probabilities
  (OpenAI chat models, Ollama, some llama.cpp builds) are detected on the first call,
  after which ``info().prompt_logprobs`` is ``False`` and the caller switches to
  ``generate``.
- ``generate`` uses ``POST /chat/completions``.

Why: most hosted and self-hosted LLMs speak this protocol, so one backend covers the
API models a user wants to compare against a fine-tuned classifier.

Design: the public methods only build payloads and parse responses. The HTTP machinery
lives in small private helpers: :meth:`OpenAICompatBackend._post_json` (retries with
exponential backoff and jitter on 429, 5xx, timeouts, connection errors and malformed
bodies; other 4xx fail at once) and :meth:`OpenAICompatBackend._run_batch` (at most
``max_concurrency`` requests in flight, results in request order). Running token and
request totals are kept under a lock for cost accounting. Error messages are one line,
name the URL, and never contain the API key.
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import httpx

from taskfit.backends.base import (
    BackendInfo,
    GenerateRequest,
    Generation,
    LLMBackend,
    ScoreRequest,
    ScoreResult,
)
from taskfit.errors import BackendError, UsageError

__all__ = ["DEFAULT_BASE_URL", "OpenAICompatBackend"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_OPENAI_HOST = "api.openai.com"
# Statuses with which a completions endpoint says "I cannot do echo + logprobs".
_NO_ECHO_STATUSES = frozenset({400, 404, 422})
_CONTEXT_HINTS = ("context length", "context window", "maximum context", "too long", "too many")
_DETAIL_MAX_CHARS = 200

_T = TypeVar("_T")


class _Malformed(Exception):
    """A 2xx response whose body lacks the expected fields (retried)."""


class _Unavailable(Exception):
    """The endpoint answered but returned no prompt log-probabilities (not retried)."""


class _ClientError(BackendError):
    """A 4xx response other than 429 (not retried)."""

    def __init__(self, message: str, *, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class _OptionScore:
    logprob: float
    option_tokens: int
    prompt_tokens: int  # tokens of prefix + body
    sent_tokens: int  # prompt tokens of the whole request (prefix + body + option)
    completion_tokens: int


class OpenAICompatBackend(LLMBackend):
    """OpenAI or any OpenAI-compatible server.

    ``prompt_logprobs``: ``None`` probes the endpoint on the first ``score_options``
    call; ``True``/``False`` force it. ``max_retries`` counts retries after the first
    attempt. ``transport`` is passed to :class:`httpx.Client` (tests, proxies).

    Running totals (thread-safe, read them after a batch): ``prompt_tokens_total`` and
    ``completion_tokens_total`` (from the servers' ``usage``, estimated when absent),
    ``requests_total`` (HTTP requests attempted, retries included) and ``retries_total``.
    """

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        max_concurrency: int = 4,
        timeout_s: float = 60.0,
        max_retries: int = 5,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 20.0,
        prompt_logprobs: bool | None = None,
        price_in_per_1m: float | None = None,
        price_out_per_1m: float | None = None,
        context_size: int = 8192,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not model:
            raise UsageError("openai backend: the model name is empty")
        if max_concurrency < 1:
            raise UsageError(f"openai backend: max_concurrency must be >= 1, got {max_concurrency}")
        if max_retries < 0:
            raise UsageError(f"openai backend: max_retries must be >= 0, got {max_retries}")
        if timeout_s <= 0:
            raise UsageError(f"openai backend: timeout_s must be > 0, got {timeout_s}")
        if backoff_base_s < 0 or backoff_max_s < 0:
            raise UsageError("openai backend: backoff times must be >= 0")
        if context_size < 1:
            raise UsageError(f"openai backend: context_size must be >= 1, got {context_size}")

        base = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self._base_url = base.rstrip("/")
        parts = urllib.parse.urlsplit(self._base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(
                f"openai backend: base URL must be http(s)://host[:port]/path, "
                f"got {_redact_url(self._base_url)!r}"
            )
        self._host = parts.hostname.lower()
        self._shown_base = _redact_url(self._base_url)

        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self._api_key = key or None

        self._model = model
        self._max_concurrency = max_concurrency
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._prompt_logprobs_forced = prompt_logprobs
        self._prompt_logprobs_probed: bool | None = None
        self._unavailable_message: str | None = None
        self._price_in = price_in_per_1m
        self._price_out = price_out_per_1m
        self._context_size = context_size

        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            limits=httpx.Limits(
                max_connections=max_concurrency, max_keepalive_connections=max_concurrency
            ),
        )
        self._closed = False

        self._lock = threading.Lock()
        self.prompt_tokens_total = 0
        self.completion_tokens_total = 0
        self.requests_total = 0
        self.retries_total = 0

    # ------------------------------------------------------------------ interface

    def info(self) -> BackendInfo:
        return BackendInfo(
            backend="openai",
            model_id=self._model,
            context_size=self._context_size,
            prompt_logprobs=self._supports_prompt_logprobs(),
            local=self._host in _LOCAL_HOSTS,
            price_in_per_1m=self._price_in,
            price_out_per_1m=self._price_out,
        )

    def score_options(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        if self._prompt_logprobs_forced is False:
            raise BackendError(
                self._unavailable(self._url("/completions"), "disabled by configuration")
            )
        if self._unavailable_message is not None:
            raise BackendError(self._unavailable_message)

        jobs: list[tuple[int, int, str, str]] = []
        for ri, req in enumerate(requests):
            context = req.prefix + req.body
            if req.options and not context:
                raise BackendError("openai backend: cannot score options after an empty prompt")
            for oi, option in enumerate(req.options):
                if option:  # an empty continuation has log-probability 0 and no tokens
                    jobs.append((ri, oi, context, option))

        scores: dict[tuple[int, int], _OptionScore] = {}
        pending = jobs
        if jobs and self._prompt_logprobs_forced is None and self._prompt_logprobs_probed is None:
            # Probe with one request so a chat-only endpoint is not hit once per option.
            ri, oi, context, option = jobs[0]
            scores[(ri, oi)] = self._score_option(context, option)
            pending = jobs[1:]
        batch = self._run_batch(
            [partial(self._score_option, context, option) for _, _, context, option in pending]
        )
        for (ri, oi, _, _), score in zip(pending, batch, strict=True):
            scores[(ri, oi)] = score

        results = []
        for ri, req in enumerate(requests):
            mine = [scores.get((ri, oi)) for oi in range(len(req.options))]
            scored = [s for s in mine if s is not None]
            prompt_tokens = (
                scored[0].prompt_tokens if scored else self.count_tokens(req.prefix + req.body)
            )
            results.append(
                ScoreResult(
                    logprobs=tuple(s.logprob if s else 0.0 for s in mine),
                    option_tokens=tuple(s.option_tokens if s else 0 for s in mine),
                    prompt_tokens=prompt_tokens,
                    evaluated_tokens=sum(s.sent_tokens for s in scored),
                )
            )
        return results

    def generate(self, requests: Sequence[GenerateRequest]) -> list[Generation]:
        return self._run_batch([partial(self._generate_one, req) for req in requests])

    def __enter__(self) -> OpenAICompatBackend:  # typed so the running totals are visible
        return self

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._client.close()

    # ------------------------------------------------------------------ payloads

    def _score_option(self, context: str, option: str) -> _OptionScore:
        payload: dict[str, Any] = {
            "model": self._model,
            "prompt": context + option,
            "max_tokens": 1,  # some servers reject 0; the generated token is ignored
            "echo": True,
            "logprobs": 1,
            "temperature": 0,
        }
        start, end = len(context), len(context) + len(option)
        url = self._url("/completions")
        try:
            score = self._post_json(
                "/completions", payload, lambda body: _parse_echo(body, start, end)
            )
        except _Unavailable as exc:
            raise self._mark_unavailable(url, str(exc)) from None
        except _ClientError as exc:
            if exc.status in _NO_ECHO_STATUSES and not _mentions_context(exc.detail):
                raise self._mark_unavailable(
                    url, f"HTTP {exc.status}{_suffix(exc.detail)}"
                ) from None
            raise
        with self._lock:
            self._prompt_logprobs_probed = True
        self._add_usage(score.sent_tokens, score.completion_tokens)
        return score

    def _generate_one(self, req: GenerateRequest) -> Generation:
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
        if req.stop:
            payload["stop"] = list(req.stop)
        text, prompt_tokens, completion_tokens = self._post_json(
            "/chat/completions", payload, _parse_chat
        )
        if prompt_tokens is None:
            prompt_tokens = self.count_tokens(req.prompt)
            if req.system:
                prompt_tokens += self.count_tokens(req.system)
        if completion_tokens is None:
            completion_tokens = self.count_tokens(text) if text else 0
        self._add_usage(prompt_tokens, completion_tokens)
        return Generation(
            text=text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )

    # ------------------------------------------------------------------ HTTP machinery

    def _post_json(self, path: str, payload: dict[str, Any], parse: Callable[[Any], _T]) -> _T:
        """POST ``payload`` to ``base_url + path`` and ``parse`` the JSON body, with retries.

        Retried: 429 (``Retry-After`` honoured, capped at ``backoff_max_s``), 5xx,
        timeouts, connection errors, non-JSON bodies and bodies for which ``parse``
        raises :class:`_Malformed`. Other 4xx raise :class:`_ClientError` at once;
        anything else ``parse`` raises propagates.
        """
        url = self._url(path)
        last = "no attempt"
        delay = 0.0
        for attempt in range(self._max_retries + 1):
            if attempt:
                time.sleep(delay)
                with self._lock:
                    self.retries_total += 1
            with self._lock:
                self.requests_total += 1
            retry_after: float | None = None
            try:
                response = self._client.post(url, json=payload)
            except httpx.TimeoutException:
                last = f"timed out ({self._timeout_s:g}s)"
            except httpx.ConnectError as exc:
                last = _describe_connect_error(exc)
            except httpx.TransportError as exc:
                last = f"connection error ({_one_line(str(exc)).rstrip('.') or type(exc).__name__})"
            else:
                status = response.status_code
                if status == 429:
                    last = f"HTTP 429 (rate limited){_suffix(_error_detail(response))}"
                    retry_after = _parse_retry_after(response.headers.get("retry-after"))
                elif status >= 500:
                    last = f"HTTP {status}{_suffix(_error_detail(response))}"
                elif status >= 300:
                    detail = _error_detail(response)
                    raise _ClientError(
                        self._message(f"{url}: HTTP {status}{_suffix(detail)}"),
                        status=status,
                        detail=detail,
                    )
                else:
                    try:
                        body = response.json()
                    except ValueError:
                        last = "invalid JSON in response body"
                    else:
                        try:
                            return parse(body)
                        except _Malformed as exc:
                            last = f"malformed response ({exc})"
            delay = self._backoff(attempt, retry_after)
        n = self._max_retries
        raise BackendError(self._message(f"{url}: {last} after {n} retr{'y' if n == 1 else 'ies'}"))

    def _run_batch(self, jobs: Sequence[Callable[[], _T]]) -> list[_T]:
        """Run ``jobs`` with at most ``max_concurrency`` in flight; results in job order.

        The first failure (in job order among those that failed) is raised and jobs not
        yet started are cancelled.
        """
        if len(jobs) <= 1 or self._max_concurrency == 1:
            return [job() for job in jobs]
        pool = ThreadPoolExecutor(
            max_workers=min(self._max_concurrency, len(jobs)), thread_name_prefix="taskfit-openai"
        )
        try:
            futures = [pool.submit(job) for job in jobs]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in futures:
                if future in done and (exc := future.exception()) is not None:
                    raise exc
            return [future.result() for future in futures]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self._backoff_max_s)
        ceiling = min(self._backoff_max_s, self._backoff_base_s * 2.0**attempt)
        return ceiling * (0.5 + 0.5 * random.random())

    # ------------------------------------------------------------------ helpers

    def _url(self, path: str) -> str:
        return self._base_url + path

    def _message(self, text: str) -> str:
        """One line, prefixed, with the base URL's credentials and the API key removed."""
        text = _one_line(text.replace(self._base_url, self._shown_base))
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return f"openai backend: {text}"

    def _unavailable(self, url: str, reason: str) -> str:
        return self._message(
            f"prompt log-probabilities are unavailable on {url} ({reason}); use generation instead"
        )

    def _mark_unavailable(self, url: str, reason: str) -> BackendError:
        message = self._unavailable(url, reason)
        if self._prompt_logprobs_forced is None:
            with self._lock:
                self._prompt_logprobs_probed = False
                self._unavailable_message = message
        return BackendError(message)

    def _supports_prompt_logprobs(self) -> bool:
        if self._prompt_logprobs_forced is not None:
            return self._prompt_logprobs_forced
        if self._prompt_logprobs_probed is not None:
            return self._prompt_logprobs_probed
        # OpenAI's current models do not echo prompt log-probabilities.
        return self._host != _OPENAI_HOST

    def _add_usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self.prompt_tokens_total += prompt_tokens
            self.completion_tokens_total += completion_tokens


# ---------------------------------------------------------------------- response parsing


def _first_choice(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _Malformed("body is not a JSON object")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise _Malformed("no 'choices'")
    return choices[0]


def _usage(body: dict[str, Any], field: str) -> int | None:
    usage = body.get("usage")
    if not isinstance(usage, dict):
        return None
    value = usage.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _parse_echo(body: Any, start: int, end: int) -> _OptionScore:
    """Sum the echoed log-probs of the tokens covering characters ``[start, end)``.

    A token belongs to the option when its ``text_offset`` is in ``[start, end)``, or
    when it starts before ``start`` and the next token starts after it (a token
    straddling the prompt/option boundary, e.g. when the prompt ends with a space).
    The generated token starts at ``end`` and is excluded.
    """
    choice = _first_choice(body)
    logprobs = choice.get("logprobs")
    if not isinstance(logprobs, dict):
        raise _Unavailable("the response has no log-probabilities")
    tokens = logprobs.get("tokens")
    values = logprobs.get("token_logprobs")
    offsets = logprobs.get("text_offset")
    if not (isinstance(tokens, list) and isinstance(values, list) and isinstance(offsets, list)):
        raise _Unavailable("the response has no echoed token log-probabilities")
    if not len(tokens) == len(values) == len(offsets):
        raise _Malformed("logprobs lists differ in length")
    if not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets):
        raise _Malformed("non-integer text_offset")

    n = len(offsets)
    total = 0.0
    option_tokens = 0
    for i, offset in enumerate(offsets):
        following = offsets[i + 1] if i + 1 < n else math.inf
        if not (start <= offset < end or offset < start < following):
            continue
        value = values[i]
        if value is None:
            raise _Unavailable("the echoed prompt tokens have no log-probabilities")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Malformed("non-numeric token_logprobs")
        total += float(value)
        option_tokens += 1
    if option_tokens == 0:
        raise _Unavailable("the endpoint did not echo the prompt")

    echoed_prompt = sum(1 for offset in offsets if offset < end)
    sent = _usage(body, "prompt_tokens")
    if sent is None or sent < option_tokens:
        sent = echoed_prompt
    completion = _usage(body, "completion_tokens")
    if completion is None:
        completion = n - echoed_prompt
    return _OptionScore(
        logprob=total,
        option_tokens=option_tokens,
        prompt_tokens=sent - option_tokens,
        sent_tokens=sent,
        completion_tokens=completion,
    )


def _parse_chat(body: Any) -> tuple[str, int | None, int | None]:
    choice = _first_choice(body)
    message = choice.get("message")
    if not isinstance(message, dict):
        raise _Malformed("no 'message' in choices[0]")
    content = message.get("content")
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise _Malformed("non-string message content")
    return content, _usage(body, "prompt_tokens"), _usage(body, "completion_tokens")


# ---------------------------------------------------------------------- small utilities


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _suffix(detail: str) -> str:
    return f": {detail}" if detail else ""


def _mentions_context(detail: str) -> bool:
    lowered = detail.lower()
    return any(hint in lowered for hint in _CONTEXT_HINTS)


def _error_detail(response: httpx.Response) -> str:
    """The server's error message, one line and at most ~200 characters."""
    text = ""
    try:
        body = response.json()
    except ValueError:
        text = response.text
    else:
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            text = error["message"]
        elif isinstance(error, str):
            text = error
        elif isinstance(body, dict) and isinstance(body.get("detail"), str):
            text = body["detail"]
        elif isinstance(body, dict) and isinstance(body.get("message"), str):
            text = body["message"]
    text = _one_line(text)
    if len(text) > _DETAIL_MAX_CHARS:
        text = text[: _DETAIL_MAX_CHARS - 3] + "..."
    return text


def _parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds; the HTTP-date form is ignored (backoff is used)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if math.isnan(seconds) or seconds < 0:
        return None
    return seconds


def _describe_connect_error(exc: httpx.ConnectError) -> str:
    text = _one_line(str(exc))
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if any(h in lowered for h in ("name or service", "nodename", "getaddrinfo", "resolve")):
        return "cannot resolve host"
    return f"connection failed ({text or type(exc).__name__})"


def _redact_url(url: str) -> str:
    """``url`` without user:password credentials."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
