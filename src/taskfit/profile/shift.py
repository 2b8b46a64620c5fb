"""Train-vs-test shift score with a permutation null.

A "domain classifier" tries to tell reference rows (test, or a user's OOD test set) from
train rows using sentence embeddings. Its cross-validated ROC AUC is 0.5 when the two
samples come from one distribution and grows towards 1 as they drift apart. Because a
finite sample never gives exactly 0.5, the same classifier is fitted on the same rows with
the split labels shuffled ``n_permutations`` times: that is the null reference. The
split counts as shifted when the AUC clears the null's 95th percentile by ``MARGIN``, so
a shift too small to matter (an AUC of 0.53 on 100k rows is significant but harmless) is
not flagged.

The classifier is ridge regression on the embeddings (closed form, fast), scored by AUC of
its out-of-fold decision values.
"""

from __future__ import annotations

import numpy as np

from taskfit.types import ShiftScore

__all__ = ["MARGIN", "shift_score"]

MARGIN = 0.05  # AUC above the null's 95th percentile needed to call a split shifted


def _oof_scores(x: np.ndarray, y: np.ndarray, folds: np.ndarray, alpha: float) -> np.ndarray:
    """Out-of-fold ridge decision values; ``folds`` assigns each row a fold id."""
    out = np.empty(len(y), dtype=np.float64)
    target = np.where(y == 1, 1.0, -1.0)
    eye = alpha * np.eye(x.shape[1])
    for f in np.unique(folds):
        tr, te = folds != f, folds == f
        xt = x[tr]
        mu = xt.mean(axis=0)
        t_mu = target[tr].mean()
        xc = xt - mu
        w = np.linalg.solve(xc.T @ xc + eye, xc.T @ (target[tr] - t_mu))
        out[te] = (x[te] - mu) @ w
    return out


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC via the rank-sum (Mann-Whitney U) identity; ties get average ranks."""
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def shift_score(
    train: np.ndarray,
    reference: np.ndarray,
    *,
    reference_name: str = "test",
    n_permutations: int = 20,
    folds: int = 5,
    max_rows: int = 2000,
    alpha: float = 10.0,
    seed: int = 0,
) -> ShiftScore:
    """Shift of ``reference`` against ``train`` (rows are embeddings).

    Each side is subsampled to at most ``max_rows`` rows (seeded), so the cost does not
    grow with the data.
    """
    rng = np.random.default_rng(seed)
    if len(train) > max_rows:
        train = train[rng.choice(len(train), max_rows, replace=False)]
    if len(reference) > max_rows:
        reference = reference[rng.choice(len(reference), max_rows, replace=False)]
    x = np.vstack([train, reference]).astype(np.float64)
    y = np.r_[np.zeros(len(train), dtype=np.int64), np.ones(len(reference), dtype=np.int64)]
    k = max(2, min(folds, len(train), len(reference)))
    fold_ids = rng.permutation(np.arange(len(y)) % k)
    auc = _auc(y, _oof_scores(x, y, fold_ids, alpha))
    null = np.array(
        [
            _auc(yp, _oof_scores(x, yp, fold_ids, alpha))
            for yp in (rng.permutation(y) for _ in range(n_permutations))
        ]
    )
    p95 = float(np.percentile(null, 95))
    return ShiftScore(
        reference=reference_name,
        auc=auc,
        null_mean=float(null.mean()),
        null_p95=p95,
        p_value=float((1 + np.sum(null >= auc)) / (1 + n_permutations)),
        n_permutations=n_permutations,
        n_train=len(train),
        n_reference=len(reference),
        shifted=auc > p95 + MARGIN,
    )
