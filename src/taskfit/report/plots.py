"""Figures for sections of ``results.json``: learning curves, cost/quality Pareto, distillation.

What: each ``plot_*`` function reads one section (plain dicts, as loaded from
``results.json``) and writes the figure as ``<stem>.png`` and ``<stem>.svg`` into
``out_dir``. It returns ``[png, svg]``, or ``[]`` when the section has nothing to plot,
and raises :class:`ValueError` naming the missing key when the section is malformed.

Why: a number in a table says which approach won; a curve says by how much, how sure we
are, and how many labels or dollars it takes to change the answer.

This module gathers the figures drawn in :mod:`taskfit.report.plots_curves`,
:mod:`taskfit.report.plots_pareto` and :mod:`taskfit.report.plots_distill`; what they
share (reading sections, style, saving) is in :mod:`taskfit.report.plots_common`.
"""

from __future__ import annotations

from taskfit.report.plots_curves import plot_curves
from taskfit.report.plots_distill import plot_distill
from taskfit.report.plots_pareto import pareto_front, plot_pareto

__all__ = ["pareto_front", "plot_curves", "plot_distill", "plot_pareto"]
