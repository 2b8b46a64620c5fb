"""Prediction biases of prompted approaches: majority-label bias and recency bias.

Few-shot prompts are known to drift towards labels that are frequent among the
demonstrations (majority-label bias) and towards the label of the last demonstration
(recency bias). :func:`label_bias` compares the predicted with the true label
distribution; :func:`recency_bias` runs the same prompt with shuffled demonstration
orders and measures how often the prediction follows the order's last demonstration.

>>> lb = label_bias(["a", "a", "b", "b"], ["a", "a", "a", "b"], ["a", "b"])
>>> lb.top_label, lb.top_excess, lb.tv_distance
('a', 0.25, 0.25)
>>> rb = recency_bias(["a", "b"], [["a", "b"], ["b", "b"]], ["a", "b"])
>>> rb.last_label_share, rb.last_label_true_share, rb.flip_rate
(0.75, 0.5, 0.5)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from taskfit.jsonable import JsonFields

__all__ = ["LabelBias", "RecencyBias", "label_bias", "recency_bias"]


@dataclass(frozen=True)
class LabelBias(JsonFields):
    """Predicted vs true label distribution of one approach on one test set.

    Both share dicts have the same sorted keys: the label space plus any label seen in
    ``y_true`` or ``y_pred`` outside it (e.g. an unparseable LLM answer), so each sums to 1.
    ``tv_distance`` is the total variation distance ``0.5 * sum |pred - true|``;
    ``top_label`` the most predicted label of the label space and ``top_excess`` its
    predicted share minus its true share (> 0: the approach over-predicts it).
    """

    pred_share: dict[str, float]
    true_share: dict[str, float]
    tv_distance: float
    top_label: str
    top_excess: float


@dataclass(frozen=True)
class RecencyBias(JsonFields):
    """How often predictions follow the label of the last demonstration.

    Over ``n_orders`` runs of one few-shot prompt with shuffled demonstration orders on
    the same ``n`` examples: ``last_label_share`` is the share of (order, example)
    predictions equal to that order's last demonstration label; ``last_label_true_share``
    the share of (order, example) true labels equal to it, what an unbiased model would
    approach; ``excess`` their difference. ``flip_rate`` is the share of examples whose
    prediction is not the same in all orders.
    """

    n_orders: int
    n: int
    last_label_share: float
    last_label_true_share: float
    excess: float
    flip_rate: float


def label_bias(y_true: Sequence[str], y_pred: Sequence[str], labels: Collection[str]) -> LabelBias:
    """Majority-label bias: predicted vs true label shares (see :class:`LabelBias`).

    ``labels`` is the label space; when it is empty the labels seen in ``y_true`` and
    ``y_pred`` stand in. Ties for the most predicted label go to the first in sorted order.

    >>> b = label_bias(["a", "b", "c", "c"], ["c", "c", "c", "x"], ["a", "b", "c"])
    >>> b.pred_share
    {'a': 0.0, 'b': 0.0, 'c': 0.75, 'x': 0.25}
    >>> b.top_label, b.top_excess, b.tv_distance
    ('c', 0.25, 0.5)
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} items but y_pred has {len(y_pred)}")
    if not y_true:
        raise ValueError("cannot measure label bias on zero examples")
    n = len(y_true)
    keys = sorted(set(labels) | set(y_true) | set(y_pred))
    t_cnt, p_cnt = Counter(y_true), Counter(y_pred)
    true_share = {k: t_cnt[k] / n for k in keys}
    pred_share = {k: p_cnt[k] / n for k in keys}
    tv = 0.5 * sum(abs(pred_share[k] - true_share[k]) for k in keys)
    space = sorted(set(labels)) or keys
    top = min(space, key=lambda k: (-p_cnt[k], k))
    return LabelBias(
        pred_share=pred_share,
        true_share=true_share,
        tv_distance=tv,
        top_label=top,
        top_excess=pred_share[top] - true_share[top],
    )


def recency_bias(
    y_true: Sequence[str],
    preds_by_order: Sequence[Sequence[str]],
    last_labels: Sequence[str],
) -> RecencyBias:
    """Recency bias of a few-shot prompt over shuffled demonstration orders.

    ``preds_by_order[o][i]`` is the prediction for example ``i`` with demonstration order
    ``o``, whose last demonstration has label ``last_labels[o]``. With a single order the
    flip rate is 0.

    >>> r = recency_bias(["a", "b", "c"], [["a", "a", "c"], ["b", "b", "c"]], ["a", "b"])
    >>> r.n_orders, r.n, round(r.last_label_share, 4), round(r.last_label_true_share, 4)
    (2, 3, 0.6667, 0.3333)
    """
    n_orders = len(preds_by_order)
    if n_orders == 0:
        raise ValueError("recency bias needs predictions of at least one demonstration order")
    if len(last_labels) != n_orders:
        raise ValueError(
            f"got {n_orders} orders of predictions but {len(last_labels)} last-demonstration labels"
        )
    n = len(y_true)
    if n == 0:
        raise ValueError("cannot measure recency bias on zero examples")
    for o, preds in enumerate(preds_by_order):
        if len(preds) != n:
            raise ValueError(f"order {o} has {len(preds)} predictions but y_true has {n} items")
    total = n_orders * n
    follow = sum(
        p == last for preds, last in zip(preds_by_order, last_labels, strict=True) for p in preds
    )
    t_cnt = Counter(y_true)
    true_follow = sum(t_cnt[last] for last in last_labels)
    flips = sum(len({preds[i] for preds in preds_by_order}) > 1 for i in range(n))
    share, true_share = follow / total, true_follow / total
    return RecencyBias(
        n_orders=n_orders,
        n=n,
        last_label_share=share,
        last_label_true_share=true_share,
        excess=share - true_share,
        flip_rate=flips / n,
    )
