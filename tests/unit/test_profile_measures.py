"""Profile sections that need no model: shift score, label errors, labels, lengths, language."""

from __future__ import annotations

import numpy as np
import pytest

from taskfit.profile.basic import char_lengths, label_type, token_lengths
from taskfit.profile.label_errors import find_label_issues, out_of_fold_probs
from taskfit.profile.shift import shift_score


def _clusters(n: int, d: int, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    centres = rng.normal(size=(k, d)) * 3.0
    y = rng.integers(0, k, size=n)
    return centres[y] + rng.normal(size=(n, d)), y


def test_shift_score_stays_near_null_on_iid_split():
    rng = np.random.default_rng(1)
    x, _ = _clusters(1200, 32, 5, rng)
    s = shift_score(x[:800], x[800:], seed=0)
    assert not s.shifted
    assert abs(s.auc - 0.5) < 0.06
    assert abs(s.null_mean - 0.5) < 0.05
    assert s.p_value > 0.05


def test_shift_score_flags_planted_domain_shift():
    rng = np.random.default_rng(2)
    x, _ = _clusters(1200, 32, 5, rng)
    moved = x[800:] + np.r_[1.5, np.zeros(31)]  # the "test" domain drifts along one axis
    s = shift_score(x[:800], moved, reference_name="ood_test", seed=0)
    assert s.shifted
    assert s.auc > s.null_p95 + 0.05
    assert s.reference == "ood_test"
    assert s.p_value <= 1 / (1 + s.n_permutations) + 1e-9


def test_shift_subsamples_to_max_rows():
    rng = np.random.default_rng(3)
    s = shift_score(rng.normal(size=(500, 8)), rng.normal(size=(300, 8)), max_rows=100)
    assert (s.n_train, s.n_reference) == (100, 100)


def test_confident_learning_finds_flipped_labels():
    rng = np.random.default_rng(4)
    x, y = _clusters(600, 16, 4, rng)
    classes = ["a", "b", "c", "d"]
    labels = [classes[i] for i in y]
    flipped = rng.choice(600, 30, replace=False)
    for i in flipped:
        labels[i] = classes[(y[i] + 1) % 4]
    probs = out_of_fold_probs(x, labels, classes, seed=0)
    n, issues = find_label_issues(
        probs,
        labels,
        classes,
        [f"t{i}" for i in range(600)],
        list(range(600)),
        ["train"] * 600,
        top=30,
    )
    found = {i.row for i in issues}
    planted = {int(i) for i in flipped}
    # Confident learning is conservative: a flipped row near a class boundary whose true
    # class is predicted below that class's typical confidence is not flagged.
    assert len(found & planted) >= 24  # recall >= 0.8
    assert len(found & planted) >= 0.9 * n  # precision >= 0.9 over everything flagged
    for issue in issues:  # the suggestion is the true class
        if issue.row in planted:
            assert issue.suggested == classes[y[issue.row]]
    assert [i.p_given for i in issues] == sorted(i.p_given for i in issues)


def test_confident_learning_on_clean_labels_flags_little():
    rng = np.random.default_rng(5)
    x, y = _clusters(400, 16, 4, rng)
    classes = ["a", "b", "c", "d"]
    labels = [classes[i] for i in y]
    probs = out_of_fold_probs(x, labels, classes)
    n, _ = find_label_issues(probs, labels, classes, ["t"] * 400, list(range(400)), ["train"] * 400)
    assert n <= 8


@pytest.mark.parametrize(
    ("labels", "kind"),
    [
        (["pos", "neg"], "categorical"),
        (["0", "1", "2"], "categorical"),
        ([str(i) for i in range(50)], "numeric"),
        (["0.5", "1.25", "3.0"], "numeric"),
        (["1", "two"], "categorical"),
        (["nan", "1.5"], "categorical"),
    ],
)
def test_label_type(labels, kind):
    assert label_type(labels) == kind


def test_lengths_against_context():
    texts = ["a" * 10, "b" * 20, "c" * 300]
    chars = char_lengths(texts)
    assert (chars.max, chars.p50) == (300, 20)
    toks = token_lengths(texts, lambda t: len(t) // 10, "m tokens", context=15)
    assert toks.share_truncated == pytest.approx(1 / 3)
    assert toks.context == 15
