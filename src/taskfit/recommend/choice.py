"""The choice rule: the most accurate approach, unless a cheaper one is non-inferior.

1. On every evidence set (the test set; an out-of-distribution set and perturbed inputs
   when the user asked for them) find the most accurate approach and test every other one
   against it for non-inferiority at the margin (``--max-accuracy-loss``, accuracy
   points; :mod:`taskfit.metrics.noninferiority`).
2. The candidates are the approaches within the margin of the best on *every* set (the
   best in distribution always counts on the test set). If none is, drop the perturbed
   inputs, then the OOD set, and say which approach wins where.
3. Choose the cheapest candidate: by total cost over the horizon at the user's volume
   (``--volume-per-month``, from the cost model: one-off labels and training plus running
   cost), else by running cost per 1,000 predictions; ties keep the more accurate one.

Each step leaves reasons with its figures; :func:`choose` returns them for
:mod:`taskfit.recommend.headline` to place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from taskfit.metrics.costmodel import CostModel, volume
from taskfit.metrics.noninferiority import NonInferiority, non_inferiority
from taskfit.types import ApproachMetrics, EvidenceSet

__all__ = ["NO_COMMON_PREFIX", "Choice", "EvidenceSet", "SetOutcome", "choose"]

# How the reason and warning start when no approach holds up on every evidence set.
NO_COMMON_PREFIX = "No approach is within the tolerance"

# Evidence sets in the order they are kept when no approach holds up on all of them: the
# out-of-distribution set (the user's own shifted data) outweighs synthetic perturbations.
_PRIORITY = {"ood": 0, "robustness": 1}
# Approaches named one by one in a reason; the rest are counted.
_MAX_LISTED = 3


@dataclass(frozen=True)
class SetOutcome:
    """The best approach on one set and every other one's non-inferiority against it."""

    key: str
    label: str
    best: str
    accuracy: Mapping[str, float]
    n: Mapping[str, int]
    tests: Mapping[str, NonInferiority]
    within: frozenset[str]  # the best and every non-inferior approach

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "best": self.best,
            "accuracy": dict(self.accuracy),
            "n": dict(self.n),
            "tests": {k: t.to_json() for k, t in self.tests.items()},
            "within_margin": sorted(self.within),
        }


@dataclass(frozen=True)
class Choice:
    choice: str
    best: str  # most accurate in distribution
    sets: tuple[SetOutcome, ...]
    reasons: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    cost_basis: str = "running cost per 1k predictions"
    totals: Mapping[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "choice": self.choice,
            "most_accurate": self.best,
            "cost_basis": self.cost_basis,
            "total_usd": dict(self.totals),
            "sets": [s.to_json() for s in self.sets],
        }


@dataclass(frozen=True)
class _Words:
    """How the reasons name the headline metric: accuracy, or e.g. ROUGE-L."""

    title: str = "accuracy"

    @property
    def most(self) -> str:
        return "most accurate" if self.title == "accuracy" else f"best by {self.title}"

    @property
    def more(self) -> str:
        return "more accurate" if self.title == "accuracy" else f"better by {self.title}"


def _pts(x: float) -> str:
    return f"{100 * x:.1f}"


def _interval(t: NonInferiority) -> str:
    d = t.difference
    return f"{_pts(d.value)} points [{_pts(d.ci_low)}, {_pts(d.ci_high)}] (n={t.n})"


def _outcome(
    s: EvidenceSet, names: Sequence[str], best: str | None, margin: float, seed: int
) -> SetOutcome | None:
    measured = [n for n in names if s.correct.get(n)]
    if not measured:
        return None
    acc = {n: s.accuracy(n) for n in measured}
    if best is None or best not in acc:
        best = min(measured, key=lambda n: (-acc[n], names.index(n)))
    tests: dict[str, NonInferiority] = {}
    ref = s.correct[best]
    for n in measured:
        if n == best:
            continue
        shared = [i for i in ref if i in s.correct[n]]
        if shared:
            tests[n] = non_inferiority(
                [ref[i] for i in shared],
                [s.correct[n][i] for i in shared],
                margin=margin,
                seed=seed,
            )
    within = frozenset({best, *(n for n, t in tests.items() if t.verdict == "non-inferior")})
    return SetOutcome(
        s.key,
        s.label,
        best,
        acc,
        {n: len(s.correct[n]) for n in measured},
        tests,
        within,
    )


def choose(
    feasible: Sequence[ApproachMetrics],
    best: str,
    test: EvidenceSet,
    extra: Sequence[EvidenceSet] = (),
    *,
    margin: float,
    cost_model: CostModel | None = None,
    volume_per_month: float | None = None,
    seed: int = 0,
    metric_title: str = "accuracy",
) -> Choice:
    """Apply the rule of the module docstring to the ``feasible`` approaches.

    ``best`` is the most accurate on ``test`` (chosen by the caller with its tie-breaks);
    ``margin`` is a fraction (0.01 = one accuracy point; 0 turns the trade off);
    ``metric_title``: how the reasons name the headline metric.
    """
    words = _Words(metric_title)
    by_name = {m.name: m for m in feasible}
    names = [m.name for m in feasible]
    id_out = _outcome(test, names, best, margin, seed)
    assert id_out is not None  # the best has test results
    ordered = sorted(extra, key=lambda s: _PRIORITY.get(s.key, len(_PRIORITY)))
    outs = [o for s in ordered if (o := _outcome(s, names, None, margin, seed)) is not None]
    cost, basis, totals = _cost_function(by_name, cost_model, volume_per_month)
    reasons: list[str] = []
    warnings: list[str] = []

    levels = [outs[:k] for k in range(len(outs), -1, -1)]  # all sets, then fewer
    chosen_level: list[SetOutcome] = []
    candidates: set[str] = set()
    for level in levels:
        pool = set(id_out.within)
        for o in level:
            pool &= o.within
        if pool:
            candidates, chosen_level = pool, level
            break
    dropped = outs[len(chosen_level) :]

    def key(n: str) -> tuple[float, int, float, str]:
        m = by_name[n]
        return (round(cost(m), 12), 0 if n == best else 1, -m.headline.value, n)

    choice = min(candidates, key=key)
    reasons += _trade_reasons(id_out, by_name, choice, best, margin, cost, basis, words)
    for o in chosen_level:
        reasons.append(_set_reason(o, choice, id_out.within, by_name, cost, words))
    if dropped:
        text = _no_common_reason(id_out, dropped, words)
        reasons.append(text)
        warnings.append(text)
    reasons += _cost_reasons(
        by_name, choice, best, candidates, cost_model, volume_per_month, totals
    )
    return Choice(choice, best, (id_out, *outs), tuple(reasons), tuple(warnings), basis, totals)


def _cost_function(
    by_name: Mapping[str, ApproachMetrics],
    model: CostModel | None,
    volume_per_month: float | None,
) -> tuple[Callable[[ApproachMetrics], float], str, dict[str, float]]:
    if model is None or volume_per_month is None:
        return (lambda m: m.cost_per_1k_usd), "running cost per 1k predictions", {}
    h = model.assumptions.horizon_months
    totals = {
        a.name: a.total_usd(volume_per_month, h) for a in model.approaches if a.name in by_name
    }
    basis = f"total cost over {h:g} months at {volume(volume_per_month)} predictions/month"
    return (lambda m: totals.get(m.name, float("inf"))), basis, totals


def _usd(x: float) -> str:
    return f"${x:,.2f}" if abs(x) >= 0.01 or x == 0 else f"${x:.2g}"


def _trade_reasons(
    o: SetOutcome,
    by_name: Mapping[str, ApproachMetrics],
    choice: str,
    best: str,
    margin: float,
    cost: Callable[[ApproachMetrics], float],
    basis: str,
    words: _Words,
) -> list[str]:
    out: list[str] = []
    tol = f"{_pts(margin)}-point tolerance (--max-accuracy-loss)"
    cheaper = {n for n in o.tests if cost(by_name[n]) < cost(by_name[best])}
    if margin <= 0:
        if cheaper:
            out.append(
                f"Trading {words.title} for cost is off (--max-accuracy-loss 0): the "
                f"{words.most} approach is kept."
            )
    elif choice != best and choice in o.tests:
        t = o.tests[choice]
        head = f"Prefer {choice}: against {best} it loses {_interval(t)} (paired bootstrap), "
        if choice in cheaper:
            out.append(
                f"{head}within the {tol}, and is cheaper by {basis} "
                f"({_cost_words(by_name[choice], cost, basis)} vs "
                f"{_cost_words(by_name[best], cost, basis)})."
            )
        else:
            out.append(
                f"{head}within the {tol}, and unlike {best} it is also within the tolerance "
                "on the other evidence the run measured (below)."
            )
    if margin <= 0:
        return out
    inferior: list[str] = []
    unsettled = 0
    for n in sorted(cheaper, key=lambda n: cost(by_name[n])):
        t = o.tests[n]
        if n == choice or t.verdict == "non-inferior":
            continue
        if t.verdict == "inferior":
            inferior.append(f"{n} by {_interval(t)}")
            continue
        unsettled += 1
        if unsettled > _MAX_LISTED:
            continue
        if t.n_needed is not None:
            out.append(
                f"{n} is cheaper but not shown to be within the {tol} of {best}: it loses "
                f"{_interval(t)}; the test set is too small to tell. About {t.n_needed:,} "
                f"paired test examples ({max(t.n_needed - t.n, 0):,} more labelled ones) would "
                "settle it, if the observed difference holds."
            )
        else:
            out.append(
                f"{n} is cheaper but loses {_interval(t)} against {best}: the observed loss "
                f"is beyond the {tol} and more test data would most likely confirm it, so "
                "it is not chosen."
            )
    if unsettled > _MAX_LISTED:
        out.append(f"{unsettled - _MAX_LISTED} more cheaper approaches are unsettled likewise.")
    if inferior:
        more = len(inferior) - _MAX_LISTED
        out.append(
            f"{best} is {words.more}, beyond the {tol}, than the cheaper "
            + "; ".join(inferior[:_MAX_LISTED])
            + (f"; and {more} more" if more > 0 else "")
            + "."
        )
    return out


def _cost_words(m: ApproachMetrics, cost: Callable[[ApproachMetrics], float], basis: str) -> str:
    if basis.startswith("running"):
        return f"{_usd(m.cost_per_1k_usd)} per 1k"
    return f"{_usd(cost(m))} in total"


def _set_reason(
    o: SetOutcome,
    choice: str,
    allowed: frozenset[str],
    by_name: Mapping[str, ApproachMetrics],
    cost: Callable[[ApproachMetrics], float],
    words: _Words,
) -> str:
    head = f"{o.label.capitalize()}: "
    if choice == o.best:
        text = (
            f"{head}{choice} is the {words.most} there too "
            f"({o.accuracy[choice]:.3f}, n={o.n[choice]})."
        )
    else:
        t = o.tests[choice]
        text = (
            f"{head}{choice} is within the tolerance of the best there, {o.best} "
            f"({o.accuracy[o.best]:.3f}); it loses {_interval(t)}."
        )
    # Approaches that the test set alone would have allowed, and that this set rules out.
    ruled = [
        n
        for n, t in o.tests.items()
        if n in allowed
        and n != choice
        and t.verdict != "non-inferior"
        and cost(by_name[n]) < cost(by_name[choice])
    ]
    if ruled:
        losses = "; ".join(f"{n} loses {_interval(o.tests[n])}" for n in ruled[:_MAX_LISTED])
        text += (
            f" Within the tolerance on the test set and cheaper, but not shown to be there: "
            f"{losses}."
        )
    return text


def _no_common_reason(id_out: SetOutcome, dropped: Sequence[SetOutcome], words: _Words) -> str:
    wins = "; ".join(
        f"{o.label}: {o.best} ({o.accuracy[o.best]:.3f}, n={o.n[o.best]})" for o in dropped
    )
    return (
        f"{NO_COMMON_PREFIX} of the best both on the test set and "
        f"{' and '.join(o.label for o in dropped)}. {words.most.capitalize()} on the test set: "
        f"{id_out.best} ({id_out.accuracy[id_out.best]:.3f}); {wins}. The choice follows the "
        "test set; if production inputs will look like the other set, choose its winner."
    )


def _cost_reasons(
    by_name: Mapping[str, ApproachMetrics],
    choice: str,
    best: str,
    candidates: set[str],
    model: CostModel | None,
    volume_per_month: float | None,
    totals: Mapping[str, float],
) -> list[str]:
    if model is None:
        return []
    h = model.assumptions.horizon_months
    costs = {a.name: a for a in model.approaches}
    if volume_per_month is not None and choice in costs:
        a = costs[choice]
        text = (
            f"At {volume(volume_per_month)} predictions/month over {h:g} months {choice} "
            f"costs {_usd(totals[choice])} in total (one-off {_usd(a.one_off_usd)} + running "
            f"{_usd(totals[choice] - a.one_off_usd)})"
        )
        if best != choice and best in totals:
            text += f"; {best} would cost {_usd(totals[best])}"
        return [text + "."]
    others = sorted(candidates - {choice})
    out = []
    for pair in model.break_even:
        if {pair.a, pair.b} & {choice} and ({pair.a, pair.b} - {choice}) & set(others):
            if pair.monthly_volume is None:
                continue
            other = pair.b if pair.a == choice else pair.a
            side = "below" if pair.cheaper_below == other else "above"
            out.append(
                f"Chosen by running cost per 1k predictions; {side} "
                f"{volume(pair.monthly_volume)} predictions/month {other} (as accurate within "
                f"the tolerance) costs less in total over {h:g} months. Pass "
                "--volume-per-month to decide at your volume."
            )
    return out
