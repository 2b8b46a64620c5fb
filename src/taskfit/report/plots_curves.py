"""The learning-curve figure: accuracy against training labels for each fine-tuned
approach, with its power-law fit, its crossover with a prompted reference, and the
references themselves.

Conventions as in :mod:`taskfit.report.plots`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskfit.report.columns import curve_metric
from taskfit.report.plots_common import (
    _ci_text,
    _colour,
    _count,
    _count_axes,
    _figure,
    _finish_count_axes,
    _get_num,
    _interval,
    _opt_num,
    _req,
    _req_list,
    _req_num,
    _save,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_curves"]

_FIT_EXTENSION = 1.5  # the fitted curve runs this factor past the largest label count
_CROSSOVER_CAP = 100.0  # never stretch the x axis beyond this many times the largest count
_MARKED_CROSSOVERS = ("within_data", "beyond_data", "already_better")
_KEY = (
    "line: mean over seeds; band: interval of the mean; dots: single seeds; "
    "dashed: power-law fit; dotted: crossover"
)
_Ref = tuple[str, float, float | None, float | None]  # name, accuracy, ci_low, ci_high


# --------------------------------------------------------------------------- reading


def _crossover_text(
    status: Any, ref: Any, est: float | None, low: float | None, high: float | None
) -> str:
    """Two short lines for the plot: who is matched where, then the interval."""
    ref = ref or "the reference"
    at = f"at ≈{_count(est)} labels" if est is not None else "at an unknown count"
    ci = _ci_text(low, high, _count)
    if status == "already_better":
        return f"already ≥ {ref}\n{at}, {ci}"
    extra = ", extrapolated" if status == "beyond_data" else ""
    return f"≥ {ref} {at}\n{ci}{extra}"


def _parse_crossover(cross: Any, where: str) -> dict[str, Any] | None:
    """What the plot marks of a crossover; None for a status it does not mark."""
    status = _req(cross, "status", where)
    if status not in _MARKED_CROSSOVERS:
        return None
    est = _opt_num(cross, "estimate", where)
    low = _get_num(cross, "ci_low", where)
    high = _get_num(cross, "ci_high", where)
    return {
        "estimate": est,
        "low": low,
        "high": high,
        "ref_acc": _get_num(cross, "reference_accuracy", where),
        "text": _crossover_text(status, cross.get("reference"), est, low, high),
    }


def _parse_approach(a: Any, where: str, key: str) -> dict[str, Any] | None:
    """One approach's curve, fit and crossover; None when no budget has labels."""
    name = str(_req(a, "name", where))
    summary = []
    for j, s in enumerate(_req_list(a, "summary", where)):
        w = f"{where}.summary[{j}]"
        summary.append((_req_num(s, "n_train_labels", w), *_interval(s, w, key + "_mean")))
    points = []
    for j, p in enumerate(_req_list(a, "points", where)):
        w = f"{where}.points[{j}]"
        points.append((_req_num(p, "n_train_labels", w), _req_num(p, key, w)))
    fit = a.get("fit")
    fit_abc = None
    if fit is not None:
        w = f"{where}.fit"
        fit_abc = (_req_num(fit, "a", w), _req_num(fit, "b", w), _req_num(fit, "c", w))
    cross = a.get("crossover")
    cross_info = None if cross is None else _parse_crossover(cross, f"{where}.crossover")
    summary.sort(key=lambda s: s[0])
    summary = [s for s in summary if s[0] > 0]
    if not summary:
        return None
    return {
        "name": name,
        "summary": summary,
        "points": [p for p in points if p[0] > 0],
        "fit": fit_abc,
        "cross": cross_info,
    }


def _x_range(parsed: list[dict[str, Any]]) -> tuple[float, float]:
    """The x limits: every label count, the fit a bit past the largest, and each
    crossover estimate up to :data:`_CROSSOVER_CAP` times the largest count."""
    xs = [s[0] for a in parsed for s in a["summary"]] + [p[0] for a in parsed for p in a["points"]]
    x_data_max = max(xs)
    x_min = min(xs) / 1.3
    x_max = x_data_max * _FIT_EXTENSION
    x_cap = x_data_max * _CROSSOVER_CAP
    for a in parsed:
        est = a["cross"]["estimate"] if a["cross"] else None
        if est is not None and est > 0:
            x_max = max(x_max, min(est * 1.3, x_cap))
            x_min = min(x_min, est / 1.3)
    return x_min, x_max


# --------------------------------------------------------------------------- drawing


def _draw_reference(ax: Axes, ref: _Ref, colour: Any, ys: list[float]) -> None:
    rname, racc, rlo, rhi = ref
    label = f"{rname} (reference)"
    if rlo is not None and rhi is not None:
        ax.axhspan(rlo, rhi, color=colour, alpha=0.12, linewidth=0)
        label = f"{rname} (reference, {racc:.2f} [{rlo:.2f}–{rhi:.2f}])"
        ys += [rlo, rhi]
    ax.axhline(racc, color=colour, linewidth=1.4, label=label)
    ys.append(racc)


def _draw_approach(
    ax: Axes, a: Mapping[str, Any], colour: Any, x_max: float, ys: list[float]
) -> None:
    """Seed points, interval band, mean line and fitted curve of one approach."""
    import numpy as np

    summary = a["summary"]
    sx = [s[0] for s in summary]
    sy = [s[1] for s in summary]
    ys += sy
    if a["points"]:
        ax.scatter(
            [p[0] for p in a["points"]],
            [p[1] for p in a["points"]],
            s=10,
            color=colour,
            alpha=0.25,
            linewidths=0,
        )
        ys += [p[1] for p in a["points"]]
    band = [(s[0], s[2], s[3]) for s in summary if s[2] is not None and s[3] is not None]
    if band:
        ax.fill_between(
            [b[0] for b in band],
            [b[1] for b in band],
            [b[2] for b in band],
            color=colour,
            alpha=0.18,
            linewidth=0,
        )
        ys += [b[1] for b in band] + [b[2] for b in band]
    ax.plot(sx, sy, "-o", color=colour, markersize=4, linewidth=1.6, label=a["name"])
    if a["fit"] is not None:
        fa, fb, fc = a["fit"]
        fx = np.geomspace(min(sx), x_max, 200)
        fy = fa - fb * fx ** (-fc)
        ax.plot(
            fx,
            fy,
            "--",
            color=colour,
            linewidth=1.1,
            label=f"{a['name']} fit: {fa:.2f} − {fb:.2f}·n^(−{fc:.2f})",
        )
        ys.append(float(fy[-1]))


def _draw_crossover(
    ax: Axes, cross: Mapping[str, Any], colour: Any, x_min: float, x_max: float
) -> None:
    """Dotted line at the estimate (clipped to the axis), its shaded interval, a cross
    at the reference accuracy and the text beside the line."""
    est = cross["estimate"]
    shown = min(max(est, x_min), x_max)
    lo = x_min if cross["low"] is None else min(max(cross["low"], x_min), x_max)
    hi = x_max if cross["high"] is None else min(max(cross["high"], x_min), x_max)
    if hi > lo:
        ax.axvspan(lo, hi, color=colour, alpha=0.08, linewidth=0)
    ax.axvline(shown, color=colour, linestyle=":", linewidth=1.3)
    if cross["ref_acc"] is not None:
        ax.plot([shown], [cross["ref_acc"]], "x", color=colour, markersize=7)
    text = cross["text"] + (" (off the axis)" if shown != est else "")
    # Text on the roomier side of the line: right of it in the left half.
    right = math.log(shown / x_min) < 0.5 * math.log(x_max / x_min)
    ax.annotate(
        text,
        xy=(shown, 0.02),
        xycoords=ax.get_xaxis_transform(),
        xytext=(3 if right else -3, 0),
        textcoords="offset points",
        rotation=90,
        ha="left" if right else "right",
        va="bottom",
        multialignment="left",
        fontsize=7,
        color=colour,
        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
    )


def plot_curves(
    curves: Mapping[str, Any], out_dir: Path, stem: str = "learning_curves"
) -> list[Path]:
    """The headline metric (accuracy for classification) against training labels (log x)
    for each fine-tuned approach.

    Per approach: seed means with their interval band, faint per-seed points, the fitted
    power law (dashed, a bit past the largest count) and the crossover with its reference
    (dotted line, shaded interval, short text). Each reference (a prompted LLM) is a
    horizontal line with a light CI band. ``fit`` and ``crossover`` may be null; a
    crossover's ``ci_low``/``ci_high`` may be null (unbounded: the span runs to the axis
    edge). An estimate far beyond the data stretches the x axis at most
    100x the largest label count.
    """
    if not curves:
        return []
    key, title = curve_metric(curves)
    approaches = _req_list(curves, "approaches", "curves")
    references = _req_list(curves, "references", "curves")

    # Parse everything first, so a malformed section raises before anything is drawn.
    parsed = []
    for i, a in enumerate(approaches):
        one = _parse_approach(a, f"curves.approaches[{i}]", key)
        if one is not None:
            parsed.append(one)
    refs: list[_Ref] = []
    for i, r in enumerate(references):
        where = f"curves.references[{i}]"
        refs.append((str(_req(r, "name", where)), *_interval(r, where, key)))
    if not parsed:
        return []

    x_min, x_max = _x_range(parsed)
    ys: list[float] = []
    per_class = curves.get("budget_unit") == "per_class"
    with _figure((8.0, 4.8)) as (fig, ax):
        _count_axes(ax, x_min, x_max)
        for k, ref in enumerate(refs):
            # References take the colours after the approaches'.
            _draw_reference(ax, ref, _colour(len(parsed) + k), ys)
        for k, a in enumerate(parsed):
            _draw_approach(ax, a, _colour(k), x_max, ys)
            cross = a["cross"]
            if cross is not None and cross["estimate"] is not None and cross["estimate"] > 0:
                _draw_crossover(ax, cross, _colour(k), x_min, x_max)
        xlabel = "training labels (total count, log scale" + (
            "; budgets were set per class)" if per_class else ")"
        )
        labels = (
            xlabel,
            f"{title} on the test set (fraction)",
            f"Learning curves: {title} vs. training labels",
        )
        _finish_count_axes(ax, ys, labels, _KEY)
        return _save(fig, out_dir, stem)
