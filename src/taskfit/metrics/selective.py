"""Selective prediction: risk-coverage curve, AURC and coverage at a target accuracy.

A selective classifier answers only when its confidence is high enough and abstains
otherwise. Sweeping the threshold from the top gives the risk-coverage curve.

Conventions:

* ``confidence`` is a float array ``(n,)`` (higher = more sure) and ``correct`` a bool
  array ``(n,)`` (0/1 integers are accepted).
* Examples are accepted in order of decreasing confidence. Examples with the *same*
  confidence cannot be told apart by any threshold, so a tie group is accepted or
  rejected as a whole: the curve has one point per distinct confidence, at the end of
  its tie group. The result therefore does not depend on the input order.
* ``coverage`` is the share of examples accepted and ``risk`` the error rate among them;
  the selective accuracy is ``1 - risk``. The last point is coverage 1.0.
* AURC is the mean over positions ``i = 1..n`` of the risk among the top ``i``
  examples, where every member of a tie group gets the risk at the group's end. With
  all-distinct confidences this is the usual AURC of Geifman et al. (2019), "Bias-
  Reduced Uncertainty Estimation for Deep Neural Classifiers"; with ties it is the
  risk-coverage curve integrated as a step function. :func:`oracle_aurc` is the AURC of
  a ranking that puts every correct example first, the floor for the same errors, and
  ``excess_aurc = aurc - oracle_aurc`` measures the ranking alone.

Invalid shapes, an empty input or bad arguments raise ``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from taskfit.jsonable import JsonFields

__all__ = [
    "RiskCoverage",
    "SelectiveReport",
    "aurc",
    "coverage_at_accuracy",
    "oracle_aurc",
    "risk_coverage",
    "selective_report",
]

# The report samples the accuracy-coverage curve at coverage k / _GRID, k = 1.._GRID.
_GRID = 20


@dataclass(frozen=True, eq=False)
class RiskCoverage:
    """Points of the risk-coverage curve, one per tie group, by increasing coverage.

    The arrays are read-only. (``eq=False``: arrays do not compare as a single bool.)
    """

    coverage: np.ndarray
    risk: np.ndarray


@dataclass(frozen=True)
class SelectiveReport(JsonFields):
    """AURC against its oracle floor, the coverage reaching ``target`` accuracy (``None``
    without a target) and the accuracy-coverage curve as ``(coverage, accuracy)`` pairs
    at coverage 0.05, 0.10, ..., 1.00: for each grid coverage ``c`` the selective
    accuracy of the first curve point whose coverage is ``>= c``."""

    aurc: float
    oracle_aurc: float
    excess_aurc: float
    coverage_at_target: float | None
    target: float | None
    n: int
    curve: tuple[tuple[float, float], ...]


def _check_correct(correct: np.ndarray) -> np.ndarray:
    ok = np.asarray(correct)
    if ok.ndim != 1:
        raise ValueError(f"correct must be a 1-D array (n,), got shape {ok.shape}")
    if ok.shape[0] == 0:
        raise ValueError("cannot compute a metric on zero examples")
    if ok.dtype != np.bool_:
        if not (np.issubdtype(ok.dtype, np.number) and np.all((ok == 0) | (ok == 1))):
            raise ValueError("correct must hold booleans (or 0/1)")
        ok = ok.astype(bool)
    return ok


def _groups(confidence: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Accepted count and correct count among the accepted at the end of each tie group."""
    ok = _check_correct(correct)
    conf = np.asarray(confidence, dtype=np.float64)
    if conf.shape != ok.shape:
        raise ValueError(
            f"confidence has shape {conf.shape} but correct has shape {ok.shape}; "
            "they must be 1-D arrays of the same length"
        )
    if not np.all(np.isfinite(conf)):
        raise ValueError("confidence contains NaN or infinite values")
    order = np.argsort(-conf, kind="stable")
    c = conf[order]
    n = c.shape[0]
    # Position i (0-based) closes a tie group when the next confidence differs.
    ends = np.flatnonzero(np.append(c[1:] != c[:-1], True))
    accepted = ends + 1
    n_correct = np.cumsum(ok[order])[ends]
    return accepted, n_correct, n


def risk_coverage(confidence: np.ndarray, correct: np.ndarray) -> RiskCoverage:
    """Risk-coverage curve, one point at the end of each tie group.

    >>> rc = risk_coverage(np.array([0.9, 0.8, 0.8, 0.3]), np.array([True, False, True, False]))
    >>> rc.coverage.tolist(), rc.risk.tolist()
    ([0.25, 0.75, 1.0], [0.0, 0.3333333333333333, 0.5])
    """
    accepted, n_correct, n = _groups(confidence, correct)
    coverage = accepted / n
    risk = (accepted - n_correct) / accepted
    coverage.setflags(write=False)
    risk.setflags(write=False)
    return RiskCoverage(coverage=coverage, risk=risk)


def aurc(confidence: np.ndarray, correct: np.ndarray) -> float:
    """Area under the risk-coverage curve (lower is better; see the module docstring).

    Mean over positions ``i = 1..n`` of the risk among the top ``i`` examples, each
    member of a tie group taking the risk at the group's end.

    >>> # risks by position: 0, 1/3, 1/3 (tie group ends at 3), 1/2 -> mean 7/24
    >>> round(aurc(np.array([0.9, 0.8, 0.8, 0.3]), np.array([True, False, True, False])), 6)
    0.291667
    """
    accepted, n_correct, n = _groups(confidence, correct)
    risk = (accepted - n_correct) / accepted
    size = np.diff(accepted, prepend=0)
    return float(np.sum(size * risk) / n)


def oracle_aurc(correct: np.ndarray) -> float:
    """AURC of the perfect ranking: every correct example before every error.

    No confidence score can do better with these errors; a model that is always right
    (or always wrong) has ``aurc == oracle_aurc``.

    >>> round(oracle_aurc(np.array([True, False, True, False])), 6)  # 0, 0, 1/3, 1/2
    0.208333
    """
    ok = _check_correct(correct)
    n = ok.shape[0]
    n_ok = int(ok.sum())
    i = np.arange(1, n + 1)
    return float(np.mean(np.maximum(i - n_ok, 0) / i))


def coverage_at_accuracy(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """Largest coverage at a tie-group boundary whose selective accuracy is ``>= target``.

    The accuracy need not fall monotonically with coverage; this is the largest coverage
    that reaches the target, not the end of the first run that does. ``0.0`` if no
    point reaches it.

    >>> conf = np.array([0.9, 0.8, 0.8, 0.3])
    >>> coverage_at_accuracy(conf, np.array([True, False, True, False]), 0.6)  # 2 of 3
    0.75
    """
    _check_target(target)
    accepted, n_correct, n = _groups(confidence, correct)
    ok = n_correct / accepted >= target
    if not np.any(ok):
        return 0.0
    return float(accepted[np.flatnonzero(ok)[-1]] / n)


def _check_target(target: float) -> None:
    if not (isinstance(target, int | float | np.floating) and 0.0 < target <= 1.0):
        raise ValueError(f"target accuracy must be in (0, 1], got {target!r}")


def selective_report(
    confidence: np.ndarray, correct: np.ndarray, *, target: float | None = None
) -> SelectiveReport:
    """AURC, its oracle floor and excess, coverage at ``target`` and the sampled curve.

    >>> rep = selective_report(np.array([0.9, 0.8, 0.8, 0.3]),
    ...                        np.array([True, False, True, False]), target=0.6)
    >>> rep.coverage_at_target, rep.curve[0], rep.curve[-1]
    (0.75, (0.05, 1.0), (1.0, 0.5))
    """
    if target is not None:
        _check_target(target)
    accepted, n_correct, n = _groups(confidence, correct)
    value = aurc(confidence, correct)
    floor = oracle_aurc(correct)
    curve: list[tuple[float, float]] = []
    for k in range(1, _GRID + 1):
        # First point with accepted / n >= k / _GRID, compared in integers.
        j = int(np.searchsorted(accepted * _GRID, k * n, side="left"))
        curve.append((round(k / _GRID, 2), float(n_correct[j] / accepted[j])))
    return SelectiveReport(
        aurc=value,
        oracle_aurc=floor,
        excess_aurc=value - floor,
        coverage_at_target=None
        if target is None
        else coverage_at_accuracy(confidence, correct, target),
        target=None if target is None else float(target),
        n=n,
        curve=tuple(curve),
    )
