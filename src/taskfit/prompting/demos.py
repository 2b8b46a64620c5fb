"""Choosing demonstrations for few-shot prompts.

- :func:`balanced_random`: ``k`` seeded random training examples, spread over the labels
  as evenly as possible (round-robin over a shuffled label order). Shared by every test
  example, so the whole few-shot prefix is evaluated once per run.
- :func:`nearest`: for each test example the ``k`` training examples nearest by encoder
  embedding (cosine), most similar last, i.e. closest to the question.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from taskfit.types import Example

__all__ = ["balanced_random", "nearest", "reordered"]


def balanced_random(train: Sequence[Example], k: int, seed: int) -> list[Example]:
    """``k`` label-balanced demonstrations in a seeded random order.

    >>> ex = [Example(f"t{i}", "ab"[i % 2]) for i in range(10)]
    >>> sorted(e.label for e in balanced_random(ex, 4, seed=0))
    ['a', 'a', 'b', 'b']
    """
    rng = random.Random(seed)
    by_label: dict[str, list[Example]] = defaultdict(list)
    for ex in train:
        by_label[ex.label].append(ex)
    pools = {lab: rng.sample(items, len(items)) for lab, items in sorted(by_label.items())}
    order = sorted(pools)
    rng.shuffle(order)
    picked: list[Example] = []
    while len(picked) < k and any(pools.values()):
        for lab in order:
            if pools[lab] and len(picked) < k:
                picked.append(pools[lab].pop())
    rng.shuffle(picked)
    return picked


def reordered(demos: Sequence[Example], order: int) -> list[Example]:
    """The same demonstrations in another seeded order; ``order`` 0 keeps them as they are.

    Used to measure the recency bias of few-shot prompts: does the prediction follow the
    label of the last demonstration?

    >>> ex = [Example(f"t{i}", "ab"[i % 2]) for i in range(6)]
    >>> reordered(ex, 0) == ex
    True
    >>> sorted(e.text for e in reordered(ex, 3)) == sorted(e.text for e in ex)
    True
    """
    out = list(demos)
    if order:
        random.Random(f"order-{order}").shuffle(out)
    return out


def nearest(train_emb: np.ndarray, test_emb: np.ndarray, k: int) -> np.ndarray:
    """Indices (n_test, k) of the nearest training rows, least similar first.

    Embeddings must be L2-normalised (dot product = cosine similarity).
    """
    k = min(k, train_emb.shape[0])
    sims = test_emb @ train_emb.T
    top = np.argpartition(-sims, kth=k - 1, axis=1)[:, :k]
    top_sims = np.take_along_axis(sims, top, axis=1)
    order = np.argsort(top_sims, axis=1)  # ascending: the most similar ends up last
    return np.take_along_axis(top, order, axis=1)
