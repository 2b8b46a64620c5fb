"""What every part of ``summary.md`` is built from: table cells, intervals and section
headings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["cell", "heading", "iv"]


def cell(text: Any) -> str:
    """``text`` for a table cell or a list item: pipes escaped, on one line."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def iv(d: Mapping[str, float], scale: float = 1.0, fmt: str = ".3f") -> str:
    """``value [ci_low, ci_high]`` of an interval, each times ``scale``."""
    v, lo, hi = (scale * d[k] for k in ("value", "ci_low", "ci_high"))
    return f"{v:{fmt}} [{lo:{fmt}}, {hi:{fmt}}]"


def heading(title: str) -> list[str]:
    """The lines that open a section: a blank line, ``## title`` and a blank line."""
    return ["", f"## {title}", ""]
