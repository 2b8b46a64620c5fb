"""Planning the trust measures: which units run on which derived dataset.

Every trust unit is a headline unit moved to a variant (:mod:`taskfit.run.variants`):
same approach, model, seed and parameters, another ``data_hash`` and test sample.
Learner units predict every test example of a variant and skip serving latency;
prompted units run on at most ``llm_max_test`` examples per variant (and per part of
an OOD variant), sampled the same way as the headline run so clean and perturbed
predictions pair up by test index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from taskfit import approaches as registry
from taskfit.config import TRUST_MEASURES, TrustOptions
from taskfit.run.plan import stratified_sample
from taskfit.run.variants import Variant, holdout_variant, prompt_indices
from taskfit.types import Dataset, Unit

__all__ = [
    "TRUST_MEASURES",
    "TrustOptions",
    "TrustPlan",
    "group_holdout",
    "order_units",
    "units_for",
]


@dataclass
class TrustPlan:
    """Variants and the units to run on each (filled in by the trust stage)."""

    variants: list[Variant] = field(default_factory=list)
    units: dict[str, list[Unit]] = field(default_factory=dict)  # variant name -> units


def _cap(cap: int | None, headline: Unit) -> int | None:
    """A prompt unit never runs more trust examples than its headline run."""
    n = len(headline.test_indices)
    return n if cap is None else min(cap, n)


def units_for(
    variant: Variant,
    headline: Sequence[Unit],
    *,
    llm_max_test: int | None,
    seed: int,
    families: Sequence[str] = ("prompt", "finetune", "baseline"),
    approaches: Sequence[str] | None = None,
) -> list[Unit]:
    """The headline units (of the given families/approaches) moved to ``variant``."""
    out = []
    every = tuple(range(len(variant.dataset.test)))
    for u in headline:
        if u.family not in families or (approaches is not None and u.approach not in approaches):
            continue
        if u.family == "prompt" and variant.aligned:
            # a subset of the headline sample, so every trust prediction has a clean twin
            labels = [variant.dataset.test[i].label for i in u.test_indices]
            pick = stratified_sample(labels, _cap(llm_max_test, u), seed)
            idx = tuple(u.test_indices[j] for j in pick)
            out.append(replace(u, data_hash=variant.dataset.data_hash, test_indices=idx))
        elif u.family == "prompt":
            idx = prompt_indices(variant, _cap(llm_max_test, u), seed)
            out.append(replace(u, data_hash=variant.dataset.data_hash, test_indices=idx))
        else:
            params: tuple[tuple[str, Any], ...] = (*u.params, ("serving_latency", False))
            out.append(
                replace(u, data_hash=variant.dataset.data_hash, test_indices=every, params=params)
            )
    return out


def order_units(
    headline: Sequence[Unit], dataset: Dataset, *, n_orders: int, max_test: int, seed: int
) -> list[Unit]:
    """Units of prompted approaches that show every example the same demonstrations
    (few-shot), showing them in ``n_orders - 1`` other orders, on a stratified sample of
    the headline examples (order 0 is the headline run)."""
    out = []
    for u in headline:
        if not registry.get(u.approach).reorders_demos:
            continue
        labels = [dataset.test[i].label for i in u.test_indices]
        pick = stratified_sample(labels, min(max_test, len(labels)), seed)
        idx = tuple(u.test_indices[j] for j in pick)
        for order in range(1, n_orders):
            out.append(replace(u, test_indices=idx, params=(*u.params, ("order", order))))
    return out


def group_holdout(
    dataset: Dataset, column: str, share: float
) -> tuple[Variant | None, tuple[str, ...]]:
    """Hold out the last groups in sorted order (for dates: the most recent) until about
    ``share`` of the training rows are held out; every label must keep a training row.

    Returns the variant (None when no group can be held out) and notes."""
    groups = sorted({e.group or "" for e in (*dataset.train, *dataset.test)})
    if len(groups) < 2:
        return None, (f"group column {column!r} has {len(groups)} value(s); no group OOD split",)
    held: list[str] = []
    n_train = len(dataset.train)
    for g in reversed(groups):
        trial = {*held, g}
        rest = [e.label for e in dataset.train if (e.group or "") not in trial]
        if set(rest) != set(dataset.labels) or len(held) + 1 == len(groups):
            continue  # would leave a label without training data, or nothing in-distribution
        held.append(g)
        if n_train - len(rest) >= share * n_train:
            break
    if not held:
        return None, (
            f"holding out any {column!r} group would leave a label without training data",
        )
    hs = set(held)
    held_train = [i for i, e in enumerate(dataset.train) if (e.group or "") in hs]
    id_test = [i for i, e in enumerate(dataset.test) if (e.group or "") not in hs]
    held_test = [i for i, e in enumerate(dataset.test) if (e.group or "") in hs]
    if not id_test:
        return None, (f"every test row is in a held-out {column!r} group",)
    note = (
        f"held out {column} = {', '.join(map(repr, sorted(held)))} ({len(held_train)} train rows)"
    )
    variant = holdout_variant(dataset, "ood", held_train, id_test, held_test, (note,))
    return variant, (note,)
