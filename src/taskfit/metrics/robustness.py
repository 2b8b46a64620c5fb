"""Robustness, out-of-distribution gaps and group slices: pure functions over label lists.

* :func:`perturbation_score` compares predictions on clean and perturbed versions of the
  same examples. The accuracy drop (clean minus perturbed) has a *paired* percentile
  bootstrap interval: each round resamples example indices once and applies them to both
  correctness vectors, so the interval reflects only the per-example disagreement and
  is narrower than an unpaired one when clean and perturbed correctness are correlated.
* :func:`ood_gap` compares accuracy in distribution (ID) and out of distribution (OOD).
  The two sets hold different examples, so the gap (ID minus OOD accuracy) has an
  *unpaired* interval: each round resamples the two sets independently. An OOD example
  whose true label never occurs in training counts as an error, whatever was predicted
  (no model trained on that label space can be right about it); such labels are listed
  in ``per_label`` with ``seen_in_training`` false.
* :func:`group_report` slices accuracy by a metadata column (source, date, ...) and
  names the worst and best group among those with at least ``min_n`` examples.

Intervals are 95% percentile intervals (1000 rounds by default, seeded, vectorised
with numpy), widened if need be to contain their point estimate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from taskfit.jsonable import JsonFields
from taskfit.metrics.quality import bootstrap_interval
from taskfit.types import Interval

__all__ = [
    "GapScore",
    "GroupReport",
    "GroupSlice",
    "PerturbationScore",
    "group_report",
    "ood_gap",
    "perturbation_score",
]

_ALPHA = 0.05
# Upper bound on rounds x examples held in memory at once.
_CHUNK_ELEMENTS = 4_000_000


def _check(name_a: str, a: Sequence[Any], name_b: str, b: Sequence[Any]) -> None:
    if len(a) != len(b):
        raise ValueError(f"{name_a} has {len(a)} items but {name_b} has {len(b)}")


def _check_nonempty(name: str, a: Sequence[Any]) -> None:
    if len(a) == 0:
        raise ValueError(f"{name} is empty: cannot compute a metric on zero examples")


def _check_n_boot(n_boot: int) -> None:
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")


def _correct(y_true: Sequence[str], y_pred: Sequence[str]) -> np.ndarray:
    return np.fromiter(
        (t == p for t, p in zip(y_true, y_pred, strict=True)), dtype=np.float64, count=len(y_true)
    )


def _resampled_means(
    values: Sequence[np.ndarray], n_boot: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Bootstrap means of each array in ``values`` (all of one length), resampled with the
    *same* indices in every round (paired)."""
    n = len(values[0])
    chunk = max(1, _CHUNK_ELEMENTS // n)
    parts: list[list[np.ndarray]] = [[] for _ in values]
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, n, size=(min(chunk, n_boot - start), n))
        for out, v in zip(parts, values, strict=True):
            out.append(v[idx].mean(axis=1))
    return [np.concatenate(p) for p in parts]


def _interval(value: float, samples: np.ndarray) -> Interval:
    low, high = np.percentile(samples, [100.0 * _ALPHA / 2, 100.0 * (1.0 - _ALPHA / 2)])
    return Interval(value=value, ci_low=min(float(low), value), ci_high=max(float(high), value))


# --- perturbations ----------------------------------------------------------------------


@dataclass(frozen=True)
class PerturbationScore(JsonFields):
    """Accuracy on perturbed inputs and its drop vs the clean inputs.

    ``drop`` = clean accuracy - perturbed accuracy (positive = worse when perturbed),
    with a paired bootstrap interval; ``flip_rate`` the share of examples whose
    prediction changed; ``n_changed`` how many inputs the perturbation changed.
    """

    kind: str
    n: int
    n_changed: int
    accuracy: Interval
    drop: Interval
    flip_rate: float


def perturbation_score(
    kind: str,
    y_true: Sequence[str],
    clean_pred: Sequence[str],
    pert_pred: Sequence[str],
    *,
    n_changed: int,
    seed: int = 0,
    n_boot: int = 1000,
) -> PerturbationScore:
    """Score predictions on perturbed inputs against those on the same clean inputs.

    >>> s = perturbation_score("typos", list("aabb"), list("aabb"), list("abbb"), n_changed=2)
    >>> s.accuracy.value, s.drop.value, s.flip_rate
    (0.75, 0.25, 0.25)
    """
    _check("y_true", y_true, "clean_pred", clean_pred)
    _check("y_true", y_true, "pert_pred", pert_pred)
    _check_nonempty("y_true", y_true)
    _check_n_boot(n_boot)
    n = len(y_true)
    if not 0 <= n_changed <= n:
        raise ValueError(f"n_changed must be between 0 and {n}, got {n_changed}")
    clean, pert = _correct(y_true, clean_pred), _correct(y_true, pert_pred)
    clean_s, pert_s = _resampled_means([clean, pert], n_boot, np.random.default_rng(seed))
    flips = sum(a != b for a, b in zip(clean_pred, pert_pred, strict=True))
    return PerturbationScore(
        kind=kind,
        n=n,
        n_changed=n_changed,
        accuracy=_interval(float(pert.mean()), pert_s),
        drop=_interval(float(clean.mean() - pert.mean()), clean_s - pert_s),
        flip_rate=flips / n,
    )


# --- out of distribution ----------------------------------------------------------------


@dataclass(frozen=True)
class GapScore(JsonFields):
    """In-distribution vs out-of-distribution accuracy; ``gap`` = ID - OOD (unpaired
    interval). ``per_label``: true OOD label -> ``{"n", "accuracy", "seen_in_training"}``;
    ``n_unseen_label`` counts OOD examples whose label is unseen in training (errors)."""

    id_accuracy: Interval
    ood_accuracy: Interval
    gap: Interval
    n_id: int
    n_ood: int
    n_unseen_label: int
    per_label: dict[str, dict[str, Any]]


def ood_gap(
    id_true: Sequence[str],
    id_pred: Sequence[str],
    ood_true: Sequence[str],
    ood_pred: Sequence[str],
    *,
    train_labels: Collection[str],
    seed: int = 0,
    n_boot: int = 1000,
) -> GapScore:
    """Accuracy in and out of distribution and the gap between them.

    OOD examples whose true label is not in ``train_labels`` count as errors.

    >>> g = ood_gap(["a", "b"], ["a", "b"], ["a", "c"], ["a", "c"], train_labels={"a", "b"})
    >>> g.gap.value, g.n_unseen_label, g.per_label["c"]["seen_in_training"]
    (0.5, 1, False)
    """
    _check("id_true", id_true, "id_pred", id_pred)
    _check("ood_true", ood_true, "ood_pred", ood_pred)
    _check_nonempty("id_true", id_true)
    _check_nonempty("ood_true", ood_true)
    _check_n_boot(n_boot)
    seen = set(train_labels)
    id_c = _correct(id_true, id_pred)
    ood_c = _correct(ood_true, ood_pred) * np.array([t in seen for t in ood_true], dtype=float)
    rng = np.random.default_rng(seed)
    (id_s,) = _resampled_means([id_c], n_boot, rng)
    (ood_s,) = _resampled_means([ood_c], n_boot, rng)
    id_acc, ood_acc = float(id_c.mean()), float(ood_c.mean())

    per_label: dict[str, dict[str, Any]] = {}
    for label in sorted(set(ood_true)):
        mask = np.array([t == label for t in ood_true])
        per_label[label] = {
            "n": int(mask.sum()),
            "accuracy": float(ood_c[mask].mean()),
            "seen_in_training": label in seen,
        }
    return GapScore(
        id_accuracy=_interval(id_acc, id_s),
        ood_accuracy=_interval(ood_acc, ood_s),
        gap=_interval(id_acc - ood_acc, id_s - ood_s),
        n_id=len(id_true),
        n_ood=len(ood_true),
        n_unseen_label=sum(t not in seen for t in ood_true),
        per_label=per_label,
    )


# --- groups -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSlice(JsonFields):
    """Accuracy of the ``n`` examples of one group, with its bootstrap interval."""

    group: str
    n: int
    accuracy: Interval


@dataclass(frozen=True)
class GroupReport(JsonFields):
    """Accuracy per group (sorted by name). ``worst_group``/``best_group`` are chosen
    among groups with at least ``min_n`` examples ("" when none qualifies);
    ``worst_gap`` = best - worst accuracy; ``overall`` the accuracy over all examples."""

    groups: tuple[GroupSlice, ...]
    worst_group: str
    best_group: str
    worst_gap: float
    overall: float


def group_report(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    groups: Sequence[str],
    *,
    min_n: int = 1,
    seed: int = 0,
) -> GroupReport:
    """Accuracy per group, the worst and best group and the gap between them.

    Ties are broken by group name (the first name in sorted order wins).

    >>> r = group_report(list("aaaa"), list("aaab"), ["x", "x", "y", "y"])
    >>> r.worst_group, r.best_group, r.worst_gap, r.overall
    ('y', 'x', 0.5, 0.75)
    """
    _check("y_true", y_true, "y_pred", y_pred)
    _check("y_true", y_true, "groups", groups)
    _check_nonempty("y_true", y_true)
    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    slices = []
    for g in sorted(members):
        idx = members[g]
        acc = bootstrap_interval(
            [y_true[i] for i in idx], [y_pred[i] for i in idx], "accuracy", seed=seed
        )
        slices.append(GroupSlice(group=g, n=len(idx), accuracy=acc))
    eligible = [s for s in slices if s.n >= min_n]
    if eligible:
        worst = min(eligible, key=lambda s: (s.accuracy.value, s.group))
        best = min(eligible, key=lambda s: (-s.accuracy.value, s.group))
        names, gap = (worst.group, best.group), best.accuracy.value - worst.accuracy.value
    else:
        names, gap = ("", ""), 0.0
    overall = float(_correct(y_true, y_pred).mean())
    return GroupReport(
        groups=tuple(slices),
        worst_group=names[0],
        best_group=names[1],
        worst_gap=gap,
        overall=overall,
    )
