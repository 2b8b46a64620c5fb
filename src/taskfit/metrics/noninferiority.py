"""Non-inferiority: is a cheaper approach at most ``margin`` accuracy points worse?

"Not significantly worse" (a McNemar p above 0.05) is absence of evidence, not evidence of
equivalence: on 300 examples a 6-point loss can be "not significant". The question a
practitioner asks is whether the loss is *within a tolerance*, and that is answered by a
paired interval of the accuracy difference:

- ``difference`` = accuracy(best) - accuracy(other) on the examples both were scored on,
  with a 95% percentile bootstrap interval that resamples those shared examples (pairs stay
  together, so the interval reflects how often the two disagree, not their separate spreads);
- **non-inferior** when the interval's upper end is at most ``margin``;
- **inferior** when its lower end is above ``margin``;
- **inconclusive** otherwise: the test set is too small to tell. Then
  :func:`needed_test_size` estimates how many paired test examples would settle it if the
  observed difference and disagreement rate held (a normal-approximation power calculation
  for the paired difference, 95% two-sided interval, 80% power).

Identical correctness on every shared example gives a bootstrap interval of width zero,
which would call two approaches equivalent on any number of examples; the upper end is
then the "rule of three" bound ``3 / n`` (the 95% upper bound of a rate of which zero
events were seen in ``n`` trials), so 16 agreeing examples do not prove a 1-point margin.

>>> a = [True] * 90 + [False] * 10
>>> r = non_inferiority(a, a, margin=0.01)
>>> r.verdict, round(r.difference.ci_high, 3)
('inconclusive', 0.03)
>>> r.n_needed
300
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from taskfit.config import DEFAULT_MARGIN_POINTS
from taskfit.jsonable import JsonFields
from taskfit.metrics.robustness import _interval, _resampled_means
from taskfit.types import Interval

__all__ = [
    "DEFAULT_MARGIN_POINTS",
    "NonInferiority",
    "Verdict",
    "needed_test_size",
    "non_inferiority",
    "paired_difference",
]


Verdict = Literal["non-inferior", "inferior", "inconclusive"]

_Z_CI = stats.norm.ppf(0.975)  # 95% two-sided interval
_Z_POWER = stats.norm.ppf(0.80)  # 80% power


@dataclass(frozen=True)
class NonInferiority(JsonFields):
    """The paired comparison of ``other`` against ``best`` at a margin (fractions, not
    points: 0.01 is one accuracy point)."""

    n: int  # shared examples
    difference: Interval  # accuracy(best) - accuracy(other), 95% paired bootstrap
    margin: float
    verdict: Verdict
    discordant: float  # share of shared examples on which exactly one is right
    n_needed: int | None  # paired test examples that would settle an inconclusive result


def paired_difference(
    best_correct: Sequence[float],
    other_correct: Sequence[float],
    *,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """accuracy(best) - accuracy(other) with a 95% paired percentile bootstrap interval.

    Both sequences are aligned (the same examples in the same order). With identical
    correctness the upper end is the rule-of-three bound ``3 / n`` (module docstring).
    """
    if len(best_correct) != len(other_correct):
        raise ValueError(
            f"paired sequences differ in length: {len(best_correct)} vs {len(other_correct)}"
        )
    n = len(best_correct)
    if n == 0:
        raise ValueError("a paired difference needs at least one shared example")
    d = np.asarray(best_correct, dtype=np.float64) - np.asarray(other_correct, dtype=np.float64)
    value = float(d.mean())
    if not d.any():
        return Interval(0.0, 0.0, min(1.0, 3.0 / n))
    # The same paired resampling as the robustness drops (one index set per round).
    (means,) = _resampled_means([d], n_resamples, np.random.default_rng(seed))
    return _interval(value, means)


def needed_test_size(difference: float, discordant: float, margin: float) -> int | None:
    """Paired test examples for a 95% interval to end below ``margin`` with 80% power,
    if the true difference is ``difference`` and a ``discordant`` share of examples has
    exactly one of the two right; None when ``difference >= margin`` (more data would then
    most likely confirm the loss, not refute it).

    >>> needed_test_size(0.0, 0.10, 0.01)
    7849
    >>> needed_test_size(0.063, 0.20, 0.01) is None
    True
    """
    if margin <= 0 or difference >= margin:
        return None
    variance = max(discordant - difference**2, 0.0)
    n = (_Z_CI + _Z_POWER) ** 2 * variance / (margin - difference) ** 2
    return math.ceil(max(n, 3.0 / margin))


def non_inferiority(
    best_correct: Sequence[float],
    other_correct: Sequence[float],
    *,
    margin: float,
    seed: int = 0,
) -> NonInferiority:
    """Compare ``other`` against ``best`` on aligned per-example correctness (module
    docstring; per-example scores in [0, 1] of another headline metric work alike);
    ``margin`` is a fraction (0.01 = one accuracy point), 0 or more."""
    if not (margin >= 0 and math.isfinite(margin)):
        raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
    diff = paired_difference(best_correct, other_correct, seed=seed)
    n = len(best_correct)
    discordant = sum(a != b for a, b in zip(best_correct, other_correct, strict=True)) / n
    verdict: Verdict
    if diff.ci_high <= margin and margin > 0:
        verdict = "non-inferior"
    elif diff.ci_low > margin:
        verdict = "inferior"
    else:
        verdict = "inconclusive"
    needed = None
    if verdict == "inconclusive":
        needed = needed_test_size(diff.value, discordant, margin)
    return NonInferiority(n, diff, margin, verdict, discordant, needed)
