"""Run one prompted unit of a free-text task type (generation, reasoning).

1. Split a dev set off the training examples (seeded, random; ``dev_size``); the rest is
   the demonstration pool.
2. With a dev set and more than one wording, generate the dev outputs with each wording
   and keep the one whose outputs score best on the task's headline metric (ties: the
   first wording); the format is the model's chat format when it has one, else the
   completion format (``prompt_format`` forces one).
3. Generate the test outputs with the chosen prompt and read each answer back with the
   task type's parser; an output it cannot read is a parse failure (an empty
   prediction, scored as wrong).

Chain-of-thought units (param ``chain``) use the reasoning task's chain wordings and room
for a rationale; self-consistency units (``samples`` > 1) sample that many chains at
``temperature``, each with its own seed, and vote (:func:`taskfit.prompting.text.vote`);
their wording is chosen on greedy chains (the chain-of-thought requests, served from the
cache when chain of thought ran too). The raw outputs, the extracted answers (every
sample's, with self-consistency) and the prompt choice are kept in the result's
``prompting`` record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from taskfit import approaches as registry
from taskfit.backends.base import Generation, LLMBackend
from taskfit.prompting.text import (
    demos_for,
    max_new_tokens,
    random_dev_split,
    request,
    vote,
)
from taskfit.run.runners import UnitEnv, text_result
from taskfit.tasks import TaskType, get_task
from taskfit.tasks.reasoning import COT_VARIANTS
from taskfit.tasks.scores import PER_EXAMPLE
from taskfit.tasks.text_prompts import TextTemplate, field_names
from taskfit.types import Dataset, Example, Unit, UnitResult

__all__ = ["TEXT_PROMPTED", "TextPromptRunner"]

# Examples generated between two progress updates.
_CHUNK = 4


class _Plan:
    """Everything a unit's generations depend on, worked out once."""

    def __init__(self, unit: Unit, env: UnitEnv) -> None:
        self.unit, self.env = unit, env
        self.dataset: Dataset = env.dataset
        self.task: TaskType = get_task(self.dataset.task)
        self.approach = registry.get(unit.approach)
        self.backend: LLMBackend = env.backend(unit.model)
        self.chain = bool(unit.param("chain", False))
        self.samples = max(1, int(unit.param("samples", 1)))
        self.temperature = float(unit.param("temperature", 0.0)) if self.samples > 1 else 0.0
        self.shots = int(unit.param("shots", 0))
        fmt = unit.param("prompt_format", "auto")
        info = self.backend.info()
        self.chat = info.chat if fmt == "auto" else fmt == "chat"
        self.dev, self.pool = random_dev_split(
            self.dataset.train, int(unit.param("dev_size", 0)), unit.seed, keep=self.shots
        )
        allowed = COT_VARIANTS if self.chain else self.task.variants
        variants: tuple[str, ...] = allowed
        # an approach that narrows the wordings (to another task type's: this one's all)
        if self.approach.variants is not None:
            variants = tuple(v for v in self.approach.variants if v in allowed) or allowed
        self.variants = variants if self.dev else variants[:1]
        self.names: dict[str, Any] = field_names(self.dataset.text_col, self.dataset.label_col)
        if self.task.prompt_fields is not None:
            self.names.update(self.task.prompt_fields(self.dataset.train))
        first = self.template(self.variants[0])
        self.max_tokens = max_new_tokens(
            self.backend, [first.reply(e.text, e.target) for e in self.pool], chain=self.chain
        )

    def template(self, variant: str) -> TextTemplate:
        return self.task.prompt.for_task(variant=variant, **self.names)

    def total(self) -> int:
        dev = len(self.dev) * len(self.variants) if len(self.variants) > 1 else 0
        return len(self.unit.test_indices) + dev

    def generate(
        self, template: TextTemplate, examples: Sequence[Example], *, sampled: bool = True
    ) -> tuple[list[str | None], list[list[Generation]]]:
        """(answers, the generations of each example): one greedy output, or ``samples``
        sampled chains voted on (``sampled=False``: one greedy chain even then, as the dev
        split chooses the wording: the same requests as chain of thought's, so cached)."""
        samples = self.samples if sampled else 1
        temperature = self.temperature if sampled else 0.0
        embed = self.env.embedder.encode if self.approach.uses_encoder else None
        demos = demos_for(
            self.approach.demos, self.pool, examples, self.shots, self.unit.seed, embed
        )
        per_example: list[list[Generation]] = [[] for _ in examples]
        for start in range(0, len(examples), _CHUNK):  # progress after every chunk
            part = range(start, min(start + _CHUNK, len(examples)))
            for k in range(samples):
                reqs = [
                    request(
                        template,
                        examples[i],
                        demos[i],
                        chat=self.chat,
                        max_tokens=self.max_tokens,
                        temperature=temperature,
                        seed=self.unit.seed * 1000 + k,
                    )
                    for i in part
                ]
                for i, g in zip(part, self.backend.generate(reqs), strict=True):
                    per_example[i].append(g)
            self.env.progress(len(part))
        answers = [
            vote([self.task.parse(g.text, {"text": ex.text}) for g in gens])
            for ex, gens in zip(examples, per_example, strict=True)
        ]
        return answers, per_example

    def dev_score(self, answers: Sequence[str | None]) -> float:
        """The headline metric's mean on the dev split (its per-example scores)."""
        truth = [e.target for e in self.dev]
        scores = PER_EXAMPLE[self.task.headline.name](truth, [a or "" for a in answers])
        return float(np.mean(scores))


class TextPromptRunner:
    """The :class:`~taskfit.run.runners.UnitRunner` of prompted free-text units."""

    def total(self, unit: Unit, env: UnitEnv) -> int:
        return _Plan(unit, env).total()

    def run(self, unit: Unit, env: UnitEnv) -> UnitResult:
        plan = _Plan(unit, env)
        made0 = getattr(plan.backend, "calls_made", 0)
        cached0 = getattr(plan.backend, "calls_cached", 0)
        candidates: list[dict[str, Any]] = []
        chosen = plan.variants[0]
        if len(plan.variants) > 1:
            for v in plan.variants:
                answers, _ = plan.generate(plan.template(v), plan.dev, sampled=False)
                candidates.append({"variant": v, "dev_score": plan.dev_score(answers)})
            chosen = max(candidates, key=lambda c: c["dev_score"])["variant"]
        test = [plan.dataset.test[i] for i in unit.test_indices]
        answers, gens = plan.generate(plan.template(chosen), test)
        failures = sum(a is None for a in answers)
        notes = []
        if candidates:
            best = next(c for c in candidates if c["variant"] == chosen)
            notes.append(
                f"prompt chosen on a dev split of {len(plan.dev)} training examples: "
                f"{'chat' if plan.chat else 'completion'}/{chosen}, dev "
                f"{plan.task.headline.title} {best['dev_score']:.3f} among "
                f"{len(candidates)} wordings"
            )
        if failures:
            empty = all(
                not g[0].text.strip() for a, g in zip(answers, gens, strict=True) if a is None
            )
            what = "empty output for" if empty else "no answer could be read from"
            notes.append(f"{what} {failures} of {len(test)} test examples")
        record: dict[str, Any] = {
            "format": "chat" if plan.chat else "completion",
            "variant": chosen,
            "selected_on_dev": bool(candidates),
            "candidates": candidates,
            "dev_n": len(plan.dev),
            "max_tokens": plan.max_tokens,
            "outputs": [g[0].text for g in gens],
        }
        if plan.samples > 1:
            record["samples"] = [[plan.task.parse(x.text, {}) for x in g] for g in gens]
            record["temperature"] = plan.temperature
        return text_result(
            unit,
            answers,
            (1000.0 * sum(x.seconds for x in g) for g in gens),
            n_train_labels=(len(plan.dev) if candidates else 0)
            + (min(plan.shots, len(plan.pool)) if plan.approach.demos != "none" else 0),
            train_seconds=0.0,
            prompt_tokens=sum(x.prompt_tokens for g in gens for x in g),
            completion_tokens=sum(x.completion_tokens for g in gens for x in g),
            parse_failures=failures,
            llm_calls_made=getattr(plan.backend, "calls_made", 0) - made0,
            llm_calls_cached=getattr(plan.backend, "calls_cached", 0) - cached0,
            notes=tuple(notes),
            prompting=record,
        )


TEXT_PROMPTED = TextPromptRunner()
