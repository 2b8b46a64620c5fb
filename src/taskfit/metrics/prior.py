"""Label-prior correction of a prompted LLM's probabilities, with no test labels.

A prompt often gives one label a constant head start: the model answers "positive" for
almost every text whatever it says. Dividing each row of label probabilities by the
model's prior over the labels removes such a constant preference (Zhao et al. 2021,
"Calibrate Before Use"; :func:`taskfit.metrics.calibration.contextual_calibrate`). The
prior is estimated without the test labels in one of two ways:

* **batch calibration** (Zhou et al. 2024, "Batch Calibration"): the mean predicted
  distribution over the unlabelled test inputs themselves. It needs nothing but the
  predictions, so it applies to every prompted result.
* **dev-split calibration**: the mean predicted distribution over the examples of a dev
  split carved from the training labels (the split the prompt was chosen on), applied to
  the test probabilities. The prior is fixed before the test set is seen.

Both assume the labels are about equally frequent where the prior was measured: a
model that rightly predicts the majority label of a skewed data set is pushed towards
the others. That is why each correction is scored as a variant of its own, against the
raw predictions, rather than applied silently.

Arrays follow :mod:`taskfit.metrics.calibration`: ``probs`` has shape ``(n, k)``, one
row of label probabilities per example, columns in the result's label order.
"""

from __future__ import annotations

import numpy as np

from taskfit.metrics.calibration import content_free_prior, contextual_calibrate

__all__ = ["batch_calibrate", "batch_prior", "dev_calibrate", "dev_prior"]


def batch_prior(probs: np.ndarray) -> np.ndarray:
    """The model's label prior on the test inputs: the mean of its rows, renormalised.

    >>> batch_prior(np.array([[0.9, 0.1], [0.7, 0.3]]))
    array([0.8, 0.2])
    """
    return content_free_prior(np.asarray(probs, dtype=np.float64))


def batch_calibrate(probs: np.ndarray) -> np.ndarray:
    """Batch calibration: ``q ∝ p / mean(p)`` row-wise, renormalised.

    Two texts that both lean towards ``a`` because of the prompt: after dividing by the
    shared prior (0.8, 0.2) the less ``a``-leaning one becomes ``b``.

    >>> q = batch_calibrate(np.array([[0.9, 0.1], [0.7, 0.3]]))
    >>> q.round(3)
    array([[0.692, 0.308],
           [0.368, 0.632]])
    >>> q.argmax(axis=1)
    array([0, 1])
    """
    p = np.asarray(probs, dtype=np.float64)
    return contextual_calibrate(p, batch_prior(p))


def dev_prior(dev_probs: np.ndarray) -> np.ndarray:
    """The model's label prior on a dev split: the mean of its dev rows, renormalised.

    >>> dev_prior(np.array([[0.6, 0.4], [1.0, 0.0]]))
    array([0.8, 0.2])
    """
    return content_free_prior(np.asarray(dev_probs, dtype=np.float64))


def dev_calibrate(probs: np.ndarray, dev_probs: np.ndarray) -> np.ndarray:
    """Dev-split calibration: ``q ∝ p / mean(dev_probs)`` for each test row ``p``.

    ``dev_probs`` has shape ``(m, k)`` with the same ``k`` columns as ``probs``.

    >>> dev_calibrate(np.array([[0.7, 0.3]]), np.array([[0.9, 0.1], [0.7, 0.3]])).round(3)
    array([[0.368, 0.632]])
    """
    return contextual_calibrate(np.asarray(probs, dtype=np.float64), dev_prior(dev_probs))
