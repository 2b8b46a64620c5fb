"""HTTP machinery of :mod:`taskfit.backends.openai_compat`: retries, timeouts, pacing.

What: :class:`HTTPSession` POSTs JSON with retries, and :class:`Pacer` decides how many
requests may be in flight and how long each may take.

Why: a served model is often one process working through requests one at a time (the
llama.cpp python server), or a shared GPU server that answers 429/503 when busy. A fixed
timeout and a fixed number of requests in flight fail both: with 77 labels every request
to a slow serial server timed out at 60 s while the server kept computing the abandoned
ones, and the retries piled more work on. So:

- **Timeouts follow what the server has shown it needs** (``timeout_s=None``): until a
  first answer, requests get a generous ``initial_timeout_s`` (300 s); then the timeout is
  ``timeout_factor`` (4) times the observed seconds per request times the requests in
  flight (weighted: a prompt array of 77 prompts counts 77), at least ``min_timeout_s``
  (30 s), at most ``max_timeout_s`` (1 h). A timeout teaches that a request takes at
  least that long (and doubles the estimate once per window), so the next timeouts are
  longer. A number for ``timeout_s`` fixes it.
- **In-flight requests follow the server's pace** (AIMD, like TCP congestion control):
  the limit starts at ``max_concurrency``, halves on a timeout, 429 or 5xx (once per
  window: failures of requests sent before the last cut do not cut again), and grows by
  one after as many successes in a row as the limit, never above ``max_concurrency``.
- **A limit shared with other processes** (``HTTPSession.gate``, see
  :mod:`taskfit.backends.gate`): when set, each request also holds a lease of it while in
  flight, so the workers of a Ray run keep one endpoint at its limit between them.
- **Retries**: 429 (``Retry-After`` honoured, capped at ``backoff_max_s``), 5xx,
  timeouts, connection errors and malformed bodies are retried with exponential backoff
  and jitter; other statuses raise :class:`StatusError` at once.

Credentials in the base URL: userinfo (``http://user:KEY@host/v1``) is sent as HTTP
basic authentication (it wins over an API key's ``Bearer`` header: one request has one
``Authorization``) and never appears in a request URL; the query (``?api_key=KEY``) is
sent on every request, after the endpoint's path. Error messages are one line, name the
URL with both redacted (:func:`taskfit.backends.redact.redact_url`), and never contain
the API key or any other secret of the URL.
"""

from __future__ import annotations

import math
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import httpx

from taskfit.backends.gate import InFlightGate
from taskfit.backends.openai_parse import Malformed
from taskfit.backends.redact import MASK, is_secret_param, redact_text
from taskfit.backends.redact import redact_url as redact_url
from taskfit.errors import BackendError

__all__ = [
    "Endpoint",
    "HTTPSession",
    "Outcome",
    "Pacer",
    "Slot",
    "StatusError",
    "one_line",
    "redact_url",
    "suffix",
]

_DETAIL_MAX_CHARS = 200

# How much longer than its request's timeout a lease of a shared gate may be held.
_GATE_MARGIN_S = 30.0

_T = TypeVar("_T")


class StatusError(BackendError):
    """An HTTP status that is not retried (a 4xx other than 429, or any error in a probe)."""

    def __init__(self, message: str, *, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class Outcome(Enum):
    ANSWERED = "answered"  # a 2xx response: the server kept pace
    TIMEOUT = "timeout"
    BUSY = "busy"  # 429 or 5xx
    OTHER = "other"  # client errors, connection errors: no verdict on the pace


@dataclass(frozen=True)
class Slot:
    timeout: float
    weight: float
    load: float  # in-flight weight when the request started, itself included
    started: float
    window: int


class Pacer:
    """The in-flight limit (AIMD) and per-request timeouts; thread-safe.

    >>> p = Pacer(4, timeout_s=None, initial_timeout_s=300, min_timeout_s=30)
    >>> slot = p.acquire()
    >>> slot.timeout, p.limit
    (300, 4)
    """

    _EWMA = 0.3  # weight of the newest observation in the seconds-per-request estimate

    def __init__(
        self,
        max_concurrency: int,
        *,
        timeout_s: float | None,
        initial_timeout_s: float = 300.0,
        min_timeout_s: float = 30.0,
        max_timeout_s: float = 3600.0,
        timeout_factor: float = 4.0,
        adaptive_concurrency: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_concurrency = max_concurrency
        self.fixed_timeout = timeout_s
        self.initial_timeout = initial_timeout_s
        self.min_timeout = min_timeout_s
        self.max_timeout = max(max_timeout_s, min_timeout_s)
        self.factor = timeout_factor
        self.adaptive = adaptive_concurrency
        self._clock = clock
        self.limit = max_concurrency
        self.cuts = 0  # times the limit was halved
        self._cond = threading.Condition()
        self._in_flight = 0
        self._load = 0.0
        self._unit_s: float | None = None  # seconds per request per unit of load
        self._window = 0
        self._streak = 0

    def timeout_for(self, load: float) -> float:
        """The timeout of a request started with ``load`` in flight (itself included)."""
        if self.fixed_timeout is not None:
            return self.fixed_timeout
        if self._unit_s is None:
            return self.initial_timeout
        wanted = self.factor * self._unit_s * max(load, 1.0)
        return min(self.max_timeout, max(self.min_timeout, wanted))

    @property
    def timeout_now(self) -> float:
        """The timeout a request of weight 1 sent now would get."""
        with self._cond:
            return self.timeout_for(self._load + 1.0)

    def acquire(self, weight: float = 1.0) -> Slot:
        """Wait for room under the limit, then count a request of ``weight`` in flight."""
        with self._cond:
            while self._in_flight >= self.limit:
                self._cond.wait()
            self._in_flight += 1
            self._load += weight
            return Slot(
                timeout=self.timeout_for(self._load),
                weight=weight,
                load=self._load,
                started=self._clock(),
                window=self._window,
            )

    def release(self, slot: Slot, outcome: Outcome) -> None:
        with self._cond:
            self._in_flight -= 1
            self._load = max(0.0, self._load - slot.weight)
            if outcome is Outcome.ANSWERED:
                sample = (self._clock() - slot.started) / slot.load
                if self._unit_s is None:
                    self._unit_s = sample
                else:
                    self._unit_s += self._EWMA * (sample - self._unit_s)
                self._streak += 1
                if self.adaptive and self._streak >= self.limit:
                    self._streak = 0
                    self.limit = min(self.max_concurrency, self.limit + 1)
            elif outcome in (Outcome.TIMEOUT, Outcome.BUSY):
                self._streak = 0
                # Requests sent before the last cut report on the old window: one cut
                # (and one doubling of the time estimate) per window.
                fresh = slot.window == self._window
                if fresh:
                    self._window += 1
                if outcome is Outcome.TIMEOUT:
                    # It takes at least that long, and a serial server is still busy
                    # with the abandoned request: the next timeouts grow.
                    grown = 2.0 * self._unit_s if (fresh and self._unit_s) else 0.0
                    self._unit_s = max(self._unit_s or 0.0, grown, slot.timeout / slot.load)
                if self.adaptive and fresh:
                    self.cuts += 1
                    self.limit = max(1, self.limit // 2)
            self._cond.notify_all()


@dataclass(frozen=True)
class Endpoint:
    """A base URL split into what requests need and what messages may show.

    ``origin_path`` is the URL without userinfo, query and fragment; ``query`` is sent
    on every request; ``username``/``password`` (percent-decoded) become basic auth;
    the ``shown_*`` fields are the same redacted, for messages; ``secrets`` are the
    values no message may contain.

    >>> e = Endpoint.parse("http://u:p%40ss@h:8/v1?api_key=K&region=eu")
    >>> e.url("/completions")
    'http://h:8/v1/completions?api_key=K&region=eu'
    >>> e.shown_url("/completions"), e.password
    ('http://***@h:8/v1/completions?api_key=***&region=eu', 'p@ss')
    """

    origin_path: str
    query: str
    username: str | None
    password: str | None
    shown_base: str
    shown_origin_path: str
    shown_query: str
    secrets: tuple[str, ...]

    @classmethod
    def parse(cls, base_url: str) -> Endpoint:
        parts = urllib.parse.urlsplit(base_url)
        netloc = parts.netloc.rsplit("@", 1)[1] if "@" in parts.netloc else parts.netloc
        username = password = None
        if "@" in parts.netloc:
            userinfo = parts.netloc.rsplit("@", 1)[0]
            user, colon, pwd = userinfo.partition(":")
            username = urllib.parse.unquote(user)
            password = urllib.parse.unquote(pwd) if colon else None
        # A username alone is often the token itself (``http://KEY@host``); beside a
        # password it is a name, masked in URLs but not wherever the word occurs.
        secrets = [password if password is not None else (username or "")]
        for raw in (parts.query, parts.fragment):
            for name, value in urllib.parse.parse_qsl(raw, keep_blank_values=True):
                if is_secret_param(name):
                    secrets.append(value)
        for s in list(secrets):  # as written in the URL too
            secrets.append(urllib.parse.quote(s, safe=""))
        origin_path = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        shown_base = redact_url(base_url)
        shown = urllib.parse.urlsplit(shown_base)
        shown_origin = urllib.parse.urlunsplit((shown.scheme, shown.netloc, shown.path, "", ""))
        kept = tuple(sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True))
        return cls(
            origin_path=origin_path.rstrip("/"),
            query=parts.query,
            username=username,
            password=password,
            shown_base=shown_base,
            shown_origin_path=shown_origin.rstrip("/"),
            shown_query=shown.query,
            secrets=kept,
        )

    def url(self, path: str) -> str:
        """The request URL of ``path``: no userinfo, the base URL's query kept."""
        return self.origin_path + path + (f"?{self.query}" if self.query else "")

    def shown_url(self, path: str) -> str:
        """The URL of ``path`` as messages show it: credentials (userinfo too) as ``***``."""
        return self.shown_origin_path + path + (f"?{self.shown_query}" if self.shown_query else "")

    def redact(self, text: str) -> str:
        """``text`` with every URL redacted and every secret of this endpoint masked."""
        text = redact_text(text)
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


class HTTPSession:
    """POST JSON to one base URL with retries, paced by a :class:`Pacer`.

    Counters (thread-safe, read after a batch): ``requests_total`` (HTTP requests
    attempted, retries included), ``retries_total`` and ``timeouts_total``.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        pacer: Pacer,
        *,
        max_retries: int,
        backoff_base_s: float,
        backoff_max_s: float,
        transport: httpx.BaseTransport | None = None,
        gate: InFlightGate | None = None,
    ) -> None:
        self._endpoint = Endpoint.parse(base_url)
        # a limit shared with other processes, asked after the pacer (see backends.gate)
        self.gate = gate
        self.shown_base = self._endpoint.shown_base
        self.pacer = pacer
        self._api_key = api_key
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        auth = None
        if self._endpoint.username is not None:
            auth = httpx.BasicAuth(self._endpoint.username, self._endpoint.password or "")
        n = pacer.max_concurrency
        self._client = httpx.Client(
            headers=headers,
            auth=auth,
            transport=transport,
            limits=httpx.Limits(max_connections=n, max_keepalive_connections=n),
        )
        self._lock = threading.Lock()
        self.requests_total = 0
        self.retries_total = 0
        self.timeouts_total = 0

    def close(self) -> None:
        self._client.close()

    def url(self, path: str) -> str:
        """The URL requests to ``path`` go to (the base URL's query included)."""
        return self._endpoint.url(path)

    def shown_url(self, path: str) -> str:
        """The URL of ``path`` as messages name it, credentials redacted."""
        return self._endpoint.shown_url(path)

    def message(self, text: str) -> str:
        """One line, prefixed, with the URL's credentials and the API key removed."""
        text = one_line(self._endpoint.redact(text))
        if self._api_key:
            text = text.replace(self._api_key, MASK)
        return f"openai backend: {text}"

    def post_json(
        self,
        path: str,
        payload: dict[str, Any],
        parse: Callable[[Any], _T],
        *,
        weight: float = 1.0,
        probe: bool = False,
    ) -> tuple[_T, int]:
        """POST ``payload`` to ``base_url + path``; return ``(parse(body), attempts)``.

        Retried: 429, 5xx, timeouts, connection errors, non-JSON bodies and bodies for
        which ``parse`` raises :class:`~taskfit.backends.openai_parse.Malformed`. Other
        statuses raise :class:`StatusError` at once, and so does any error status but
        429 when ``probe`` is set (the caller is asking whether the server accepts this
        kind of request; a refusal is an answer, not a fault). Anything else ``parse``
        raises propagates.
        """
        url = self.url(path)
        shown = self.shown_url(path)
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
            slot = self.pacer.acquire(weight)
            outcome = Outcome.OTHER
            gate, lease = self.gate, None
            try:
                if gate is not None:
                    lease = gate.acquire(slot.timeout + _GATE_MARGIN_S)
                try:
                    response = self._client.post(
                        url, json=payload, timeout=httpx.Timeout(slot.timeout)
                    )
                except httpx.TimeoutException:
                    outcome = Outcome.TIMEOUT
                    last = f"timed out ({_seconds(slot.timeout)})"
                    with self._lock:
                        self.timeouts_total += 1
                except httpx.ConnectError as exc:
                    last = _describe_connect_error(exc)
                except httpx.TransportError as exc:
                    reason = one_line(str(exc)).rstrip(".") or type(exc).__name__
                    last = f"connection error ({reason})"
                else:
                    status = response.status_code
                    if status == 429:
                        outcome = Outcome.BUSY
                        last = f"HTTP 429 (rate limited){suffix(_error_detail(response))}"
                        retry_after = _parse_retry_after(response.headers.get("retry-after"))
                    elif status >= 500 and not probe:
                        outcome = Outcome.BUSY
                        last = f"HTTP {status}{suffix(_error_detail(response))}"
                    elif status >= 300:
                        detail = _error_detail(response)
                        raise StatusError(
                            self.message(f"{shown}: HTTP {status}{suffix(detail)}"),
                            status=status,
                            detail=self._endpoint.redact(detail),
                        )
                    else:
                        outcome = Outcome.ANSWERED
                        try:
                            body = response.json()
                        except ValueError:
                            last = "invalid JSON in response body"
                        else:
                            try:
                                return parse(body), attempt + 1
                            except Malformed as exc:
                                last = f"malformed response ({exc})"
            finally:
                if gate is not None and lease is not None:
                    gate.release(lease)
                self.pacer.release(slot, outcome)
            delay = self._backoff(attempt, retry_after)
        n = self._max_retries
        raise BackendError(
            self.message(f"{shown}: {last} after {n} retr{'y' if n == 1 else 'ies'}")
        )

    def run_batch(self, jobs: Sequence[Callable[[], _T]]) -> list[_T]:
        """Run ``jobs`` on up to ``max_concurrency`` threads; results in job order.

        How many requests are really in flight is the pacer's decision. The first
        failure (in job order among those that failed) is raised and jobs not yet
        started are cancelled.
        """
        workers = min(self.pacer.max_concurrency, len(jobs))
        if workers <= 1:
            return [job() for job in jobs]
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="taskfit-openai")
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


# ---------------------------------------------------------------------- small utilities


def one_line(text: str) -> str:
    return " ".join(text.split())


def suffix(detail: str) -> str:
    return f": {detail}" if detail else ""


def _seconds(value: float) -> str:
    return f"{round(value, 2):g}s"


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
    text = one_line(text)
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
    text = one_line(str(exc))
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if any(h in lowered for h in ("name or service", "nodename", "getaddrinfo", "resolve")):
        return "cannot resolve host"
    return f"connection failed ({text or type(exc).__name__})"
