"""One conformance test over every in-flight gate (taskfit.backends.gate): the
process-local one and Ray's, shared by every worker of a run (a local Ray instance of
one CPU on 127.0.0.1)."""

from __future__ import annotations

import threading
import time

import pytest
from tests.support.ray_cluster import skip_without_ray

from taskfit.backends.gate import InFlightGate, LocalGate


@pytest.fixture(params=["local", "ray"])
def gate_of(request):
    """A function: limit -> a gate of that limit."""
    if request.param == "local":
        yield LocalGate
        return
    skip_without_ray()
    import ray

    from taskfit.run.ray_actors import InFlightLimiter, RayGate

    ray.init(address="local", num_cpus=1, include_dashboard=False, logging_level="ERROR")
    try:
        yield lambda limit: RayGate(InFlightLimiter.remote(limit))
    finally:
        ray.shutdown()


def test_gate_conformance(gate_of):
    gate = gate_of(2)
    assert isinstance(gate, InFlightGate)
    lock = threading.Lock()
    now, peak = [0], [0]

    def request() -> None:
        lease = gate.acquire(60.0)
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.05)
        with lock:
            now[0] -= 1
        gate.release(lease)

    threads = [threading.Thread(target=request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert peak[0] == 2  # never more than the limit, and the limit is used
    # every lease came back: two can be held at once again, without waiting
    a, b = gate.acquire(60.0), gate.acquire(60.0)
    gate.release(a)
    gate.release(b)


def test_ray_gate_reclaims_a_lease_held_too_long():
    """A worker killed mid-request never releases its lease; the limiter takes it back
    once its time is up, so the endpoint's other callers are not blocked for ever."""
    skip_without_ray()
    import ray

    from taskfit.run.ray_actors import InFlightLimiter, RayGate

    ray.init(address="local", num_cpus=1, include_dashboard=False, logging_level="ERROR")
    try:
        limiter = InFlightLimiter.remote(1)
        gate = RayGate(limiter)
        gate.acquire(0.5)  # never released
        t0 = time.monotonic()
        gate.release(gate.acquire(60.0))  # waits for the first lease's time to run out
        assert 0.3 < time.monotonic() - t0 < 10
        stats = ray.get(limiter.stats.remote())
        assert stats["reclaimed"] == 1 and stats["granted"] == 2
    finally:
        ray.shutdown()
