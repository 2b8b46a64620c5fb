"""Settings: typed, validated options for every workflow, built alike by the CLI, the web
UI and the Python API.

Each settings class is a frozen pydantic dataclass: values are coerced to their declared
types (a web form's ``"8"`` becomes ``8``, a list becomes a tuple) and checked on
construction, so a bad value fails before any data is read. :func:`build` turns pydantic's
report into one line naming the flag, raised as :class:`~taskfit.errors.UsageError`.
This module is the bottom layer with :mod:`taskfit.types`: it checks values only; whether an
LLM spec, an encoder or a card file exists is checked by the workflow that uses it.

>>> build(CompareOptions, shots=4).shots
4
>>> build(CompareOptions, shots="many")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
taskfit.errors.UsageError: --shots: Input should be a valid integer, ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ConfigDict, ValidationError
from pydantic.dataclasses import dataclass

from taskfit.errors import UsageError

__all__ = [
    "DEFAULT_DEV_SIZE",
    "DEFAULT_HORIZON_MONTHS",
    "DEFAULT_MARGIN_POINTS",
    "DEFAULT_USD_PER_HOUR",
    "DEFAULT_USD_PER_LABEL",
    "TRUST_MEASURES",
    "CompareOptions",
    "CurveOptions",
    "DataSource",
    "DistillOptions",
    "ProfileOptions",
    "RunOptions",
    "TrustOptions",
    "build",
    "merge",
    "split_options",
]

# Defaults shared by the settings and the layers that use them (they import them from here).
# Training examples held out (stratified) to choose each prompted approach's prompt.
DEFAULT_DEV_SIZE = 64
# USD per hour of local CPU compute: the order of magnitude of a 2-vCPU general-purpose
# cloud VM (on-demand, 2024). It turns measured seconds into a comparable dollar figure;
# pass your own rate when you know it.
DEFAULT_USD_PER_HOUR = 0.10
# One human label for short texts (a few cents to a few dimes per item on crowd platforms,
# 2023-2024). Expert labels (legal, medical, domain specialists) cost 10-100x more: override
# it (--usd-per-label) whenever your labels need expertise.
DEFAULT_USD_PER_LABEL = 0.10
# Months over which one-off and running costs are compared: a typical budgeting year.
DEFAULT_HORIZON_MONTHS = 12.0
# Default tolerance: one accuracy point (0.01) may be traded for a cheaper approach.
DEFAULT_MARGIN_POINTS = 1.0
# How a retrieval-augmented approach finds passages (taskfit.retrieval.RETRIEVERS).
RETRIEVERS = ("bm25", "dense", "hybrid")
EXECUTORS = ("local", "ray")  # where units run (--executor)
TRUST_MEASURES = ("calibration", "robustness", "ood", "shortcuts", "selective", "groups")

_CONFIG = ConfigDict(arbitrary_types_allowed=False)
S = TypeVar("S")


def build(cls: type[S], options: Mapping[str, Any] | None = None, /, **kwargs: Any) -> S:
    """``cls(**options, **kwargs)``, with a bad value reported as one ``UsageError`` line."""
    try:
        return cls(**{**(options or {}), **kwargs})
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if not isinstance(p, int))
        flag = f"--{where.replace('_', '-')}" if where else cls.__name__
        raise UsageError(f"{flag}: {first['msg']}") from None
    except TypeError as e:  # an unknown keyword
        raise UsageError(str(e).replace("__init__() ", "")) from None


def _at_least(value: float | None, low: float, flag: str, what: str = "") -> None:
    if value is not None and value < low:
        raise UsageError(f"{flag} must be {what or f'at least {low:g}'}, got {value:g}")


@dataclass(frozen=True, config=_CONFIG)
class DataSource:
    """Which columns hold the text and the target, the task type, and where the test set
    comes from.

    ``label`` names the target column: a label for classification, the reference or the
    answer for other task types. ``task`` names a task type of :mod:`taskfit.tasks`; it is
    checked where the source is loaded (:func:`taskfit.workflows.context.load_source`),
    since the task registry is a later layer than this one."""

    text: str
    label: str
    text_pair: str | None = None  # a second text column (sentence pairs such as NLI)
    test: Path | None = None  # a separate test file; else a seeded split of the data
    test_size: float = 0.3
    drop_empty: bool = False  # skip rows with an empty text or target instead of failing
    task: str = "classification"
    corpus: Path | None = None  # passages retrieval-augmented approaches search (QA)
    evidence: str | None = None  # the column naming each answer's corpus passage(s)


SOURCE_FIELDS = (
    "text",
    "label",
    "text_pair",
    "test",
    "test_size",
    "drop_empty",
    "task",
    "corpus",
    "evidence",
)


def split_options(
    cls: type[S], settings: S | None, options: dict[str, Any]
) -> tuple[DataSource, S]:
    """The data source and the ``cls`` settings from one call's keyword arguments;
    ``settings`` (already built) is updated with the remaining keywords."""
    source = build(DataSource, {k: options.pop(k) for k in SOURCE_FIELDS if k in options})
    return source, merge(cls, settings, options)


def merge(cls: type[S], settings: S | None, options: Mapping[str, Any]) -> S:
    """``settings`` updated with ``options`` (checked like :func:`build`), or ``cls`` built
    from ``options`` alone."""
    if settings is None:
        return build(cls, options)
    if not options:
        return settings
    current = {f: getattr(settings, f) for f in settings.__dataclass_fields__}  # type: ignore[attr-defined]
    return build(cls, current, **options)


@dataclass(frozen=True, config=_CONFIG)
class TrustOptions:
    """Which trust measures to run and how. Defaults are `compare --trust`'s."""

    measures: tuple[str, ...] = ()
    perturbations: tuple[str, ...] = ()  # () = every kind
    perturb_seed: int = 0
    export_perturbed: str | None = None
    ood_test: str | None = None
    group_col: str | None = None
    target_accuracy: float | None = None
    llm_max_test: int | None = 100  # cap on prompted examples per trust set
    n_bins: int = 15
    dev_share: float = 0.2
    ood_share: float = 0.2  # rows held out by an automatic OOD split
    n_orders: int = 3  # demonstration orders for the recency-bias probe
    bias_max_test: int = 100
    shortcut_tokens: int = 3  # per label

    def __post_init__(self) -> None:
        bad = [m for m in self.measures if m not in TRUST_MEASURES]
        if bad:
            raise UsageError(
                f"unknown trust measure {bad[0]!r}; measures: {', '.join(TRUST_MEASURES)}"
            )
        if self.target_accuracy is not None and not 0 < self.target_accuracy <= 1:
            raise UsageError("--target-accuracy must be in (0, 1], e.g. 0.9")
        if self.llm_max_test is not None and self.llm_max_test < 1:
            raise UsageError("--trust-max-test must be a positive number")
        export = self.export_perturbed
        if export and not export.lower().endswith((".csv", ".jsonl")):
            raise UsageError(f"--export-perturbed {export}: use a .csv or .jsonl file")

    def on(self, measure: str) -> bool:
        return measure in self.measures


@dataclass(frozen=True, config=_CONFIG)
class RunOptions:
    """What every measuring workflow (compare, curve, distill) takes besides the data."""

    llms: tuple[str, ...] = ()
    shots: int = 8
    # Prompt selection for prompted approaches (see taskfit.prompting.select).
    prompt_format: str = "auto"
    dev_size: int = DEFAULT_DEV_SIZE
    # Self-consistency (reasoning): chains sampled per question and their temperature.
    samples: int = 5
    temperature: float = 0.7
    # QA with retrieval: passages per question, and the fine-tuned reader's retriever.
    top_k: int = 3
    retriever: str = "hybrid"
    max_test: int | None = None
    seed: int = 0
    encoder: str = "minilm"
    usd_per_hour: float = DEFAULT_USD_PER_HOUR
    usd_per_label: float = DEFAULT_USD_PER_LABEL
    horizon_months: float = DEFAULT_HORIZON_MONTHS
    # The trade rule: accuracy points a cheaper approach may lose (non-inferiority margin)
    # and the monthly volume at which "cheaper" is judged (None: running cost per 1k).
    max_accuracy_loss: float = DEFAULT_MARGIN_POINTS
    volume_per_month: float | None = None
    price_file: str | None = None
    plots: bool = True
    out: str | None = None
    home: str | None = None
    backend_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Where units run: "local" (this process) or "ray" (tasks on a Ray cluster at
    # ray_address; None starts a local Ray instance). Results are the same either way.
    executor: str = "local"
    ray_address: str | None = None

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            raise UsageError(
                f"--executor must be one of {', '.join(EXECUTORS)}, got {self.executor!r}"
            )
        if self.ray_address and self.executor != "ray":
            raise UsageError("--ray-address is for --executor ray")
        _at_least(self.shots, 1, "--shots")
        _at_least(self.samples, 1, "--samples")
        _at_least(self.top_k, 1, "--top-k")
        if self.retriever not in RETRIEVERS:
            raise UsageError(
                f"--retriever must be one of {', '.join(RETRIEVERS)}, got {self.retriever!r}"
            )
        if not 0 <= self.temperature <= 2:
            raise UsageError(f"--temperature must be between 0 and 2, got {self.temperature:g}")
        if self.dev_size < 0:
            raise UsageError(f"--dev-size must be 0 or more, got {self.dev_size}")
        if not 0 <= self.max_accuracy_loss <= 100:
            raise UsageError(
                "--max-accuracy-loss must be between 0 and 100 points, got "
                f"{self.max_accuracy_loss:g}"
            )
        if self.volume_per_month is not None and not 0 <= self.volume_per_month < float("inf"):
            raise UsageError(f"--volume-per-month must be >= 0, got {self.volume_per_month:g}")


@dataclass(frozen=True, config=_CONFIG)
class CompareOptions(RunOptions):
    """`taskfit compare`: everything but the data. Defaults are the command's."""

    approaches: tuple[str, ...] | None = None  # None: what the advice picks
    latency_p95_ms: float | None = None
    budget_per_1k: float | None = None
    setfit_per_class: int = 16
    label_descriptions: str | None = None  # JSON/YAML file: label -> description
    # The advise stage: a task card, answered facts, and constraints only advise reads.
    card: str | None = None
    answers: dict[str, bool] = field(default_factory=dict)
    on_prem: bool = False
    profile_sample: int = 10_000
    # Trust measures (calibration, robustness, ood, ...); none unless asked for.
    trust: TrustOptions = field(default_factory=TrustOptions)


@dataclass(frozen=True, config=_CONFIG)
class CurveOptions(RunOptions):
    """`taskfit curve`: everything but the data. Defaults are the command's."""

    # None: the approach registry's curve defaults (learners swept, prompted references)
    approaches: tuple[str, ...] | None = None
    prompted: tuple[str, ...] | None = None
    budgets: tuple[int, ...] = ()
    per_class: bool = False
    seeds: int = 5
    label_descriptions: str | None = None
    n_boot: int = 200

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self.seeds, 1, "--seeds")


@dataclass(frozen=True, config=_CONFIG)
class DistillOptions(RunOptions):
    """`taskfit distill`: everything but the data. Defaults are the command's."""

    teacher: str = "zero-shot"  # the teacher's prompted approach; its LLM is llms[0]
    students: tuple[str, ...] | None = None  # None: the registry's curve learners
    unlabeled: str | None = None
    from_train: bool = False
    min_confidence: float | None = None
    gold: int = 0
    sizes: tuple[int, ...] = ()  # LLM-labelled pool sizes for the growth curve
    seeds: int = 3


@dataclass(frozen=True, config=_CONFIG)
class ProfileOptions:
    """`taskfit profile` / `advise`, and compare's profiling stage."""

    llms: tuple[str, ...] = ()  # default: the embedded model when installed
    use_llms: bool = True  # False: no LLM token lengths or domain fit (no LLM calls at all)
    encoder: str = "minilm"
    sample: int = 10_000
    top: int = 20
    seed: int = 0
    home: str | None = None
    backend_options: dict[str, dict[str, Any]] = field(default_factory=dict)
