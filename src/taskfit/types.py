"""Frozen data types shared by every stage of the pipeline.

The flow is one-way: ``Dataset -> [Unit] -> [UnitResult] -> Metrics -> Recommendation``.
Each stage imports only these types and earlier stages.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "ApproachMetrics",
    "Comparison",
    "Dataset",
    "Example",
    "Family",
    "Interval",
    "Recommendation",
    "Unit",
    "UnitResult",
    "canonical_hash",
]

Family = Literal["prompt", "finetune", "baseline", "distill"]


def canonical_hash(obj: Any) -> str:
    """sha256 of the canonical JSON of ``obj`` (sorted keys, no whitespace)."""
    blob = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Example:
    """One labelled example. ``text_pair`` is the second text of a sentence-pair task."""

    text: str
    label: str
    text_pair: str | None = None

    @property
    def joined(self) -> str:
        """One string for models that take one text (learners, encoders)."""
        return self.text if self.text_pair is None else f"{self.text} [SEP] {self.text_pair}"


@dataclass(frozen=True)
class Dataset:
    """Train and test examples with their column mapping and a content hash.

    ``labels`` is sorted and lists every label seen in train (the label space).
    ``data_hash`` covers the examples of both splits and the column mapping.
    """

    train: tuple[Example, ...]
    test: tuple[Example, ...]
    labels: tuple[str, ...]
    data_hash: str
    source: str
    text_col: str
    label_col: str
    text_pair_col: str | None = None
    test_source: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_pair(self) -> bool:
        return self.text_pair_col is not None


@dataclass(frozen=True)
class Unit:
    """A pure, serialisable description of one piece of work.

    Its :attr:`key` (sha256 of its canonical JSON) keys the store, so a unit that
    finished once is never run again. Any executor can run units independently.
    """

    approach: str  # e.g. "zero-shot", "tfidf-lr"
    family: Family
    model: str  # LLM spec or encoder id; "" when not applicable
    data_hash: str
    test_indices: tuple[int, ...]
    seed: int = 0
    params: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return f"{self.approach}@{self.model}" if self.model else self.approach

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["test_indices"] = list(self.test_indices)
        d["params"] = [list(p) for p in self.params]
        return d

    @property
    def key(self) -> str:
        return canonical_hash(self.to_json())

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class UnitResult:
    """What running a unit produced: predictions with probabilities and costs."""

    unit_key: str
    name: str
    family: Family
    model: str
    labels: tuple[str, ...]  # column order of ``probabilities``
    test_indices: tuple[int, ...]
    predictions: tuple[str, ...]
    probabilities: tuple[tuple[float, ...], ...]
    latency_ms: tuple[float, ...]  # per example
    n_train_labels: int
    train_seconds: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    parse_failures: int = 0
    llm_calls_made: int = 0
    llm_calls_cached: int = 0
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("labels", "test_indices", "predictions", "latency_ms", "notes"):
            d[k] = list(d[k])
        d["probabilities"] = [list(p) for p in self.probabilities]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> UnitResult:
        d = dict(d)
        for k in ("labels", "test_indices", "predictions", "latency_ms", "notes"):
            d[k] = tuple(d.get(k, ()))
        d["probabilities"] = tuple(tuple(p) for p in d["probabilities"])
        return cls(**d)


@dataclass(frozen=True)
class Interval:
    value: float
    ci_low: float
    ci_high: float

    def to_json(self) -> dict[str, float]:
        return {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}


@dataclass(frozen=True)
class ApproachMetrics:
    name: str
    family: Family
    model: str
    n_train_labels: int
    n_test: int
    accuracy: Interval
    macro_f1: Interval
    per_class_f1: dict[str, float]
    latency_p50_ms: float
    latency_p95_ms: float
    throughput_per_s: float
    train_seconds: float
    prompt_tokens: int
    completion_tokens: int
    cost_per_1k_usd: float
    cost_basis: str  # how the cost was computed, in words
    parse_failures: int


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    test: str
    p_value: float
    n: int  # paired examples the test used


@dataclass(frozen=True)
class Recommendation:
    choice: str
    reasons: tuple[str, ...]
    warnings: tuple[str, ...] = ()
