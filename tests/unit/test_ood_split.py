"""Automatic out-of-distribution split by held-out k-means clusters (taskfit.data.ood_split)."""

from __future__ import annotations

import math
from collections import Counter
from typing import ClassVar

import numpy as np
import pytest

from taskfit.data.ood_split import ClusterSplit, assign_to_kept, cluster_holdout


def blobs(
    seed: int = 0,
    *,
    per: int = 40,
    n_blobs: int = 6,
    blobs_per_label: int = 2,
    dims: int = 16,
    noise: float = 0.1,
) -> tuple[np.ndarray, list[str]]:
    """Well-separated Gaussian blobs; ``blobs_per_label`` consecutive blobs share a label."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_blobs, dims))
    emb = np.concatenate([c + noise * rng.standard_normal((per, dims)) for c in centres])
    labels = [f"l{j // blobs_per_label}" for j in range(n_blobs) for _ in range(per)]
    return emb, labels


def minimum(count: int, min_keep: float) -> int:
    return max(2, math.ceil(min_keep * count))


def test_held_out_share_is_near_share_with_the_default_k():
    emb, labels = blobs()
    n = len(labels)
    for seed in range(6):
        split = cluster_holdout(emb, labels, seed=seed)
        assert split.k == 8  # min(max(2 * 3 labels, 8), 240 // 10)
        assert 0.1 <= len(split.held_out) / n <= 0.3, seed
        assert split.clusters_held_out


def test_held_out_share_follows_share():
    emb, labels = blobs(n_blobs=10, blobs_per_label=2, per=30)
    n = len(labels)
    for share in (0.2, 0.4):
        got = [
            len(cluster_holdout(emb, labels, share=share, seed=s).held_out) / n for s in range(4)
        ]
        assert all(abs(g - share) <= 0.1 for g in got), (share, got)


def test_every_label_keeps_its_minimum():
    emb, labels = blobs()
    counts = Counter(labels)
    held_any = 0
    for min_keep in (0.3, 0.6, 0.8):
        for seed in range(6):
            split = cluster_holdout(emb, labels, min_keep=min_keep, seed=seed)
            kept = Counter(labels[i] for i in split.keep)
            for lab, c in counts.items():
                assert kept[lab] >= minimum(c, min_keep), (min_keep, seed, lab)
            held_any += bool(split.held_out)
    assert held_any >= 12  # the constraint binds without emptying every split


def test_indices_partition_the_rows_and_match_the_assignment():
    emb, labels = blobs(seed=3)
    n = len(labels)
    split = cluster_holdout(emb, labels, seed=1)
    assert isinstance(split, ClusterSplit)
    assert list(split.keep) == sorted(split.keep)
    assert list(split.held_out) == sorted(split.held_out)
    assert not set(split.keep) & set(split.held_out)
    assert sorted(split.keep + split.held_out) == list(range(n))
    assert len(split.assignment) == n
    assert set(split.assignment) <= set(range(split.k))
    assert list(split.clusters_held_out) == sorted(set(split.clusters_held_out))
    held = {i for i, c in enumerate(split.assignment) if c in split.clusters_held_out}
    assert held == set(split.held_out)


def test_deterministic_per_seed():
    emb, labels = blobs()
    a = cluster_holdout(emb, labels, seed=4)
    b = cluster_holdout(emb.copy(), list(labels), seed=4)
    assert a == b
    assert len({cluster_holdout(emb, labels, seed=s).held_out for s in range(6)}) > 1


def test_default_k_for_small_data():
    emb, labels = blobs(per=25, n_blobs=2, blobs_per_label=1)  # n = 50, 2 labels
    assert cluster_holdout(emb, labels).k == 5  # min(max(4, 8), 50 // 10)
    emb, labels = blobs(per=12, n_blobs=2, blobs_per_label=2)  # n = 24, 1 label
    assert cluster_holdout(emb, labels).k == 2  # 24 // 10 = 2
    assert cluster_holdout(emb, labels, k=3).k == 3


def test_too_few_rows_is_an_error():
    emb, labels = blobs(per=19, n_blobs=1)
    with pytest.raises(ValueError, match="too few training rows"):
        cluster_holdout(emb, labels)
    emb, labels = blobs(per=20, n_blobs=1)
    assert cluster_holdout(emb, labels).k == 2  # 20 rows are enough


def test_bad_inputs_are_errors():
    emb, labels = blobs()
    with pytest.raises(ValueError, match="labels"):
        cluster_holdout(emb, labels[:-1])
    with pytest.raises(ValueError, match="share"):
        cluster_holdout(emb, labels, share=1.0)
    with pytest.raises(ValueError, match="k must be"):
        cluster_holdout(emb, labels, k=1)
    with pytest.raises(ValueError, match="2-D"):
        cluster_holdout(emb[0], labels)


def test_no_cluster_can_be_held_out_when_each_label_is_one_cluster():
    emb, labels = blobs(n_blobs=3, blobs_per_label=1)
    split = cluster_holdout(emb, labels, k=3, min_keep=1.0)
    assert split.held_out == () and split.clusters_held_out == ()
    assert split.keep == tuple(range(len(labels)))
    assert "no cluster could be held out" in split.notes[0]
    assert "too few training rows" in split.notes[0]
    # the same data with a lenient minimum does give a split
    assert cluster_holdout(emb, labels, k=6, min_keep=0.3).held_out


def test_assign_to_kept_follows_the_nearest_training_row():
    emb, labels = blobs()
    split = cluster_holdout(emb, labels, seed=2)
    kept_rows = np.array([i in set(split.keep) for i in range(len(labels))])
    assert kept_rows.any() and not kept_rows.all()
    rng = np.random.default_rng(9)
    new = emb + 0.001 * rng.standard_normal(emb.shape)
    got = assign_to_kept(new, split, emb)
    assert got.dtype == bool
    assert np.array_equal(got, kept_rows)
    # scaling does not matter (cosine)
    assert np.array_equal(assign_to_kept(3.0 * new[:10], split, emb), kept_rows[:10])
    assert assign_to_kept(np.zeros((0, emb.shape[1])), split, emb).shape == (0,)
    with pytest.raises(ValueError, match="training rows"):
        assign_to_kept(new, split, emb[:-1])
    with pytest.raises(ValueError, match="dimensions"):
        assign_to_kept(new[:, :-1], split, emb)


def test_a_label_with_few_rows_keeps_at_least_two():
    emb, labels = blobs()
    # two rows of a rare label inside blob 0: ceil(0.0 * 2) = 0, but the floor is 2
    emb = np.concatenate([emb, emb[:2] + 0.001])
    labels = [*labels, "rare", "rare"]
    held_any = 0
    for seed in range(10):
        split = cluster_holdout(emb, labels, k=6, min_keep=0.0, seed=seed)
        assert [labels[i] for i in split.keep].count("rare") == 2, seed
        held_any += bool(split.held_out)
    assert held_any == 10


class FixedKMeans:
    """A stand-in for sklearn's KMeans that returns a given assignment."""

    assignment: ClassVar[list[int]] = []

    def __init__(self, n_clusters: int, n_init: int, random_state: int) -> None:
        assert n_init == 4
        self.n_clusters = n_clusters

    def fit_predict(self, x: np.ndarray) -> np.ndarray:
        assert np.allclose(np.linalg.norm(x, axis=1), 1.0)  # L2-normalised rows
        return np.array(self.assignment)


def test_clusters_are_visited_in_a_seeded_order_and_sized_to_share(monkeypatch):
    monkeypatch.setattr("taskfit.data.ood_split.KMeans", FixedKMeans)
    # clusters 0-3 of 10 rows, cluster 4 of 60; one label throughout
    monkeypatch.setattr(
        FixedKMeans, "assignment", [c for c in range(4) for _ in range(10)] + [4] * 60
    )
    emb = np.random.default_rng(0).standard_normal((100, 4))
    labels = ["a"] * 100
    picked = set()
    for seed in range(10):
        split = cluster_holdout(emb, labels, k=5, share=0.2, seed=seed)
        assert len(split.clusters_held_out) == 2 and 4 not in split.clusters_held_out
        assert len(split.held_out) == 20
        picked.add(split.clusters_held_out)
    assert len(picked) > 1  # the order depends on the seed


def test_no_split_when_every_cluster_overshoots(monkeypatch):
    monkeypatch.setattr("taskfit.data.ood_split.KMeans", FixedKMeans)
    monkeypatch.setattr(FixedKMeans, "assignment", [0] * 70 + [1] * 30)
    emb = np.random.default_rng(0).standard_normal((100, 4))
    split = cluster_holdout(emb, ["a"] * 100, k=2, share=0.1)
    assert split.held_out == ()
    assert "overshoot" in split.notes[0]
    # a cluster exactly twice the target is as close as holding nothing: it is taken
    assert cluster_holdout(emb, ["a"] * 100, k=2, share=0.15).held_out == tuple(range(70, 100))
