"""Calibration metrics and recalibration: ECE, reliability bins, Brier, NLL, temperature
scaling and contextual calibration.

Conventions:

* ``probs`` is a float array of shape ``(n, k)``: one row of class probabilities per
  example. Rows should sum to about 1 and may hold exact zeros (a parsed LLM answer is
  often a one-hot row). Entries must be finite and non-negative.
* ``y`` is an integer array of shape ``(n,)`` holding the column index of the true
  label. ``-1`` means the true label lies outside the label space (possible on
  out-of-distribution data): such an example is never correct, its Brier target is the
  all-zero vector and its ``p_y`` is 0. Any other index outside ``[0, k)`` is an error.
* The prediction is the top label ``argmax(probs)`` (the first column on a tie) and the
  *confidence* is the top-label probability ``max(probs)``; ECE and the reliability
  bins are about that top-label confidence only.
* Equal-width bins split ``[0, 1]`` into ``n_bins`` intervals ``(lo, hi]``; the first
  bin also holds confidence 0 and a confidence of exactly 1 falls in the last bin.
  Equal-mass bins sort the examples by confidence (stably) and split them with
  ``np.array_split`` into ``min(n_bins, n)`` groups of nearly equal size, so tied
  confidences may straddle two bins. ECE is ``sum over non-empty bins of
  count / n * |accuracy - mean confidence|``; :func:`reliability` returns exactly the
  bins this sum runs over.
* Temperature scaling rescales log-probabilities: ``softmax(log(max(p, eps)) / t)``;
  ``t > 1`` softens an over-confident model, ``t < 1`` sharpens an under-confident
  one, and the argmax never changes.
* Contextual calibration (Zhao et al. 2021, "Calibrate Before Use") divides each row by
  the label distribution the model gives content-free inputs (``"N/A"``, ``""``), which
  removes a constant preference for some labels.

Invalid shapes, an empty input or bad arguments raise ``ValueError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize, special

from taskfit.jsonable import JsonFields

__all__ = [
    "BinScheme",
    "CalibrationReport",
    "ReliabilityBin",
    "apply_temperature",
    "brier",
    "calibration_report",
    "content_free_prior",
    "contextual_calibrate",
    "ece",
    "fit_temperature",
    "nll",
    "reliability",
]

BinScheme = Literal["width", "mass"]

_EPS = 1e-12
# Label index meaning "the true label is outside the label space".
_OUTSIDE = -1


@dataclass(frozen=True)
class ReliabilityBin(JsonFields):
    """One non-empty bin of a reliability diagram.

    ``lo``/``hi`` are the bin edges for equal-width bins and the smallest/largest
    confidence in the bin for equal-mass bins; ``confidence`` is the mean top-label
    confidence and ``accuracy`` the share of correct top labels of its ``count``
    examples.
    """

    lo: float
    hi: float
    count: int
    confidence: float
    accuracy: float


@dataclass(frozen=True)
class CalibrationReport(JsonFields):
    """ECE (equal-width and equal-mass bins), Brier score and NLL of ``n`` examples,
    with the equal-width reliability bins behind ``ece_width``."""

    ece_width: float
    ece_mass: float
    brier: float
    nll: float
    n: int
    bins: tuple[ReliabilityBin, ...]


# --- validation --------------------------------------------------------------------


def _check_probs(probs: np.ndarray, name: str = "probs") -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n, k), got shape {p.shape}")
    if p.shape[0] == 0:
        raise ValueError(f"cannot compute a metric on zero examples ({name} has no rows)")
    if p.shape[1] == 0:
        raise ValueError(f"{name} has no columns (k == 0)")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if np.any(p < 0):
        raise ValueError(f"{name} contains negative probabilities")
    return p


def _check_labels(y: np.ndarray, n: int, k: int) -> np.ndarray:
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) to match probs, got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"y must hold integer column indices, got dtype {labels.dtype}")
    bad = (labels < _OUTSIDE) | (labels >= k)
    if np.any(bad):
        raise ValueError(
            f"y holds {labels[bad][0]}, outside [0, {k}) (use -1 for a label outside the space)"
        )
    return labels.astype(np.int64)


def _check_inputs(probs: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = _check_probs(probs)
    return p, _check_labels(y, p.shape[0], p.shape[1])


def _check_eps(eps: float) -> None:
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps}")


def _p_true(p: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Probability of the true label per row; 0 where the label is outside the space."""
    inside = labels != _OUTSIDE
    out = np.zeros(p.shape[0])
    out[inside] = p[np.flatnonzero(inside), labels[inside]]
    return out


# --- binned calibration --------------------------------------------------------------


def _bins(
    probs: np.ndarray, y: np.ndarray, n_bins: int, scheme: BinScheme
) -> tuple[list[ReliabilityBin], int]:
    p, labels = _check_inputs(probs, y)
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    conf = p.max(axis=1)
    correct = p.argmax(axis=1) == labels
    n = conf.shape[0]
    out: list[ReliabilityBin] = []
    if scheme == "width":
        edges = np.linspace(0.0, 1.0, int(n_bins) + 1)
        # searchsorted(side="left") - 1 puts c in i with edges[i] < c <= edges[i + 1];
        # the clip sends confidence 0 to the first bin (and > 1 by rounding to the last).
        idx = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
        for b in np.unique(idx):
            m = idx == b
            out.append(
                ReliabilityBin(
                    lo=float(edges[b]),
                    hi=float(edges[b + 1]),
                    count=int(m.sum()),
                    confidence=float(conf[m].mean()),
                    accuracy=float(correct[m].mean()),
                )
            )
    elif scheme == "mass":
        order = np.argsort(conf, kind="stable")
        for group in np.array_split(order, min(int(n_bins), n)):
            c = conf[group]
            out.append(
                ReliabilityBin(
                    lo=float(c.min()),
                    hi=float(c.max()),
                    count=int(group.size),
                    confidence=float(c.mean()),
                    accuracy=float(correct[group].mean()),
                )
            )
    else:
        raise ValueError(f"unknown scheme {scheme!r}; use 'width' or 'mass'")
    return out, n


def reliability(
    probs: np.ndarray, y: np.ndarray, *, n_bins: int = 15, scheme: BinScheme = "width"
) -> list[ReliabilityBin]:
    """Non-empty reliability bins of the top-label confidence, lowest first.

    :func:`ece` is the count-weighted mean of ``|accuracy - confidence|`` over exactly
    these bins.

    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
    >>> bins = reliability(probs, np.array([0, 1, 1]), n_bins=2)
    >>> [(b.lo, b.hi, b.count, b.accuracy) for b in bins]
    [(0.5, 1.0, 3, 0.6666666666666666)]
    """
    return _bins(probs, np.asarray(y), n_bins, scheme)[0]


def ece(
    probs: np.ndarray, y: np.ndarray, *, n_bins: int = 15, scheme: BinScheme = "width"
) -> float:
    """Expected calibration error of the top-label confidence.

    ``scheme="width"`` bins ``[0, 1]`` into equal-width ``(lo, hi]`` intervals,
    ``scheme="mass"`` into groups of nearly equal size (see the module docstring).

    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4]])  # confidences 0.9 (right), 0.6 (wrong)
    >>> round(ece(probs, np.array([0, 1]), n_bins=2), 6)  # one bin: |0.5 - 0.75|
    0.25
    """
    bins, n = _bins(probs, np.asarray(y), n_bins, scheme)
    return _weighted_gap(bins, n)


def _weighted_gap(bins: list[ReliabilityBin], n: int) -> float:
    """``sum count / n * |accuracy - confidence|``, summed exactly then divided once."""
    return math.fsum(b.count * abs(b.accuracy - b.confidence) for b in bins) / n


# --- proper scoring rules ------------------------------------------------------------


def brier(probs: np.ndarray, y: np.ndarray) -> float:
    """Multiclass Brier score: mean over examples of ``sum_k (p_k - 1[y == k])^2``.

    Lies in ``[0, 2]`` for probability rows; 0 is a perfect, certain prediction.

    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4]])
    >>> round(brier(probs, np.array([0, 1])), 6)  # (0.01 + 0.01 + 0.36 + 0.36) / 2
    0.37
    """
    p, labels = _check_inputs(probs, y)
    sq = (p**2).sum(axis=1)
    # sum_k (p_k - t_k)^2 = sum_k p_k^2 - 2 p_y + 1 for a one-hot target t (0 outside).
    inside = (labels != _OUTSIDE).astype(np.float64)
    return float(np.mean(sq - 2.0 * _p_true(p, labels) + inside))


def nll(probs: np.ndarray, y: np.ndarray, *, eps: float = _EPS) -> float:
    """Mean negative log-likelihood of the true label, ``-log(max(p_y, eps))``.

    The floor ``eps`` keeps a zero probability on the true label (a wrong one-hot LLM
    answer) finite: it costs ``-log(eps)``, about 27.6 for the default.

    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4]])
    >>> round(nll(probs, np.array([0, 1])), 6)  # -(log 0.9 + log 0.4) / 2
    0.510826
    """
    _check_eps(eps)
    p, labels = _check_inputs(probs, y)
    return float(np.mean(-np.log(np.maximum(_p_true(p, labels), eps))))


# --- temperature scaling -------------------------------------------------------------


def apply_temperature(probs: np.ndarray, t: float, *, eps: float = _EPS) -> np.ndarray:
    """Temperature-scaled probabilities ``softmax(log(max(p, eps)) / t)`` row-wise.

    ``t > 1`` flattens the rows, ``t < 1`` sharpens them, ``t == 1`` only renormalises
    (and lifts exact zeros to about ``eps``). The order of each row, hence its argmax,
    is kept.

    >>> apply_temperature(np.array([[0.8, 0.2]]), 2.0)  # sqrt(0.8) : sqrt(0.2) = 2 : 1
    array([[0.66666667, 0.33333333]])
    """
    if not (np.isfinite(t) and t > 0):
        raise ValueError(f"temperature t must be a finite number > 0, got {t}")
    _check_eps(eps)
    p = _check_probs(probs)
    z = np.log(np.maximum(p, eps)) / t
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def fit_temperature(
    probs: np.ndarray,
    y: np.ndarray,
    *,
    bounds: tuple[float, float] = (0.05, 20.0),
    eps: float = _EPS,
) -> float:
    """Temperature ``t`` within ``bounds`` minimising ``nll(apply_temperature(probs, t), y)``.

    The search runs over ``log t`` with bounded Brent (``minimize_scalar(method=
    "bounded")``), so the result is deterministic. The objective is evaluated in log
    space, ``mean(logsumexp(l / t) - l_y / t)`` with ``l = log(max(p, eps))``: the same
    function wherever the scaled ``p_y`` stays above ``eps``, and convex in ``1 / t``,
    hence unimodal in ``log t``. Examples whose label is outside the space (``y == -1``)
    cost the same at every ``t`` and are ignored; with no other example ``1.0`` is
    returned.

    >>> probs = np.array([[0.9, 0.1]] * 4)  # 90% confident but right only 3 times in 4
    >>> t = fit_temperature(probs, np.array([0, 0, 0, 1]))
    >>> round(float(apply_temperature(probs, t)[0, 0]), 3)  # recalibrated to 0.75
    0.75
    """
    lo, hi = bounds
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo < hi):
        raise ValueError(f"bounds must satisfy 0 < lo < hi, got {bounds}")
    _check_eps(eps)
    p, labels = _check_inputs(probs, y)
    inside = labels != _OUTSIDE
    if not np.any(inside):
        return 1.0
    logp = np.log(np.maximum(p[inside], eps))
    logp_y = logp[np.arange(logp.shape[0]), labels[inside]]

    def objective(log_t: float) -> float:
        inv_t = np.exp(-log_t)
        return float(np.mean(special.logsumexp(logp * inv_t, axis=1) - logp_y * inv_t))

    res = optimize.minimize_scalar(
        objective,
        bounds=(float(np.log(lo)), float(np.log(hi))),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(np.clip(np.exp(res.x), lo, hi))


# --- contextual calibration ----------------------------------------------------------


def content_free_prior(probs_cf: np.ndarray) -> np.ndarray:
    """Label prior of a model: the mean of its rows on content-free inputs, renormalised.

    ``probs_cf`` has shape ``(m, k)`` (a single row of shape ``(k,)`` is accepted); an
    all-zero mean gives the uniform prior.

    >>> content_free_prior(np.array([[0.7, 0.3], [0.5, 0.5]]))
    array([0.6, 0.4])
    """
    p = np.asarray(probs_cf, dtype=np.float64)
    if p.ndim == 1:
        p = p[None, :]
    p = _check_probs(p, "probs_cf")
    mean = p.mean(axis=0)
    total = mean.sum()
    if total <= 0:
        return np.full(p.shape[1], 1.0 / p.shape[1])
    out: np.ndarray = mean / total
    return out


def contextual_calibrate(probs: np.ndarray, prior: np.ndarray, *, eps: float = _EPS) -> np.ndarray:
    """Contextual calibration: ``q ∝ p / prior`` row-wise, renormalised.

    ``prior`` (shape ``(k,)``, see :func:`content_free_prior`) is clipped at ``eps``
    before dividing. The argmax of ``q`` is the decision rule of Zhao et al. (2021),
    ``argmax(diag(prior)^-1 p)``. A row that is all zero becomes uniform.

    >>> contextual_calibrate(np.array([[0.6, 0.4]]), np.array([0.8, 0.2]))  # 0.75 : 2
    array([[0.27272727, 0.72727273]])
    """
    _check_eps(eps)
    p = _check_probs(probs)
    w = np.asarray(prior, dtype=np.float64)
    if w.shape != (p.shape[1],):
        raise ValueError(f"prior must have shape ({p.shape[1]},) to match probs, got {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("prior must hold finite, non-negative probabilities")
    q = p / np.maximum(w, eps)
    total = q.sum(axis=1, keepdims=True)
    zero = total[:, 0] <= 0
    q[zero] = 1.0
    total[zero] = p.shape[1]
    out: np.ndarray = q / total
    return out


# --- report ---------------------------------------------------------------------------


def calibration_report(probs: np.ndarray, y: np.ndarray, *, n_bins: int = 15) -> CalibrationReport:
    """ECE with equal-width and equal-mass bins, Brier, NLL and the equal-width bins.

    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4]])
    >>> rep = calibration_report(probs, np.array([0, 1]), n_bins=2)
    >>> round(rep.ece_width, 6), round(rep.brier, 6), rep.n, len(rep.bins)
    (0.25, 0.37, 2, 1)
    """
    p, labels = _check_inputs(probs, y)
    bins = reliability(p, labels, n_bins=n_bins, scheme="width")
    n = p.shape[0]
    return CalibrationReport(
        ece_width=_weighted_gap(bins, n),
        ece_mass=ece(p, labels, n_bins=n_bins, scheme="mass"),
        brier=brier(p, labels),
        nll=nll(p, labels),
        n=n,
        bins=tuple(bins),
    )
