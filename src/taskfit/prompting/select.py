"""Choose a prompted approach's prompt on a dev split carved from the training labels.

A comparison is only as fair as its weaker arm: the fine-tuned side learns from the
user's labels, so the prompted side gets to use a few of them too, to pick its prompt
format (the model's chat format or a plain completion) and wording
(:data:`~taskfit.tasks.classification.prompts.VARIANTS`). The dev split is a seeded, stratified
sample of the *training* examples (never the test set); demonstrations come from the
rest of the training examples, so no dev example is ever shown to the model as a
demonstration. Each candidate is scored on the dev split, the most accurate one (ties:
macro-F1, then the order of :func:`candidates`) is used on the test set, and every
candidate's dev figures are kept for the results. Every call goes through the store's
call cache, so a rerun costs nothing.

>>> candidates("auto", chat=True, completion=True)[:2]
[PromptChoice(format='completion', variant='list'), PromptChoice(format='chat', variant='list')]
>>> candidates("completion", chat=True, completion=True, selection=False)
[PromptChoice(format='completion', variant='list')]
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from taskfit.config import DEFAULT_DEV_SIZE
from taskfit.errors import UsageError
from taskfit.tasks.classification.prompts import VARIANTS
from taskfit.types import Example

__all__ = [
    "DEFAULT_DEV_SIZE",
    "PROMPT_FORMATS",
    "Candidate",
    "PromptChoice",
    "best",
    "candidates",
    "describe",
    "dev_split",
]

PROMPT_FORMATS = ("auto", "chat", "completion")

_DESCRIPTIONS = {
    "list": "the labels one per line",
    "question": "the labels in one sentence, asked as a question",
    "numbered": "a numbered label list, answered with the number",
}


@dataclass(frozen=True)
class PromptChoice:
    format: str  # "completion" | "chat"
    variant: str  # one of VARIANTS

    @property
    def id(self) -> str:
        return f"{self.format}/{self.variant}"


def describe(choice: PromptChoice) -> str:
    """One line saying what the prompt is."""
    where = "the model's chat format" if choice.format == "chat" else "a completion prompt"
    return f"{where}, {_DESCRIPTIONS[choice.variant]}"


def candidates(
    prompt_format: str,
    *,
    chat: bool,
    completion: bool,
    selection: bool = True,
    variants: Sequence[str] = VARIANTS,
) -> list[PromptChoice]:
    """The prompts worth trying, given what the backend can score.

    ``chat``/``completion``: whether the backend gives label probabilities in that
    format. ``auto`` tries both formats (neither wins everywhere); with ``selection``
    off, ``auto`` means the completion format when it is scorable, else chat.
    ``variants`` narrows the wordings tried (few-shot-knn tries the formats only: its
    prompts differ per example, so every candidate is a full scoring pass).
    An endpoint that scores neither format is asked in the chat format and its answers
    parsed.
    """
    if prompt_format not in PROMPT_FORMATS:
        raise UsageError(
            f"unknown --prompt-format {prompt_format!r}; use one of {', '.join(PROMPT_FORMATS)}"
        )
    if prompt_format == "auto":
        formats = [f for f, ok in (("completion", completion), ("chat", chat)) if ok]
        formats = formats or ["chat"]
    else:
        formats = [prompt_format]
    if not selection:
        return [PromptChoice(formats[0], "list")]
    return [PromptChoice(f, v) for v in variants for f in formats]


def dev_split(
    train: Sequence[Example], size: int, seed: int, *, keep: int = 0
) -> tuple[list[Example], list[Example]]:
    """(dev, rest): a seeded stratified sample of ``size`` training examples, and the rest.

    At most half of the training examples go to dev, and at least ``keep`` (the
    demonstrations a few-shot prompt needs) stay in the rest; classes with one example
    stay whole in the rest, so every label can still be demonstrated.
    """
    size = min(size, len(train) // 2, max(0, len(train) - keep))
    if size <= 0:
        return [], list(train)
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(train):
        by_label[ex.label].append(i)
    spare = {lab: len(ix) - 1 for lab, ix in by_label.items() if len(ix) > 1}
    total = sum(spare.values())
    if total == 0:
        return [], list(train)
    size = min(size, total)
    quotas = {lab: size * n / total for lab, n in spare.items()}
    take = {lab: min(spare[lab], int(q)) for lab, q in quotas.items()}
    left = size - sum(take.values())
    for lab in sorted(quotas, key=lambda k: (-(quotas[k] - take[k]), k)):
        if left <= 0:
            break
        if take[lab] < spare[lab]:
            take[lab] += 1
            left -= 1
    rng = random.Random(f"dev-{seed}")
    picked: set[int] = set()
    for lab in sorted(take):
        picked.update(rng.sample(by_label[lab], take[lab]))
    dev = [train[i] for i in sorted(picked)]
    rest = [ex for i, ex in enumerate(train) if i not in picked]
    return dev, rest


@dataclass(frozen=True)
class Candidate:
    """A prompt's figures on the dev split."""

    choice: PromptChoice
    accuracy: float
    macro_f1: float
    top_label: str
    top_label_share: float
    probabilities: tuple[tuple[float, ...], ...]
    probability_kind: str

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.choice.format,
            "variant": self.choice.variant,
            "description": describe(self.choice),
            "dev_accuracy": self.accuracy,
            "dev_macro_f1": self.macro_f1,
            "top_label": self.top_label,
            "top_label_share": self.top_label_share,
            "probabilities": self.probability_kind,
        }


def score_candidate(
    choice: PromptChoice,
    y_true: Sequence[str],
    predictions: Sequence[str],
    probabilities: Sequence[Sequence[float]],
    labels: Sequence[str],
    probability_kind: str,
) -> Candidate:
    """Dev accuracy, macro-F1 and how concentrated the predictions are."""
    y = np.asarray(y_true)
    p = np.asarray(predictions)
    f1s = []
    for lab in labels:
        tp = float(np.sum((p == lab) & (y == lab)))
        fp = float(np.sum((p == lab) & (y != lab)))
        fn = float(np.sum((p != lab) & (y == lab)))
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    top, count = Counter(predictions).most_common(1)[0] if len(p) else ("", 0)
    return Candidate(
        choice=choice,
        accuracy=float(np.mean(p == y)) if len(p) else 0.0,
        macro_f1=float(np.mean(f1s)) if f1s else 0.0,
        top_label=top,
        top_label_share=count / len(p) if len(p) else 0.0,
        probabilities=tuple(tuple(float(x) for x in row) for row in probabilities),
        probability_kind=probability_kind,
    )


def best(scored: Sequence[Candidate]) -> Candidate:
    """Most accurate on dev; ties go to macro-F1, then to the earlier candidate."""
    order = {id(c): i for i, c in enumerate(scored)}
    return min(scored, key=lambda c: (-round(c.accuracy, 9), -round(c.macro_f1, 9), order[id(c)]))
