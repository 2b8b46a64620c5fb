"""Adaptive timeouts and in-flight pacing of the OpenAI-compatible backend.

The pacer is tested with a hand-driven clock; the backend against the scripted local
server (tests/support/fake_openai_server.py) in its serial mode, which handles one
request at a time and finishes requests the client gave up on, as a one-process model
server does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.support.fake_openai_server import FakeOpenAIServer, expected_score

from taskfit.backends.base import GenerateRequest, ScoreRequest
from taskfit.backends.openai_compat import OpenAICompatBackend
from taskfit.backends.openai_http import Outcome, Pacer
from taskfit.errors import BackendError, UsageError

PREFIX = "Classify the sentiment of the review.\nReview:"
OPTIONS = (" positive", " negative")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture
def serial_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(serial=True, latency=0.3) as srv:
        yield srv


def make_backend(server: FakeOpenAIServer, **kwargs: Any) -> OpenAICompatBackend:
    options: dict[str, Any] = {"backoff_base_s": 0.001, "backoff_max_s": 0.01} | kwargs
    return OpenAICompatBackend("fake-model", server.base_url, **options)


def pacer(clock: Clock, max_concurrency: int = 8, **kwargs: Any) -> Pacer:
    options: dict[str, Any] = {
        "timeout_s": None,
        "initial_timeout_s": 300.0,
        "min_timeout_s": 1.0,
        "timeout_factor": 4.0,
        "clock": clock,
    } | kwargs
    return Pacer(max_concurrency, **options)


# ---------------------------------------------------------------------- timeouts


def test_timeout_is_generous_until_an_answer_then_follows_the_observed_time(
    clock: Clock,
) -> None:
    p = pacer(clock)
    slot = p.acquire()
    assert slot.timeout == 300.0
    clock.now += 2.0
    p.release(slot, Outcome.ANSWERED)  # 2 s for one request alone
    one = p.acquire()
    two = p.acquire()  # a second request in flight: it waits for the first
    assert (one.timeout, two.timeout) == (4 * 2.0 * 1, 4 * 2.0 * 2)
    clock.now += 0.01
    p.release(one, Outcome.ANSWERED)
    p.release(two, Outcome.ANSWERED)
    assert p.timeout_now < 8.0  # faster answers, shorter timeouts...
    for _ in range(30):
        slot = p.acquire()
        clock.now += 0.001
        p.release(slot, Outcome.ANSWERED)
    assert p.timeout_now == 1.0  # ...down to the floor


def test_a_timeout_makes_the_next_timeouts_longer(clock: Clock) -> None:
    p = pacer(clock)
    first = p.acquire()
    clock.now += 300.0
    p.release(first, Outcome.TIMEOUT)  # slower than the generous first timeout
    assert p.timeout_now == 4 * 300.0
    slot = p.acquire()
    clock.now += 500.0
    p.release(slot, Outcome.ANSWERED)
    before = p.timeout_now
    slot = p.acquire()
    p.release(slot, Outcome.TIMEOUT)
    assert p.timeout_now >= 2 * before


def test_a_weighted_request_gets_a_proportional_timeout(clock: Clock) -> None:
    p = pacer(clock, min_timeout_s=0.1)
    slot = p.acquire()
    clock.now += 1.0
    p.release(slot, Outcome.ANSWERED)
    assert p.acquire(weight=10).timeout == pytest.approx(4 * 1.0 * 10)


def test_a_fixed_timeout_never_changes(clock: Clock) -> None:
    p = pacer(clock, timeout_s=60.0)
    slot = p.acquire()
    assert slot.timeout == 60.0
    p.release(slot, Outcome.TIMEOUT)
    clock.now += 500.0
    assert p.acquire().timeout == p.acquire(weight=77).timeout == 60.0


# ---------------------------------------------------------------------- in-flight limit


def test_limit_halves_once_per_window_and_grows_by_one_per_run_of_successes(
    clock: Clock,
) -> None:
    p = pacer(clock, max_concurrency=8)
    old = [p.acquire() for _ in range(3)]
    p.release(old[0], Outcome.TIMEOUT)
    assert p.limit == 4
    p.release(old[1], Outcome.BUSY)  # sent before the cut: no second cut
    assert (p.limit, p.cuts) == (4, 1)
    fresh = p.acquire()
    p.release(fresh, Outcome.BUSY)  # sent after the cut: cuts again
    assert (p.limit, p.cuts) == (2, 2)
    p.release(old[2], Outcome.ANSWERED)
    slot = p.acquire()
    p.release(slot, Outcome.ANSWERED)
    assert p.limit == 3  # two successes in a row at limit 2
    for _ in range(100):
        slot = p.acquire()
        p.release(slot, Outcome.ANSWERED)
    assert p.limit == 8  # never above max_concurrency


def test_other_failures_do_not_change_the_limit(clock: Clock) -> None:
    p = pacer(clock, max_concurrency=4)
    slot = p.acquire()
    p.release(slot, Outcome.OTHER)
    assert (p.limit, p.cuts) == (4, 0)


def test_fixed_concurrency_keeps_its_limit(clock: Clock) -> None:
    p = pacer(clock, max_concurrency=4, adaptive_concurrency=False)
    for _ in range(3):
        slot = p.acquire()
        p.release(slot, Outcome.TIMEOUT)
    assert p.limit == 4


def test_acquire_waits_for_room_under_the_limit(clock: Clock) -> None:
    p = pacer(clock, max_concurrency=1)
    first = p.acquire()
    got: list[float] = []
    waiter = threading.Thread(target=lambda: got.append(p.acquire().timeout))
    waiter.start()
    waiter.join(timeout=0.1)
    assert waiter.is_alive() and not got
    p.release(first, Outcome.ANSWERED)
    waiter.join(timeout=5)
    assert got


# ---------------------------------------------------------------------- against a server


def requests_for(n: int) -> list[ScoreRequest]:
    return [ScoreRequest(PREFIX, f" item {i}\nAnswer:", OPTIONS) for i in range(n)]


def test_a_serial_server_slower_than_the_first_timeout_still_finishes(
    serial_server: FakeOpenAIServer,
) -> None:
    # Each request takes 0.3 s and the server works one at a time; the first timeout
    # (0.15 s) is too short, later ones follow what the server showed it needs.
    reqs = requests_for(4)
    with make_backend(
        serial_server, initial_timeout_s=0.15, min_timeout_s=0.05, max_concurrency=2
    ) as backend:
        start = time.monotonic()
        results = backend.score_options(reqs)
        elapsed = time.monotonic() - start
        assert backend.timeouts_total >= 1
        assert backend.timeout_now_s > 0.3
    for req, res in zip(reqs, results, strict=True):
        context = req.prefix + req.body
        assert res.logprobs == pytest.approx([expected_score(context, o)[0] for o in OPTIONS])
    assert elapsed < 10


def test_a_fixed_timeout_still_times_out_and_retries(serial_server: FakeOpenAIServer) -> None:
    with make_backend(serial_server, timeout_s=0.15, max_retries=2) as backend:
        with pytest.raises(BackendError) as excinfo:
            backend.score_options(requests_for(1))
        assert backend.timeouts_total == 3
        assert backend.retries_total == 2
    assert str(excinfo.value).endswith("/completions: timed out (0.15s) after 2 retries")


@pytest.mark.parametrize("adaptive", [True, False])
def test_in_flight_requests_back_off_after_timeouts(adaptive: bool) -> None:
    with FakeOpenAIServer(slow_s=1.5) as server:
        server.add_faults("slow", "slow", "slow", "slow")
        with make_backend(
            server, timeout_s=0.5, max_concurrency=4, adaptive_concurrency=adaptive
        ) as backend:
            gens = backend.generate([GenerateRequest(prompt=f"Options: l{i}") for i in range(4)])
            assert backend.timeouts_total == 4
            # AIMD: one cut to 2 for the four timeouts of one window, then +1 after two
            # successes in a row; without adaptation the limit stays.
            assert backend.concurrency_limit == (3 if adaptive else 4)
    assert [g.text for g in gens] == [f"l{i}" for i in range(4)]


@pytest.mark.parametrize("fault", ["429", "503"])
def test_busy_answers_halve_the_limit(fault: str) -> None:
    with FakeOpenAIServer() as server:
        server.add_faults(fault)
        with make_backend(server, max_concurrency=4) as backend:
            backend.generate([GenerateRequest(prompt="Options: yes")])
            assert backend.concurrency_limit == 2
            assert backend.retries_total == 1


def test_timeouts_follow_fast_answers_down_to_the_floor() -> None:
    with (
        FakeOpenAIServer() as server,
        make_backend(server, initial_timeout_s=50.0, min_timeout_s=0.5) as backend,
    ):
        assert backend.timeout_now_s == 50.0
        backend.generate([GenerateRequest(prompt="Options: yes")])
        assert backend.timeout_now_s == 0.5


@pytest.mark.parametrize(
    "kwargs",
    [{"timeout_s": -1.0}, {"initial_timeout_s": 0}, {"min_timeout_s": 0}, {"top_logprobs": 0}],
)
def test_bad_pacing_configuration_is_a_usage_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        OpenAICompatBackend("m", "http://localhost:1/v1", **kwargs)
