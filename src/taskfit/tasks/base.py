"""What a task type is: the contract every task family (classification, generation,
knowledge-intensive QA, extraction, ...) implements.

A :class:`TaskType` says what an example is (the fields a model reads and the one it is
scored on), how prompts are rendered (a template class with the chosen wording variants)
and how a model's answer is parsed back, which metrics score it (the first is the
headline; each is implemented in :data:`taskfit.metrics.quality.METRICS`), which
results sections, report parts and figures apply, and what the profile measures for it.
Layers above read the task type of the data instead of assuming labels: the profile runs
only its measures, scoring adds only its sections, the compare workflow refuses a trust
measure that does not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from taskfit.errors import UsageError

__all__ = ["PROFILE_MEASURES", "SECTIONS", "Metric", "TaskType"]

# Results sections (results.json keys beyond the headline table) and report parts a task
# type can have; the report renders each one that is present.
SECTIONS = (
    "comparisons",  # paired tests against the best (McNemar, non-inferiority)
    "cost_model",
    "prompting",  # prompt choice, label-prior corrections, collapses onto one label
    "confusion",
    "calibration",
    "robustness",
    "ood",
    "shortcuts",
    "selective",
    "groups",
    "curves",
    "distill",
    "outputs",  # free-text outputs shown beside their references
    "self_consistency",  # exact match and cost per correct answer as k samples grow
    "retrieval",  # retrieval recall@k and the gain of retrieval over closed-book answers
    "entities",  # extraction: precision, recall and F1 per entity type, errors by type
)
# What the profile can measure (taskfit.profile.build_profile's sections).
PROFILE_MEASURES = (
    "labels",
    "lengths",
    "duplicates",
    "pii",
    "language",
    "shift",
    "label_errors",
    "domain_fit",
    "output_lengths",  # lengths of the targets (references, answers)
    "corpus",  # passages of the --corpus: count, lengths against the LLM's context window
    "entities",  # entity types and their counts, span lengths
)


@dataclass(frozen=True)
class Metric:
    """One quality metric of a task type; ``name`` keys results.json and the metric's
    implementation."""

    name: str
    title: str
    higher_is_better: bool = True


@dataclass(frozen=True)
class TaskType:
    """A task family; see the module docstring. Register one with
    :func:`taskfit.tasks.register_task`."""

    name: str
    summary: str
    inputs: tuple[str, ...]  # example fields a model reads, e.g. ("text", "text_pair")
    target: str  # the example field scored: "label", "reference", "answer", "spans"
    metrics: tuple[Metric, ...]  # the first is the headline metric
    sections: tuple[str, ...]  # of SECTIONS
    profile_measures: tuple[str, ...]  # of PROFILE_MEASURES
    prompt: Any  # the template class: .for_task(...) renders prompts, VARIANTS wordings
    variants: tuple[str, ...]  # prompt wordings the dev split chooses among
    parse: Callable[[str, Mapping[str, str]], str | None]  # answer text -> target or None
    # Targets are labels of a fixed set: the loader checks classes and stratifies the
    # split, results carry a label space and predictions carry label probabilities.
    label_set: bool = True
    # How a prompted unit of this task type runs, as "module:attr" naming a
    # taskfit.run.runners.UnitRunner (resolved where it is used: the run layer is above
    # this one). An approach may bring its own (Approach.runner).
    prompt_runner: str = "taskfit.run.prompt_unit:PROMPTED"
    # A check of the training targets: what is wrong with them in one sentence (the loader
    # adds the file and column), or None when they fit the task type.
    check_targets: Callable[[Sequence[str]], str | None] | None = None
    # How one target cell becomes the target scored, given the row's text (e.g. spans as
    # JSON records -> their canonical form); a ValueError says what is wrong with the cell
    # (the loader adds file, row and column). None: the cell as written.
    target_from: Callable[[str, str], str] | None = None
    # Data file formats the task type reads itself, by suffix (".conll" -> a reader giving
    # a DataFrame of strings indexed by row number).
    readers: Mapping[str, Callable[[Any], Any]] | None = None
    # Extra keyword arguments of ``prompt.for_task`` drawn from the training examples
    # (extraction: the entity types the prompt lists and its reply schema allows).
    prompt_fields: Callable[[Sequence[Any]], Mapping[str, Any]] | None = None
    # (input, target) pairs showing what an example of the task type is, when its targets
    # have a form of their own (extraction's encoded spans): documentation, and the data
    # the conformance test checks prompts, parsing and metrics with.
    samples: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.metrics:
            raise ValueError(f"task type {self.name!r} needs at least one metric")
        unknown = [s for s in self.sections if s not in SECTIONS]
        unknown += [m for m in self.profile_measures if m not in PROFILE_MEASURES]
        if unknown:
            raise ValueError(f"task type {self.name!r}: unknown section/measure {unknown[0]!r}")

    @property
    def headline(self) -> Metric:
        return self.metrics[0]

    def applies(self, section: str) -> bool:
        """Whether a results section or report part applies to this task type."""
        return section in self.sections

    def measures(self, measure: str) -> bool:
        """Whether the profile measures ``measure`` for this task type."""
        return measure in self.profile_measures

    def require(self, sections: tuple[str, ...], what: str) -> None:
        """Refuse ``sections`` that do not apply (a one-line usage error naming ``what``)."""
        bad = [s for s in sections if s not in self.sections]
        if bad:
            raise UsageError(f"{what} {bad[0]!r} does not apply to {self.name} tasks")
