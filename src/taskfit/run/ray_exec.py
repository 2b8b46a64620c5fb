"""Ray executor: the same plan as the local executor, each unit a Ray task.

What: :class:`RaySession` connects to a Ray cluster (``--ray-address``) or starts a
local Ray instance, and holds the run's actors (:mod:`taskfit.run.ray_actors`).
:class:`RayExecutor` is an :class:`~taskfit.run.execute.Executor` whose ``run`` serves
finished units from the store and sends every other unit to the cluster as a task of
:func:`taskfit.run.ray_worker.run_unit`, with the resources it declares
(:func:`unit_resources`).

Why: a comparison that outgrows one machine (many approaches x budgets x seeds, several
LLMs, LoRA training) runs the same units, keyed the same way, on more CPUs - with the
same results, and resumable the same way.

Design:

- The driver is the only writer of the store. Workers post the LLM calls and
  embeddings they make to the mailbox as they go, and return the unit's result; the
  driver drains the mailbox while it waits and writes each finished unit at once. A run
  killed at any moment repeats no finished unit when started again.
- A worker process lost mid-unit (killed, out of memory, node gone) is retried by Ray
  (``max_retries``); its unit starts again, served the calls it had posted.
- A unit's failure (bad data, an endpoint that keeps failing) cancels the units still
  running and is raised as itself, after the calls made so far are written.
- Ctrl+C, or the web UI's cancel, cancels the tasks and ends the run as locally.
- Served endpoints get one in-flight limit across all workers (the backend's
  ``max_concurrency``; :class:`~taskfit.run.ray_actors.InFlightLimiter`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from taskfit import approaches as registry
from taskfit.errors import UsageError
from taskfit.run.execute import Executor
from taskfit.types import Dataset, Unit, UnitResult

__all__ = ["RayExecutor", "RaySession", "unit_resources"]

GiB = 1024**3
# What a unit asks of a node unless its approach says more (Approach.resources).
DEFAULT_RESOURCES: dict[str, float] = {"num_cpus": 1, "memory": 1 * GiB}
MAX_RETRIES = 3  # a unit whose worker dies is tried this many times more


def unit_resources(unit: Unit) -> dict[str, float]:
    """The Ray resources of ``unit``'s task: the defaults, updated by its approach's."""
    wanted = registry.get(unit.approach).resources or {}
    return {**DEFAULT_RESOURCES, **dict(wanted)}


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError(
            "--executor ray needs Ray: pip install 'taskfit[ray]' (or pip install ray)"
        ) from None
    return ray


class RaySession:
    """A connection to Ray for one run, and the run's actors.

    ``address``: a running cluster's (``host:port`` or ``auto``); None starts a local
    Ray instance with this machine's CPUs (``num_cpus`` to give it fewer). A session
    in a process already connected to Ray uses that connection and leaves it open.
    """

    def __init__(
        self,
        address: str | None,
        store_path: Path | None,
        *,
        num_cpus: int | None = None,
    ) -> None:
        ray = _ray()
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports sent out
        self._owned = not ray.is_initialized()
        if self._owned:
            kwargs: dict[str, Any] = {
                "logging_level": logging.ERROR,
                "log_to_driver": False,
                "configure_logging": True,
            }
            if address:
                kwargs["address"] = address
            else:
                # "local": a new instance, even where another Ray runs (never join one unasked)
                kwargs.update(address="local", include_dashboard=False, num_cpus=num_cpus)
            try:
                ray.init(**kwargs)
            except (ConnectionError, ValueError, RuntimeError) as e:
                where = f"the Ray cluster at {address}" if address else "a local Ray instance"
                raise UsageError(f"--executor ray: could not start or reach {where}: {e}") from None
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from taskfit.run import ray_actors

        self.node = ray.get_runtime_context().get_node_id()
        mailbox: Any = ray_actors.Mailbox
        self.mailbox = mailbox.remote()
        self.reader = None
        if store_path is not None and Path(store_path).is_file():
            on_driver = NodeAffinitySchedulingStrategy(self.node, soft=False)
            reader: Any = ray_actors.StoreReader
            self.reader = reader.options(scheduling_strategy=on_driver).remote(str(store_path))
        self._limiters: dict[str, Any] = {}
        self._datasets: dict[int, tuple[Dataset, Any]] = {}

    def limiter(self, endpoint: str, limit: int) -> Any:
        """The in-flight limiter of ``endpoint`` (created at the first call's limit)."""
        if endpoint not in self._limiters:
            from taskfit.run import ray_actors

            limiter: Any = ray_actors.InFlightLimiter
            self._limiters[endpoint] = limiter.remote(limit)
        return self._limiters[endpoint]

    def put(self, dataset: Dataset) -> Any:
        """``dataset`` in the object store, put once however many units read it."""
        held = self._datasets.get(id(dataset))
        if held is None or held[0] is not dataset:
            held = (dataset, _ray().put(dataset))
            self._datasets[id(dataset)] = held
        return held[1]

    def close(self) -> None:
        ray = _ray()
        self._datasets.clear()
        if self._owned and ray.is_initialized():
            ray.shutdown()


@dataclass
class RayExecutor(Executor):
    """An executor whose units run as Ray tasks (see the module docstring)."""

    session: RaySession | None = None
    # LLM specs to their (max in-flight, endpoint) when served over HTTP
    endpoints: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    poll_s: float = 0.2

    def for_dataset(self, dataset: Dataset) -> RayExecutor:
        return replace(self, dataset=dataset, _backends={})

    def run(self, units: Sequence[Unit]) -> list[UnitResult]:
        t0 = time.perf_counter()
        results: list[UnitResult | None] = [None] * len(units)
        waiting: dict[str, list[int]] = {}
        for i, unit in enumerate(units):
            cached = self.store.get_unit(unit.key)
            if cached is not None:
                self.stats.units_cached += 1
                self.hook.unit_finished(unit, cached=True)
                results[i] = cached if cached.name == unit.name else replace(cached, name=unit.name)
            else:
                waiting.setdefault(unit.key, []).append(i)
        if waiting:
            for key, result in self._run_remote([units[ix[0]] for ix in waiting.values()]):
                for i in waiting[key]:
                    results[i] = replace(result, name=units[i].name)
        self.stats.wall_seconds += time.perf_counter() - t0
        return [r for r in results if r is not None]

    def _config(self) -> Any:
        from taskfit.run.ray_worker import WorkerConfig

        assert self.session is not None
        limiters = {
            endpoint: self.session.limiter(endpoint, limit)
            for endpoint, limit in self.endpoints.values()
        }
        cache_dir = self._cache_dir()
        return WorkerConfig(
            encoder=self.embedder.encoder,
            backend_factory=self.backend_factory,
            mailbox=self.session.mailbox,
            reader=self.session.reader,
            limiters=limiters,
            cache_dir=None if cache_dir is None else str(cache_dir),
            driver_node=self.session.node,
            memo=self.fitted is not None,
        )

    def _run_remote(self, units: Sequence[Unit]) -> list[tuple[str, UnitResult]]:
        ray = _ray()
        from taskfit.run.ray_worker import run_unit

        assert self.session is not None, "RayExecutor needs a RaySession"
        remote = ray.remote(run_unit)
        data = self.session.put(self.dataset)
        config = self._config()
        by_key = {u.key: u for u in units}
        pending = {
            remote.options(
                **unit_resources(u), max_retries=MAX_RETRIES, name=f"taskfit:{u.name}"
            ).remote(u, data, config): u.key
            for u in units
        }
        started: dict[str, int] = {}  # unit key -> progress reported so far
        done: list[tuple[str, UnitResult]] = []
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=self.poll_s)
                self._drain(by_key, started)
                for ref in ready:
                    key = pending.pop(ref)
                    try:
                        outcome = ray.get(ref)
                    except ray.exceptions.RayTaskError as e:
                        cause = getattr(e, "cause", None)
                        raise (cause if isinstance(cause, Exception) else e) from None
                    self._drain(by_key, started)
                    unit = by_key[key]
                    self.store.put_unit(unit.to_json(), outcome.result)
                    self.stats.units_run += 1
                    self.stats.llm_calls_made += outcome.calls_made
                    self.stats.llm_calls_cached += outcome.calls_cached
                    if key not in started:
                        self.hook.unit_started(unit, len(outcome.result.predictions))
                    self.hook.unit_finished(unit, cached=False)
                    done.append((key, outcome.result))
        except BaseException:
            # Cancel what still runs and keep the calls posted so far; on the way out
            # (Ctrl+C, a cancelled web job, a failed unit), so nothing here may mask it.
            try:
                for ref in pending:
                    ray.cancel(ref, force=True)
                self._drain(by_key, started, timeout=10.0)
            except Exception:
                pass
            raise
        return done

    def _drain(
        self, units: Mapping[str, Unit], started: dict[str, int], timeout: float | None = None
    ) -> None:
        """Write what workers posted; report their progress."""
        assert self.session is not None
        for item in _ray().get(self.session.mailbox.drain.remote(), timeout=timeout):
            kind = item[0]
            if kind == "calls":
                self.store.put_calls(item[1])
            elif kind == "embeddings":
                self.store.put_embeddings(item[1], item[2])
            elif kind == "started" and item[1] in units:
                if item[1] not in started:  # a retried unit keeps its first bar
                    started[item[1]] = 0
                    self.hook.unit_started(units[item[1]], item[2])
            elif kind == "advance" and item[1] in started:
                self.hook.unit_progress(units[item[1]], item[2])
