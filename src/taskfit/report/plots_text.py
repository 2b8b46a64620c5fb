"""The self-consistency figure of the free-text task types: exact match of the majority
vote against the number of sampled chains k (with interval bars), and beside it the
cost per correct answer against k, one line per self-consistency approach.

Conventions as in :mod:`taskfit.report.plots`: reads the ``self_consistency`` section
of ``results.json``, writes ``self_consistency.png`` and ``.svg`` into ``out_dir`` and
returns the paths, ``[]`` when there is nothing to plot, and raises
:class:`ValueError` naming the missing key when the section is malformed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskfit.report.plots_common import (
    _accuracy_ylim,
    _colour,
    _error_bars,
    _get_num,
    _interval,
    _req,
    _req_list,
    _req_num,
    _save,
    _set_labels,
    _side_by_side,
    _usd,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_self_consistency"]

_DODGE = 0.08  # horizontal offset between the approaches' points at the same k
# k, exact match, ci_low, ci_high, $ per correct answer
_Point = tuple[float, float, float | None, float | None, float | None]


def _parse(section: Mapping[str, Any]) -> list[tuple[str, list[_Point]]]:
    """Each approach's points, sorted by k; approaches without points are left out."""
    out = []
    for name, entry in section.items():
        where = f"self_consistency.{name}"
        points: list[_Point] = []
        for j, pt in enumerate(_req_list(entry, "points", where)):
            w = f"{where}.points[{j}]"
            em = _interval(_req(pt, "exact_match", w), f"{w}.exact_match")
            points.append((_req_num(pt, "k", w), *em, _get_num(pt, "usd_per_correct", w)))
        if points:
            out.append((str(name), sorted(points, key=lambda q: q[0])))
    return out


def _k_ticks(ax: Axes, ks: list[float]) -> None:
    ax.set_xticks(ks)
    ax.set_xticklabels([f"{k:g}" for k in ks])
    ax.set_xlim(min(ks) - 0.5, max(ks) + 0.5)


def plot_self_consistency(
    section: Mapping[str, Any] | None, out_dir: Path, stem: str = "self_consistency"
) -> list[Path]:
    """Left: exact match of the majority answer over the first k chains, with its
    interval as error bars. Right: $ per correct answer at k (points whose exact match
    is zero have none and are left out). One colour per approach."""
    if not section:
        return []
    if not isinstance(section, Mapping):
        raise ValueError(f"self_consistency: expected an object, got {type(section).__name__}")
    parsed = _parse(section)
    if not parsed:
        return []
    from matplotlib.ticker import FuncFormatter

    ks = sorted({q[0] for _, points in parsed for q in points})
    ys: list[float] = []
    costs = False
    with _side_by_side((10.0, 4.2)) as (fig, left, right):
        for i, (name, points) in enumerate(parsed):
            # Side by side at each k, so that the interval bars do not hide each other.
            xs = [q[0] + _DODGE * (i - (len(parsed) - 1) / 2) for q in points]
            em = [q[1] for q in points]
            yerr = _error_bars([q[1:4] for q in points])
            left.errorbar(
                xs, em, yerr=yerr, fmt="-o", color=_colour(i), capsize=3, lw=1.4, ms=4, label=name
            )
            ys += em + [q[2] for q in points if q[2] is not None]
            ys += [q[3] for q in points if q[3] is not None]
            priced = [(q[0], q[4]) for q in points if q[4] is not None]
            if priced:
                costs = True
                right.plot(
                    [c[0] for c in priced],
                    [c[1] for c in priced],
                    "-o",
                    color=_colour(i),
                    lw=1.4,
                    ms=4,
                    label=name,
                )
        _k_ticks(left, ks)
        _accuracy_ylim(left, ys)
        _set_labels(
            left,
            "k: sampled chains voted over",
            "exact match on the test set (fraction, CI bars)",
            "Majority vote over k chains",
        )
        left.legend(loc="lower right")
        _k_ticks(right, ks)
        right.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _usd(v)))
        right.set_ylim(bottom=0.0)
        _set_labels(
            right,
            "k: sampled chains voted over",
            "$ per correct answer",
            "Cost of a correct answer",
        )
        if costs:
            right.legend(loc="upper left")
        else:
            right.text(
                0.5, 0.5, "no correct answers", transform=right.transAxes, ha="center", color="0.4"
            )
        fig.tight_layout()
        return _save(fig, out_dir, stem)
