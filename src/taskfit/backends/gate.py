"""A limit on requests in flight to one endpoint, shared beyond one process.

What: :class:`InFlightGate` is what :class:`~taskfit.backends.openai_http.HTTPSession`
asks before each request (after its own pacer) and tells after it; :class:`LocalGate`
is a process-local one (a counting semaphore), used by tests and as the reference.

Why: every process that talks to an endpoint paces itself (AIMD up to
``max_concurrency``); several processes doing so - units running on Ray workers - would
send N times the limit between them and turn a busy server's answers into 429s. A gate
held by one process for all of them (:class:`taskfit.run.ray_actors.RayGate`) keeps the
endpoint's total at the limit.

Design: ``acquire`` blocks until there is room and returns a lease; ``release`` gives it
back. ``hold_s`` is how long the caller may hold it (its request timeout plus a margin):
a gate shared across processes reclaims a lease held longer, so a process killed
mid-request does not keep its place for ever.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

__all__ = ["InFlightGate", "LocalGate"]


@runtime_checkable
class InFlightGate(Protocol):
    """Room for one more request in flight to an endpoint."""

    def acquire(self, hold_s: float) -> object:
        """Block until a request may be sent; the lease to :meth:`release` after it."""
        ...

    def release(self, lease: object) -> None:
        """The request the lease was for has ended (answered, failed or timed out)."""
        ...


class LocalGate:
    """At most ``limit`` leases at once in this process; ``peak`` is the most seen.

    >>> g = LocalGate(2)
    >>> a, b = g.acquire(1.0), g.acquire(1.0)
    >>> g.in_flight, g.peak
    (2, 2)
    >>> g.release(a); g.in_flight
    1
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"an in-flight limit must be >= 1, got {limit}")
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self._cond = threading.Condition()

    def acquire(self, hold_s: float) -> object:
        with self._cond:
            while self.in_flight >= self.limit:
                self._cond.wait()
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            return object()

    def release(self, lease: object) -> None:
        with self._cond:
            self.in_flight -= 1
            self._cond.notify()
