"""Figures for sections of ``results.json``: learning curves, cost/quality Pareto, distillation.

What: each ``plot_*`` function reads one section (plain dicts, as loaded from
``results.json``) and writes the figure as ``<stem>.png`` and ``<stem>.svg`` into
``out_dir``. It returns ``[png, svg]``, or ``[]`` when the section has nothing to plot,
and raises :class:`ValueError` naming the missing key when the section is malformed.

Why: a number in a table says which approach won; a curve says by how much, how sure we
are, and how many labels or dollars it takes to change the answer.

matplotlib is imported inside the functions (importing taskfit stays fast) and switched
to the non-interactive "Agg" backend before pyplot is imported. SVG text is written as
text (``svg.fonttype = "none"``) so names stay searchable and selectable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

__all__ = ["pareto_front", "plot_curves", "plot_distill", "plot_pareto"]

_DPI = 150
_PALETTE = "tab10"
_STYLE: dict[Any, Any] = {  # keys are rcParams names
    "svg.fonttype": "none",  # keep text as <text>, not glyph paths
    "svg.hashsalt": "taskfit",  # stable element ids between runs
    "text.parse_math": False,  # "$3.20" and "n^(−c)" are plain text, not mathtext
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
}
# Family -> (tab10 index, marker): colour and shape both tell families apart.
_FAMILY_STYLE: dict[str, tuple[int, str]] = {
    "prompt": (0, "o"),
    "finetune": (1, "s"),
    "distill": (2, "D"),
    "baseline": (7, "^"),
}
_OTHER_FAMILY_STYLE = (4, "P")
_FIT_EXTENSION = 1.5  # the fitted curve runs this factor past the largest label count
_CROSSOVER_CAP = 100.0  # never stretch the x axis beyond this many times the largest count
_MARKED_CROSSOVERS = ("within_data", "beyond_data", "already_better")


# --------------------------------------------------------------------------- validation


def _req(d: Any, key: str, where: str) -> Any:
    if not isinstance(d, Mapping):
        raise ValueError(f"{where}: expected an object with key '{key}', got {type(d).__name__}")
    if key not in d:
        raise ValueError(f"{where}: missing key '{key}'")
    return d[key]


def _num(v: Any, key: str, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{where}: key '{key}' must be a number, got {v!r}")
    return float(v)


def _req_num(d: Any, key: str, where: str) -> float:
    return _num(_req(d, key, where), key, where)


def _opt_num(d: Any, key: str, where: str) -> float | None:
    v = _req(d, key, where)
    return None if v is None else _num(v, key, where)


def _req_list(d: Any, key: str, where: str) -> list[Any]:
    v = _req(d, key, where)
    if v is None:
        return []
    if isinstance(v, (str, bytes)) or not isinstance(v, Sequence):
        raise ValueError(f"{where}: key '{key}' must be a list, got {type(v).__name__}")
    return list(v)


def _interval(d: Any, where: str) -> tuple[float, float | None, float | None]:
    """``{"value", "ci_low", "ci_high"}`` -> (value, low, high); null bounds stay None."""
    return (
        _req_num(d, "value", where),
        _opt_num(d, "ci_low", where),
        _opt_num(d, "ci_high", where),
    )


# --------------------------------------------------------------------------- pure helpers


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


def _usd(v: float) -> str:
    if v == 0:
        return "$0"
    if abs(v) < 0.01:
        return f"${v:.2g}"
    if abs(v) >= 1000:
        return f"${v:,.0f}"
    return f"${v:,.2f}"


def _count(v: float) -> str:
    return f"{v:,.0f}" if v >= 1 else f"{v:g}"


def _ci_text(low: float | None, high: float | None, fmt: Callable[[float], str]) -> str:
    if low is not None and high is not None:
        return f"CI {fmt(low)}–{fmt(high)}"
    if high is not None:
        return f"CI ≤{fmt(high)}"
    if low is not None:
        return f"CI ≥{fmt(low)}"
    return "CI unbounded"


# --------------------------------------------------------------------------- matplotlib


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def _figure(figsize: tuple[float, float]) -> Iterator[tuple[Figure, Axes]]:
    """A styled figure and axes, closed on exit whatever happens."""
    plt = _pyplot()
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=figsize)
        try:
            yield fig, ax
        finally:
            plt.close(fig)


def _colour(i: int) -> Any:
    import matplotlib

    cmap = matplotlib.colormaps[_PALETTE]
    n = getattr(cmap, "N", 10)
    return cmap(i % n)


def _log_axis(axis: Axis, fmt: Callable[[float], str]) -> None:
    """Plain-number tick labels on a log axis; label 2s and 5s too when the span is short."""
    from matplotlib.ticker import FuncFormatter

    def major(v: float, _pos: int | None = None) -> str:
        return fmt(v) if v > 0 else ""

    def minor(v: float, _pos: int | None = None) -> str:
        lo, hi = axis.get_view_interval()
        if v <= 0 or lo <= 0 or hi / lo > 300:
            return ""
        coeff = round(v / 10 ** math.floor(math.log10(v)))
        return fmt(v) if coeff in (2, 5) else ""

    axis.set_major_formatter(FuncFormatter(major))
    axis.set_minor_formatter(FuncFormatter(minor))


def _save(fig: Figure, out_dir: Path, stem: str) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    png, svg = out_dir / f"{stem}.png", out_dir / f"{stem}.svg"
    fig.savefig(png, dpi=_DPI, bbox_inches="tight")
    fig.savefig(svg, dpi=_DPI, bbox_inches="tight", metadata={"Date": None})
    return [png, svg]


def _legend_outside(ax: Axes, order: Sequence[str] = ()) -> None:
    """Legend to the right of the axes; labels named in ``order`` come first, in that order."""
    handles, labels = ax.get_legend_handles_labels()
    rank = {label: i for i, label in reversed(list(enumerate(order)))}
    pairs = sorted(zip(handles, labels, strict=True), key=lambda hl: rank.get(hl[1], len(rank)))
    handles, labels = [h for h, _ in pairs], [lab for _, lab in pairs]
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0.0,
            frameon=False,
        )


def _accuracy_ylim(ax: Axes, values: Sequence[float]) -> None:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return
    lo, hi = min(finite), max(finite)
    pad = max(0.03, 0.08 * (hi - lo))
    bottom = lo - pad if lo < 0 else max(0.0, lo - pad)
    top = hi + pad if hi > 1 else min(1.0, hi + pad)
    ax.set_ylim(bottom, max(top, bottom + pad))


# Candidate label offsets (points) and alignments, tried in this order.
_LABEL_SPOTS = (
    (7, 4, "left", "bottom"),
    (7, -4, "left", "top"),
    (-7, 4, "right", "bottom"),
    (-7, -4, "right", "top"),
    (0, 9, "center", "bottom"),
    (0, -9, "center", "top"),
)


def _overlap(a: Any, b: Any) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _place_labels(
    fig: Figure,
    ax: Axes,
    items: Sequence[tuple[float, float, str]],
    bars: Sequence[tuple[float, float, float]] = (),
) -> None:
    """Annotate each ``(x, y, text)`` at the spot that overlaps other labels, markers,
    error ``bars`` ``(x, low, high)`` and the area outside the axes least (axis limits
    must be final)."""
    from matplotlib.transforms import Bbox

    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    pad = 6 * fig.dpi / 72  # half a marker, in display units
    markers = []
    for x, y, _ in items:
        px, py = ax.transData.transform((x, y))
        markers.append(Bbox.from_extents(px - pad, py - pad, px + pad, py + pad))
    for x, low, high in bars:
        (px, plo), (_, phi) = ax.transData.transform([(x, low), (x, high)])
        markers.append(Bbox.from_extents(px - pad / 2, plo, px + pad / 2, phi))
    placed: list[Any] = []
    for x, y, text in items:
        best: tuple[float, Any, Any] | None = None
        for dx, dy, ha, va in _LABEL_SPOTS:
            ann = ax.annotate(
                text,
                xy=(x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=7.5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
                zorder=4,
            )
            bb = ann.get_window_extent(renderer)
            outside = bb.width * bb.height - _overlap(bb, frame)
            score = 3 * outside + sum(_overlap(bb, o) for o in [*placed, *markers])
            if best is None or score < best[0]:
                if best is not None:
                    best[1].remove()
                best = (score, ann, bb)
            else:
                ann.remove()
            if score == 0:
                break
        if best is not None:
            placed.append(best[2])


# --------------------------------------------------------------------------- learning curves


def _crossover_text(cross: Mapping[str, Any], where: str) -> str:
    """Two short lines for the plot: who is matched where, then the interval."""
    status = _req(cross, "status", where)
    ref = cross.get("reference") or "the reference"
    est = _opt_num(cross, "estimate", where)
    low, high = cross.get("ci_low"), cross.get("ci_high")
    low = None if low is None else _num(low, "ci_low", where)
    high = None if high is None else _num(high, "ci_high", where)
    at = f"at ≈{_count(est)} labels" if est is not None else "at an unknown count"
    ci = _ci_text(low, high, _count)
    if status == "already_better":
        return f"already ≥ {ref}\n{at}, {ci}"
    extra = ", extrapolated" if status == "beyond_data" else ""
    return f"≥ {ref} {at}\n{ci}{extra}"


def plot_curves(
    curves: Mapping[str, Any], out_dir: Path, stem: str = "learning_curves"
) -> list[Path]:
    """Accuracy against training labels (log x) for each fine-tuned approach.

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
    approaches = _req_list(curves, "approaches", "curves")
    references = _req_list(curves, "references", "curves")

    # Parse everything first, so a malformed section raises before anything is drawn.
    parsed: list[dict[str, Any]] = []
    for i, a in enumerate(approaches):
        where = f"curves.approaches[{i}]"
        name = str(_req(a, "name", where))
        summary = []
        for j, s in enumerate(_req_list(a, "summary", where)):
            w = f"{where}.summary[{j}]"
            summary.append(
                (
                    _req_num(s, "n_train_labels", w),
                    _req_num(s, "accuracy_mean", w),
                    _opt_num(s, "ci_low", w),
                    _opt_num(s, "ci_high", w),
                )
            )
        points = []
        for j, p in enumerate(_req_list(a, "points", where)):
            w = f"{where}.points[{j}]"
            points.append((_req_num(p, "n_train_labels", w), _req_num(p, "accuracy", w)))
        fit = a.get("fit")
        fit_abc = None
        if fit is not None:
            w = f"{where}.fit"
            fit_abc = (_req_num(fit, "a", w), _req_num(fit, "b", w), _req_num(fit, "c", w))
        cross = a.get("crossover")
        cross_info = None
        if cross is not None:
            w = f"{where}.crossover"
            status = _req(cross, "status", w)
            if status in _MARKED_CROSSOVERS:
                est = _opt_num(cross, "estimate", w)
                low = cross.get("ci_low")
                high = cross.get("ci_high")
                ref_acc = cross.get("reference_accuracy")
                cross_info = {
                    "estimate": est,
                    "low": None if low is None else _num(low, "ci_low", w),
                    "high": None if high is None else _num(high, "ci_high", w),
                    "ref_acc": None if ref_acc is None else _num(ref_acc, "reference_accuracy", w),
                    "text": _crossover_text(cross, w),
                }
        summary.sort(key=lambda s: s[0])
        summary = [s for s in summary if s[0] > 0]
        points = [p for p in points if p[0] > 0]
        if summary:
            parsed.append(
                {
                    "name": name,
                    "summary": summary,
                    "points": points,
                    "fit": fit_abc,
                    "cross": cross_info,
                }
            )
    refs = []
    for i, r in enumerate(references):
        where = f"curves.references[{i}]"
        refs.append(
            (
                str(_req(r, "name", where)),
                _req_num(r, "accuracy", where),
                _opt_num(r, "ci_low", where),
                _opt_num(r, "ci_high", where),
            )
        )
    if not parsed:
        return []

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

    import numpy as np

    ys: list[float] = []
    per_class = curves.get("budget_unit") == "per_class"
    with _figure((8.0, 4.8)) as (fig, ax):
        ax.set_xscale("log")
        ax.set_xlim(x_min, x_max)
        ax.set_autoscaley_on(False)  # the y limits are set from the data at the end
        for k, (rname, racc, rlo, rhi) in enumerate(refs):
            colour = _colour(len(parsed) + k)  # references take the colours after approaches
            label = f"{rname} (reference)"
            if rlo is not None and rhi is not None:
                ax.axhspan(rlo, rhi, color=colour, alpha=0.12, linewidth=0)
                label = f"{rname} (reference, {racc:.2f} [{rlo:.2f}–{rhi:.2f}])"
                ys += [rlo, rhi]
            ax.axhline(racc, color=colour, linewidth=1.4, label=label)
            ys.append(racc)

        for k, a in enumerate(parsed):
            colour = _colour(k)
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
            cross = a["cross"]
            if cross is not None and cross["estimate"] is not None and cross["estimate"] > 0:
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

        _accuracy_ylim(ax, ys)
        _log_axis(ax.xaxis, _count)
        ax.set_xlabel(
            "training labels (total count, log scale"
            + ("; budgets were set per class)" if per_class else ")")
        )
        ax.set_ylabel("accuracy on the test set (fraction)")
        ax.set_title("Learning curves: accuracy vs. training labels")
        ax.text(
            0.0,
            -0.16,
            "line: mean over seeds; band: interval of the mean; dots: single seeds; "
            "dashed: power-law fit; dotted: crossover",
            transform=ax.transAxes,
            fontsize=7,
            color="0.35",
            va="top",
        )
        _legend_outside(ax)
        return _save(fig, out_dir, stem)


# --------------------------------------------------------------------------- Pareto


def plot_pareto(
    approaches: Sequence[Mapping[str, Any]],
    cost_model: Mapping[str, Any] | None,
    out_dir: Path,
    stem: str = "pareto",
) -> list[Path]:
    """Accuracy (with CI) against running cost per 1k predictions (log x).

    Marker and colour by family; each point labelled with its name (and its one-off
    cost when ``cost_model`` is given); the Pareto front (cheaper-and-better) as a step
    line. Zero costs are drawn at a floor below the cheapest paid approach, as the x
    label says.
    """
    rows = []
    for i, a in enumerate(approaches or []):
        where = f"approaches[{i}]"
        name = str(_req(a, "name", where))
        family = str(_req(a, "family", where))
        acc = _req(_req(a, "metrics", where), "accuracy", f"{where}.metrics")
        value, low, high = _interval(acc, f"{where}.metrics.accuracy")
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
    front = pareto_front([(r[0], r[2], r[3]) for r in rows])
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
        for name, family, cost, value, low, high in sorted(rows, key=lambda r: (r[2], -r[3])):
            ci, marker = _FAMILY_STYLE.get(family, _OTHER_FAMILY_STYLE)
            x = max(cost, floor)
            yerr = [
                [max(0.0, value - low) if low is not None else 0.0],
                [max(0.0, high - value) if high is not None else 0.0],
            ]
            ax.errorbar(
                [x],
                [value],
                yerr=yerr,
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
        ax.set_xlabel(xlabel)
        ax.set_ylabel("accuracy on the test set (fraction, CI bars)")
        ax.set_title("Cost vs. quality" + (" (labels: one-off cost)" if one_off else ""))
        _legend_outside(ax, order=[*_FAMILY_STYLE, *sorted(seen_families)])
        return _save(fig, out_dir, stem)


# --------------------------------------------------------------------------- distillation


def plot_distill(
    distill: Mapping[str, Any], out_dir: Path, stem: str = "distillation"
) -> list[Path]:
    """Student accuracy on the gold test set against LLM-labelled training examples (log x).

    Per student: mean over seeds with a min–max band and the per-seed points; the
    teacher's test accuracy as a horizontal line with its CI band.
    """
    if not distill:
        return []
    teacher = _req(distill, "teacher", "distill")
    growth = _req_list(distill, "growth", "distill")
    teacher_info = None
    if teacher is not None:
        t_name = str(_req(teacher, "name", "distill.teacher"))
        t_acc = _interval(_req(teacher, "test_accuracy", "distill.teacher"), "distill.teacher")
        teacher_info = (t_name, *t_acc)
    finals: dict[str, tuple[float, float | None, float | None]] = {}
    for i, s in enumerate(distill.get("students") or []):
        where = f"distill.students[{i}]"
        finals[str(_req(s, "name", where))] = _interval(_req(s, "accuracy", where), where)

    per_student: dict[str, dict[float, list[float]]] = {}
    for i, g in enumerate(growth):
        where = f"distill.growth[{i}]"
        student = str(_req(g, "student", where))
        n = _req_num(g, "n_llm_labels", where)
        acc = _req_num(g, "accuracy", where)
        if n > 0:
            per_student.setdefault(student, {}).setdefault(n, []).append(acc)
    if not per_student:
        return []

    xs = [n for by_n in per_student.values() for n in by_n]
    gold = distill.get("gold_labels")
    with _figure((8.0, 4.8)) as (fig, ax):
        ax.set_xscale("log")
        ax.set_xlim(min(xs) / 1.3, max(xs) * 1.3)
        ax.set_autoscaley_on(False)  # the y limits are set from the data at the end
        ys: list[float] = []
        if teacher_info is not None:
            t_name, t_val, t_lo, t_hi = teacher_info
            colour = "0.25"
            label = f"teacher {t_name} ({t_val:.2f}"
            if t_lo is not None and t_hi is not None:
                ax.axhspan(t_lo, t_hi, color=colour, alpha=0.10, linewidth=0)
                label += f" [{t_lo:.2f}–{t_hi:.2f}]"
                ys += [t_lo, t_hi]
            ax.axhline(t_val, color=colour, linewidth=1.4, linestyle="-.", label=label + ")")
            ys.append(t_val)
        for k, (student, by_n) in enumerate(sorted(per_student.items())):
            colour = _colour(k)
            ns = sorted(by_n)
            means = [sum(by_n[n]) / len(by_n[n]) for n in ns]
            lows = [min(by_n[n]) for n in ns]
            highs = [max(by_n[n]) for n in ns]
            ys += lows + highs
            ax.fill_between(ns, lows, highs, color=colour, alpha=0.18, linewidth=0)
            ax.scatter(
                [n for n in ns for _ in by_n[n]],
                [v for n in ns for v in by_n[n]],
                s=10,
                color=colour,
                alpha=0.3,
                linewidths=0,
            )
            label = student
            if student in finals:
                v, lo, hi = finals[student]
                label += f" (final {v:.2f}"
                label += f" [{lo:.2f}–{hi:.2f}])" if lo is not None and hi is not None else ")"
            ax.plot(ns, means, "-o", color=colour, markersize=4, linewidth=1.6, label=label)
        _accuracy_ylim(ax, ys)
        _log_axis(ax.xaxis, _count)
        ax.set_xlabel("LLM-labelled training examples (count, log scale)")
        ax.set_ylabel("student accuracy on the gold test set (fraction)")
        title = "Distillation: students trained on the teacher's labels"
        if isinstance(gold, (int, float)) and not isinstance(gold, bool):
            title += f" ({gold:,.0f} gold labels)"
        ax.set_title(title)
        ax.text(
            0.0,
            -0.16,
            "line: mean over seeds; band: min–max over seeds; dots: single seeds",
            transform=ax.transAxes,
            fontsize=7,
            color="0.35",
            va="top",
        )
        _legend_outside(ax)
        return _save(fig, out_dir, stem)
