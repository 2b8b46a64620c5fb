"""The Ray actors of a Ray run: a mailbox, a cache reader and in-flight limits.

What:

- :class:`Mailbox`: workers post what they want written (LLM calls and embeddings, as
  they are made) and how far their unit has come; the driver drains it, writes the
  store and advances the progress bars. Posts from one worker arrive in order.
- :class:`StoreReader`: serves the store's LLM-call and embedding caches to workers,
  read-only, from the driver's node (the store is a file on that node).
- :class:`InFlightLimiter`: the requests in flight to one served endpoint, across every
  worker, at most ``limit``; a lease held past its time is reclaimed (a killed worker
  does not keep its place). :class:`RayGate` is its
  :class:`~taskfit.backends.gate.InFlightGate` on a worker.

Why: the driver is the only writer of the store (no SQLite file is shared between
processes or over a network), yet a unit killed mid-way keeps the calls it made, and a
unit on a worker is served what earlier runs cached.

Design: the actors need no CPU (``num_cpus=0``), live as long as the driver (Ray ends
them with it), and are created by :class:`taskfit.run.ray_exec.RaySession`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from pathlib import Path
from typing import Any

import numpy as np
import ray

from taskfit.run.store import Store

__all__ = ["InFlightLimiter", "Mailbox", "RayGate", "StoreReader"]


@ray.remote(num_cpus=0)
class Mailbox:
    """Messages from workers to the driver, in arrival order."""

    def __init__(self) -> None:
        self._items: list[tuple[Any, ...]] = []

    def post(self, items: list[tuple[Any, ...]]) -> None:
        self._items.extend(items)

    def drain(self) -> list[tuple[Any, ...]]:
        items, self._items = self._items, []
        return items


@ray.remote(num_cpus=0)
class StoreReader:
    """The store's caches, read-only."""

    def __init__(self, path: str) -> None:
        self._store = Store(Path(path), read_only=True)

    def get_calls(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        return self._store.get_calls(keys)

    def get_embeddings(self, encoder: str, hashes: list[str]) -> dict[str, np.ndarray]:
        return self._store.get_embeddings(encoder, hashes)


@ray.remote(num_cpus=0)
class InFlightLimiter:
    """At most ``limit`` leases at once; ``peak`` is the most held at once so far."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.peak = 0
        self.granted = 0
        self.reclaimed = 0
        self._leases: dict[int, float] = {}  # lease -> when it expires (monotonic)
        self._ids = itertools.count()
        self._room = asyncio.Condition()

    async def acquire(self, hold_s: float) -> int:
        async with self._room:
            while True:
                self._reclaim()
                if len(self._leases) < self.limit:
                    break
                soonest = min(self._leases.values()) - time.monotonic()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._room.wait(), timeout=max(0.01, soonest))
            lease = next(self._ids)
            self._leases[lease] = time.monotonic() + hold_s
            self.granted += 1
            self.peak = max(self.peak, len(self._leases))
            return lease

    async def release(self, lease: int) -> None:
        async with self._room:
            self._leases.pop(lease, None)
            self._room.notify()

    async def stats(self) -> dict[str, int]:
        return {
            "limit": self.limit,
            "peak": self.peak,
            "granted": self.granted,
            "reclaimed": self.reclaimed,
            "in_flight": len(self._leases),
        }

    def _reclaim(self) -> None:
        now = time.monotonic()
        for lease, until in list(self._leases.items()):
            if until <= now:
                del self._leases[lease]
                self.reclaimed += 1


class RayGate:
    """An :class:`~taskfit.backends.gate.InFlightGate` over an :class:`InFlightLimiter`."""

    def __init__(self, limiter: Any) -> None:
        self.limiter = limiter

    def acquire(self, hold_s: float) -> object:
        return ray.get(self.limiter.acquire.remote(hold_s))

    def release(self, lease: object) -> None:
        self.limiter.release.remote(lease)  # no need to wait for the answer
