"""Collapsed predictions: one label for (nearly) every input.

A known failure of in-context learning: a small model behind a prompt it does not read
well answers one label for almost every text, e.g. "positive" for 99 of 100 sentiment
reviews, half of which are negative. Its accuracy then equals that label's share of the
test set and says nothing about what the model can do. The same test flags any
approach that predicts one label far more often than the data holds it, including a
majority-class baseline on a balanced test set (which does so by design).

An approach *collapsed* when one label takes more than ``max_pred_share`` of its
predictions while that label is less than ``max_true_share`` of the gold labels of the
same examples; or when one label takes at least ``SKEW_MIN_SHARE`` (half) of its
predictions and at least ``SKEW_RATIO`` (4) times its share of the gold labels: on 8
balanced intents, answering one of them for 79% of inputs (true share 12%) is the same
failure at a lesser degree. On a test set where one label really is 95% of the data,
predicting it 95% of the time is not a collapse; nor is 60% on a two-class set at 50%.

>>> detect_collapse(["pos"] * 99 + ["neg"], ["pos"] * 50 + ["neg"] * 50, ["neg", "pos"])
Collapse(label='pos', pred_share=0.99, true_share=0.5)
>>> detect_collapse(["pos"] * 95 + ["neg"] * 5, ["pos"] * 95 + ["neg"] * 5, ["neg", "pos"])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from taskfit.jsonable import JsonFields

__all__ = [
    "MAX_PRED_SHARE",
    "MAX_TRUE_SHARE",
    "SKEW_MIN_SHARE",
    "SKEW_RATIO",
    "Collapse",
    "detect_collapse",
    "is_collapsed",
]

MAX_PRED_SHARE = 0.9
MAX_TRUE_SHARE = 0.6
# The lesser degree: at least half the predictions, at least 4x the label's true share.
SKEW_MIN_SHARE = 0.5
SKEW_RATIO = 4.0


@dataclass(frozen=True)
class Collapse(JsonFields):
    """The label an approach piles onto: its share of the predictions and of the gold
    labels of the same examples."""

    label: str
    pred_share: float
    true_share: float


def _check_thresholds(max_pred_share: float, max_true_share: float) -> None:
    if not 0.0 < max_pred_share < 1.0:
        raise ValueError(f"max_pred_share must be in (0, 1), got {max_pred_share}")
    if not 0.0 < max_true_share <= 1.0:
        raise ValueError(f"max_true_share must be in (0, 1], got {max_true_share}")


def is_collapsed(
    pred_share: float,
    true_share: float,
    *,
    max_pred_share: float = MAX_PRED_SHARE,
    max_true_share: float = MAX_TRUE_SHARE,
) -> bool:
    """The collapse rule on two shares (see the module docstring).

    >>> is_collapsed(0.95, 0.5), is_collapsed(0.95, 0.7), is_collapsed(0.9, 0.5)
    (True, False, False)
    >>> is_collapsed(0.79, 0.12), is_collapsed(0.6, 0.5), is_collapsed(0.45, 0.05)
    (True, False, False)
    """
    _check_thresholds(max_pred_share, max_true_share)
    if pred_share > max_pred_share and true_share < max_true_share:
        return True
    return pred_share >= SKEW_MIN_SHARE and pred_share >= SKEW_RATIO * true_share


def detect_collapse(
    predictions: Sequence[str],
    y_true: Sequence[str],
    labels: Collection[str],
    *,
    max_pred_share: float = MAX_PRED_SHARE,
    max_true_share: float = MAX_TRUE_SHARE,
) -> Collapse | None:
    """The collapse of ``predictions`` against ``y_true``, or None when there is none.

    ``labels`` is the label space; it orders ties for the most predicted label (label
    space order, then any prediction outside it in sorted order). A prediction outside
    the label space (an unparseable answer) counts like any other label. No examples
    give None.
    """
    _check_thresholds(max_pred_share, max_true_share)
    if len(predictions) != len(y_true):
        raise ValueError(f"predictions has {len(predictions)} items but y_true has {len(y_true)}")
    if not predictions:
        return None
    n = len(predictions)
    counts = Counter(predictions)
    space = list(dict.fromkeys(labels))
    order = space + sorted(set(counts) - set(space))
    top = max(order, key=lambda lab: counts[lab])  # first of the tied labels in ``order``
    pred_share = counts[top] / n
    true_share = sum(t == top for t in y_true) / n
    if not is_collapsed(
        pred_share, true_share, max_pred_share=max_pred_share, max_true_share=max_true_share
    ):
        return None
    return Collapse(top, pred_share, true_share)
