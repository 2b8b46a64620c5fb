"""Rendering: results.json (the contract other tools read) and summary.md."""

from __future__ import annotations

from taskfit.report.json import SCHEMA_VERSION, build_results
from taskfit.report.markdown import render_summary

__all__ = ["SCHEMA_VERSION", "build_results", "render_summary"]
