"""Frozen data types shared by every stage of the pipeline.

The flow is one-way: ``Dataset -> [Unit] -> [UnitResult] -> Metrics -> Recommendation``.
Each stage imports only these types and earlier stages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from taskfit.jsonable import JsonFields

__all__ = [
    "ApproachMetrics",
    "Comparison",
    "Dataset",
    "DomainFit",
    "DuplicatePair",
    "DuplicateReport",
    "EvidenceSet",
    "Example",
    "Family",
    "Interval",
    "LabelIssue",
    "LanguageReport",
    "LengthStats",
    "Passage",
    "PiiFinding",
    "PiiReport",
    "Profile",
    "Recommendation",
    "ShiftScore",
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
    """One example: its input text(s) and the target it is scored on.

    ``target`` is what the data's task type (:mod:`taskfit.tasks`) scores: a label for
    classification, a reference text for generation, an answer for reasoning or QA; ``""``
    when the example is unlabelled. ``text_pair`` is the second text of a sentence-pair
    task; ``group`` the value of an optional metadata column (source, date, ...) used for
    group slices and group out-of-distribution splits. ``evidence`` names the corpus
    passage(s) that hold a QA example's answer (ids separated by ``|``), when the data
    says: retrieval recall@k is measured against it."""

    text: str
    target: str
    text_pair: str | None = None
    group: str | None = None
    evidence: str | None = None

    @property
    def label(self) -> str:
        """The target under classification's name (code of the classification sections)."""
        return self.target

    @property
    def joined(self) -> str:
        """One string for models that take one text (learners, encoders)."""
        return self.text if self.text_pair is None else f"{self.text} [SEP] {self.text_pair}"


@dataclass(frozen=True)
class Passage:
    """One retrievable passage of a corpus (a row, or a chunk of a longer document).

    ``id`` is unique in its corpus; ``doc`` is the id of the document it was cut from
    (its own id when the row was not chunked)."""

    id: str
    text: str
    title: str = ""
    doc: str = ""

    @property
    def indexed(self) -> str:
        """What retrievers index: the title, then the text."""
        return f"{self.title}. {self.text}" if self.title else self.text


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
    task: str = "classification"  # its task type (taskfit.tasks), which says how it is scored
    # Passages retrieval-augmented approaches search (``--corpus``); ``data_hash`` covers
    # them. Empty: no corpus.
    corpus: tuple[Passage, ...] = ()
    corpus_source: str | None = None

    @property
    def is_pair(self) -> bool:
        return self.text_pair_col is not None


@dataclass(frozen=True)
class Unit:
    """A pure, serialisable description of one piece of work.

    Its :attr:`key` (sha256 of its canonical JSON) keys the store, so a unit that
    finished once is never run again. Any executor can run units independently.

    ``model`` is the full spec (``gguf:/path/model.gguf``, ``openai:m@http://host/v1``);
    ``alias`` is only how the model is shown in the unit's :attr:`name` (``model``,
    ``m``): it is not part of the key, the JSON or equality.
    """

    approach: str  # e.g. "zero-shot", "tfidf-lr"
    family: Family
    model: str  # LLM spec or encoder id; "" when not applicable
    data_hash: str
    test_indices: tuple[int, ...]
    seed: int = 0
    params: tuple[tuple[str, Any], ...] = field(default_factory=tuple)
    alias: str = field(default="", compare=False)  # display name of ``model``; "" = model

    @property
    def name(self) -> str:
        """``approach@model`` with the model's display name, or the approach alone."""
        model = self.alias or self.model
        return f"{self.approach}@{model}" if model else self.approach

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        del d["alias"]
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
    # Prompted approaches only: how the prompt was chosen (format, variant, the dev-split
    # candidates and the chosen one's dev probabilities); see taskfit.prompting.select.
    prompting: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

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
class Interval(JsonFields):
    """A point estimate and the ends of its confidence interval (95% by default)."""

    value: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class ApproachMetrics:
    """One approach's measured quality, latency and cost.

    ``scores`` holds every metric of the data's task type with its interval, in the task
    type's order: the first is the headline metric the approaches are ranked by.
    ``per_class_f1`` is empty unless the targets are labels of a fixed set."""

    name: str
    family: Family
    model: str
    n_train_labels: int
    n_test: int
    scores: Mapping[str, Interval]
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

    @property
    def headline_metric(self) -> str:
        """Name of the headline metric (the first of ``scores``)."""
        return next(iter(self.scores))

    @property
    def headline(self) -> Interval:
        """The headline metric's value and interval."""
        return self.scores[self.headline_metric]

    def score(self, name: str) -> Interval:
        try:
            return self.scores[name]
        except KeyError:
            raise KeyError(
                f"{self.name} has no {name!r} score (it has {', '.join(self.scores)})"
            ) from None

    @property
    def accuracy(self) -> Interval:
        """Accuracy (classification; the label-scored sections read it)."""
        return self.score("accuracy")

    @property
    def macro_f1(self) -> Interval:
        """Macro-F1 (classification)."""
        return self.score("macro_f1")


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    test: str
    p_value: float
    n: int  # paired examples the test used
    # Non-inferiority of b against a (taskfit.metrics.noninferiority): accuracy(a) -
    # accuracy(b) with its paired bootstrap interval, the verdict at the run's margin, and
    # for an inconclusive one the paired test examples that would settle it.
    difference: Interval | None = None
    verdict: str | None = None
    n_needed: int | None = None


@dataclass(frozen=True)
class EvidenceSet:
    """Per-example scores (correctness) of each approach on one set of examples.

    ``key`` names the set in results.json (``test``, ``ood``, ``robustness``); ``label``
    says it in words ("out of distribution (file:shifted.csv)").
    """

    key: str
    label: str
    # approach -> example id -> its headline score on the example (right = 1, wrong = 0
    # for classification; e.g. ROUGE-L for generation)
    correct: Mapping[str, Mapping[Any, float]]

    def accuracy(self, name: str) -> float:
        """Mean per-example score (accuracy for classification)."""
        c = self.correct[name]
        return sum(c.values()) / len(c) if c else 0.0


@dataclass(frozen=True)
class Recommendation:
    choice: str
    reasons: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    # The decision flows' prior (advise stage) and whether the measured choice agrees with
    # it; None when no advice was given.
    prior: str | None = None
    agrees_with_prior: bool | None = None
    # How the choice was made: the margin, the cost basis, each evidence set's best and
    # non-inferiority tests (taskfit.recommend_choice.Choice.to_json); {} for none.
    rule: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


# --- profile: measured facts about a dataset (issue: profile and advise) ---------------


@dataclass(frozen=True)
class LengthStats:
    """Text length in ``unit`` ("chars" or a model's tokens) with its context window."""

    unit: str
    p50: float
    p95: float
    max: int
    context: int | None = None  # model context window in tokens; None for chars
    share_truncated: float | None = None  # share of rows longer than the context


@dataclass(frozen=True)
class DuplicatePair:
    """Two rows that are exact or near duplicates. ``split_*`` is "train" or "test";
    ``a`` and ``b`` index into that split's examples (0-based)."""

    split_a: str
    a: int
    split_b: str
    b: int
    similarity: float  # estimated Jaccard similarity of word shingles (1.0 when exact)
    exact: bool
    text_a: str  # shortened for display
    text_b: str


@dataclass(frozen=True)
class DuplicateReport:
    """Exact and near duplicates within train and across train/test (leakage).

    Counts are pairs; ``*_rows`` count rows involved. ``leaked_test_rows`` are test rows
    with an exact or near duplicate in train.
    """

    exact_pairs_train: int
    near_pairs_train: int
    exact_pairs_cross: int
    near_pairs_cross: int
    duplicate_rows_train: int
    leaked_test_rows: int
    leaked_share: float  # leaked_test_rows / n_test
    threshold: float
    num_perm: int
    examples: tuple[DuplicatePair, ...] = ()


@dataclass(frozen=True)
class ShiftScore:
    """Can a classifier tell ``reference`` rows from train rows on encoder embeddings?

    ``auc`` is its cross-validated ROC AUC; ``null_*`` the same with the split labels
    permuted. ``shifted`` when the AUC clears the null's 95th percentile by a margin.
    """

    reference: str  # "test" or "ood_test"
    auc: float
    null_mean: float
    null_p95: float
    p_value: float
    n_permutations: int
    n_train: int
    n_reference: int
    shifted: bool


@dataclass(frozen=True)
class LanguageReport:
    mix: dict[str, float]  # ISO 639-1 code -> share of rows
    primary: str
    low_resource: tuple[str, ...]  # codes among the mix considered low-resource
    undetected_share: float
    detector: str
    n_rows: int


@dataclass(frozen=True)
class PiiFinding:
    kind: str  # "email", "phone", "card", "iban", "person"
    split: str
    row: int
    masked: str  # the matched value with most characters masked, never the value itself


@dataclass(frozen=True)
class PiiReport:
    counts: dict[str, int]  # kind -> rows containing at least one match
    rows_with_pii: int
    n_rows: int
    examples: tuple[PiiFinding, ...] = ()
    name_detector: str | None = None  # None: person names not checked


@dataclass(frozen=True)
class LabelIssue:
    """A row whose cross-validated predicted probability disagrees with its label."""

    split: str
    row: int
    text: str  # shortened
    given: str
    suggested: str
    p_given: float
    p_suggested: float


@dataclass(frozen=True)
class DomainFit:
    """Per-token perplexity of an LLM on a sample of the data vs a neutral reference."""

    model: str
    ppl_data: float
    ppl_reference: float
    ratio: float  # ppl_data / ppl_reference; well above 1 = far from the model's domain
    n_texts: int
    tokens: int


@dataclass(frozen=True)
class Profile:
    """Measured facts about a dataset; the input of the advise stage."""

    data_hash: str
    n_train: int
    n_test: int
    labels: tuple[str, ...]
    label_counts: dict[str, int]  # train
    test_label_counts: dict[str, int]
    min_per_class: int
    median_per_class: float
    imbalance_ratio: float  # largest / smallest train class
    label_type: Literal["categorical", "numeric", "text"]  # text: free-text targets
    is_pair: bool
    lengths: tuple[LengthStats, ...]
    duplicates: DuplicateReport | None = None
    shift: ShiftScore | None = None
    ood_shift: ShiftScore | None = None
    languages: LanguageReport | None = None
    pii: PiiReport | None = None
    label_errors: tuple[LabelIssue, ...] = ()
    label_error_count: int = 0  # all flagged rows; ``label_errors`` lists the top N
    domain_fit: tuple[DomainFit, ...] = ()
    n_unlabeled: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # section -> wall seconds
    notes: tuple[str, ...] = ()
    task: str = "classification"  # the data's task type
    # Free-text targets (taskfit.profile.targets): lengths of the references/answers are
    # in ``lengths`` (units "target words", "<model> target tokens"); the share of inputs
    # that combine two or more quantities (multi-step arithmetic), None when not measured.
    multi_quantity_share: float | None = None
    # Facts of task types with more to their data (taskfit.profile.task_facts): "corpus"
    # (QA over passages), "entities" (extraction).
    facts: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
