"""Label budgets: which training examples a learner sees at a budget of ``n`` labels.

Pure and seeded, so a unit carries only ``(budget, unit, seed)`` and any executor draws the
same examples. Samples are *nested*: for one seed, the examples at budget ``n`` are a subset
of those at any larger budget, so a learning curve measures more labels rather than other
labels. A ``total`` budget is stratified (each class gets its share of the ``n`` labels, in
proportion to its size); a ``per_class`` budget takes up to ``n`` examples of every class.

>>> labels = ["a"] * 6 + ["b"] * 3
>>> idx, notes = budget_indices(labels, 3, per_class=False, seed=0)
>>> sorted(labels[i] for i in idx)
['a', 'a', 'b']
>>> set(idx) <= set(budget_indices(labels, 6, per_class=False, seed=0)[0])
True
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence

from taskfit.errors import UsageError
from taskfit.types import Dataset, Example, Unit

__all__ = ["budget_indices", "default_budgets", "parse_budgets", "train_examples"]


def default_budgets(n_available: int, *, start: int = 8, count: int = 8) -> list[int]:
    """``count`` geometric budgets from ``start`` to ``n_available`` (both included).

    >>> default_budgets(1000)
    [8, 16, 32, 63, 126, 252, 502, 1000]
    """
    if n_available <= start:
        return [n_available]
    ratio = (n_available / start) ** (1.0 / (count - 1))
    out = sorted({min(n_available, round(start * ratio**i)) for i in range(count)})
    out[-1] = n_available
    return out


def parse_budgets(text: str) -> list[int]:
    """``"8,16,32"`` -> ``[8, 16, 32]``; each a positive integer."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            n = int(part)
        except ValueError:
            raise UsageError(f"--budgets: {part!r} is not a whole number") from None
        if n < 1:
            raise UsageError(f"--budgets: {n} is not a positive number of labels")
        out.append(n)
    if not out:
        raise UsageError("--budgets: give at least one label budget, e.g. 8,16,32")
    return sorted(set(out))


def _order(labels: Sequence[str], candidates: Sequence[int], seed: int) -> list[int]:
    """A seeded, stratified order: any prefix has each class near its share.

    Example ``r`` (0-based rank in its class's shuffled list) of a class of size ``s`` sits
    at ``(r + u) / s`` with one random ``u`` per class, so classes interleave in proportion.
    """
    rng = random.Random(seed)
    by_class: dict[str, list[int]] = defaultdict(list)
    for i in candidates:
        by_class[labels[i]].append(i)
    keyed: list[tuple[float, int]] = []
    for lab in sorted(by_class):
        members = by_class[lab]
        rng.shuffle(members)
        u = rng.random()
        keyed.extend(((r + u) / len(members), i) for r, i in enumerate(members))
    keyed.sort()
    return [i for _, i in keyed]


def budget_indices(
    labels: Sequence[str],
    budget: int,
    *,
    per_class: bool,
    seed: int,
    fixed: int = 0,
) -> tuple[tuple[int, ...], list[str]]:
    """Sorted indices of the examples seen at ``budget``, and notes on any shortfall.

    The first ``fixed`` examples are always included and are not counted in the budget
    (distillation's gold labels next to LLM labels). A budget larger than what is there is
    capped, and said; so is a class with fewer examples than a per-class budget. A total
    budget always spans at least two classes when the data has two.
    """
    if budget < 1:
        raise UsageError(f"a label budget must be positive, got {budget}")
    candidates = list(range(fixed, len(labels)))
    notes: list[str] = []
    if per_class:
        counts = Counter(labels[i] for i in candidates)
        short = sorted(lab for lab, c in counts.items() if c < budget)
        if short:
            shown = ", ".join(f"{lab} ({counts[lab]})" for lab in short[:5])
            more = f" and {len(short) - 5} more" if len(short) > 5 else ""
            notes.append(
                f"budget {budget}/class: {len(short)} class(es) have fewer examples and use "
                f"all they have: {shown}{more}"
            )
        order = _order(labels, candidates, seed)
        taken: Counter[str] = Counter()
        picked = []
        for i in order:
            if taken[labels[i]] < budget:
                taken[labels[i]] += 1
                picked.append(i)
    else:
        if budget > len(candidates):
            notes.append(f"budget {budget} is more than the {len(candidates)} examples; capped")
        order = _order(labels, candidates, seed)
        picked = order[: min(budget, len(order))]
        if len({labels[i] for i in picked}) < 2:
            other = next((i for i in order if labels[i] != labels[picked[0]]), None)
            if other is not None and picked:
                picked[-1] = other
    return tuple(sorted([*range(fixed), *picked])), notes


def train_examples(unit: Unit, dataset: Dataset) -> tuple[list[Example], list[str]]:
    """The training examples a unit sees, and notes on any shortfall: all of them, or the
    seeded label budget of its params ``budget``, ``budget_unit`` (``"per_class"``, else a
    total) and ``fixed`` (see :func:`budget_indices`)."""
    train = list(dataset.train)
    budget = unit.param("budget")
    if budget is None:
        return train, []
    idx, notes = budget_indices(
        [e.target for e in train],
        int(budget),
        per_class=unit.param("budget_unit") == "per_class",
        seed=unit.seed,
        fixed=int(unit.param("fixed", 0)),
    )
    return [train[i] for i in idx], notes
