"""Terminal view of the ``prompting`` section: per prompted approach, the prompt it used
with its dev accuracy, and its label-prior corrections against the raw predictions; then
the collapsed approaches. Details are in results.json and summary.md."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from taskfit.cli.common import out

__all__ = ["show_prompting"]


def _iv(d: dict[str, float], scale: float = 1.0, fmt: str = ".3f") -> str:
    v, lo, hi = (scale * d[k] for k in ("value", "ci_low", "ci_high"))
    return f"{v:{fmt}} [{lo:{fmt}}, {hi:{fmt}}]"


def show_prompting(doc: dict[str, Any]) -> None:
    """A compact table of the prompted approaches and their corrections; nothing when no
    prompted approach was run."""
    section = doc.get("prompting")
    if not section:
        return
    t = Table(
        title="Prompted approaches: prompt (dev accuracy) and label-prior corrections",
        title_justify="left",
    )
    for col in ("approach", "prompt", "dev acc", "accuracy [95% CI]", "vs raw, points", "p"):
        t.add_column(
            col, no_wrap=col == "approach", justify="left" if col == "approach" else "right"
        )
    for name, entry in section.items():
        mark = " (collapsed)" if entry.get("collapse") else ""
        prompt = f"{entry['format']}/{entry.get('variant') or '?'}" if entry.get("format") else "-"
        dev = entry.get("dev_accuracy")
        dev_text = "-" if dev is None else f"{dev:.3f} (n={entry.get('dev_n', 0)})"
        t.add_row(f"{name}{mark}", prompt, dev_text, _iv(entry["accuracy"]), "", "")
        for kind, c in (entry.get("corrections") or {}).items():
            t.add_row(
                f"  +{kind}" + (" (collapsed)" if c.get("collapse") else ""),
                "",
                "",
                _iv(c["accuracy"]),
                _iv(c["delta_accuracy"], 100, "+.1f"),
                f"{c['p_value']:.2g}",
            )
    out.print(t)
    collapsed = doc.get("collapsed") or []
    if collapsed:
        out.print(
            f"  collapsed onto one label: {', '.join(collapsed)} (see the warnings)",
            markup=False,
            highlight=False,
        )
