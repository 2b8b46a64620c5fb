"""Likely label errors by confident learning (Northcutt, Jiang & Chuang, JAIR 2021).

Out-of-fold predicted probabilities come from logistic regression on the rows' features
(sentence embeddings). Each class ``j`` gets a threshold ``t_j``: the mean predicted
probability of ``j`` over rows labelled ``j`` (the model's typical self-confidence). A row
labelled ``y`` is *confidently* of class ``j`` when ``p_j >= t_j``; if the most probable
such ``j`` is not ``y``, the row lands off the diagonal of the confident joint and is
flagged. Flagged rows are ranked by their self-confidence ``p_y`` (lowest first), the
ranking the paper recommends.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from taskfit.types import LabelIssue

__all__ = ["find_label_issues", "out_of_fold_probs"]


def out_of_fold_probs(
    x: np.ndarray, labels: Sequence[str], classes: Sequence[str], *, folds: int = 5, seed: int = 0
) -> np.ndarray:
    """Out-of-fold class probabilities (columns in ``classes`` order)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    y = np.array([list(classes).index(lab) for lab in labels])
    smallest = int(np.bincount(y, minlength=len(classes)).min())
    k = max(2, min(folds, smallest)) if smallest >= 2 else 2
    probs = np.zeros((len(y), len(classes)))
    if smallest >= 2:
        splits = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(x, y)
    else:  # a class with one row cannot be stratified; plain folds still give OOF scores
        from sklearn.model_selection import KFold

        splits = KFold(n_splits=k, shuffle=True, random_state=seed).split(x)
    for tr, te in splits:
        model = LogisticRegression(C=1.0, max_iter=1000, random_state=seed)
        model.fit(x[tr], y[tr])
        probs[np.ix_(te, model.classes_)] = model.predict_proba(x[te])
    return probs


def find_label_issues(
    probs: np.ndarray,
    labels: Sequence[str],
    classes: Sequence[str],
    texts: Sequence[str],
    rows: Sequence[int],
    splits: Sequence[str],
    *,
    top: int = 20,
) -> tuple[int, tuple[LabelIssue, ...]]:
    """(number of flagged rows, the ``top`` most suspicious as :class:`LabelIssue`)."""
    cls = list(classes)
    y = np.array([cls.index(lab) for lab in labels])
    thresholds = np.array(
        [probs[y == j, j].mean() if np.any(y == j) else 1.0 for j in range(len(cls))]
    )
    confident = probs >= thresholds[None, :]
    masked = np.where(confident, probs, -1.0)
    best = masked.argmax(axis=1)
    has_confident = confident.any(axis=1)
    flagged = np.flatnonzero(has_confident & (best != y))
    self_conf = probs[np.arange(len(y)), y]
    order = flagged[np.argsort(self_conf[flagged], kind="stable")]
    issues = tuple(
        LabelIssue(
            split=splits[i],
            row=int(rows[i]),
            text=_short(texts[i]),
            given=cls[y[i]],
            suggested=cls[best[i]],
            p_given=float(self_conf[i]),
            p_suggested=float(probs[i, best[i]]),
        )
        for i in order[:top]
    )
    return len(flagged), issues


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
