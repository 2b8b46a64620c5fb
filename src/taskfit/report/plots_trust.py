"""Figures for the trust sections: reliability diagram and accuracy-coverage curves.

Same conventions as :mod:`taskfit.report.plots`: each function reads one section of
``results.json`` (plain dicts), writes ``<stem>.png`` and ``<stem>.svg`` into
``out_dir`` and returns the paths, or ``[]`` when there is nothing to plot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from taskfit.report.plots_common import _colour, _figure, _save, _set_labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_reliability", "plot_selective", "plot_trust"]


def _finish(
    fig: Figure,
    ax: Axes,
    out_dir: Path,
    stem: str,
    labels: Sequence[str],
    legend_loc: Literal["upper left", "lower left"],
) -> list[Path]:
    """x from 0 to 1, ``labels`` (x label, y label, title) and the legend at
    ``legend_loc``; saved as ``stem``."""
    ax.set_xlim(0, 1)
    _set_labels(ax, *labels)
    ax.legend(loc=legend_loc)
    return _save(fig, out_dir, stem)


def plot_reliability(calibration: Mapping[str, Any] | None, out_dir: Path) -> list[Path]:
    """Accuracy against mean confidence per equal-width bin, one line per approach
    (marker area ~ examples in the bin); the diagonal is perfect calibration."""
    rows = [r for r in (calibration or {}).get("approaches", []) if r["uncalibrated"]["bins"]]
    if not rows:
        return []
    with _figure((5.5, 5.0)) as (fig, ax):
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="perfectly calibrated")
        for i, r in enumerate(rows):
            bins = r["uncalibrated"]["bins"]
            n = max(1, r["uncalibrated"]["n"])
            xs = [b["confidence"] for b in bins]
            ys = [b["accuracy"] for b in bins]
            sizes = [12 + 200 * b["count"] / n for b in bins]
            ece = r["uncalibrated"]["ece_width"]
            ax.plot(xs, ys, color=_colour(i), lw=1.2, label=f"{r['name']} (ECE {ece:.3f})")
            ax.scatter(xs, ys, s=sizes, color=_colour(i), alpha=0.7)
        ax.set_ylim(0, 1)
        labels = (
            "mean confidence in bin",
            "accuracy in bin",
            "Reliability diagram (test set, before recalibration)",
        )
        return _finish(fig, ax, out_dir, "reliability", labels, "upper left")


def plot_selective(selective: Mapping[str, Any] | None, out_dir: Path) -> list[Path]:
    """Selective accuracy against coverage per approach, with the target accuracy."""
    rows = [r for r in (selective or {}).get("approaches", []) if r["curve"]]
    if not rows:
        return []
    target = (selective or {}).get("target_accuracy")
    with _figure((6.0, 4.2)) as (fig, ax):
        for i, r in enumerate(rows):
            cov = [c for c, _ in r["curve"]]
            acc = [a for _, a in r["curve"]]
            ax.plot(cov, acc, color=_colour(i), lw=1.4, label=f"{r['name']} (AURC {r['aurc']:.3f})")
        if target is not None:
            ax.axhline(target, color="0.4", lw=1, ls=":", label=f"target accuracy {target:g}")
        labels = (
            "coverage (share of inputs answered, most confident first)",
            "accuracy on the answered inputs",
            "Selective prediction",
        )
        return _finish(fig, ax, out_dir, "selective", labels, "lower left")


def plot_trust(doc: Mapping[str, Any], out_dir: Path) -> list[Path]:
    """Every trust figure the document has data for."""
    return plot_reliability(doc.get("calibration"), out_dir) + plot_selective(
        doc.get("selective"), out_dir
    )
