"""Terminal view of the ``prompting`` section: per prompted approach, the prompt it used
with its dev accuracy, and its label-prior corrections against the raw predictions; then
the collapsed approaches. Details are in results.json and summary.md."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

from taskfit.cli.common import out

__all__ = ["show_prompting"]


def _iv(d: dict[str, float], scale: float = 1.0, fmt: str = ".3f") -> str:
    v, lo, hi = (scale * d[k] for k in ("value", "ci_low", "ci_high"))
    return f"{v:{fmt}} [{lo:{fmt}}, {hi:{fmt}}]"


def _delta(d: dict[str, float]) -> str:
    """``+32.9 [24.8, 41.6]``: the change in points, its interval without repeated signs."""
    v, lo, hi = (100 * d[k] for k in ("value", "ci_low", "ci_high"))
    return f"{v:+.1f} [{lo:.1f}, {hi:.1f}]"


def show_prompting(doc: dict[str, Any]) -> None:
    """A compact table of the prompted approaches and their corrections; nothing when no
    prompted approach was run."""
    section = doc.get("prompting")
    if not section:
        return
    dev_ns = {int(e.get("dev_n") or 0) for e in section.values()} - {0}
    on_dev = f" on {dev_ns.pop()} dev examples" if len(dev_ns) == 1 else ""
    t = Table(
        title=f"Prompted approaches: the prompt chosen{on_dev}, and label-prior corrections",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    # Narrow columns first: accuracy without its interval (the results table has it), the
    # prompt as "format / wording" so it wraps at the slash rather than being cut.
    for col in ("approach", "prompt", "dev acc", "acc", "vs raw, points", "p"):
        t.add_column(
            col,
            no_wrap=col != "prompt",
            min_width=10 if col == "prompt" else None,
            justify="left" if col in ("approach", "prompt") else "right",
        )
    for name, entry in section.items():
        mark = " (collapsed)" if entry.get("collapse") else ""
        prompt = (
            f"{entry['format']} / {entry.get('variant') or '?'}" if entry.get("format") else "-"
        )
        dev = entry.get("dev_accuracy")
        dev_text = "-" if dev is None else f"{dev:.3f}"
        t.add_row(f"{name}{mark}", prompt, dev_text, f"{entry['accuracy']['value']:.3f}", "", "")
        for kind, c in (entry.get("corrections") or {}).items():
            t.add_row(
                f"  +{kind}" + (" (collapsed)" if c.get("collapse") else ""),
                "",
                "",
                f"{c['accuracy']['value']:.3f}",
                _delta(c["delta_accuracy"]),
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
