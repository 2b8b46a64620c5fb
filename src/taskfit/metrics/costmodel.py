"""The cost model: what each approach costs to build and to run, and when one beats another.

Per approach, the **one-off** cost is human labels × $/label + the LLM's labelling bill (a
distilled student's teacher labels, priced by the caller) + training compute seconds ×
$/hour; the **running** cost is USD per 1,000 predictions
(:func:`taskfit.metrics.cost.cost_per_1k`). Over a horizon of ``H`` months at ``V``
predictions a month an approach costs ``one_off + H * V * running / 1000``; two approaches
break even where those totals are equal:
``V = 1000 * (one_off_a - one_off_b) / (H * (running_b - running_a))``.
A crossing at ``V <= 0`` (or none at all: equal running costs) means one approach is never
the dearer one. One-off costs less than half a cent apart (a few seconds of training) count
as equal, so measurement noise does not produce break-evens at a handful of predictions;
running costs equal to a part in 10^12 count as equal, so float noise does not produce
break-evens at 10^19 predictions.

>>> a = CostAssumptions(usd_per_label=0.25, usd_per_hour=3.6, horizon_months=12)
>>> ft = approach_cost("ft", "finetune", human_labels=40, train_seconds=0.0,
...                    running_per_1k_usd=0.01, assumptions=a)
>>> llm = approach_cost("llm", "prompt", human_labels=0, train_seconds=0.0,
...                     running_per_1k_usd=0.11, assumptions=a)
>>> be = break_even(ft, llm, 12)
>>> round(be.monthly_volume, 1), be.cheaper_below, be.cheaper_above
(8333.3, 'llm', 'ft')
>>> be.message.split(" (")[0]
'llm is cheaper below 8.3k predictions/month; ft above'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from taskfit.config import DEFAULT_HORIZON_MONTHS, DEFAULT_USD_PER_LABEL
from taskfit.jsonable import JsonFields
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
    "volume",
]


# One-off costs closer than this (USD) are the same cost: it rounds to $0.00.
_NEGLIGIBLE_USD = 0.005
# Running costs this close (relative) are the same price, not a float-noise crossing.
_SAME_RUNNING_REL = 1e-12


def _dollars(x: float) -> str:
    """``$0.00``, ``$1,234.50``; two significant digits below a cent (``$0.0004``).

    Unlike :func:`taskfit.metrics.cost._usd` it never falls back to ``%g``, so computed
    sums (``10.100000000000001``) and tiny per-1k prices print without float noise or
    exponents.
    """
    if x == 0 or abs(x) >= 0.01:
        return f"${x:,.2f}"
    digits = 1 - math.floor(math.log10(abs(x)))  # two significant digits
    return "$" + f"{x:.{digits}f}".rstrip("0")


def volume(v: float) -> str:
    """``812`` -> ``"812"``; ``8333.3`` -> ``"8.3k"``; ``35000`` -> ``"35k"``;
    ``1234567`` -> ``"1.2M"``; ``999600`` -> ``"1M"`` (never ``"1000k"``).

    Two significant digits below ten of a unit, whole units above.
    """
    if not math.isfinite(v) or v < 1:
        return f"{v:.2g}"
    scales = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T"))
    i = max(k for k, (cut, _) in enumerate(scales) if v >= cut)
    while True:
        cut, suffix = scales[i]
        m = v / cut
        text = f"{m:.2g}" if m < 10 else f"{m:.0f}"
        if float(text) < 1000:
            return text + suffix
        if i == len(scales) - 1:
            return f"{v:.2g}"  # beyond trillions: 2.5e+15
        i += 1  # 999.6k rounds to 1000k: say 1M


def _amount(name: str, value: Any) -> float:
    """``value`` as a float, or :class:`ValueError` unless it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return x


@dataclass(frozen=True)
class CostAssumptions:
    """Every number the cost model assumes; each is a flag away from the user's own.

    ``prices`` are the API list prices in use, model -> (input, output) USD per 1M
    tokens; they are reported, not used here (running costs arrive already priced).
    Raises :class:`ValueError` for a negative or non-finite value or a zero horizon.
    """

    usd_per_label: float = DEFAULT_USD_PER_LABEL
    usd_per_hour: float = DEFAULT_USD_PER_HOUR
    horizon_months: float = DEFAULT_HORIZON_MONTHS
    prices: Mapping[str, tuple[float, float]] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for name in ("usd_per_label", "usd_per_hour", "horizon_months"):
            object.__setattr__(self, name, _amount(name, getattr(self, name)))
        if self.horizon_months <= 0:
            raise ValueError(f"horizon_months must be > 0, got {self.horizon_months!r}")
        prices: dict[str, tuple[float, float]] = {}
        for model, price in self.prices.items():
            if not isinstance(price, Sequence) or isinstance(price, str) or len(price) != 2:
                raise ValueError(
                    f"prices[{model!r}] must be (input_per_1m, output_per_1m), got {price!r}"
                )
            prices[str(model)] = (
                _amount(f"prices[{model!r}] input_per_1m", price[0]),
                _amount(f"prices[{model!r}] output_per_1m", price[1]),
            )
        object.__setattr__(self, "prices", prices)  # a private copy of the caller's mapping

    def to_json(self) -> dict[str, Any]:
        """Each assumption as ``{"value": ..., "about": ...}`` (what it means, which flag
        overrides it); ``prices`` as ``{model: {"input_per_1m", "output_per_1m"}}``."""
        return {
            "usd_per_label": {
                "value": self.usd_per_label,
                "about": "price of one human label, USD; --usd-per-label",
            },
            "usd_per_hour": {
                "value": self.usd_per_hour,
                "about": "price of an hour of local compute (training and serving), USD; "
                "--usd-per-hour",
            },
            "horizon_months": {
                "value": self.horizon_months,
                "about": "months over which one-off and running costs are compared; "
                "--horizon-months",
            },
            "prices": {
                m: {"input_per_1m": p[0], "output_per_1m": p[1]} for m, p in self.prices.items()
            },
            "prices_about": "API list prices of the LLMs used, USD per 1M tokens; --price-file",
        }


@dataclass(frozen=True)
class ApproachCost(JsonFields):
    """One approach's one-off and running cost; build it with :func:`approach_cost`.

    ``one_off_usd`` is ``human_labels_usd + llm_labelling_usd + train_usd``;
    ``running_basis`` says in words how ``running_per_1k_usd`` was computed.
    """

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
        # volume x price first: a huge volume times a tiny price must not overflow
        return self.one_off_usd + monthly_volume * self.running_per_1k_usd / 1000.0 * months


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
    """Compose an approach's one-off cost from its labels, labelling bill and training.

    ``human_labels × usd_per_label + llm_labelling_usd + train_seconds × usd_per_hour /
    3600``. Raises :class:`ValueError` for a negative or non-finite input.
    """
    if (
        isinstance(human_labels, bool)
        or not isinstance(human_labels, numbers.Integral)
        or human_labels < 0
    ):
        raise ValueError(f"human_labels must be an integer >= 0, got {human_labels!r}")
    seconds = _amount("train_seconds", train_seconds)
    running = _amount("running_per_1k_usd", running_per_1k_usd)
    labelling = _amount("llm_labelling_usd", llm_labelling_usd)
    labels_usd = int(human_labels) * assumptions.usd_per_label
    train_usd = seconds * assumptions.usd_per_hour / 3600.0
    return ApproachCost(
        name=name,
        family=family,
        human_labels=int(human_labels),
        human_labels_usd=labels_usd,
        llm_labelling_usd=labelling,
        train_seconds=seconds,
        train_usd=train_usd,
        one_off_usd=labels_usd + labelling + train_usd,
        running_per_1k_usd=running,
        running_basis=running_basis,
    )


@dataclass(frozen=True)
class BreakEven(JsonFields):
    """Where approaches ``a`` and ``b`` cost the same over the horizon.

    ``monthly_volume`` is in predictions per month; ``None`` when the totals never cross
    at a positive volume, and then ``cheaper_below``/``cheaper_above`` are ``None`` too
    and ``message`` names the approach that is never dearer (or says they cost the same).
    """

    a: str
    b: str
    monthly_volume: float | None
    cheaper_below: str | None
    cheaper_above: str | None
    message: str


def _costs(first: ApproachCost, second: ApproachCost) -> str:
    return (
        f"one-off {_dollars(first.one_off_usd)} vs {_dollars(second.one_off_usd)}, "
        f"{_dollars(first.running_per_1k_usd)} vs {_dollars(second.running_per_1k_usd)} per 1k"
    )


def break_even(x: ApproachCost, y: ApproachCost, horizon_months: float) -> BreakEven:
    """The monthly volume where ``x`` and ``y`` cost the same over the horizon, if any.

    Below the crossing the approach with the smaller one-off cost is cheaper, above it
    the one with the smaller running cost. Symmetric in ``x`` and ``y`` apart from the
    order of ``a`` and ``b``. Raises :class:`ValueError` unless ``horizon_months > 0``.
    """
    if not math.isfinite(horizon_months) or horizon_months <= 0:
        raise ValueError(f"horizon_months must be a finite number > 0, got {horizon_months!r}")
    d_one = x.one_off_usd - y.one_off_usd  # x's extra up-front cost
    if abs(d_one) < _NEGLIGIBLE_USD:
        d_one = 0.0  # a fraction of a cent of training time is not a cost difference
    d_run = y.running_per_1k_usd - x.running_per_1k_usd  # x's saving per 1k predictions
    if math.isclose(x.running_per_1k_usd, y.running_per_1k_usd, rel_tol=_SAME_RUNNING_REL):
        d_run = 0.0  # parallel lines
    horizon = f"{horizon_months:g}-month horizon"
    if d_run != 0:
        v = 1000.0 * d_one / horizon_months / d_run  # no H * d_run: it can underflow to 0
        if v > 0 and math.isfinite(v):
            # d_one and d_run share a sign: the dearer-up-front one is cheaper to run.
            below, above = (y, x) if d_run > 0 else (x, y)
            return BreakEven(
                x.name,
                y.name,
                v,
                below.name,
                above.name,
                f"{below.name} is cheaper below {volume(v)} predictions/month; "
                f"{above.name} above ({horizon}; {_costs(below, above)})",
            )
        if v > 0:
            d_run = 0.0  # a crossing beyond any representable volume: parallel lines
    # No crossing at a positive volume: they cost the same, or one is never the dearer.
    if d_one == 0 and d_run == 0:
        message = f"{x.name} and {y.name} cost the same at every volume ({_costs(x, y)})"
    else:
        cheap, dear = (x, y) if (d_one <= 0 and d_run >= 0) else (y, x)
        message = f"{cheap.name} is cheaper at every volume ({_costs(cheap, dear)})"
    return BreakEven(x.name, y.name, None, None, None, message)


@dataclass(frozen=True)
class CostModel(JsonFields):
    """The assumptions, each approach's costs and the break-even of every pair."""

    assumptions: CostAssumptions
    approaches: tuple[ApproachCost, ...]
    break_even: tuple[BreakEven, ...]

    def cheapest_at(self, monthly_volume: float) -> ApproachCost:
        """The approach with the lowest total over the horizon at ``monthly_volume``
        predictions a month; the earliest in input order on a tie.

        Raises :class:`ValueError` for a negative or non-finite volume or no approaches.
        """
        v = _amount("monthly_volume", monthly_volume)
        if not self.approaches:
            raise ValueError("the cost model has no approaches")
        h = self.assumptions.horizon_months
        return min(self.approaches, key=lambda a: a.total_usd(v, h))


def build_cost_model(costs: Sequence[ApproachCost], assumptions: CostAssumptions) -> CostModel:
    """Costs of each approach and the break-even of every unordered pair, in input order."""
    pairs = tuple(break_even(a, b, assumptions.horizon_months) for a, b in combinations(costs, 2))
    return CostModel(assumptions, tuple(costs), pairs)
