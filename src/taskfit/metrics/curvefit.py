"""Learning curves: a saturating power law, its uncertainty, and the crossover point.

Accuracy against the number of training labels ``n`` is fitted by
``accuracy ≈ a − b·n^(−c)`` (``a`` the ceiling, ``c`` how fast it is approached), the usual
form of empirical learning curves. Uncertainty comes from a bootstrap over seeds: each
replicate redraws, within every budget, that budget's seed accuracies with replacement.

The **crossover** is the smallest label count where a fine-tuned approach beats a reference
accuracy (the best prompted approach). Inside the measured range it is read from the
observed means (linear in ``log n`` between the two budgets that bracket it, no model
needed); beyond it, from the fitted law. Its interval repeats the same rule on bootstrap
replicates, drawing the reference from its own bootstrap draws when given.

>>> law = PowerLaw(0.9, 0.8, 0.5)
>>> round(float(law.predict(16)), 3)
0.7
>>> round(law.solve(0.7), 1)
16.0
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = [
    "Crossover",
    "PowerLaw",
    "PowerLawFit",
    "estimate_crossover",
    "fit_power_law",
    "fit_with_uncertainty",
]

FORMULA = "accuracy ≈ a − b·n^(−c)"
_BOUNDS = ([0.0, 0.0, 0.01], [1.0, 1e4, 3.0])
Status = Literal["already_better", "within_data", "beyond_data", "never"]
Floats = Sequence[float] | np.ndarray


@dataclass(frozen=True)
class PowerLaw:
    a: float
    b: float
    c: float

    def predict(self, n: Any) -> np.ndarray:
        x = np.asarray(n, dtype=float)
        return np.asarray(self.a - self.b * np.power(x, -self.c))

    def solve(self, target: float) -> float | None:
        """Smallest ``n > 0`` with ``predict(n) >= target``; None if never reached.

        A flat curve (``b == 0``) is at ``a`` everywhere: reached from ``n = 1`` if
        ``a >= target``.
        """
        if self.b <= 0:
            return 1.0 if self.a >= target else None
        if self.a <= target:
            return None
        return float((self.b / (self.a - target)) ** (1.0 / self.c))


def _check(n: Floats, acc: Floats) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(n, dtype=float)
    y = np.asarray(acc, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"{x.size} label counts for {y.size} accuracies")
    if x.size < 2:
        raise ValueError("a power-law fit needs at least 2 points")
    if np.any(x <= 0) or not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)):
        raise ValueError("label counts must be positive and accuracies finite")
    return x, y


def fit_power_law(n: Floats, acc: Floats, start: PowerLaw | None = None) -> PowerLaw:
    """Least-squares fit over all points (repeated ``n`` for several seeds is fine).

    Bounded (``a`` in [0, 1], ``b >= 0``, ``c`` in [0.01, 3]) and started from a few
    points (or from ``start`` only, e.g. a bootstrap replicate starting from the full fit);
    the best sum of squares wins. Degenerate data (flat, two budgets) still fits.
    """
    from scipy.optimize import curve_fit

    x, y = _check(n, acc)

    def f(v: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
        return np.asarray(a - b * np.power(v, -c))

    top = float(np.clip(y.max(), 0.0, 1.0))
    lo_n = float(x.min())
    starts = []
    for a0 in (min(1.0, top + 0.02), min(1.0, top + 0.15)):
        for c0 in (0.3, 0.7, 1.5):
            gap = max(1e-3, a0 - float(y[x == lo_n].mean()))
            starts.append([a0, min(1e4, gap * lo_n**c0), c0])
    if start is not None:
        starts = [[min(start.a, 1.0), min(max(start.b, 1e-6), 1e4), min(max(start.c, 0.01), 3.0)]]
    best: tuple[float, PowerLaw] | None = None
    for p0 in starts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p, _ = curve_fit(f, x, y, p0=p0, bounds=_BOUNDS, maxfev=2000)
        except (RuntimeError, ValueError):
            continue
        law = PowerLaw(float(p[0]), float(p[1]), float(p[2]))
        sse = float(np.sum((law.predict(x) - y) ** 2))
        if best is None or sse < best[0]:
            best = (sse, law)
    if best is None and start is not None:
        return fit_power_law(x, y)  # the given start failed: try the usual ones
    if best is None:  # pragma: no cover - curve_fit failed from every start
        return PowerLaw(float(y.mean()), 0.0, 1.0)
    return best[1]


def _flatten(points: Mapping[int, Floats]) -> tuple[np.ndarray, np.ndarray]:
    xs = [float(n) for n, accs in points.items() for _ in accs]
    ys = [float(a) for accs in points.values() for a in accs]
    return np.asarray(xs), np.asarray(ys)


def _resample(points: Mapping[int, Floats], rng: np.random.Generator) -> dict[int, np.ndarray]:
    out = {}
    for n, accs in points.items():
        arr = np.asarray(accs, dtype=float)
        out[n] = arr[rng.integers(0, arr.size, size=arr.size)]
    return out


@dataclass(frozen=True)
class PowerLawFit:
    law: PowerLaw
    a_ci: tuple[float, float]
    b_ci: tuple[float, float]
    c_ci: tuple[float, float]
    n_boot: int

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.law.a,
            "b": self.law.b,
            "c": self.law.c,
            "a_ci": list(self.a_ci),
            "b_ci": list(self.b_ci),
            "c_ci": list(self.c_ci),
            "n_boot": self.n_boot,
            "formula": FORMULA,
        }


def fit_with_uncertainty(
    points: Mapping[int, Floats],
    *,
    n_boot: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
) -> PowerLawFit:
    """Fit on all points; percentile intervals from a bootstrap over seeds per budget."""
    law = fit_power_law(*_flatten(points))
    rng = np.random.default_rng(seed)
    params = np.empty((n_boot, 3))
    for k in range(n_boot):
        r = fit_power_law(*_flatten(_resample(points, rng)), start=law)
        params[k] = (r.a, r.b, r.c)
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    lo_hi = np.percentile(params, q, axis=0)

    def ci(j: int, v: float) -> tuple[float, float]:
        return (min(float(lo_hi[0, j]), v), max(float(lo_hi[1, j]), v))

    return PowerLawFit(law, ci(0, law.a), ci(1, law.b), ci(2, law.c), n_boot)


@dataclass(frozen=True)
class Crossover:
    status: Status
    estimate: float | None
    ci_low: float | None  # None: no lower bound known (already better at the first budget)
    ci_high: float | None  # None: unbounded (some replicates never cross)
    reference: str
    reference_accuracy: float
    message: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _rule(
    budgets: np.ndarray,
    means: np.ndarray,
    ref: float,
    points: Mapping[int, Floats],
    start: PowerLaw | None = None,
) -> tuple[Status, float | None, PowerLaw | None]:
    """The crossover rule on one set of per-budget means (sorted by budget)."""
    if means[0] > ref:
        return "already_better", float(budgets[0]), None
    above = np.nonzero(means > ref)[0]
    if above.size:
        i = int(above[0])
        x0, x1 = math.log(budgets[i - 1]), math.log(budgets[i])
        y0, y1 = float(means[i - 1]), float(means[i])
        t = (ref - y0) / (y1 - y0)
        return "within_data", float(math.exp(x0 + t * (x1 - x0))), None
    if len(budgets) < 2:
        return "never", None, None
    law = fit_power_law(*_flatten(points), start=start)
    est = law.solve(ref)
    if est is None:
        return "never", None, law
    return "beyond_data", max(est, float(budgets[-1])), law


def _means(points: Mapping[int, Floats]) -> tuple[np.ndarray, np.ndarray]:
    budgets = np.asarray(sorted(points), dtype=float)
    means = np.asarray([float(np.mean(points[int(n)])) for n in budgets])
    return budgets, means


def _n(x: float | None) -> str:
    return "unbounded" if x is None else f"{x:,.0f}"


def estimate_crossover(
    points: Mapping[int, Floats],
    reference: float,
    *,
    reference_name: str,
    approach_name: str,
    reference_draws: Floats | None = None,
    n_boot: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
) -> Crossover:
    """Where ``approach_name``'s curve passes ``reference``, with a bootstrap interval."""
    if not points:
        raise ValueError("no curve points")
    budgets, means = _means(points)
    status, est, law = _rule(budgets, means, reference, points)
    rng = np.random.default_rng(seed)
    draws = np.asarray(reference_draws, dtype=float) if reference_draws is not None else None
    reps = np.empty(n_boot)
    for k in range(n_boot):
        sample = _resample(points, rng)
        ref = (
            float(draws[rng.integers(draws.size)])
            if draws is not None and draws.size
            else reference
        )
        _, m = _means(sample)
        _, e, _ = _rule(budgets, m, ref, sample, start=law)
        reps[k] = math.inf if e is None else e
    # inverted_cdf: no interpolation, so an infinite replicate stays infinite
    lo_q, hi_q = np.quantile(reps, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    lo = float(lo_q) if math.isfinite(lo_q) else None
    hi = float(hi_q) if math.isfinite(hi_q) else None
    if status == "already_better" or (lo is not None and lo <= budgets[0]):
        lo = None  # at or below the smallest budget measured: no lower bound is known
    ref_txt = f"{reference_name} ({reference:.3f})"
    low_txt = _n(lo) if lo is not None else f"≤{budgets[0]:,.0f}"
    ci = f"[95% CI {low_txt}, {_n(hi)}]"
    if status == "already_better":
        msg = (
            f"{approach_name} already beats {ref_txt} at the smallest budget "
            f"({budgets[0]:,.0f} labels: {means[0]:.3f})"
        )
    elif status == "within_data":
        msg = f"{approach_name} passes {ref_txt} at about {_n(est)} labels {ci}"
    elif status == "beyond_data":
        msg = (
            f"{approach_name}: no crossover within the data (up to {budgets[-1]:,.0f} labels, "
            f"best {means.max():.3f} vs {ref_txt}); extrapolated about {_n(est)} labels {ci}"
        )
    else:
        ceiling = f"the fitted ceiling a={law.a:.3f} is" if law else "the curve is"
        msg = (
            f"{approach_name}: no crossover expected: {ceiling} below {ref_txt} "
            f"(up to {budgets[-1]:,.0f} labels, best {means.max():.3f})"
        )
    return Crossover(status, est, lo, hi, reference_name, reference, msg)
