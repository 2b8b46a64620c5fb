"""Rendering: results.json (the contract other tools read), summary.md, the figures and
the self-contained HTML report."""

from __future__ import annotations

from taskfit.report.html import render_report, write_report
from taskfit.report.json import SCHEMA_VERSION, build_results
from taskfit.report.markdown import render_summary
from taskfit.report.plots_report import figures_for

__all__ = [
    "SCHEMA_VERSION",
    "build_results",
    "figures_for",
    "render_report",
    "render_summary",
    "write_report",
]
