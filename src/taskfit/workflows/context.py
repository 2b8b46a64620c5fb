"""The run context: one object owns a run's lifecycle for every workflow.

It opens the store, names the run (``<time>[-<kind>]-<hash of the plan>``), records the
settings, hands out executors and LLM backends, and at the end writes the figures,
``results.json`` and ``summary.md`` atomically, then marks the run finished (or failed, on
any exception, interruption included) and closes the store.

>>> with RunContext.open(opts, kind="curve", key=keys, settings=record) as ctx:  # doctest: +SKIP
...     results = ctx.executor(dataset, llms).run(units)
...     ctx.write(doc)
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from taskfit.backends import LLMBackend, LLMSpec, make_backend
from taskfit.backends.options import options_for
from taskfit.config import DataSource, RunOptions, split_options
from taskfit.data import load_dataset
from taskfit.errors import DataError, UsageError
from taskfit.learners.embed import Embedder
from taskfit.metrics import DEFAULT_PRICES, load_price_file
from taskfit.report import render_summary
from taskfit.report.json import set_plots
from taskfit.run.execute import Executor, ProgressHook
from taskfit.run.store import Store, default_home

if TYPE_CHECKING:
    from taskfit.run.ray_exec import RaySession
from taskfit.tasks import TaskType, get_task, task_names
from taskfit.types import Dataset, canonical_hash
from taskfit.version import __version__

S = TypeVar("S")
R = TypeVar("R")

__all__ = [
    "RunContext",
    "SweepResult",
    "demo_dataset",
    "load_source",
    "package_versions",
    "prices_for",
    "record",
    "run_on_file",
    "task_type",
    "with_corpus",
    "write_atomic",
]


def prices_for(opts: RunOptions) -> dict[str, tuple[float, float]]:
    """The default API prices, updated from ``--price-file``."""
    prices = dict(DEFAULT_PRICES)
    if opts.price_file:
        prices.update(load_price_file(opts.price_file))
    return prices


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that a reader never sees half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def package_versions(own: str = __version__) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"taskfit": own}
    for pkg in ("llama-cpp-python", "sentence-transformers", "setfit", "scikit-learn", "torch"):
        with contextlib.suppress(PackageNotFoundError):
            out[pkg] = version(pkg)
    return out


# RunOptions fields a run does not record: the LLMs are recorded canonical (credentials
# redacted) by each workflow; the rest only say where output goes.
_NOT_RECORDED = ("llms", "plots", "out", "home", "backend_options", "ray_address")


def run_on_file(
    cls: type[S],
    run: Callable[..., R],
    check: Callable[[S], object],
    data: str | os.PathLike[str],
    settings: S | None,
    hook: ProgressHook | None,
    options: dict[str, Any],
) -> R:
    """A workflow's file entry point: settings from the call (``options`` hold the data
    source's fields too), ``check`` them before reading the file, load it, ``run``."""
    source, opts = split_options(cls, settings, options)
    check(opts)  # before loading: a typo in a flag should not wait for a big file
    dataset = load_source(data, source, seed=getattr(opts, "seed", 0))
    return run(dataset, opts, hook=hook)


def load_source(
    data: str | os.PathLike[str],
    source: DataSource,
    *,
    seed: int,
    group: str | None = None,
) -> Dataset:
    """Load ``data`` as ``source`` says, checked and split as its task type wants (labels
    of a fixed set: class checks and a stratified split; other targets: a random split),
    with the passages of its corpus (``--corpus``) when it names one."""
    task = task_type(source.task)
    fields = asdict(source)
    corpus = fields.pop("corpus")
    dataset = load_dataset(
        data,
        **fields,
        seed=seed,
        group=group,
        label_set=task.label_set,
        target_from=task.target_from,
        readers=task.readers,
    )
    problem = task.check_targets([e.target for e in dataset.train]) if task.check_targets else None
    if problem:
        raise DataError(problem, file=str(data), column=source.label)
    if corpus is not None:
        if not task.applies("retrieval"):
            raise UsageError(f"--corpus: {task.name} tasks do not retrieve passages")
        dataset = with_corpus(dataset, corpus)
    elif source.evidence is not None:
        raise UsageError("--evidence names corpus passages: give the corpus with --corpus")
    return dataset


def demo_dataset(task: str = "classification", seed: int = 0) -> Dataset:
    """The bundled demo data of task type ``task``, with its corpus (QA)."""
    from taskfit.data.demo import demo_paths, load_demo

    tt = task_type(task)
    dataset = load_demo(seed=seed, task=task, target_from=tt.target_from, readers=tt.readers)
    corpus = demo_paths(task).get("corpus")
    if corpus is not None:
        dataset = with_corpus(dataset, corpus, name=f"demo:{task}/{corpus.name}")
    return dataset


def with_corpus(
    dataset: Dataset, path: str | os.PathLike[str], *, name: str | None = None
) -> Dataset:
    """``dataset`` with the passages of the corpus file ``path`` (chunked by
    :func:`taskfit.retrieval.load_corpus`'s rule); its hash covers them, ``name`` is how
    results name it (default: the path). Gold passage ids that are not in the corpus are
    an error naming the first."""
    from taskfit.retrieval import load_corpus

    passages = load_corpus(path)
    known = {p.id for p in passages} | {p.doc for p in passages}
    for e in (*dataset.train, *dataset.test):
        missing = [g for g in (e.evidence or "").split("|") if g and g not in known]
        if missing:
            raise DataError(
                f"passage id {missing[0]!r} (question {e.text[:40]!r}) is not in the corpus {path}",
                file=dataset.source,
            )
    corpus_hash = canonical_hash([[p.id, p.title, p.text] for p in passages])
    return replace(
        dataset,
        corpus=passages,
        corpus_source=name or str(path),
        data_hash=canonical_hash([dataset.data_hash, corpus_hash]),
    )


def task_type(name: str) -> TaskType:
    """The task type ``name`` given as ``--task`` (an unknown one is a usage error naming
    the flag and the task types)."""
    if name not in task_names():
        raise UsageError(
            f"--task: unknown task type {name!r}; task types: {', '.join(task_names())}"
        )
    return get_task(name)


def record(opts: Any, own: Sequence[str], dataset: Dataset, **extra: Any) -> dict[str, Any]:
    """The settings a run records: the shared run options, the workflow's ``own`` fields
    (``extra`` overrides or adds), then the data's columns and the package versions."""
    shared = [f.name for f in fields(RunOptions) if f.name not in _NOT_RECORDED]
    doc = {k: getattr(opts, k) for k in (*shared, *own)}
    for k, v in doc.items():
        if isinstance(v, tuple):
            doc[k] = list(v)
    doc.update(extra)
    doc["columns"] = {
        "text": dataset.text_col,
        "text_pair": dataset.text_pair_col,
        "label": dataset.label_col,
    }
    doc["versions"] = package_versions()
    return doc


@dataclass(frozen=True)
class SweepResult:
    """What ``curve`` and ``distill`` return: their results.json section and the files."""

    run_id: str
    out_dir: Path
    section: dict[str, Any]  # the workflow's own results.json section
    results_json: dict[str, Any]
    plots: tuple[Path, ...]


@dataclass(frozen=True)
class BackendFactory:
    """Opens the backend of a canonical LLM spec with its options; picklable, so Ray
    workers open their own (API keys and URLs travel with it)."""

    specs: dict[str, LLMSpec]
    options: dict[str, dict[str, Any]]

    def __call__(self, canonical: str) -> LLMBackend:
        return make_backend(self.specs[canonical], **self.options[canonical])

    def endpoints(self) -> dict[str, tuple[str, int]]:
        """Served specs: their endpoint (as shown) and most requests in flight."""
        out = {}
        for canonical, spec in self.specs.items():
            if spec.kind == "openai":  # opening one sends nothing
                backend = self(canonical)
                try:
                    out[canonical] = (backend.endpoint, backend.max_concurrency)  # type: ignore[attr-defined]
                finally:
                    backend.close()
        return out


@dataclass
class RunContext:
    """A started run; see the module docstring. Build it with :meth:`open`."""

    opts: RunOptions
    hook: ProgressHook
    store: Store
    run_id: str
    out_dir: Path
    prices: dict[str, tuple[float, float]]
    settings: dict[str, Any]  # what the run records (results.json "settings")
    _embedder: Embedder | None = field(default=None, repr=False)
    _ray: RaySession | None = field(default=None, repr=False)

    @classmethod
    @contextlib.contextmanager
    def open(
        cls,
        opts: RunOptions,
        *,
        key: Any,
        settings: dict[str, Any],
        kind: str = "",
        hook: ProgressHook | None = None,
        announce: bool = False,
    ) -> Iterator[RunContext]:
        """Start a run named after ``key`` (the plan's unit keys), recording ``settings``;
        ``announce`` tells the progress hook the run id and output folder."""
        prices = prices_for(opts)  # a bad price file fails before the store is opened
        home = Path(opts.home) if opts.home else default_home()
        store = Store(home / "store.db")
        stamp = time.strftime("%Y%m%d-%H%M%S") + (f"-{kind}" if kind else "")
        run_id = f"{stamp}-{canonical_hash(key)[:8]}"
        out_dir = Path(opts.out) if opts.out else home / "runs" / run_id
        ctx = cls(opts, hook or ProgressHook(), store, run_id, out_dir, prices, settings)
        try:
            store.start_run(run_id, settings, str(out_dir))
            if announce:
                ctx.hook.run_started(run_id, str(out_dir))
            yield ctx
            store.finish_run(run_id, "finished")
        except BaseException:
            store.finish_run(run_id, "failed")
            raise
        finally:
            if ctx._ray is not None:
                ctx._ray.close()
            store.close()

    @property
    def embedder(self) -> Embedder:
        """One encoder for the whole run (its embeddings are cached in the store)."""
        if self._embedder is None:
            self._embedder = Embedder(self.opts.encoder, cache=self.store)
        return self._embedder

    def executor(
        self,
        dataset: Dataset,
        llms: Sequence[LLMSpec] = (),
        *,
        fitted: dict[str, Any] | None = None,
    ) -> Executor:
        """An executor over ``dataset`` whose prompted units reach ``llms``."""
        factory = BackendFactory(
            {s.canonical: s for s in llms},
            {s.canonical: options_for(self.opts.backend_options, s) for s in llms},
        )
        common: dict[str, Any] = {
            "dataset": dataset,
            "store": self.store,
            "embedder": self.embedder,
            "backend_factory": factory,
            "hook": self.hook,
            "fitted": fitted,
        }
        if self.opts.executor != "ray":
            return Executor(**common)
        from taskfit.run.ray_exec import RayExecutor, RaySession

        if self._ray is None:
            self._ray = RaySession(self.opts.ray_address, self.store.path)
        return RayExecutor(**common, session=self._ray, endpoints=factory.endpoints())

    def write(self, doc: dict[str, Any]) -> list[Path]:
        """Draw the figures (unless ``--no-plots``), then write ``results.json`` and
        ``summary.md``; returns the figures' paths (also listed in ``doc["plots"]``)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        plots: list[Path] = []
        if self.opts.plots:
            from taskfit.report.plots_report import figures_for

            plots = figures_for(doc, self.out_dir)
        set_plots(doc, [p.name for p in plots])
        write_atomic(self.out_dir / "results.json", json.dumps(doc, indent=2))
        write_atomic(self.out_dir / "summary.md", render_summary(doc))
        return plots
