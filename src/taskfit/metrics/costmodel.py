"""The cost model: what each approach costs to build and to run, and when one beats another.

Per approach, the **one-off** cost is human labels x $/label + the LLM's labelling bill (a
distilled student's teacher labels) + training compute seconds x $/hour; the **running** cost
is USD per 1,000 predictions (:func:`taskfit.metrics.cost.cost_per_1k`). Over a horizon of
``H`` months at ``V`` predictions a month an approach costs ``one_off + H * V * running /
1000``; two approaches break even where those totals are equal:
``V = 1000 * (one_off_a - one_off_b) / (H * (running_b - running_a))``.

>>> a = ApproachCost("ft", "finetune", 100, 10.0, 0.0, 0.0, 0.0, 10.0, 0.01, "")
>>> b = ApproachCost("llm", "prompt", 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.11, "")
>>> round(break_even(a, b, 12).monthly_volume, 1)
8333.3
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from taskfit.metrics.cost import DEFAULT_USD_PER_HOUR

__all__ = [
    "DEFAULT_HORIZON_MONTHS",
    "DEFAULT_USD_PER_LABEL",
    "ApproachCost",
    "BreakEven",
    "CostAssumptions",
    "CostModel",
    "approach_cost",
    "break_even",
    "build_cost_model",
]

# USD per human label: the order of magnitude of crowd-sourced labelling of a short text
# (a few cents to a few dimes per item on crowd platforms, 2023-2024). Expert labels
# (legal, medical) cost 10-100x more: pass --usd-per-label for your case.
DEFAULT_USD_PER_LABEL = 0.10
DEFAULT_HORIZON_MONTHS = 12.0


def _usd(x: float) -> str:
    if x == 0:
        return "$0"
    if abs(x) >= 0.01:
        return f"${x:,.2f}"
    return f"${x:.2g}"


def volume(v: float) -> str:
    """``1234567`` -> ``"1.2M"``; ``35000`` -> ``"35k"``; ``812`` -> ``"812"``."""
    for cut, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= cut:
            s = f"{v / cut:.2g}" if v / cut < 10 else f"{v / cut:.0f}"
            return s + suffix
    return f"{v:.0f}" if v >= 1 else f"{v:.2g}"


@dataclass(frozen=True)
class CostAssumptions:
    """Every number the cost model assumes; each is a flag away from the user's own."""

    usd_per_label: float = DEFAULT_USD_PER_LABEL
    usd_per_hour: float = DEFAULT_USD_PER_HOUR
    horizon_months: float = DEFAULT_HORIZON_MONTHS
    prices: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("usd_per_label", "usd_per_hour", "horizon_months"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {v!r}")
        if self.horizon_months <= 0:
            raise ValueError(f"horizon_months must be > 0, got {self.horizon_months}")

    def to_json(self) -> dict[str, Any]:
        return {
            "usd_per_label": {
                "value": self.usd_per_label,
                "about": "price of one human label; --usd-per-label",
            },
            "usd_per_hour": {
                "value": self.usd_per_hour,
                "about": "price of an hour of local compute (training and serving); --usd-per-hour",
            },
            "horizon_months": {
                "value": self.horizon_months,
                "about": "months over which one-off and running costs are compared; "
                "--horizon-months",
            },
            "prices": {
                m: {"input_per_1m": p[0], "output_per_1m": p[1]} for m, p in self.prices.items()
            },
            "prices_about": "API list prices in USD per 1M tokens of the LLMs used; --price-file",
        }


@dataclass(frozen=True)
class ApproachCost:
    name: str
    family: str
    human_labels: int
    human_labels_usd: float
    llm_labelling_usd: float
    train_seconds: float
    train_usd: float
    one_off_usd: float
    running_per_1k_usd: float
    running_basis: str

    def total_usd(self, monthly_volume: float, months: float) -> float:
        """One-off plus running cost of ``monthly_volume`` predictions for ``months``."""
        return self.one_off_usd + months * monthly_volume * self.running_per_1k_usd / 1000.0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def approach_cost(
    name: str,
    family: str,
    *,
    human_labels: int,
    train_seconds: float,
    running_per_1k_usd: float,
    running_basis: str = "",
    llm_labelling_usd: float = 0.0,
    assumptions: CostAssumptions,
) -> ApproachCost:
    """Compose an approach's one-off cost from its labels, labelling bill and training."""
    labels_usd = human_labels * assumptions.usd_per_label
    train_usd = train_seconds * assumptions.usd_per_hour / 3600.0
    return ApproachCost(
        name=name,
        family=family,
        human_labels=human_labels,
        human_labels_usd=labels_usd,
        llm_labelling_usd=llm_labelling_usd,
        train_seconds=train_seconds,
        train_usd=train_usd,
        one_off_usd=labels_usd + llm_labelling_usd + train_usd,
        running_per_1k_usd=running_per_1k_usd,
        running_basis=running_basis,
    )


@dataclass(frozen=True)
class BreakEven:
    a: str
    b: str
    monthly_volume: float | None
    cheaper_below: str | None
    cheaper_above: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def break_even(x: ApproachCost, y: ApproachCost, horizon_months: float) -> BreakEven:
    """The monthly volume where ``x`` and ``y`` cost the same over the horizon, if any."""
    d_one = x.one_off_usd - y.one_off_usd
    d_run = y.running_per_1k_usd - x.running_per_1k_usd  # x's saving per 1k predictions
    h = f"{horizon_months:g}-month horizon"
    costs = (
        f"one-off {_usd(x.one_off_usd)} vs {_usd(y.one_off_usd)}, "
        f"{_usd(x.running_per_1k_usd)} vs {_usd(y.running_per_1k_usd)} per 1k"
    )
    if d_run != 0:
        v = 1000.0 * d_one / (horizon_months * d_run)
        if v > 0:
            # Above v the approach with the lower running cost wins.
            low_run, high_run = (x, y) if d_run > 0 else (y, x)
            return BreakEven(
                x.name,
                y.name,
                v,
                high_run.name,
                low_run.name,
                f"{high_run.name} is cheaper below {volume(v)} predictions/month, "
                f"{low_run.name} above ({h}; {costs})",
            )
    if d_one == 0 and d_run == 0:
        return BreakEven(x.name, y.name, None, None, None, f"same cost at every volume ({costs})")
    # No crossing at a positive volume: one is never more expensive.
    cheap = x if (d_one <= 0 and d_run >= 0) else y
    return BreakEven(
        x.name, y.name, None, None, None, f"{cheap.name} is cheaper at every volume ({costs})"
    )


@dataclass(frozen=True)
class CostModel:
    assumptions: CostAssumptions
    approaches: tuple[ApproachCost, ...]
    break_even: tuple[BreakEven, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "assumptions": self.assumptions.to_json(),
            "approaches": [a.to_json() for a in self.approaches],
            "break_even": [b.to_json() for b in self.break_even],
        }

    def cheapest_at(self, monthly_volume: float) -> ApproachCost:
        """The approach with the lowest total over the horizon at ``monthly_volume``."""
        h = self.assumptions.horizon_months
        return min(self.approaches, key=lambda a: a.total_usd(monthly_volume, h))


def build_cost_model(costs: Sequence[ApproachCost], assumptions: CostAssumptions) -> CostModel:
    """Costs of each approach and the break-even of every pair, in input order."""
    pairs = tuple(break_even(a, b, assumptions.horizon_months) for a, b in combinations(costs, 2))
    return CostModel(assumptions, tuple(costs), pairs)
