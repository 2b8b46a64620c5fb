"""What every figure module of the report shares: reading a section, number formats,
the figure style, saving, legends, accuracy limits and label placement.

Sections are read with the ``_req*`` helpers, which raise :class:`ValueError` naming the
missing or malformed key and where it is (``"curves.approaches[0].fit"``).

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


def _get_num(d: Mapping[str, Any], key: str, where: str) -> float | None:
    """``d[key]`` as a number; None when the key is absent or null."""
    v = d.get(key)
    return None if v is None else _num(v, key, where)


def _req_list(d: Any, key: str, where: str) -> list[Any]:
    v = _req(d, key, where)
    if v is None:
        return []
    if isinstance(v, (str, bytes)) or not isinstance(v, Sequence):
        raise ValueError(f"{where}: key '{key}' must be a list, got {type(v).__name__}")
    return list(v)


def _interval(
    d: Any, where: str, value_key: str = "value"
) -> tuple[float, float | None, float | None]:
    """``{value_key, "ci_low", "ci_high"}`` -> (value, low, high); null bounds stay None."""
    return (
        _req_num(d, value_key, where),
        _opt_num(d, "ci_low", where),
        _opt_num(d, "ci_high", where),
    )


# --------------------------------------------------------------------------- number formats


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


@contextmanager
def _side_by_side(figsize: tuple[float, float]) -> Iterator[tuple[Figure, Axes, Axes]]:
    """A styled figure with two axes side by side, closed on exit whatever happens."""
    plt = _pyplot()
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=figsize)
        try:
            yield fig, left, right
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


def _set_labels(ax: Axes, xlabel: str, ylabel: str, title: str) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)


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


def _error_bars(
    points: Sequence[tuple[float, float | None, float | None]],
) -> list[list[float]]:
    """Matplotlib's ``yerr`` of ``(value, low, high)`` points: the distances down to the
    low bounds and up to the high bounds (0 for a missing bound, never negative)."""
    return [
        [max(0.0, value - low) if low is not None else 0.0 for value, low, _ in points],
        [max(0.0, high - value) if high is not None else 0.0 for value, _, high in points],
    ]


def _accuracy_ylim(ax: Axes, values: Sequence[float]) -> None:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return
    lo, hi = min(finite), max(finite)
    pad = max(0.03, 0.08 * (hi - lo))
    bottom = lo - pad if lo < 0 else max(0.0, lo - pad)
    top = hi + pad if hi > 1 else min(1.0, hi + pad)
    ax.set_ylim(bottom, max(top, bottom + pad))


# ------------------------------------------------------------- accuracy against a count


def _count_axes(ax: Axes, x_min: float, x_max: float) -> None:
    """Log x axis from ``x_min`` to ``x_max``; the y limits are left to
    :func:`_finish_count_axes`, which sets them from the data at the end."""
    ax.set_xscale("log")
    ax.set_xlim(x_min, x_max)
    ax.set_autoscaley_on(False)


def _finish_count_axes(ax: Axes, ys: Sequence[float], labels: Sequence[str], key: str) -> None:
    """Accuracy limits from ``ys``, count tick labels on x, ``labels`` (x label, y label,
    title), ``key`` (what the lines, bands and dots mean) under the axes, the legend on
    the right."""
    _accuracy_ylim(ax, ys)
    _log_axis(ax.xaxis, _count)
    _set_labels(ax, *labels)
    ax.text(0.0, -0.16, key, transform=ax.transAxes, fontsize=7, color="0.35", va="top")
    _legend_outside(ax)


# --------------------------------------------------------------------------- point labels

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
