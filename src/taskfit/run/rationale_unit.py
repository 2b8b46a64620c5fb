"""Run one unit of "lora-rationales": distilling step by step (Hsieh et al., 2023).

The LoRA fine-tune of :mod:`taskfit.run.lora_unit`, trained on rationales: the teacher
LLM (the run's first ``--llm``, unit param ``teacher``) writes a chain of thought for
every training question, greedily, with the chain-of-thought prompt of the reasoning task
(the requests the ``cot`` approach's dev split makes, so they are cached and shared); each
training target is that rationale followed by the closing sentence with the *gold* answer
(:func:`taskfit.tasks.reasoning.rationale_target`). The student's instruction is the same
chain-of-thought wording, and its answers are read back by the task's rule. Set against
``lora`` (answers only, same base model, settings, seed and examples), it measures what
the teacher's rationales add. How often the teacher's own answer was right is noted: the
rationales of a weak teacher are mostly wrong working.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from taskfit.errors import UsageError
from taskfit.prompting.text import max_new_tokens, request
from taskfit.run.lora_unit import LoraRunner
from taskfit.run.runners import UnitEnv
from taskfit.tasks import get_task
from taskfit.tasks.answers import normalize_answer
from taskfit.tasks.reasoning import COT_VARIANTS, rationale_target
from taskfit.tasks.text_prompts import field_names
from taskfit.types import Example, Unit

__all__ = ["RATIONALES", "RationaleRunner"]

# Teacher chains generated between two progress updates.
_CHUNK = 4


class RationaleRunner(LoraRunner):
    """LoRA on the teacher's rationales plus the gold answers."""

    variant = COT_VARIANTS[0]

    def teacher_steps(self, unit: Unit, env: UnitEnv, n_train: int) -> int:
        return n_train

    def training_pairs(
        self, unit: Unit, env: UnitEnv, train: Sequence[Example]
    ) -> tuple[list[Example], list[str], float]:
        teacher = str(unit.param("teacher", "") or "")
        if not teacher:
            raise UsageError(f"{unit.approach} needs a teacher LLM (--llm)")
        task = get_task(env.dataset.task)
        backend = env.backend(teacher)
        template = task.prompt.for_task(
            variant=self.variant, **field_names(env.dataset.text_col, env.dataset.label_col)
        )
        chat = backend.info().chat
        cap = max_new_tokens(backend, [e.target for e in train], chain=True)
        t0 = time.perf_counter()
        chains: list[str] = []
        for start in range(0, len(train), _CHUNK):
            part = train[start : start + _CHUNK]
            reqs = [
                request(template, e, [], chat=chat, max_tokens=cap, seed=unit.seed * 1000)
                for e in part
            ]
            chains += [g.text for g in backend.generate(reqs)]
            env.progress(len(part))
        seconds = time.perf_counter() - t0
        right = sum(
            normalize_answer(task.parse(c, {}) or "") == normalize_answer(e.target)
            for c, e in zip(chains, train, strict=True)
        )
        pairs = [
            Example(e.text, rationale_target(c, e.target), e.text_pair)
            for c, e in zip(chains, train, strict=True)
        ]
        notes = [
            f"rationales from {teacher} ({'chat' if chat else 'completion'}/{self.variant}, "
            f"greedy) for {len(train)} training questions in {seconds:.1f} s; its own answer "
            f"was right for {right} ({right / max(1, len(train)):.0%}); each target ends "
            "with the gold answer"
        ]
        return pairs, notes, seconds


RATIONALES = RationaleRunner()
