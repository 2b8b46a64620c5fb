"""The recommendation rule in words, for every view (CLI, summary.md, HTML report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["rule_text", "verdict_cell"]


def rule_text(rule: Mapping[str, Any] | None) -> str:
    """One paragraph: how the choice was made, with the run's margin and cost basis.

    >>> rule_text({"max_accuracy_loss_points": 1.0, "cost_basis": "running cost per 1k "
    ...            "predictions", "sets": [{"label": "the test set"}]})[:60]
    'How the choice is made: the most accurate approach, unless a'
    >>> rule_text({})
    ''
    """
    if not rule or "cost_basis" not in rule:
        return ""
    margin = float(rule.get("max_accuracy_loss_points", 0.0))
    title = str(rule.get("metric") or "accuracy")  # the headline metric
    most = "the most accurate approach" if title == "accuracy" else f"the best by {title}"
    sets = [s["label"] for s in rule.get("sets", [])] or ["the test set"]
    where = sets[0] if len(sets) == 1 else ", ".join(sets[:-1]) + " and " + sets[-1]
    if margin <= 0:
        trade = f"{most}; trading {title} for cost is off"
    else:
        trade = (
            f"{most}, unless a cheaper one is non-inferior: the paired "
            f"95% bootstrap interval of its {title} loss ends within {margin:g} point"
            f"{'' if margin == 1 else 's'} on {where}"
        )
    basis = rule["cost_basis"]
    volume = (
        ""
        if rule.get("volume_per_month") is not None
        else " (--volume-per-month makes it the total cost over the horizon)"
    )
    return (
        f"How the choice is made: {trade} (--max-accuracy-loss). Cheaper means lower "
        f"{basis}{volume}. A p-value above 0.05 alone never counts as 'as good'."
    )


def verdict_cell(c: Mapping[str, Any]) -> str:
    """``2.0 [0.0, 5.0] inconclusive (~2,617 n)`` for a comparisons row; ``-`` if absent."""
    d = c.get("difference")
    if not d:
        return "-"
    text = f"{100 * d['value']:.1f} [{100 * d['ci_low']:.1f}, {100 * d['ci_high']:.1f}]"
    text += f" {c.get('verdict') or ''}".rstrip()
    if c.get("n_needed"):
        text += f" (~{c['n_needed']:,} n)"
    return text
