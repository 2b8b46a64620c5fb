"""A small, real OpenAI-compatible HTTP server for tests, with fault injection.

It serves ``POST /v1/completions`` (``echo`` + ``logprobs`` like vLLM: whitespace
tokens with their character offsets and deterministic log-probs derived from a hash of
(preceding text, token); a prompt array gets one choice per prompt, by ``index``) and
``POST /v1/chat/completions`` (a scripted answer; with ``logprobs`` the first answer
token's ``top_logprobs``, by default :func:`chat_top_logprobs` of the messages). Faults
queued with :meth:`FakeOpenAIServer.add_faults` are applied to the next requests, one
per request, whatever the path:

``"429"`` (with ``Retry-After``), ``"500"``, ``"503"`` or any other status code,
``"slow"`` (sleeps ``slow_s`` before answering normally), ``"garbage"`` (200, not
JSON), ``"truncated_json"``, ``"missing_fields"`` (200, JSON without ``choices``) and
``"disconnect"`` (closes the connection without a response).

A chat request's ``response_format`` is checked against ``json_modes`` (the kinds the
server takes, named as :data:`taskfit.backends.openai_compat.JSON_MODES`); one it does
not take is refused with ``format_refusal_status``. When the answer is not scripted, a
taken format with a schema is answered with :func:`schema_instance` of the schema, and
``{"type": "json_object"}`` alone with ``{}``.

Usage::

    with FakeOpenAIServer() as server:
        backend = OpenAICompatBackend("fake-model", server.base_url)

The server runs in a background thread bound to 127.0.0.1 on a free port and stops
when the context manager exits.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import re
import threading
import urllib.parse
from collections import Counter, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = [
    "FAST_RETRY",
    "FAULTS",
    "FakeOpenAIServer",
    "chat_top_logprobs",
    "expected_score",
    "fast_backend",
    "follows_schema",
    "schema_instance",
    "token_logprob",
    "tokenize",
]

FAULTS = (
    "429",
    "500",
    "503",
    "slow",
    "garbage",
    "truncated_json",
    "missing_fields",
    "disconnect",
)
GENERATED_TOKEN = " ok"
_TOKEN_RE = re.compile(r"\s*\S+|\s+$")
_FILLERS = ("The", "I", "Answer")
MAX_TOP_LOGPROBS = 20  # as OpenAI: more is a 400


def tokenize(text: str) -> list[tuple[str, int]]:
    """Whitespace tokens with their leading whitespace, and their character offsets.

    The tokens concatenate back to ``text``.
    """
    return [(m.group(), m.start()) for m in _TOKEN_RE.finditer(text)]


def token_logprob(preceding: str, token: str) -> float:
    """A deterministic log-probability in [-10.05, -0.05] for ``token`` after ``preceding``."""
    digest = hashlib.sha256(f"{preceding}\x00{token}".encode()).digest()
    return -(0.05 + int.from_bytes(digest[:4], "big") % 10_000 / 1_000)


def expected_score(context: str, option: str) -> tuple[float, int, int]:
    """(log-prob, option tokens, prompt tokens of ``context``) as this server computes them.

    Assumes the option starts at a token boundary (e.g. ``" positive"``).
    """
    text = context + option
    total = 0.0
    n_option = 0
    for token, offset in tokenize(text):
        if len(context) <= offset < len(text):
            total += token_logprob(text[:offset], token)
            n_option += 1
    return total, n_option, len(tokenize(context))


def _options_in(messages: list[dict[str, Any]]) -> list[str]:
    """The comma-separated items after ``Options:`` in the last user message."""
    user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    content = str(user.get("content", "")) if user else ""
    match = re.search(r"Options:\s*([^\n]+)", content)
    if not match:
        return []
    return [item.strip() for item in match.group(1).split(",") if item.strip()]


def chat_top_logprobs(messages: list[dict[str, Any]]) -> list[tuple[str, float]]:
    """The first answer token's distribution, deterministic in ``messages``.

    The candidates are the items after ``Options:`` in the last user message and a few
    filler words; their weights come from a hash of (messages, candidate) and are scaled
    to a total probability of 0.9, so 0.1 lies outside. Sorted by probability, highest
    first (the server truncates to the request's ``top_logprobs``).
    """
    key = json.dumps(messages, sort_keys=True)
    candidates = list(dict.fromkeys([*_options_in(messages), *_FILLERS]))
    weights = [
        1 + int.from_bytes(hashlib.sha256(f"{key}\x00{c}".encode()).digest()[:4], "big") % 1000
        for c in candidates
    ]
    total = sum(weights)
    ranked = sorted(zip(candidates, weights, strict=True), key=lambda cw: (-cw[1], cw[0]))
    return [(c, math.log(0.9 * w / total)) for c, w in ranked]


def schema_instance(schema: Any) -> Any:
    """A small value following ``schema``: required properties only, one item per array,
    the first of an ``enum``/``anyOf``/``oneOf``, ``"x"`` for strings, 0 for numbers."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return schema_instance(schema[key][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties", {})
        return {name: schema_instance(props.get(name, {})) for name in schema.get("required", [])}
    if kind == "array":
        return [schema_instance(schema.get("items", {}))]
    if kind == "string":
        return "x"
    if kind in ("number", "integer"):
        return 0
    if kind == "boolean":
        return False
    return None


_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def follows_schema(value: Any, schema: Any) -> bool:
    """Whether ``value`` follows ``schema``, for the keywords tests use: ``type``,
    ``enum``, ``const``, ``properties``, ``required``, ``additionalProperties: false``,
    ``items``, ``anyOf``/``oneOf`` (as any of)."""
    if not isinstance(schema, dict):
        return True
    if "const" in schema and value != schema["const"]:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    for key in ("anyOf", "oneOf"):
        if key in schema and not any(follows_schema(value, s) for s in schema[key]):
            return False
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_JSON_TYPES[k](value) for k in kinds):
            return False
    if isinstance(value, dict):
        props = schema.get("properties", {})
        if any(name not in value for name in schema.get("required", [])):
            return False
        if schema.get("additionalProperties") is False and set(value) - set(props):
            return False
        return all(follows_schema(v, props[k]) for k, v in value.items() if k in props)
    if isinstance(value, list) and "items" in schema:
        return all(follows_schema(v, schema["items"]) for v in value)
    return True


def _format_kind(response_format: Any) -> str | None:
    """The JSON mode a ``response_format`` asks for (``None``: plain text)."""
    if not isinstance(response_format, dict):
        return None
    kind = response_format.get("type")
    if kind == "json_object" and "schema" in response_format:
        return "json_object_schema"
    return None if kind == "text" else str(kind)


def _format_schema(response_format: Any) -> Any:
    if not isinstance(response_format, dict):
        return None
    if response_format.get("type") == "json_schema":
        inner = response_format.get("json_schema")
        return inner.get("schema") if isinstance(inner, dict) else None
    return response_format.get("schema")


def _default_answer(messages: list[dict[str, Any]]) -> str:
    """The first item after ``Options:`` in the last user message, else its first word."""
    user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    content = str(user.get("content", "")) if user else ""
    match = re.search(r"Options:\s*([^,\n]+)", content)
    if match:
        return match.group(1).strip()
    words = content.split()
    return words[0] if words else "unknown"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAIServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    left = False  # set once the request stops counting as in flight

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.send_raw(status, json.dumps(body).encode(), headers)

    def send_raw(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.server.fake._leave(self)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout)


class FakeOpenAIServer:
    """The server and its knobs and counters (all counters are thread-safe).

    - ``answer``: the chat answer (a string, or a function of the messages); by default
      the first item after ``Options:`` in the user message, else its first word.
    - ``reject_echo``: answer ``echo`` completions with 400 (a chat-only endpoint).
    - ``null_logprobs``: answer completions with ``"logprobs": null`` (like Ollama).
    - ``prompt_arrays``: how a prompt array is answered: ``"accept"`` (one choice per
      prompt), ``"reject"`` (HTTP 500 with an empty message, as the llama.cpp python
      server's ``assert len(body.prompt) <= 1`` does) or ``"first"`` (a choice for the
      first prompt only).
    - ``chat_logprobs``: how a chat request with ``logprobs`` is answered: ``"top"``
      (``top_logprobs`` of the first answer token), ``"none"`` (the parameter is
      ignored, as some Ollama versions do) or ``"reject"`` (HTTP 400).
    - ``chat_top``: the first answer token's (token, log-prob) list, highest first, as a
      function of the messages (default :func:`chat_top_logprobs`).
    - ``serial``: handle one request at a time, as a one-process model server does; a
      request the client gave up on is still computed to the end.
    - ``omit_usage``: leave ``usage`` out of responses.
    - ``latency``: seconds to wait before every answer (or a function of the payload).
    - ``slow_s``: how long a ``"slow"`` fault sleeps; ``retry_after``: the header value
      sent with a ``"429"`` fault.
    - ``api_key``: when set, requests without ``Authorization: Bearer <api_key>`` get 401.
    - ``basic_auth``: ``(user, password)``; when set, requests without that HTTP basic
      authentication get 401.
    - ``required_query``: parameters every request's query must carry, else 401 (a
      gateway that takes its key as ``?api_key=...``).
    - ``error_message``: the error message of injected status faults (default
      ``"injected <status>"``).
    - ``json_modes``: the ``response_format`` kinds taken (``"json_schema"``,
      ``"json_object_schema"``, ``"json_object"``); ``format_refusal_status``: the status
      of a refused one (400; llama-cpp-python's server answers 500).

    Counters: ``requests`` (all received), ``by_path``, ``faults_served``, ``in_flight``,
    ``max_in_flight``, ``arrivals`` (``in_flight`` as each request arrived, itself
    included), ``usage_prompt_tokens``/``usage_completion_tokens`` (summed over
    the ``usage`` of fault-free successful responses), ``payloads``, ``auth_headers`` and
    ``targets`` (the request target, query included) per request, in arrival order.
    """

    def __init__(
        self,
        *,
        answer: str | Callable[[list[dict[str, Any]]], str] | None = None,
        reject_echo: bool = False,
        null_logprobs: bool = False,
        omit_usage: bool = False,
        latency: float | Callable[[dict[str, Any]], float] = 0.0,
        slow_s: float = 1.0,
        retry_after: str = "0",
        api_key: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        required_query: dict[str, str] | None = None,
        error_message: str | None = None,
        prompt_arrays: str = "accept",
        chat_logprobs: str = "top",
        chat_top: Callable[[list[dict[str, Any]]], list[tuple[str, float]]] | None = None,
        serial: bool = False,
        json_modes: tuple[str, ...] = ("json_schema", "json_object_schema", "json_object"),
        format_refusal_status: int = 400,
    ) -> None:
        self.answer = answer
        self.json_modes = json_modes
        self.format_refusal_status = format_refusal_status
        self.reject_echo = reject_echo
        self.null_logprobs = null_logprobs
        self.prompt_arrays = prompt_arrays
        self.chat_logprobs = chat_logprobs
        self.chat_top = chat_top or chat_top_logprobs
        self.serial = serial
        self._serial_lock = threading.Lock()
        self.omit_usage = omit_usage
        self.latency = latency
        self.slow_s = slow_s
        self.retry_after = retry_after
        self.api_key = api_key
        self.basic_auth = basic_auth
        self.required_query = dict(required_query or {})
        self.error_message = error_message

        self._lock = threading.Lock()
        self._faults: deque[str] = deque()
        self._stop = threading.Event()
        self.requests = 0
        self.by_path: Counter[str] = Counter()
        self.faults_served: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.arrivals: list[int] = []
        self.usage_prompt_tokens = 0
        self.usage_completion_tokens = 0
        self.payloads: list[Any] = []
        self.auth_headers: list[str | None] = []
        self.targets: list[str] = []  # request targets as sent: path and query

        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeOpenAIServer:
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ control

    def add_faults(self, *faults: str) -> None:
        """Apply ``faults`` to the next ``len(faults)`` requests, in order."""
        for fault in faults:
            if fault not in FAULTS and not fault.isdigit():
                raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._faults.extend(faults)

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    # ------------------------------------------------------------------ handling

    def _handle(self, handler: _Handler) -> None:
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.arrivals.append(self.in_flight)
            fault = self._faults.popleft() if self._faults else None
            if fault is not None:
                self.faults_served.append(fault)
        try:
            self._respond(handler, fault)
        finally:
            self._leave(handler)

    def _leave(self, handler: _Handler) -> None:
        """End ``handler``'s in-flight period (once).

        Called before the response is written: once the client has read it, it may send
        its next request before this thread gets to run again.
        """
        with self._lock:
            if not handler.left:
                handler.left = True
                self.in_flight -= 1

    def _respond(self, handler: _Handler, fault: str | None) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = handler.path.split("?", 1)[0].rstrip("/")
        try:
            payload: Any = json.loads(raw) if raw else {}
        except ValueError:
            payload = None
        with self._lock:
            self.by_path[path] += 1
            self.payloads.append(payload)
            self.auth_headers.append(handler.headers.get("Authorization"))
            self.targets.append(handler.path)
        with self._serial_lock if self.serial else contextlib.nullcontext():
            self._work(handler, fault, path, payload)

    def _work(self, handler: _Handler, fault: str | None, path: str, payload: Any) -> None:
        delay = self.latency(payload) if callable(self.latency) else self.latency
        if delay:
            self._stop.wait(delay)

        if fault == "slow":
            self._stop.wait(self.slow_s)
        elif fault == "disconnect":
            handler.close_connection = True
            return
        elif fault == "garbage":
            handler.send_raw(200, b"<html>502 Bad Gateway</html>")
            return
        elif fault == "missing_fields":
            handler.send_json(200, {"id": "x", "object": "text_completion", "model": "fake"})
            return
        elif fault == "429":
            handler.send_json(
                429,
                {"error": {"message": "rate limited", "type": "rate_limit"}},
                {"Retry-After": self.retry_after},
            )
            return
        elif fault is not None and fault.isdigit():
            handler.send_json(
                int(fault), {"error": {"message": self.error_message or f"injected {fault}"}}
            )
            return

        if self.api_key is not None and (
            handler.headers.get("Authorization") != f"Bearer {self.api_key}"
        ):
            handler.send_json(401, {"error": {"message": "invalid api key"}})
            return
        if self.basic_auth is not None:
            token = base64.b64encode(":".join(self.basic_auth).encode()).decode()
            if handler.headers.get("Authorization") != f"Basic {token}":
                handler.send_json(401, {"error": {"message": "basic authentication required"}})
                return
        if self.required_query:
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(handler.path).query))
            if any(query.get(k) != v for k, v in self.required_query.items()):
                handler.send_json(401, {"error": {"message": "missing or wrong query key"}})
                return
        if handler.command != "POST" or not isinstance(payload, dict):
            handler.send_json(400, {"error": {"message": "expected a JSON POST body"}})
            return
        if path == "/v1/completions":
            status, body = self._completions(payload)
        elif path == "/v1/chat/completions":
            status, body = self._chat(payload)
        else:
            status, body = 404, {"error": {"message": f"no route {path}"}}

        if status == 200 and "usage" in body:
            if fault is None:  # a faulty answer never reaches the client intact
                with self._lock:
                    self.usage_prompt_tokens += body["usage"]["prompt_tokens"]
                    self.usage_completion_tokens += body["usage"]["completion_tokens"]
            if self.omit_usage:
                del body["usage"]
        data = json.dumps(body).encode()
        if fault == "truncated_json":
            data = data[: len(data) // 2]
        handler.send_raw(status, data)

    def _completions(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        prompt = payload.get("prompt")
        if isinstance(prompt, list) and prompt and all(isinstance(p, str) for p in prompt):
            prompts = prompt
            if len(prompts) > 1 and self.prompt_arrays == "reject":
                return 500, {"error": {"message": "", "type": "internal_server_error"}}
            if self.prompt_arrays == "first":
                prompts = prompts[:1]
        elif isinstance(prompt, str):
            prompts = [prompt]
        else:
            return 400, {"error": {"message": "prompt must be a string or a list of strings"}}
        echo = bool(payload.get("echo"))
        if echo and self.reject_echo:
            return 400, {"error": {"message": "echo is not supported for this model"}}
        max_tokens = int(payload.get("max_tokens", 16))
        choices = []
        n_prompt = n_completion = 0
        for index, text in enumerate(prompts):
            choice, used_prompt, used_completion = self._completion_choice(
                text, echo, max_tokens, payload.get("logprobs") is not None
            )
            choices.append({"index": index, **choice})
            n_prompt += used_prompt
            n_completion += used_completion
        return 200, {
            "id": "cmpl-fake",
            "object": "text_completion",
            "model": payload.get("model"),
            "choices": choices,
            "usage": {
                "prompt_tokens": n_prompt,
                "completion_tokens": n_completion,
                "total_tokens": n_prompt + n_completion,
            },
        }

    def _completion_choice(
        self, prompt: str, echo: bool, max_tokens: int, want_logprobs: bool
    ) -> tuple[dict[str, Any], int, int]:
        prompt_tokens = tokenize(prompt)
        generated = [(GENERATED_TOKEN, len(prompt))] if max_tokens > 0 else []
        shown = (prompt_tokens if echo else []) + generated
        logprobs: dict[str, Any] | None = None
        if want_logprobs and not self.null_logprobs:
            full = prompt + "".join(t for t, _ in generated)
            values: list[float | None] = [
                None if offset == 0 else token_logprob(full[:offset], token)
                for token, offset in shown
            ]
            logprobs = {
                "tokens": [t for t, _ in shown],
                "token_logprobs": values,
                "text_offset": [o for _, o in shown],
                "top_logprobs": None,
            }
        text = "".join(t for t, _ in shown)
        choice = {"text": text, "logprobs": logprobs, "finish_reason": "length"}
        return choice, len(prompt_tokens), len(generated)

    def _chat(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        messages = payload.get("messages")
        if not isinstance(messages, list) or not messages:
            return 400, {"error": {"message": "messages must be a non-empty list"}}
        want_logprobs = bool(payload.get("logprobs"))
        top: list[tuple[str, float]] = []
        if want_logprobs and self.chat_logprobs == "reject":
            return 400, {"error": {"message": "logprobs are not supported by this model"}}
        if want_logprobs and self.chat_logprobs == "top":
            k = int(payload.get("top_logprobs") or 0)
            if k > MAX_TOP_LOGPROBS:
                return 400, {"error": {"message": f"top_logprobs must be <= {MAX_TOP_LOGPROBS}"}}
            top = self.chat_top(messages)
        response_format = payload.get("response_format")
        json_mode = _format_kind(response_format)
        if json_mode is not None and json_mode not in self.json_modes:
            message = f"response_format of type {json_mode!r} is not supported"
            return self.format_refusal_status, {"error": {"message": message}}
        if top:
            answer = top[0][0]
        elif callable(self.answer):
            answer = self.answer(messages)
        elif self.answer is not None:
            answer = self.answer
        elif json_mode == "json_object":
            answer = "{}"
        elif json_mode is not None:
            answer = json.dumps(schema_instance(_format_schema(response_format)))
        else:
            answer = _default_answer(messages)
        for stop in payload.get("stop") or []:
            if stop and stop in answer:
                answer = answer[: answer.index(stop)]
        tokens = tokenize(answer)
        max_tokens = int(payload.get("max_tokens", 16))
        finish = "stop"
        if len(tokens) > max_tokens:
            tokens = tokens[:max_tokens]
            answer = "".join(t for t, _ in tokens)
            finish = "length"
        prompt_tokens = sum(len(tokenize(str(m.get("content", "")))) for m in messages)
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": answer},
            "finish_reason": finish,
        }
        if top:
            k = int(payload.get("top_logprobs") or 0)
            shown = [{"token": t, "logprob": lp, "bytes": None} for t, lp in top[:k]]
            choice["logprobs"] = {
                "content": [
                    {"token": top[0][0], "logprob": top[0][1], "bytes": None, "top_logprobs": shown}
                ]
            }
        return 200, {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": payload.get("model"),
            "choices": [choice],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": len(tokens),
                "total_tokens": prompt_tokens + len(tokens),
            },
        }


# Backend options for tests against the fake server: quick retries, a short timeout.
FAST_RETRY: dict[str, Any] = {
    "max_retries": 3,
    "backoff_base_s": 0.001,
    "backoff_max_s": 0.01,
    "timeout_s": 2.0,
}


def fast_backend(server: FakeOpenAIServer, **kwargs: Any) -> Any:
    """An ``OpenAICompatBackend`` for model ``fake-model`` on ``server`` with
    :data:`FAST_RETRY` options, any of them overridden by ``kwargs``."""
    from taskfit.backends.openai_compat import OpenAICompatBackend

    return OpenAICompatBackend("fake-model", server.base_url, **(FAST_RETRY | kwargs))
