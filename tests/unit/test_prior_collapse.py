"""Label-prior corrections and collapse detection on planted outcomes."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from taskfit.metrics import collapse as collapse_mod
from taskfit.metrics import prior as prior_mod
from taskfit.metrics.collapse import Collapse, detect_collapse, is_collapsed
from taskfit.metrics.prior import batch_calibrate, batch_prior, dev_calibrate, dev_prior

LABELS = ("a", "b", "c")


def planted(n: int, seed: int, bias: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """(probs, y): a model that reads the text (true label +2 in log space, noise 0.5) but
    whose prompt hands label ``a`` a constant head start of ``bias`` - so it answers ``a``
    for nearly everything. Balanced true labels."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(LABELS)
    logits = 2.0 * np.eye(len(LABELS))[y] + rng.normal(0.0, 0.5, (n, len(LABELS)))
    logits[:, 0] += bias
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True), y


def _acc(probs: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(probs.argmax(axis=1) == y))


def _collapse(probs: np.ndarray, y: np.ndarray) -> Collapse | None:
    preds = [LABELS[j] for j in probs.argmax(axis=1)]
    return detect_collapse(preds, [LABELS[j] for j in y], LABELS)


def test_module_examples_hold():
    for mod in (prior_mod, collapse_mod):
        assert doctest.testmod(mod).failed == 0, mod.__name__


def test_batch_calibration_undoes_a_constant_label_bias():
    probs, y = planted(300, seed=1)
    assert _acc(probs, y) < 0.4  # a third right: everything is "a"
    raw = _collapse(probs, y)
    assert raw is not None and raw.label == "a" and raw.pred_share > 0.95
    assert raw.true_share == pytest.approx(1 / 3)

    prior = batch_prior(probs)
    assert prior.argmax() == 0 and prior.sum() == pytest.approx(1.0)
    fixed = batch_calibrate(probs)
    assert fixed.shape == probs.shape and np.allclose(fixed.sum(axis=1), 1.0)
    assert _acc(fixed, y) > 0.9
    assert _collapse(fixed, y) is None


def test_batch_calibration_leaves_an_unbiased_model_alone():
    probs, y = planted(300, seed=2, bias=0.0)
    assert _acc(probs, y) > 0.9
    assert _acc(batch_calibrate(probs), y) >= _acc(probs, y) - 0.02


def test_dev_calibration_fixes_the_test_set_with_the_dev_prior():
    dev, _ = planted(90, seed=3)
    test, y = planted(300, seed=4)
    assert np.allclose(dev_prior(dev), batch_prior(dev))
    fixed = dev_calibrate(test, dev)
    assert _acc(test, y) < 0.4 and _acc(fixed, y) > 0.85
    assert _collapse(fixed, y) is None
    # The dev prior is fixed before the test set is seen, so one test example alone is
    # corrected exactly as within the batch; batch calibration of one row divides it by
    # itself and is left with nothing.
    i = next(i for i in range(len(y)) if y[i] == 1 == fixed[i].argmax() and test[i].argmax() == 0)
    one = test[i : i + 1]
    assert np.allclose(dev_calibrate(one, dev), fixed[i : i + 1])
    assert np.allclose(batch_calibrate(one), 1 / len(LABELS))


def test_dev_calibration_with_an_unbiased_dev_split_changes_nothing():
    dev, _ = planted(90, seed=5, bias=0.0)
    test, y = planted(300, seed=6)
    assert _acc(dev_calibrate(test, dev), y) < 0.5  # the bias was not on the dev split


def test_dev_calibration_needs_matching_columns():
    with pytest.raises(ValueError, match="prior must have shape"):
        dev_calibrate(np.full((4, 3), 1 / 3), np.full((2, 2), 0.5))


@pytest.mark.parametrize(
    ("n_top", "n_true_top", "collapsed"),
    [
        (91, 50, True),  # 91% of predictions: just above 90%
        (90, 50, False),  # exactly 90%: not above
        (95, 59, True),  # 59% of the gold labels: just below 60%
        (95, 60, False),  # exactly 60%: not below
        (100, 95, False),  # the label really is 95% of the data
    ],
)
def test_collapse_thresholds(n_top, n_true_top, collapsed):
    preds = ["pos"] * n_top + ["neg"] * (100 - n_top)
    truth = ["pos"] * n_true_top + ["neg"] * (100 - n_true_top)
    found = detect_collapse(preds, truth, ["neg", "pos"])
    assert (found is not None) == collapsed
    if found is not None:
        assert found == Collapse("pos", n_top / 100, n_true_top / 100)
        assert found.to_json() == {
            "label": "pos",
            "pred_share": n_top / 100,
            "true_share": n_true_top / 100,
        }


@pytest.mark.parametrize(
    ("n_top", "n_true_top", "collapsed"),
    [
        (79, 12, True),  # the demo's zero-shot SmolLM2: 79% on an intent that is 12%
        (50, 12, True),  # half the predictions, 4x the true share
        (49, 5, False),  # under half the predictions
        (50, 13, False),  # under 4x the true share
    ],
)
def test_a_lesser_pile_up_on_many_labels_counts_too(n_top, n_true_top, collapsed):
    labels = [f"l{i}" for i in range(8)]
    preds = ["l0"] * n_top + [labels[1 + i % 7] for i in range(100 - n_top)]
    truth = ["l0"] * n_true_top + [labels[1 + i % 7] for i in range(100 - n_true_top)]
    found = detect_collapse(preds, truth, labels)
    assert (found is not None) == collapsed
    if found is not None:
        assert found == Collapse("l0", n_top / 100, n_true_top / 100)


def test_collapse_thresholds_are_parameters():
    preds = ["pos"] * 80 + ["neg"] * 20
    truth = ["pos"] * 50 + ["neg"] * 50
    assert detect_collapse(preds, truth, ["neg", "pos"]) is None
    found = detect_collapse(preds, truth, ["neg", "pos"], max_pred_share=0.75)
    assert found == Collapse("pos", 0.8, 0.5)
    assert detect_collapse(preds, truth, ["neg", "pos"], max_true_share=0.5) is None
    assert is_collapsed(0.8, 0.5, max_pred_share=0.75) and not is_collapsed(0.8, 0.5)


def test_collapse_counts_answers_outside_the_label_space_and_breaks_ties_by_label_order():
    truth = ["neg", "pos"] * 50
    found = detect_collapse(["(unparsed)"] * 95 + ["neg"] * 5, truth, ["neg", "pos"])
    assert found == Collapse("(unparsed)", 0.95, 0.0)
    # a tie for the most predicted label goes to the label space order
    assert detect_collapse(["b", "a"], ["a", "b"], ["b", "a"], max_pred_share=0.4) == Collapse(
        "b", 0.5, 0.5
    )
    assert detect_collapse([], [], ["neg", "pos"]) is None


def test_collapse_rejects_bad_input():
    with pytest.raises(ValueError, match="predictions has 2 items"):
        detect_collapse(["a", "a"], ["a"], ["a"])
    with pytest.raises(ValueError, match="max_pred_share"):
        detect_collapse(["a"], ["a"], ["a"], max_pred_share=1.0)
    with pytest.raises(ValueError, match="max_true_share"):
        detect_collapse(["a"], ["a"], ["a"], max_true_share=0.0)
