"""Run one unit of the "lora" approach: LoRA fine-tune a small causal LM on the training
input -> target pairs of a free-text task (generation, reasoning) and generate the test
outputs greedily.

1. The training examples are all of them, or a seeded label budget (unit param
   ``budget``, drawn as learners draw theirs, so label-budget curves sweep it).
2. Each pair is a chat: the instruction of the task type's first prompt wording (the
   one a zero-shot chat prompt of the same model reads) as the system turn, the input as
   the user turn and the target as the assistant's reply; the settings (base model,
   rank, alpha, epochs, ...) are the unit's params
   (:class:`taskfit.learners.lora.LoraSettings`).
3. The adapter is saved under the store's folder (``lora/<key>``), keyed by the base
   model, the settings, the seed and the training pairs, and loaded instead of trained
   again by any later unit with the same training (another test set, a rerun after the
   store lost the unit).
4. The test outputs are read with the task type's parser (a reasoning answer out of the
   reply); an output it cannot read is a parse failure, predicted as ``""``. Serving
   latency is timed on up to 16 single-example generations.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from taskfit import approaches as registry
from taskfit.errors import UsageError
from taskfit.learners.lora import LoraLearner, LoraSettings, describe_model
from taskfit.run.budgets import train_examples
from taskfit.run.runners import UnitEnv, text_result
from taskfit.tasks import get_task
from taskfit.tasks.text_prompts import field_names
from taskfit.types import Dataset, Example, Unit, UnitResult, canonical_hash

__all__ = ["LATENCY_SAMPLE", "LORA", "LoraRunner"]

# Single-example generations timed for the serving latency.
LATENCY_SAMPLE = 16


class _Format:
    """How an example becomes the user turn: the task type's first wording, or
    ``variant``."""

    def __init__(self, dataset: Dataset, variant: str | None = None) -> None:
        task = get_task(dataset.task)
        self.template = task.prompt.for_task(
            variant=variant or task.variants[0],
            **field_names(dataset.text_col, dataset.label_col),
        )

    @property
    def instruction(self) -> str:
        return str(self.template.instruction)

    def user(self, ex: Example) -> str:
        return str(self.template.user(ex.text, ex.text_pair))


def _check_task(unit: Unit, dataset: Dataset) -> None:
    approach = registry.get(unit.approach)
    if not approach.supports(dataset.task):
        raise UsageError(
            f"{unit.approach} fine-tunes free-text task types "
            f"({', '.join(sorted(approach.tasks))}), not {dataset.task}"
        )


def _latency_n(unit: Unit) -> int:
    if not unit.param("serving_latency", True):
        return 0
    return min(LATENCY_SAMPLE, len(unit.test_indices))


class LoraRunner:
    """The :class:`~taskfit.run.runners.UnitRunner` of LoRA fine-tuned generators.

    A subclass changes what it is trained on: :meth:`training_pairs` (e.g. a teacher's
    rationales as targets), with :attr:`variant` the wording of the student's instruction
    and :meth:`teacher_steps` the progress steps that takes."""

    variant: str | None = None  # the task type's first wording

    def teacher_steps(self, unit: Unit, env: UnitEnv, n_train: int) -> int:
        """Progress steps of :meth:`training_pairs` for ``n_train`` examples."""
        return 0

    def training_pairs(
        self, unit: Unit, env: UnitEnv, train: Sequence[Example]
    ) -> tuple[list[Example], list[str], float]:
        """(the examples trained on, notes, seconds it took to make them)."""
        return list(train), [], 0.0

    def total(self, unit: Unit, env: UnitEnv) -> int:
        _check_task(unit, env.dataset)
        settings = LoraSettings.from_params(dict(unit.params))
        n_train = len(train_examples(unit, env.dataset)[0])
        return (
            self.teacher_steps(unit, env, n_train)
            + settings.epochs * n_train
            + len(unit.test_indices)
            + _latency_n(unit)
        )

    def run(self, unit: Unit, env: UnitEnv) -> UnitResult:
        _check_task(unit, env.dataset)
        dataset = env.dataset
        task = get_task(dataset.task)
        settings = LoraSettings.from_params(dict(unit.params))
        train, notes = train_examples(unit, dataset)
        pairs, made_notes, made_seconds = self.training_pairs(unit, env, train)
        fmt = _Format(dataset, self.variant)
        learner = _fit(unit, env, settings, fmt, pairs)

        test = [dataset.test[i] for i in unit.test_indices]
        raw = learner.predict([fmt.user(e) for e in test])
        answers = [task.parse(r, {}) for r in raw]
        failures = sum(a is None for a in answers)
        latency = _serving_latency(learner, [fmt.user(e) for e in test[: _latency_n(unit)]])

        notes.insert(
            0,
            f"LoRA fine-tune (rank {settings.rank}, alpha {settings.alpha}, "
            f"{settings.epochs} epochs, lr {settings.lr:g}) of "
            f"{describe_model(settings.base_model)} on {len(train)} examples; the same base "
            "model prompted and tuned is the cleanest comparison",
        )
        if not learner.trained_:
            notes.append(
                f"adapter reused from {learner.adapter_dir_} "
                f"(trained in {learner.train_seconds_:.1f} s)"
            )
        if learner.n_truncated_:
            notes.append(
                f"{learner.n_truncated_} training examples longer than "
                f"{settings.max_length} tokens were cut"
            )
        notes += made_notes
        if failures:
            notes.append(f"no answer could be read from {failures} of {len(test)} test outputs")
        return text_result(
            unit,
            answers,
            latency,
            n_train_labels=len(train),
            train_seconds=float(learner.train_seconds_) + made_seconds,
            parse_failures=failures,
            notes=tuple(notes),
            prompting={"outputs": list(raw)},
        )


LORA = LoraRunner()


def _fit(
    unit: Unit, env: UnitEnv, settings: LoraSettings, fmt: _Format, train: Sequence[Example]
) -> LoraLearner:
    """The fine-tuned learner, from the run's memo when the same training ran already
    (a derived test set of the same data predicts with it)."""
    key = canonical_hash(
        [
            unit.approach,
            list(settings.params()),
            unit.seed,
            fmt.instruction,
            [[fmt.user(e), e.target] for e in train],
        ]
    )
    memo: dict[str, Any] = env.fitted if env.fitted is not None else {}
    learner = memo.get(key)
    if isinstance(learner, LoraLearner):
        learner.progress = env.progress
        env.progress(settings.epochs * len(train))  # nothing to train
        return learner
    cache = env.cache_dir / "lora" if env.cache_dir is not None else None
    learner = LoraLearner(
        settings,
        seed=unit.seed,
        instruction=fmt.instruction,
        cache_dir=cache,
        progress=env.progress,
    )
    learner.fit([fmt.user(e) for e in train], [e.target for e in train])
    memo[key] = learner
    return learner


def _serving_latency(learner: LoraLearner, texts: Sequence[str]) -> list[float]:
    """Milliseconds of each single-example generation (as a deployment serves requests)."""
    out = []
    for text in texts:
        t0 = time.perf_counter()
        learner.predict([text])
        out.append((time.perf_counter() - t0) * 1000)
    return out
