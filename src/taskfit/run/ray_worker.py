"""What runs on a Ray worker: one unit, with the store reached through the driver.

What: :func:`run_unit` is the body of a unit's Ray task. It runs the unit with the same
runner as the local executor (:func:`taskfit.run.runners.runner_for`) and returns a
:class:`WorkerOutcome`. The unit's LLM backends and encoder cache through a
:class:`RelayStore`: reads go to the driver's :class:`~taskfit.run.ray_actors.StoreReader`,
writes are posted to its :class:`~taskfit.run.ray_actors.Mailbox` as they are made.

Why: a worker never opens the store, yet a unit killed mid-way keeps the calls it made
and a unit on a worker is served what earlier runs cached.

Design: what a worker is sent is a :class:`WorkerConfig` (picklable: the encoder's name,
the LLM specs and their options, actor handles, the store's folder) plus the unit and
the dataset. The loaded encoder is kept by the worker process for its next unit.
A served endpoint's backend gets the session's shared in-flight limit
(:class:`~taskfit.run.ray_actors.RayGate`).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import ray

from taskfit.backends import LLMBackend
from taskfit.learners.embed import Embedder
from taskfit.run.llm_cache import CachingBackend
from taskfit.run.ray_actors import RayGate
from taskfit.run.runners import UnitEnv, runner_for
from taskfit.types import Dataset, Unit, UnitResult

__all__ = ["RelayStore", "WorkerConfig", "WorkerOutcome", "run_unit"]


@dataclass(frozen=True)
class WorkerConfig:
    """What every unit's task is sent besides the unit and the dataset."""

    encoder: str
    backend_factory: Callable[[str], LLMBackend]
    mailbox: Any
    reader: Any | None  # None: no store to read (nothing cached yet is served)
    limiters: dict[str, Any] = field(default_factory=dict)  # endpoint -> InFlightLimiter
    cache_dir: str | None = None  # the store's folder, used on the driver's node
    driver_node: str = ""
    memo: bool = False  # keep fitted learners for the next unit (derived test sets)


@dataclass(frozen=True)
class WorkerOutcome:
    result: UnitResult
    calls_made: int
    calls_cached: int
    pid: int
    node: str


class RelayStore:
    """The store's cache methods on a worker: what this unit wrote, else the driver's
    reader; writes are posted to the driver's mailbox as they are made."""

    def __init__(self, reader: Any | None, mailbox: Any) -> None:
        self._reader = reader
        self._mailbox = mailbox
        self._calls: dict[str, dict[str, Any]] = {}
        self._vectors: dict[tuple[str, str], np.ndarray] = {}

    def get_calls(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        found = {k: self._calls[k] for k in keys if k in self._calls}
        missing = [k for k in keys if k not in found]
        if missing and self._reader is not None:
            found.update(ray.get(self._reader.get_calls.remote(missing)))
        return found

    def put_calls(self, rows: Iterable[tuple[str, str, str, str, dict[str, Any]]]) -> None:
        rows = list(rows)
        for key, *_, response in rows:
            self._calls[key] = response
        self._mailbox.post.remote([("calls", rows)])

    def get_embeddings(self, encoder: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found = {h: self._vectors[encoder, h] for h in hashes if (encoder, h) in self._vectors}
        missing = [h for h in hashes if h not in found]
        if missing and self._reader is not None:
            found.update(ray.get(self._reader.get_embeddings.remote(encoder, missing)))
        return found

    def put_embeddings(self, encoder: str, items: dict[str, np.ndarray]) -> None:
        for h, v in items.items():
            self._vectors[encoder, h] = v
        self._mailbox.post.remote([("embeddings", encoder, dict(items))])


class _Progress:
    """Examples done, posted to the mailbox at most every ``every`` seconds."""

    def __init__(self, mailbox: Any, key: str, every: float = 0.3) -> None:
        self.mailbox, self.key, self.every = mailbox, key, every
        self.pending = 0
        self.last = time.monotonic()

    def __call__(self, n: int) -> None:
        self.pending += n
        if time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.mailbox.post.remote([("advance", self.key, self.pending)])
            self.pending = 0
        self.last = time.monotonic()


# Kept by the worker process between units: the loaded encoder, fitted learners.
_EMBEDDERS: dict[str, Embedder] = {}
_FITTED: dict[str, Any] = {}
_FITTED_MAX = 8


def _embedder(encoder: str, cache: RelayStore) -> Embedder:
    if encoder not in _EMBEDDERS:
        _EMBEDDERS[encoder] = Embedder(encoder)
    embedder = _EMBEDDERS[encoder]
    embedder.cache = cache
    return embedder


def _share_of_cpus() -> int:
    cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 1.0)
    return max(1, int(cpus))


def run_unit(unit: Unit, dataset: Dataset, config: WorkerConfig) -> WorkerOutcome:
    """Run ``unit`` on ``dataset``; raises what the runner raises (after posting the
    calls it made)."""
    node = ray.get_runtime_context().get_node_id()
    os.environ["TASKFIT_CPUS"] = str(_share_of_cpus())
    relay = RelayStore(config.reader, config.mailbox)
    backends: dict[str, CachingBackend] = {}

    def backend(spec: str) -> CachingBackend:
        if spec not in backends:
            inner = config.backend_factory(spec)
            endpoint = getattr(inner, "endpoint", None)
            if endpoint in config.limiters and hasattr(inner, "gate"):
                inner.gate = RayGate(config.limiters[endpoint])
            backends[spec] = CachingBackend(inner, relay)
        return backends[spec]

    if config.cache_dir and node == config.driver_node:
        cache_dir: Path | None = Path(config.cache_dir)
    else:  # another node: adapters are kept on it, not in the driver's folder
        cache_dir = Path(tempfile.gettempdir()) / "taskfit-worker"
    if len(_FITTED) > _FITTED_MAX or not config.memo:
        _FITTED.clear()
    progress = _Progress(config.mailbox, unit.key)
    env = UnitEnv(
        dataset,
        _embedder(config.encoder, relay),
        backend,
        progress,
        _FITTED if config.memo else None,
        cache_dir=cache_dir,
    )
    runner = runner_for(unit, dataset.task)
    config.mailbox.post.remote([("started", unit.key, runner.total(unit, env))])
    made = cached = 0
    try:
        result = runner.run(unit, env)
    finally:
        for b in backends.values():
            made, cached = made + b.calls_made, cached + b.calls_cached
            b.close()
        progress.flush()
        # Posts from this worker arrive in order: once this one is in, all are.
        ray.get(config.mailbox.post.remote([]))
    return WorkerOutcome(result, made, cached, os.getpid(), node)
