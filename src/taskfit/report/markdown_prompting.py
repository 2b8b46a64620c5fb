"""Markdown for the ``prompting`` section of results.json: the prompt each prompted
approach used and how it was chosen, the dev-split candidates, the label-prior
corrections against the raw predictions, and collapsed predictions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taskfit.metrics.collapse import MAX_PRED_SHARE, MAX_TRUE_SHARE
from taskfit.metrics.prompting import CORRECTIONS
from taskfit.report.markdown_blocks import cell, heading, iv

__all__ = ["collapse_rule", "collapse_words", "prompt_words", "prompting_lines"]


def _num(v: Any, fmt: str = ".3f") -> str:
    return "-" if v is None else f"{v:{fmt}}"


def collapse_rule() -> str:
    """The collapse rule in words (shared with the HTML report)."""
    return (
        f"one label takes more than {MAX_PRED_SHARE:.0%} of the predictions while it is "
        f"under {MAX_TRUE_SHARE:.0%} of the true labels of the same examples"
    )


def prompt_words(entry: Mapping[str, Any]) -> str:
    """The chosen prompt and how it was chosen, in one plain-text sentence (shared with
    the HTML report)."""
    if not entry.get("format"):
        text = "Prompt not recorded (a result stored before prompts were chosen on a dev split)"
    else:
        text = f"Prompt: {entry['format']} format, variant '{entry.get('variant')}'"
        if entry.get("description"):
            text += f" ({entry['description']})"
        if entry.get("selected_on_dev"):
            text += (
                f"; chosen on a dev split of {entry['dev_n']} training examples, dev accuracy "
                f"{_num(entry.get('dev_accuracy'))}"
            )
        elif entry.get("dev_accuracy") is not None:
            text += (
                f"; dev accuracy {_num(entry['dev_accuracy'])} (n={entry['dev_n']}), "
                "not chosen on it"
            )
        else:
            text += "; not chosen on a dev split"
    extra = []
    if entry.get("probabilities"):
        extra.append(f"label probabilities {entry['probabilities']}")
    per = entry.get("requests_per_example")
    if per is not None:
        extra.append(f"{per:.2g} LLM request{'' if per == 1 else 's'} per test example")
    return text + (f"; {', '.join(extra)}." if extra else ".")


def _candidates(entry: Mapping[str, Any]) -> list[str]:
    rows = entry.get("candidates") or []
    if not rows:
        return []
    lines = [
        "",
        f"Candidates on the dev split (n={entry['dev_n']}):",
        "",
        "| format | variant | dev accuracy | dev macro-F1 | most predicted label (share) | |",
        "|---|---|---:|---:|---|---|",
    ]
    for c in rows:
        marks = [
            m for m, on in (("chosen", c.get("chosen")), ("collapsed", c.get("collapsed"))) if on
        ]
        top = (
            f"{cell(c['top_label'])} ({c['top_label_share']:.0%})"
            if c.get("top_label") is not None and c.get("top_label_share") is not None
            else "-"
        )
        lines.append(
            f"| {cell(c.get('format'))} | {cell(c.get('variant'))} "
            f"| {_num(c.get('dev_accuracy'))} | {_num(c.get('dev_macro_f1'))} | {top} "
            f"| {', '.join(marks)} |"
        )
    return lines


def _corrections(name: str, entry: Mapping[str, Any]) -> list[str]:
    fixes = entry.get("corrections") or {}
    if not fixes:
        return []
    lines = [
        "",
        "| variant | accuracy [95% CI] | macro-F1 [95% CI] | change vs raw, points [95% CI] "
        "| McNemar p | |",
        "|---|---|---|---|---:|---|",
        f"| {cell(name)} (raw) | {iv(entry['accuracy'])} | - | - | - "
        f"| {'collapsed' if entry.get('collapse') else ''} |",
    ]
    for kind, c in fixes.items():
        lines.append(
            f"| {cell(c['name'])} ({CORRECTIONS.get(kind, kind)}) | {iv(c['accuracy'])} "
            f"| {iv(c['macro_f1'])} | {iv(c['delta_accuracy'], 100, '+.1f')} "
            f"| {c['p_value']:.3g} | {'collapsed' if c.get('collapse') else ''} |"
        )
    return lines


def collapse_words(entry: Mapping[str, Any]) -> str | None:
    """The collapse of a prompted approach and what did better, in plain text; None when
    its predictions did not collapse (shared with the HTML report)."""
    c = entry.get("collapse")
    if not c:
        return None
    text = (
        f"Collapsed: predicts '{c['label']}' for {c['pred_share']:.0%} of test examples, "
        f"which are {c['true_share']:.0%} '{c['label']}'; its accuracy reflects the prompt, "
        "not the model's ability."
    )
    return text + (
        f" What did better: {entry['remedy']}."
        if entry.get("remedy")
        else " No other prompt format, prompt variant or correction measured here did better."
    )


def prompting_lines(doc: Mapping[str, Any]) -> list[str]:
    """The "Prompted approaches" section; nothing when no prompted approach was run."""
    section = doc.get("prompting")
    if not section:
        return []
    lines = [
        *heading("Prompted approaches"),
        "How each prompt was chosen, and the same answers with label-prior corrections: batch "
        "calibration divides the label probabilities by their mean over the unlabelled test "
        "inputs, dev-split calibration by their mean over the dev split; neither uses test "
        "labels. Intervals are 95% bootstrap intervals (paired for the change vs raw).",
    ]
    for name, entry in section.items():
        lines += ["", f"### {cell(name)}", "", cell(prompt_words(entry))]
        lines += _candidates(entry)
        lines += _corrections(name, entry)
        words = collapse_words(entry)
        if words:
            lines += ["", f"**{cell(words)}**"]
    collapsed = doc.get("collapsed") or []
    if collapsed:
        lines += [
            "",
            f"Collapsed approaches ({collapse_rule()}): "
            + ", ".join(f"`{cell(n)}`" for n in collapsed)
            + ".",
        ]
    return lines
