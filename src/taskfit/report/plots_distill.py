"""The distillation figure: each student's accuracy on the gold test set against the
number of LLM-labelled training examples, with the teacher's accuracy as a line.

Conventions as in :mod:`taskfit.report.plots`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskfit.report.plots_common import (
    _colour,
    _count_axes,
    _figure,
    _finish_count_axes,
    _interval,
    _req,
    _req_list,
    _req_num,
    _save,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_distill"]

_KEY = "line: mean over seeds; band: min–max over seeds; dots: single seeds"
_Iv = tuple[float, float | None, float | None]  # value, ci_low, ci_high


def _draw_teacher(ax: Axes, name: str, acc: _Iv, ys: list[float]) -> None:
    t_val, t_lo, t_hi = acc
    colour = "0.25"
    label = f"teacher {name} ({t_val:.2f}"
    if t_lo is not None and t_hi is not None:
        ax.axhspan(t_lo, t_hi, color=colour, alpha=0.10, linewidth=0)
        label += f" [{t_lo:.2f}–{t_hi:.2f}]"
        ys += [t_lo, t_hi]
    ax.axhline(t_val, color=colour, linewidth=1.4, linestyle="-.", label=label + ")")
    ys.append(t_val)


def _draw_student(
    ax: Axes, label: str, by_n: Mapping[float, list[float]], colour: Any, ys: list[float]
) -> None:
    """Min–max band, single seeds and the mean line of one student."""
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
    ax.plot(ns, means, "-o", color=colour, markersize=4, linewidth=1.6, label=label)


def _student_label(student: str, final: _Iv | None) -> str:
    if final is None:
        return student
    v, lo, hi = final
    label = student + f" (final {v:.2f}"
    return label + (f" [{lo:.2f}–{hi:.2f}])" if lo is not None and hi is not None else ")")


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
        teacher_info = (t_name, t_acc)
    finals: dict[str, _Iv] = {}
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
        _count_axes(ax, min(xs) / 1.3, max(xs) * 1.3)
        ys: list[float] = []
        if teacher_info is not None:
            _draw_teacher(ax, *teacher_info, ys)
        for k, (student, by_n) in enumerate(sorted(per_student.items())):
            label = _student_label(student, finals.get(student))
            _draw_student(ax, label, by_n, _colour(k), ys)
        title = "Distillation: students trained on the teacher's labels"
        if isinstance(gold, (int, float)) and not isinstance(gold, bool):
            title += f" ({gold:,.0f} gold labels)"
        labels = (
            "LLM-labelled training examples (count, log scale)",
            "student accuracy on the gold test set (fraction)",
            title,
        )
        _finish_count_axes(ax, ys, labels, _KEY)
        return _save(fig, out_dir, stem)
