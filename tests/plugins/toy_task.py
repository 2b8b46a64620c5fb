"""A toy task type with free-text targets, and two approaches for it, in one file.

The task ``shout`` turns a text into upper case; the target is the shouted text. It is
scored by exact match (the headline, a mean over examples) and character overlap, both
implemented here and registered with :func:`taskfit.metrics.quality.register_metric`.
The approaches bring their own unit runners (no learner, no LLM): ``shouter`` shouts
all but every fifth text, ``parrot`` repeats the text as it is. Nothing in taskfit names
any of them: :func:`register` adds them to the registries.
"""

from __future__ import annotations

from collections.abc import Sequence

from taskfit.approaches import Approach
from taskfit.approaches import register as register_approach
from taskfit.metrics.quality import METRICS, register_metric
from taskfit.run.runners import UnitEnv, text_result
from taskfit.tasks import Metric, TaskType, get_task, register_task, task_names
from taskfit.types import Unit, UnitResult

__all__ = ["SHOUT", "register"]


def exact_match(y_true: Sequence[str], y_pred: Sequence[str]) -> list[float]:
    return [float(t.strip() == p.strip()) for t, p in zip(y_true, y_pred, strict=True)]


def char_overlap(y_true: Sequence[str], y_pred: Sequence[str]) -> list[float]:
    """Share of the reference's positions where the prediction has the same character."""
    return [
        sum(a == b for a, b in zip(t, p, strict=False)) / max(len(t), 1)
        for t, p in zip(y_true, y_pred, strict=True)
    ]


def _mean(scores: list[float]) -> float:
    return sum(scores) / len(scores)


SHOUT = TaskType(
    name="shout",
    summary="a text in, the same text in upper case out (a toy free-text task)",
    inputs=("text",),
    target="reference",
    metrics=(Metric("toy_exact", "toy exact match"), Metric("toy_overlap", "toy char overlap")),
    sections=("comparisons", "cost_model"),
    profile_measures=("lengths", "duplicates", "pii", "language"),
    prompt=get_task("classification").prompt,  # never used: no prompted approach
    variants=(),
    parse=lambda text, _labels: text,
    label_set=False,
)


class _Runner:
    """Predicts ``transform(text)`` for each test example."""

    def __init__(self, every_fifth_wrong: bool) -> None:
        self.every_fifth_wrong = every_fifth_wrong

    def total(self, unit: Unit, env: UnitEnv) -> int:
        return len(unit.test_indices)

    def run(self, unit: Unit, env: UnitEnv) -> UnitResult:
        texts = [env.dataset.test[i].text for i in unit.test_indices]
        if self.every_fifth_wrong:
            preds = [t if k % 5 == 4 else t.upper() for k, t in enumerate(texts)]
        else:
            preds = list(texts)
        env.progress(len(texts))
        return text_result(
            unit,
            preds,
            (0.01 for _ in texts),
            n_train_labels=len(env.dataset.train),
            train_seconds=0.0,
        )


SHOUTER = Approach(
    "shouter",
    "finetune",
    "shouts all but every fifth text (a toy)",
    tasks=frozenset({"shout"}),
    runner=_Runner(every_fifth_wrong=True),
)
PARROT = Approach(
    "parrot",
    "baseline",
    "repeats the text (a toy)",
    tasks=frozenset({"shout"}),
    runner=_Runner(every_fifth_wrong=False),
)


def register() -> None:
    """Add the task type, its metrics and its approaches (again: no-op)."""
    if "toy_exact" not in METRICS:
        register_metric("toy_exact", lambda t, p: _mean(exact_match(t, p)), exact_match)
        register_metric("toy_overlap", lambda t, p: _mean(char_overlap(t, p)), char_overlap)
    if "shout" not in task_names():
        register_task(SHOUT)
    register_approach(SHOUTER)
    register_approach(PARROT)
