"""An automatic out-of-distribution split: hold out whole clusters of the training data.

Without an OOD test file or a group column, a shifted split can still be made from the
data itself: k-means on the (L2-normalised) text embeddings of the training rows finds
regions of the input space, and holding out whole clusters leaves a model to be tested
on a region it was not trained on. :func:`cluster_holdout` picks the clusters;
:func:`assign_to_kept` sends test rows to the in-distribution or the held-out side by
the cluster of their nearest training row.

Intent data clusters by label, so holding out a cluster can remove most of a label from
training. A cluster is only held out when every label it touches keeps at least
``max(2, ceil(min_keep * count))`` of its ``count`` training rows.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> centres = np.eye(4)
>>> emb = np.concatenate([c + 0.05 * rng.standard_normal((30, 4)) for c in centres])
>>> labels = [lab for lab in ("a", "b") for _ in range(60)]
>>> split = cluster_holdout(emb, labels, k=4, share=0.25)
>>> split.k, len(split.held_out), len(split.keep), len(split.clusters_held_out)
(4, 30, 90, 1)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans

__all__ = ["ClusterSplit", "assign_to_kept", "cluster_holdout"]

# Fewer training rows than this cannot be clustered into meaningful regions.
_MIN_ROWS = 20
# Rows of new embeddings compared against the training rows at once.
_CHUNK = 1024


@dataclass(frozen=True)
class ClusterSplit:
    """Training rows kept and held out by :func:`cluster_holdout` (sorted row indices).

    ``clusters_held_out`` are the held-out cluster ids (sorted), ``k`` the number of
    k-means clusters and ``assignment`` every training row's cluster id.
    """

    keep: tuple[int, ...]
    held_out: tuple[int, ...]
    clusters_held_out: tuple[int, ...]
    k: int
    notes: tuple[str, ...] = ()
    assignment: tuple[int, ...] = ()


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(x / np.where(norms > 0, norms, 1.0))


def _as_matrix(embeddings: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(embeddings, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows x dimensions), got shape {x.shape}")
    return x


def _default_k(n: int, n_labels: int) -> int:
    """``min(max(2 * n_labels, 8), n // 10)``, at least 2."""
    return max(2, min(max(2 * n_labels, 8), n // 10))


def cluster_holdout(
    embeddings: np.ndarray,
    labels: Sequence[str],
    *,
    k: int | None = None,
    share: float = 0.2,
    min_keep: float = 0.3,
    seed: int = 0,
) -> ClusterSplit:
    """Hold out whole k-means clusters of the training rows, about ``share`` of them.

    k-means (``n_init=4``, ``random_state=seed``) runs on the L2-normalised ``embeddings``
    (one row per training example, aligned with ``labels``) with ``k`` clusters, by
    default ``min(max(2 * n_labels, 8), n // 10)`` and at least 2. Clusters are visited in
    a seeded random order; one is held out when the held-out row count gets no farther
    from ``share * n`` and every label it touches keeps at least
    ``max(2, ceil(min_keep * count))`` rows; the visit stops once ``share * n`` rows are
    held out. When no cluster qualifies, ``held_out`` is empty and ``notes`` say why.

    Raises ``ValueError`` with fewer than 20 rows, misaligned inputs or bad parameters.
    """
    x = _as_matrix(embeddings, "embeddings")
    n = x.shape[0]
    if len(labels) != n:
        raise ValueError(f"embeddings have {n} rows but there are {len(labels)} labels")
    if n < _MIN_ROWS:
        raise ValueError(
            f"too few training rows to cluster: {n} (an automatic OOD split needs >= {_MIN_ROWS})"
        )
    if not 0.0 < share < 1.0:
        raise ValueError(f"share must be in (0, 1), got {share}")
    if not 0.0 <= min_keep <= 1.0:
        raise ValueError(f"min_keep must be in [0, 1], got {min_keep}")
    counts = Counter(labels)
    if k is None:
        k = _default_k(n, len(counts))
    if not 2 <= k <= n:
        raise ValueError(f"k must be between 2 and the number of rows ({n}), got {k}")

    km = KMeans(n_clusters=k, n_init=4, random_state=seed)
    assign = km.fit_predict(_normalise(x)).astype(np.int64)
    need = {lab: max(2, math.ceil(min_keep * c)) for lab, c in counts.items()}
    members: dict[int, Counter[str]] = {c: Counter() for c in range(k)}
    for c, lab in zip(assign.tolist(), labels, strict=True):
        members[c][lab] += 1

    target = share * n
    remaining = dict(counts)
    held: list[int] = []
    n_held = 0
    blocked: list[int] = []  # clusters whose removal would starve a label
    too_big: list[int] = []  # clusters that would overshoot the target
    for c in np.random.default_rng(seed).permutation(k).tolist():
        if n_held >= target:
            break
        size = sum(members[c].values())
        if size == 0:
            continue
        if any(remaining[lab] - m < need[lab] for lab, m in members[c].items()):
            blocked.append(c)
            continue
        if abs(n_held + size - target) > abs(n_held - target):
            too_big.append(c)
            continue
        held.append(c)
        n_held += size
        for lab, m in members[c].items():
            remaining[lab] -= m

    notes: list[str] = []
    if blocked:
        notes.append(
            f"{len(blocked)} of {k} clusters kept in training: holding them out too would leave "
            f"a label with fewer than max(2, ceil({min_keep:g} x its count)) training rows"
        )
    if not held:
        reason = (
            "every cluster would leave some label with too few training rows"
            if blocked and not too_big
            else "every cluster allowed would overshoot the held-out share"
            if too_big and not blocked
            else "no cluster both keeps enough rows of every label and fits the held-out share"
        )
        notes.insert(0, f"no cluster could be held out ({k} clusters, share {share:g}): {reason}")
    held_set = set(held)
    is_held = np.isin(assign, np.array(sorted(held_set), dtype=np.int64))
    return ClusterSplit(
        keep=tuple(int(i) for i in np.flatnonzero(~is_held)),
        held_out=tuple(int(i) for i in np.flatnonzero(is_held)),
        clusters_held_out=tuple(sorted(held_set)),
        k=k,
        notes=tuple(notes),
        assignment=tuple(int(c) for c in assign),
    )


def assign_to_kept(
    embeddings_new: np.ndarray, split: ClusterSplit, embeddings_train: np.ndarray
) -> np.ndarray:
    """For each new row: is its nearest training row (by cosine) in a kept cluster?

    ``embeddings_train`` must be the embeddings ``split`` was made from (one row per
    entry of ``split.assignment``). Returns a boolean array, one entry per new row.
    """
    train = _as_matrix(embeddings_train, "embeddings_train")
    new = _as_matrix(embeddings_new, "embeddings_new")
    if len(split.assignment) != train.shape[0]:
        raise ValueError(
            f"the split assigns {len(split.assignment)} training rows but embeddings_train has "
            f"{train.shape[0]}"
        )
    if new.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    if new.shape[1] != train.shape[1]:
        raise ValueError(
            f"embeddings_new has {new.shape[1]} dimensions but embeddings_train has "
            f"{train.shape[1]}"
        )
    kept_row = ~np.isin(
        np.asarray(split.assignment, dtype=np.int64),
        np.asarray(split.clusters_held_out, dtype=np.int64),
    )
    t = _normalise(train)
    q = _normalise(new)
    nearest = np.concatenate(
        [np.argmax(q[s : s + _CHUNK] @ t.T, axis=1) for s in range(0, q.shape[0], _CHUNK)]
    )
    return np.asarray(kept_row[nearest], dtype=bool)
