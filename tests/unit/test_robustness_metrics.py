"""Robustness metrics (taskfit.metrics.robustness) against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from taskfit.metrics.quality import bootstrap_interval
from taskfit.metrics.robustness import (
    GroupSlice,
    group_report,
    ood_gap,
    perturbation_score,
)

# 10 examples: clean right on 0-7; perturbed right on 0-5. Flips: 6, 7 (right -> wrong)
# and 9 (wrong "b" -> wrong "c"); 8 stays wrong with the same prediction.
Y = ["a"] * 10
CLEAN = ["a"] * 8 + ["b", "b"]
PERT = ["a"] * 6 + ["b", "b", "b", "c"]


def _width(lo: float, hi: float) -> float:
    return hi - lo


# --- perturbation_score -----------------------------------------------------------------


def test_perturbation_score_by_hand() -> None:
    s = perturbation_score("typos", Y, CLEAN, PERT, n_changed=7, seed=0)
    assert (s.kind, s.n, s.n_changed) == ("typos", 10, 7)
    assert s.accuracy.value == pytest.approx(0.6)
    assert s.drop.value == pytest.approx(0.2)
    assert s.flip_rate == pytest.approx(0.3)
    assert s.drop.ci_low <= 0.2 <= s.drop.ci_high
    assert s.accuracy.ci_low <= 0.6 <= s.accuracy.ci_high
    # paired: every example's clean-minus-perturbed correctness is 0 or 1, so no resample
    # can show a negative drop, and ~11% of resamples miss both examples 6 and 7 (drop 0)
    assert s.drop.ci_low == 0.0
    assert s.drop.ci_high > 0.2


def test_perturbation_score_to_json() -> None:
    s = perturbation_score("casing", Y, CLEAN, PERT, n_changed=3)
    d = s.to_json()
    assert d["kind"] == "casing" and d["n"] == 10 and d["n_changed"] == 3
    assert d["flip_rate"] == pytest.approx(0.3)
    assert d["drop"] == s.drop.to_json() and d["accuracy"] == s.accuracy.to_json()
    assert set(d["drop"]) == {"value", "ci_low", "ci_high"}


def test_paired_drop_interval_is_narrower_than_unpaired() -> None:
    # 200 examples, clean right on 150; perturbation breaks 10 of those: correctness is
    # strongly correlated, so resampling pairs leaves little variance in the difference.
    n = 200
    y = ["a"] * n
    clean = ["a"] * 150 + ["b"] * 50
    pert = ["a"] * 140 + ["b"] * 60
    s = perturbation_score("typos", y, clean, pert, n_changed=n, seed=1)
    assert s.drop.value == pytest.approx(0.05)

    rng = np.random.default_rng(1)
    c = np.array([p == "a" for p in clean], dtype=float)
    p = np.array([q == "a" for q in pert], dtype=float)
    unpaired = c[rng.integers(0, n, (1000, n))].mean(axis=1) - p[
        rng.integers(0, n, (1000, n))
    ].mean(axis=1)
    lo, hi = np.percentile(unpaired, [2.5, 97.5])
    assert _width(s.drop.ci_low, s.drop.ci_high) < 0.5 * _width(lo, hi)
    assert s.drop.ci_low > 0.0 > lo  # only the paired interval excludes "no drop"


def test_perturbation_score_is_seeded() -> None:
    a = perturbation_score("x", Y, CLEAN, PERT, n_changed=0, seed=4)
    b = perturbation_score("x", Y, CLEAN, PERT, n_changed=0, seed=4)
    assert a == b
    highs = {
        perturbation_score("x", Y, CLEAN, PERT, n_changed=0, seed=s, n_boot=50).drop.ci_high
        for s in range(10)
    }
    assert len(highs) > 1


def test_perturbation_score_without_flips() -> None:
    s = perturbation_score("distractor", Y, CLEAN, CLEAN, n_changed=10)
    assert s.flip_rate == 0.0
    assert (s.drop.value, s.drop.ci_low, s.drop.ci_high) == (0.0, 0.0, 0.0)


def test_perturbation_score_validates() -> None:
    with pytest.raises(ValueError, match="pert_pred"):
        perturbation_score("x", Y, CLEAN, PERT[:-1], n_changed=0)
    with pytest.raises(ValueError, match="clean_pred"):
        perturbation_score("x", Y, CLEAN[:-1], PERT, n_changed=0)
    with pytest.raises(ValueError, match="n_changed"):
        perturbation_score("x", Y, CLEAN, PERT, n_changed=11)
    with pytest.raises(ValueError, match="zero examples"):
        perturbation_score("x", [], [], [], n_changed=0)


# --- ood_gap ----------------------------------------------------------------------------

ID_TRUE = ["a", "b", "a", "b", "a"]
ID_PRED = ["a", "b", "a", "b", "b"]  # 4 / 5 = 0.8
OOD_TRUE = ["a", "a", "b", "c", "c"]  # "c" never seen in training
OOD_PRED = ["a", "b", "b", "c", "a"]  # a: 1/2, b: 1/1, c: errors (even the "c" answer)


def test_ood_gap_by_hand() -> None:
    g = ood_gap(ID_TRUE, ID_PRED, OOD_TRUE, OOD_PRED, train_labels=["a", "b"], seed=0)
    assert g.id_accuracy.value == pytest.approx(0.8)
    assert g.ood_accuracy.value == pytest.approx(0.4)
    assert g.gap.value == pytest.approx(0.4)
    assert (g.n_id, g.n_ood, g.n_unseen_label) == (5, 5, 2)
    assert g.per_label == {
        "a": {"n": 2, "accuracy": 0.5, "seen_in_training": True},
        "b": {"n": 1, "accuracy": 1.0, "seen_in_training": True},
        "c": {"n": 2, "accuracy": 0.0, "seen_in_training": False},
    }
    for iv in (g.id_accuracy, g.ood_accuracy, g.gap):
        assert iv.ci_low <= iv.value <= iv.ci_high
    d = g.to_json()
    assert d["gap"] == g.gap.to_json() and d["n_unseen_label"] == 2
    assert d["per_label"]["c"]["seen_in_training"] is False


def test_ood_gap_when_every_ood_label_is_unseen() -> None:
    g = ood_gap(ID_TRUE, ID_PRED, ["z", "z"], ["z", "z"], train_labels={"a", "b"})
    assert g.ood_accuracy.value == 0.0
    assert g.gap.value == pytest.approx(0.8)
    assert g.per_label == {"z": {"n": 2, "accuracy": 0.0, "seen_in_training": False}}


def test_ood_gap_interval_is_unpaired() -> None:
    # identical ID and OOD sets: a paired interval would be exactly [0, 0]; independent
    # resamples of the two sets spread around 0.
    y = ["a"] * 30
    p = ["a"] * 20 + ["b"] * 10
    g = ood_gap(y, p, y, p, train_labels={"a"}, seed=2)
    assert g.gap.value == 0.0
    assert g.gap.ci_low < -0.1 and g.gap.ci_high > 0.1


def test_ood_gap_validates() -> None:
    with pytest.raises(ValueError, match="id_pred"):
        ood_gap(ID_TRUE, ID_PRED[:-1], OOD_TRUE, OOD_PRED, train_labels={"a"})
    with pytest.raises(ValueError, match="ood_pred"):
        ood_gap(ID_TRUE, ID_PRED, OOD_TRUE, OOD_PRED[:-1], train_labels={"a"})
    with pytest.raises(ValueError, match="ood_true"):
        ood_gap(ID_TRUE, ID_PRED, [], [], train_labels={"a"})


# --- group_report -----------------------------------------------------------------------

# group A: 3 of 4 right; B: 0 of 2; C: 1 of 1
G_TRUE = ["x", "x", "x", "x", "y", "y", "x"]
G_PRED = ["x", "x", "x", "y", "x", "x", "x"]
GROUPS = ["A", "A", "A", "A", "B", "B", "C"]


def test_group_report_by_hand() -> None:
    r = group_report(G_TRUE, G_PRED, GROUPS, min_n=2, seed=0)
    assert [(s.group, s.n, s.accuracy.value) for s in r.groups] == [
        ("A", 4, 0.75),
        ("B", 2, 0.0),
        ("C", 1, 1.0),
    ]
    assert (r.worst_group, r.best_group) == ("B", "A")  # C has too few examples
    assert r.worst_gap == pytest.approx(0.75)
    assert r.overall == pytest.approx(4 / 7)
    assert r.groups[0].accuracy == bootstrap_interval(G_TRUE[:4], G_PRED[:4], "accuracy", seed=0)
    d = r.to_json()
    assert d["worst_group"] == "B" and d["worst_gap"] == pytest.approx(0.75)
    assert d["groups"][2] == {"group": "C", "n": 1, "accuracy": r.groups[2].accuracy.to_json()}


def test_group_report_min_n() -> None:
    r1 = group_report(G_TRUE, G_PRED, GROUPS)  # min_n=1: C qualifies
    assert (r1.worst_group, r1.best_group, r1.worst_gap) == ("B", "C", 1.0)
    r10 = group_report(G_TRUE, G_PRED, GROUPS, min_n=10)
    assert (r10.worst_group, r10.best_group, r10.worst_gap) == ("", "", 0.0)
    assert len(r10.groups) == 3 and isinstance(r10.groups[0], GroupSlice)


def test_group_report_ties_break_by_name() -> None:
    r = group_report(["a"] * 4, ["a", "b", "a", "b"], ["q", "q", "p", "p"])
    assert (r.worst_group, r.best_group, r.worst_gap) == ("p", "p", 0.0)


def test_group_report_validates() -> None:
    with pytest.raises(ValueError, match="groups"):
        group_report(G_TRUE, G_PRED, GROUPS[:-1])
    with pytest.raises(ValueError, match="y_pred"):
        group_report(G_TRUE, G_PRED[:-1], GROUPS)
