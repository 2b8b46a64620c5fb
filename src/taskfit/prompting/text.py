"""Prompting for free-text task types (generation, reasoning): demonstrations, requests,
answers and votes. The runner (:mod:`taskfit.run.text_unit`) puts them together.

- Demonstrations are ``none`` (zero-shot), a seeded random set shared by every example
  (``random``), or each example's nearest training examples by encoder embedding
  (``knn``), as for classification; the dev split that chooses the wording is a seeded
  random sample of the training examples (free-text targets have no classes to stratify).
- Outputs are generated greedily, at most :func:`max_new_tokens` tokens: derived from the
  reference lengths in the model's tokens, or a fixed room for a chain of thought.
- Self-consistency (Wang et al., 2023): ``k`` chains sampled at a temperature, each with
  its own seed (so each is cached apart); the answer is the most frequent normalised
  answer among those extracted, ties going to the one seen first (:func:`vote`).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from taskfit.backends.base import GenerateRequest, LLMBackend
from taskfit.prompting.demos import nearest
from taskfit.tasks.answers import normalize_answer
from taskfit.tasks.text_prompts import COMPLETION_STOP, Demo, TextTemplate
from taskfit.types import Example

__all__ = [
    "CHAIN_TOKENS",
    "demos_for",
    "max_new_tokens",
    "random_dev_split",
    "request",
    "vote",
]

# Room for a chain of thought before its answer.
CHAIN_TOKENS = 256
# Bounds of the token cap of a direct output.
_MIN_TOKENS, _MAX_TOKENS = 8, 512


def random_dev_split(
    train: Sequence[Example], size: int, seed: int, *, keep: int = 0
) -> tuple[list[Example], list[Example]]:
    """(dev, rest): a seeded random sample of at most ``size`` training examples (at most
    half of them, leaving at least ``keep`` for demonstrations), and the rest in order."""
    size = min(size, len(train) // 2, max(0, len(train) - keep))
    if size <= 0:
        return [], list(train)
    picked = set(random.Random(f"dev-{seed}").sample(range(len(train)), size))
    dev = [train[i] for i in sorted(picked)]
    return dev, [e for i, e in enumerate(train) if i not in picked]


def max_new_tokens(backend: LLMBackend, references: Sequence[str], *, chain: bool) -> int:
    """The generation cap: 1.5 times the 95th percentile of the references' lengths in the
    model's tokens, plus 8, within [8, 512]; a chain of thought adds :data:`CHAIN_TOKENS`."""
    lengths = [backend.count_tokens(r) for r in references[:500] if r]
    p95 = float(np.percentile(lengths, 95)) if lengths else 16.0
    cap = min(_MAX_TOKENS, max(_MIN_TOKENS, math.ceil(1.5 * p95) + 8))
    return cap + (CHAIN_TOKENS if chain else 0)


def demos_for(
    strategy: str,
    pool: Sequence[Example],
    examples: Sequence[Example],
    shots: int,
    seed: int,
    embed: Any = None,
) -> list[list[Demo]]:
    """Demonstrations of each example: none, one seeded random set, or its nearest."""
    if strategy == "none" or shots <= 0 or not pool:
        return [[] for _ in examples]
    if strategy == "random":
        chosen = random.Random(f"demos-{seed}").sample(list(pool), min(shots, len(pool)))
        shared = [(e.text, e.text_pair, e.target) for e in chosen]
        return [shared for _ in examples]
    if strategy == "knn":
        train_emb = embed([e.joined for e in pool])
        test_emb = embed([e.joined for e in examples])
        rows = nearest(train_emb, test_emb, shots)
        return [[(pool[j].text, pool[j].text_pair, pool[j].target) for j in row] for row in rows]
    raise ValueError(f"unknown demonstration strategy {strategy!r}")


def request(
    template: TextTemplate,
    example: Example,
    demos: Sequence[Demo],
    *,
    chat: bool,
    max_tokens: int,
    temperature: float = 0.0,
    seed: int = 0,
) -> GenerateRequest:
    """The generation request of one example in the chat or the completion format."""
    if chat:
        return GenerateRequest(
            prompt="",
            messages=template.chat(example.text, example.text_pair, demos),
            max_tokens=max_tokens,
            temperature=temperature,
            seed=seed,
            json_schema=template.json_schema,
        )
    return GenerateRequest(
        prompt=template.completion(example.text, example.text_pair, demos),
        max_tokens=max_tokens,
        temperature=temperature,
        seed=seed,
        stop=COMPLETION_STOP,
        json_schema=template.json_schema,
    )


def vote(answers: Sequence[str | None]) -> str | None:
    """The most frequent answer by :func:`~taskfit.tasks.answers.normalize_answer`, ties
    going to the one seen first; failed extractions (None) do not vote.

    >>> vote(["12", None, "7", "12.0", "7"])
    '12'
    >>> vote([None, None]) is None
    True
    """
    seen = [(normalize_answer(a), a) for a in answers if a is not None]
    if not seen:
        return None
    counts = Counter(n for n, _ in seen)
    first: dict[str, tuple[int, str]] = {}
    for i, (n, a) in enumerate(seen):
        first.setdefault(n, (i, a))
    best = max(counts, key=lambda n: (counts[n], -first[n][0]))
    return first[best][1]
