"""What collapsed predictions add to a recommendation: a warning per collapsed approach.

A prompted approach whose predictions pile onto one label (a 0.5B model answering
"positive" for 99 of 100 reviews) scores that label's share of the test set: its
accuracy measures the prompt's failure, not the model. Comparing it with a fine-tuned
model as if it were the LLM's best would mislead, so every collapsed approach gets a
warning in plain words, naming the label, its share of the predictions and of the
data, and the measured alternative that did better when there was one (another prompt
format or variant on the dev split, or a label-prior correction; see
:mod:`taskfit.metrics.prompting`). When the most accurate prompted approach itself
collapsed, the warning says so.

A majority-class baseline answers one label by design; it is listed as collapsed in
``results.json`` but warned about only when it is the recommended choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from taskfit.metrics.collapse import Collapse
from taskfit.metrics.prompting import remedy
from taskfit.types import Recommendation

__all__ = ["answer_collapse_warnings", "collapse_warnings", "with_prompting"]

_BY_DESIGN = "majority"


def _iv(d: Mapping[str, float]) -> str:
    return f"{d['value']:.3f} [{d['ci_low']:.3f}, {d['ci_high']:.3f}]"


def _shares(name: str, c: Collapse) -> str:
    return (
        f"{name} predicts {c.label!r} for {c.pred_share:.0%} of test examples, which are "
        f"{c.true_share:.0%} {c.label!r}"
    )


def _sources(prompting: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Corrected variant name -> (its prompted approach, that approach's entry)."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, entry in prompting.items():
        for fix in (entry.get("corrections") or {}).values():
            out[fix["name"]] = (name, entry)
    return out


def answer_collapse_warnings(
    collapses: Mapping[str, Collapse], choice: str | None, metric_title: str
) -> list[str]:
    """Free-text tasks: one warning per approach whose answers pile onto one answer (a
    small tuned model answering "10" to most word problems). The majority baseline does
    so by design and is warned about only when it is the choice."""
    out = []
    for name, c in collapses.items():
        if name == _BY_DESIGN and name != choice:
            continue
        out.append(
            f"{name} answers {c.label!r} for {c.pred_share:.0%} of test examples, whose "
            f"answer is {c.label!r} for {c.true_share:.0%}: its {metric_title} reflects one "
            "answer given almost everywhere, not what it learned from the data."
        )
    return out


def collapse_warnings(doc: Mapping[str, Any], collapses: Mapping[str, Collapse]) -> list[str]:
    """One warning per collapsed approach of ``doc["approaches"]``, in table order.

    ``collapses`` maps approach names to their collapse
    (:func:`taskfit.metrics.prompting.find_collapses`); remedies come from
    ``doc["prompting"]``.
    """
    approaches = doc.get("approaches") or []
    prompting = doc.get("prompting") or {}
    derived = _sources(prompting)
    prompted = [a for a in approaches if a["family"] == "prompt"]
    best_prompted = (
        max(prompted, key=lambda a: a["metrics"]["accuracy"]["value"])["name"] if prompted else None
    )
    choice = (doc.get("recommendation") or {}).get("choice")
    warnings: list[str] = []
    for a in approaches:
        name = a["name"]
        c = collapses.get(name)
        if c is None:
            continue
        acc = a["metrics"]["accuracy"]
        figure = f"its accuracy ({_iv(acc)}, n={a['n_test']})"
        if a["family"] != "prompt":
            if name == _BY_DESIGN:
                if name == choice:
                    warnings.append(
                        f"{_shares(name, c)}: the recommended choice answers one label by "
                        "design, so no approach measured here did clearly better than always "
                        "answering it."
                    )
                continue
            warnings.append(
                f"{_shares(name, c)}: {figure} reflects one label answered almost everywhere, "
                "not what it learned from the data."
            )
            continue
        lead = _shares(name, c)
        if name == best_prompted:
            lead = (
                f"{name} is the most accurate prompted approach here, but it predicts "
                f"{c.label!r} for {c.pred_share:.0%} of test examples, which are "
                f"{c.true_share:.0%} {c.label!r}"
            )
        text = f"{lead}: {figure} reflects a collapsed prompt, not the model's ability."
        if name in prompting:
            fix = prompting[name].get("remedy")
        elif name in derived:
            fix = remedy(derived[name][1], acc["value"], exclude={name})
        else:
            fix = None
        text += (
            f" What did better: {fix}."
            if fix
            else " No other prompt format, prompt variant or correction measured here did better."
        )
        warnings.append(text)
    return warnings


def with_prompting(
    rec: Recommendation, doc: Mapping[str, Any], collapses: Mapping[str, Collapse]
) -> Recommendation:
    """``rec`` with the collapse warnings of ``doc`` appended (see :func:`collapse_warnings`)."""
    warns = collapse_warnings(doc, collapses)
    if not warns:
        return rec
    return replace(rec, warnings=(*rec.warnings, *warns))
