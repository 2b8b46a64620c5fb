"""Figures of the HTML report: confusion matrices, robustness and OOD bars; and
:func:`figures_for`, which draws every figure a results document has data for.

Same conventions as :mod:`taskfit.report.plots`: each ``plot_*`` function reads one
section of ``results.json`` (plain dicts), writes ``<stem>.png`` and ``<stem>.svg`` into
``out_dir`` and returns the paths, ``[]`` when there is nothing to plot, and raises
:class:`ValueError` naming the missing key when the section is malformed.

Confusion matrices with many labels: a matrix is drawn in full up to
:data:`MAX_CONFUSION_LABELS` labels. Beyond that (banking77 has 77) a full grid needs
cells too small to read once the figure fits a page, and what a reader looks for in it
is which labels get mistaken for which. So the figure keeps the labels involved in the
most errors (as true or as predicted label), in label order, and folds predictions of
every other label into one "(other labels)" column, so that each row still adds up to
its label's test examples. The full matrix stays in ``results.json`` (``confusion``) and
the report lists the most frequent confusions as a table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from taskfit.metrics.confusion import OTHER, most_confused_labels
from taskfit.report.columns import headline, higher_is_better
from taskfit.report.plots import plot_curves, plot_distill, plot_pareto
from taskfit.report.plots_common import (
    _colour,
    _figure,
    _interval,
    _req,
    _req_list,
    _req_num,
    _save,
)
from taskfit.report.plots_text import plot_self_consistency
from taskfit.report.plots_trust import plot_reliability, plot_selective

__all__ = [
    "MAX_CONFUSION_LABELS",
    "figures_for",
    "plot_confusion",
    "plot_ood",
    "plot_robustness",
]

MAX_CONFUSION_LABELS = 20
_FOLDED = "(other labels)"
_Iv = tuple[float, float | None, float | None]  # value, ci_low, ci_high
_TICK_CHARS = 24  # longer tick labels are shortened with an ellipsis


def _short(label: str) -> str:
    return label if len(label) <= _TICK_CHARS else label[: _TICK_CHARS - 1] + "…"


# --------------------------------------------------------------------------- confusion


def _confusion_grid(
    labels: list[str], matrix: list[list[int]]
) -> tuple[list[str], list[str], list[list[int]]]:
    """Row names, column names and counts to draw (see the module docstring)."""
    n = len(labels)
    if n <= MAX_CONFUSION_LABELS:
        return labels, [*labels, OTHER], matrix
    keep = most_confused_labels(matrix, MAX_CONFUSION_LABELS)
    kept = set(keep)
    grid = []
    for i in keep:
        row = matrix[i]
        folded = sum(c for j, c in enumerate(row[:n]) if j not in kept)
        grid.append([row[j] for j in keep] + [folded, row[n]])
    names = [labels[i] for i in keep]
    return names, [*names, _FOLDED, OTHER], grid


def _plot_one_confusion(
    labels: list[str], entry: Mapping[str, Any], where: str, out_dir: Path, stem: str
) -> list[Path]:
    import numpy as np

    name = str(_req(entry, "name", where))
    matrix = _req_list(entry, "matrix", where)
    if len(matrix) != len(labels) or any(
        not isinstance(r, list) or len(r) != len(labels) + 1 for r in matrix
    ):
        raise ValueError(
            f"{where}: 'matrix' must have {len(labels)} rows of {len(labels) + 1} counts"
        )
    rows, cols, grid = _confusion_grid(labels, matrix)
    counts = np.asarray(grid, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    cell = 0.42 if len(rows) <= 12 else 0.36
    font = 8 if len(rows) <= 12 else 6.5
    size = (max(4.5, 2.8 + cell * len(cols)), max(3.5, 2.0 + cell * len(rows)))
    with _figure(size) as (fig, ax):
        ax.grid(False)
        image = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
        for i in range(len(rows)):
            for j in range(len(cols)):
                if counts[i, j] > 0:
                    ax.text(
                        j,
                        i,
                        f"{int(counts[i, j])}",
                        ha="center",
                        va="center",
                        fontsize=font,
                        color="white" if share[i, j] > 0.55 else "black",
                    )
        ax.set_xticks(range(len(cols)))
        ax.set_xticklabels([_short(c) for c in cols], rotation=45, ha="right", fontsize=font)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([_short(r) for r in rows], fontsize=font)
        xlabel = "predicted label (numbers: counts; colour: share of the row)"
        if len(rows) < len(labels):
            xlabel += (
                f"\nthe {len(rows)} of {len(labels)} labels in the most errors; "
                f"'{_FOLDED}': predicted as a label not shown"
            )
        ax.set_xlabel(xlabel)
        ax.set_ylabel("true label")
        n = _req_num(entry, "n", where)
        ax.set_title(f"Confusion matrix: {name} (n={n:,.0f} test examples)")
        bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        bar.set_label("share of the true label's examples")
        return _save(fig, out_dir, stem)


def plot_confusion(confusion: Mapping[str, Any] | None, out_dir: Path) -> list[Path]:
    """One heatmap per approach of the ``confusion`` section, ``confusion_1``,
    ``confusion_2``, ... in the section's order (names never enter file names)."""
    if not confusion:
        return []
    labels = [str(lab) for lab in _req_list(confusion, "labels", "confusion")]
    paths: list[Path] = []
    for k, entry in enumerate(_req_list(confusion, "approaches", "confusion"), start=1):
        where = f"confusion.approaches[{k - 1}]"
        paths += _plot_one_confusion(labels, entry, where, out_dir, f"confusion_{k}")
    return paths


# --------------------------------------------------------------------------- robustness


def plot_robustness(robustness: Mapping[str, Any] | None, out_dir: Path) -> list[Path]:
    """Accuracy under each perturbation, one bar per approach with its interval; a black
    tick on each bar marks the clean accuracy on the same examples (accuracy + drop)."""
    if not robustness:
        return []
    kinds = [
        str(_req(k, "kind", "robustness.kinds"))
        for k in _req_list(robustness, "kinds", "robustness")
    ]
    bars: list[tuple[str, dict[str, tuple[float, float | None, float | None, float]]]] = []
    for i, a in enumerate(_req_list(robustness, "approaches", "robustness")):
        where = f"robustness.approaches[{i}]"
        by: dict[str, tuple[float, float | None, float | None, float]] = {}
        for j, p in enumerate(_req_list(a, "perturbations", where)):
            w = f"{where}.perturbations[{j}]"
            value, low, high = _interval(_req(p, "accuracy", w), f"{w}.accuracy")
            drop = _interval(_req(p, "drop", w), f"{w}.drop")[0]
            by[str(_req(p, "kind", w))] = (value, low, high, value + drop)
        bars.append((str(_req(a, "name", where)), by))
    if not kinds or not bars:
        return []
    width = 0.8 / len(bars)
    with _figure((max(6.5, 1.1 * len(kinds) * max(1, len(bars) / 3) + 2.5), 4.4)) as (fig, ax):
        for b, (name, by) in enumerate(bars):
            xs = [
                k + (b - (len(bars) - 1) / 2) * width for k, kind in enumerate(kinds) if kind in by
            ]
            rows = [by[kind] for kind in kinds if kind in by]
            ys = [r[0] for r in rows]
            yerr = [
                [max(0.0, r[0] - r[1]) if r[1] is not None else 0.0 for r in rows],
                [max(0.0, r[2] - r[0]) if r[2] is not None else 0.0 for r in rows],
            ]
            ax.bar(xs, ys, width=width * 0.92, color=_colour(b), label=name, zorder=2)
            ax.errorbar(xs, ys, yerr=yerr, fmt="none", ecolor="0.2", capsize=2, lw=0.8, zorder=3)
            ax.hlines(
                [r[3] for r in rows],
                [x - width * 0.46 for x in xs],
                [x + width * 0.46 for x in xs],
                colors="black",
                linewidth=1.4,
                zorder=4,
                label="clean accuracy, same examples" if b == 0 else "_nolegend_",
            )
        ax.grid(axis="x", visible=False)
        ax.set_xticks(range(len(kinds)))
        ax.set_xticklabels(kinds)
        ax.set_ylim(0.0, 1.05)
        ax.set_xlabel("perturbation of the test texts")
        ax.set_ylabel("accuracy (fraction, CI bars)")
        ax.set_title("Robustness: accuracy under each perturbation")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
        return _save(fig, out_dir, "robustness")


# --------------------------------------------------------------------------- OOD


def plot_ood(ood: Mapping[str, Any] | None, out_dir: Path) -> list[Path]:
    """In-distribution and out-of-distribution accuracy of each approach, side by side
    with their intervals; tick labels give the number of examples of each."""
    if not ood:
        return []
    names: list[str] = []
    sides: tuple[list[_Iv], list[_Iv]] = ([], [])
    counts: list[str] = []
    for i, a in enumerate(_req_list(ood, "approaches", "ood")):
        where = f"ood.approaches[{i}]"
        names.append(str(_req(a, "name", where)))
        sides[0].append(_interval(_req(a, "id_accuracy", where), f"{where}.id_accuracy"))
        sides[1].append(_interval(_req(a, "ood_accuracy", where), f"{where}.ood_accuracy"))
        n_id, n_ood = _req_num(a, "n_id", where), _req_num(a, "n_ood", where)
        counts.append(f"n={n_id:,.0f} / {n_ood:,.0f}")
    if not names:
        return []
    width = 0.38
    many = len(names) > 4
    with _figure((max(5.5, 1.3 * len(names) + 2.0), 4.4)) as (fig, ax):
        for side, (offset, label, colour) in enumerate(
            (
                (-width / 2, "in distribution", _colour(0)),
                (width / 2, "out of distribution", _colour(1)),
            )
        ):
            xs = [k + offset for k in range(len(names))]
            ivs = sides[side]
            ys = [v for v, _, _ in ivs]
            yerr = [
                [max(0.0, v - lo) if lo is not None else 0.0 for v, lo, _ in ivs],
                [max(0.0, hi - v) if hi is not None else 0.0 for v, _, hi in ivs],
            ]
            ax.bar(xs, ys, width=width * 0.95, color=colour, label=label, zorder=2)
            ax.errorbar(xs, ys, yerr=yerr, fmt="none", ecolor="0.2", capsize=3, lw=0.9, zorder=3)
        ax.grid(axis="x", visible=False)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(
            [f"{_short(n)}\n{c}" for n, c in zip(names, counts, strict=True)],
            rotation=20 if many else 0,
            ha="right" if many else "center",
        )
        ax.set_ylim(0.0, 1.05)
        ax.set_ylabel("accuracy (fraction, CI bars)")
        ax.set_title(f"In- vs out-of-distribution accuracy ({ood.get('source', '?')})")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
        return _save(fig, out_dir, "ood")


# --------------------------------------------------------------------------- all


def figures_for(
    doc: Mapping[str, Any],
    out_dir: Path,
    *,
    on_error: Callable[[str, Exception], None] | None = None,
) -> list[Path]:
    """Draw every figure ``doc`` (a results document) has data for into ``out_dir``:
    learning curves, Pareto, reliability, confusion, robustness, OOD, distillation,
    selective, self-consistency. Returns the paths written (PNG and SVG of each).

    A malformed section raises (:class:`ValueError`, or :class:`KeyError` /
    :class:`TypeError` from the trust figures); with ``on_error`` the error is passed to
    it with the figure's name instead, and the other figures are still drawn.
    """
    draws: list[tuple[str, Callable[[], list[Path]]]] = [
        ("learning curves", lambda: plot_curves(doc.get("curves") or {}, out_dir)),
        (
            "pareto",
            lambda: plot_pareto(
                doc.get("approaches") or [],
                doc.get("cost_model"),
                out_dir,
                metric=headline(doc),
                higher_is_better=higher_is_better(doc, headline(doc)[0]),
            ),
        ),
        ("reliability", lambda: plot_reliability(doc.get("calibration"), out_dir)),
        ("confusion", lambda: plot_confusion(doc.get("confusion"), out_dir)),
        ("robustness", lambda: plot_robustness(doc.get("robustness"), out_dir)),
        ("ood", lambda: plot_ood(doc.get("ood"), out_dir)),
        ("distillation", lambda: plot_distill(doc.get("distill") or {}, out_dir)),
        ("selective", lambda: plot_selective(doc.get("selective"), out_dir)),
        (
            "self-consistency",
            lambda: plot_self_consistency(doc.get("self_consistency"), out_dir),
        ),
    ]
    paths: list[Path] = []
    for name, draw in draws:
        try:
            paths += draw()
        except (ValueError, KeyError, TypeError) as e:
            if on_error is None:
                raise
            on_error(name, e)
    return paths
