"""The cost/quality figure: each approach's headline metric (accuracy for
classification) against its running cost, with the Pareto front of the
cheaper-and-better ones (:func:`pareto_front`).

Conventions as in :mod:`taskfit.report.plots`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from taskfit.report.plots_common import (
    _accuracy_ylim,
    _colour,
    _error_bars,
    _figure,
    _interval,
    _legend_outside,
    _log_axis,
    _place_labels,
    _req,
    _req_list,
    _req_num,
    _save,
    _set_labels,
    _usd,
)

__all__ = ["pareto_front", "plot_pareto"]

# Family -> (tab10 index, marker): colour and shape both tell families apart.
_FAMILY_STYLE: dict[str, tuple[int, str]] = {
    "prompt": (0, "o"),
    "finetune": (1, "s"),
    "distill": (2, "D"),
    "baseline": (7, "^"),
}
_OTHER_FAMILY_STYLE = (4, "P")


def pareto_front(points: Sequence[tuple[str, float, float]]) -> list[str]:
    """Names of the ``(name, cost, quality)`` points that no other point dominates.

    A point is dominated when another has cost <= and quality >= with at least one of
    the two strict. Identical points do not dominate each other, so ties all stay on
    the front. The result is sorted by cost (equal costs keep their input order).
    """
    for name, cost, quality in points:
        if math.isnan(cost) or math.isnan(quality):
            raise ValueError(f"pareto_front: point '{name}' has a NaN cost or quality")
    front = [
        (cost, i, name)
        for i, (name, cost, quality) in enumerate(points)
        if not any(c <= cost and q >= quality and (c < cost or q > quality) for _, c, q in points)
    ]
    return [name for _, _, name in sorted(front)]


def plot_pareto(
    approaches: Sequence[Mapping[str, Any]],
    cost_model: Mapping[str, Any] | None,
    out_dir: Path,
    stem: str = "pareto",
    *,
    metric: tuple[str, str] = ("accuracy", "accuracy"),
    higher_is_better: bool = True,
) -> list[Path]:
    """``metric`` (``(name, title)`` of a key of each approach's ``metrics``; accuracy by
    default), with its CI, against running cost per 1k predictions (log x).

    Marker and colour by family; each point labelled with its name (and its one-off
    cost when ``cost_model`` is given); the Pareto front (cheaper-and-better) as a step
    line, where better means lower when ``higher_is_better`` is false. Zero costs are
    drawn at a floor below the cheapest paid approach, as the x label says. The y label
    says "fraction" when every value and bound lies in [0, 1].
    """
    key, title = metric
    rows = []
    for i, a in enumerate(approaches or []):
        where = f"approaches[{i}]"
        name = str(_req(a, "name", where))
        family = str(_req(a, "family", where))
        score = _req(_req(a, "metrics", where), key, f"{where}.metrics")
        value, low, high = _interval(score, f"{where}.metrics.{key}")
        cost = _req_num(a, "cost_per_1k_usd", where)
        if cost < 0 or not math.isfinite(cost):
            raise ValueError(f"{where}: 'cost_per_1k_usd' must be a finite cost >= 0, got {cost}")
        rows.append((name, family, cost, value, low, high))
    one_off: dict[str, float] = {}
    if cost_model is not None:
        for i, c in enumerate(_req_list(cost_model, "approaches", "cost_model")):
            where = f"cost_model.approaches[{i}]"
            one_off[str(_req(c, "name", where))] = _req_num(c, "one_off_usd", where)
    if not rows:
        return []

    paid = [r[2] for r in rows if r[2] > 0]
    floor = min(paid) / 10 if paid else 1e-4
    has_zero = any(r[2] == 0 for r in rows)
    sign = 1.0 if higher_is_better else -1.0
    front = pareto_front([(r[0], r[2], sign * r[3]) for r in rows])
    by_name = {r[0]: r for r in rows}

    xs = [max(r[2], floor) for r in rows]
    ys = [v for r in rows for v in r[3:] if v is not None]
    with _figure((7.5, 4.8)) as (fig, ax):
        ax.set_xscale("log")
        ax.set_xlim(min(xs) / 2.5, max(xs) * 2.5)  # limits first: no autoscaling to undo
        _accuracy_ylim(ax, ys)
        seen_families: set[str] = set()
        labels: list[tuple[float, float, str]] = []
        bars: list[tuple[float, float, float]] = []
        for name, family, cost, value, low, high in sorted(
            rows, key=lambda r: (r[2], -sign * r[3])
        ):
            ci, marker = _FAMILY_STYLE.get(family, _OTHER_FAMILY_STYLE)
            x = max(cost, floor)
            ax.errorbar(
                [x],
                [value],
                yerr=_error_bars([(value, low, high)]),
                fmt=marker,
                color=_colour(ci),
                markersize=7,
                capsize=3,
                elinewidth=1.0,
                markeredgecolor="black",
                markeredgewidth=0.5,
                label=family if family not in seen_families else None,
                zorder=5,  # markers stay visible above neighbouring labels
            )
            seen_families.add(family)
            text = name if name not in one_off else f"{name}\none-off {_usd(one_off[name])}"
            labels.append((x, value, text))
            bars.append((x, value if low is None else low, value if high is None else high))

        if front:
            fx = [max(by_name[n][2], floor) for n in front]
            fy = [by_name[n][3] for n in front]
            ax.plot(
                fx,
                fy,
                drawstyle="steps-post",
                color="0.35",
                linewidth=1.0,
                linestyle="--",
                label="Pareto front (cheaper and better)",
                zorder=2,
            )

        _place_labels(fig, ax, labels, bars)
        _log_axis(ax.xaxis, lambda v: f"${v:g}")
        xlabel = "running cost per 1k predictions (USD, log scale)"
        if has_zero:
            xlabel += f"\n$0 costs drawn at {_usd(floor)}"
        scale = "fraction, " if all(0.0 <= y <= 1.0 for y in ys) else ""
        _set_labels(
            ax,
            xlabel,
            f"{title} on the test set ({scale}CI bars)",
            "Cost vs. quality" + (" (labels: one-off cost)" if one_off else ""),
        )
        _legend_outside(ax, order=[*_FAMILY_STYLE, *sorted(seen_families)])
        return _save(fig, out_dir, stem)
