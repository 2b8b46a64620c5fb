"""HTML report section for the ``prompting`` section of results.json: the prompt each
prompted approach used and how it was chosen, the dev-split candidates, the label-prior
corrections against the raw predictions, and collapsed predictions. Same figures and
wording as :mod:`taskfit.report.markdown_prompting`, as HTML blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taskfit.metrics.prompting import CORRECTIONS
from taskfit.report.html_blocks import h3, iv, num, p, pvalue, section, table
from taskfit.report.markdown_prompting import collapse_rule, collapse_words, prompt_words

__all__ = ["prompting_section"]

Doc = dict[str, Any]


def _candidates(entry: Mapping[str, Any]) -> Any:
    rows, chosen = [], []
    for i, c in enumerate(entry.get("candidates") or []):
        if c.get("chosen"):
            chosen.append(i)
        top = (
            f"{c['top_label']} ({c['top_label_share']:.0%})"
            if c.get("top_label") is not None and c.get("top_label_share") is not None
            else "-"
        )
        marks = [
            m for m, on in (("chosen", c.get("chosen")), ("collapsed", c.get("collapsed"))) if on
        ]
        rows.append(
            (
                c.get("format") or "-",
                c.get("variant") or "-",
                c.get("description") or "",
                num(c.get("dev_accuracy")),
                num(c.get("dev_macro_f1")),
                top,
                ", ".join(marks),
            )
        )
    return table(
        ["format", "variant", "prompt", "dev accuracy", "dev macro-F1", "most predicted", ""],
        rows,
        numeric=(3, 4),
        highlight=chosen,
        caption=f"Candidates on the dev split (n={entry.get('dev_n', 0)}); the chosen one is "
        "used on the test set.",
    )


def _corrections(name: str, entry: Mapping[str, Any]) -> Any:
    fixes = entry.get("corrections") or {}
    if not fixes:
        return None
    rows = [
        (
            f"{name} (raw)",
            iv(entry["accuracy"]),
            "-",
            "-",
            "-",
            "collapsed" if entry.get("collapse") else "",
        )
    ]
    for kind, c in fixes.items():
        rows.append(
            (
                f"{c['name']} ({CORRECTIONS.get(kind, kind)})",
                iv(c["accuracy"]),
                iv(c["macro_f1"]),
                iv(c["delta_accuracy"], 100, "+.1f"),
                pvalue(c["p_value"]),
                "collapsed" if c.get("collapse") else "",
            )
        )
    return table(
        [
            "variant",
            "accuracy [95% CI]",
            "macro-F1 [95% CI]",
            "change vs raw, points [paired 95% CI]",
            "McNemar p",
            "",
        ],
        rows,
        numeric=(4,),
        caption=f"The same answers with label-prior corrections (n={entry.get('n_test', '-')}).",
    )


def prompting_section(doc: Doc) -> dict[str, Any] | None:
    """The "Prompted approaches" section; None when no prompted approach was run."""
    entries = doc.get("prompting")
    if not entries:
        return None
    blocks: list[Any] = [
        p(
            "How each prompt was chosen, and the same answers with label-prior corrections: "
            "batch calibration divides the label probabilities by their mean over the "
            "unlabelled test inputs, dev-split calibration by their mean over the dev split; "
            "neither uses test labels."
        )
    ]
    for name, entry in entries.items():
        blocks += [h3(name), p(prompt_words(entry))]
        if entry.get("candidates"):
            blocks.append(_candidates(entry))
        blocks.append(_corrections(name, entry))
        words = collapse_words(entry)
        if words:
            blocks.append(p(words, "warn"))
    collapsed = doc.get("collapsed") or []
    if collapsed:
        blocks.append(p(f"Collapsed approaches ({collapse_rule()}): {', '.join(collapsed)}."))
    return section("prompting", "Prompted approaches", blocks)
