"""Markdown for the sections of the free-text task types (generation, reasoning):
``outputs`` (each approach's output beside the reference on the first test examples,
and the output/reference length ratios) and ``self_consistency`` (exact match and cost
per correct answer of the majority vote over k sampled chains).

The wording helpers here are shared with :mod:`taskfit.report.html_text`.

>>> shorten("a  b\\nc", 160)
'a b c'
>>> shorten("x" * 200, 10)
'xxxxxxxxx…'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taskfit.report.columns import metric_columns
from taskfit.report.markdown_blocks import cell, heading, iv

__all__ = [
    "LENGTH_WORDS",
    "SHORT_CHARS",
    "answer_text",
    "chains_words",
    "metric_title",
    "outputs_lines",
    "outputs_words",
    "self_consistency_lines",
    "self_consistency_words",
    "shorten",
    "shows_answers",
]

# Texts longer than this many characters are shortened in summary.md.
SHORT_CHARS = 160
LENGTH_WORDS = "output words / reference words"
_TITLES = {"rouge_l": "ROUGE-L", "exact_match": "exact match", "chrf": "chrF"}
_NO_ANSWER = "(no answer)"


def shorten(text: Any, limit: int = SHORT_CHARS) -> str:
    """``text`` on one line (runs of white space as one space), cut to ``limit``
    characters with an ellipsis when longer; ``-`` for None."""
    if text is None:
        return "-"
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    return flat[: max(0, limit - 1)].rstrip() + "…"


def metric_title(doc: Mapping[str, Any], name: str) -> str:
    """The title of metric ``name``: the document's own when it lists the metric."""
    for key, title in metric_columns(doc):
        if key == name:
            return title
    return _TITLES.get(name, name)


def answer_text(entry: Mapping[str, Any]) -> str | None:
    """The answer read from an output, when it is not the output itself; None when it
    is (a generation's answer is its output)."""
    output, answer = entry.get("output"), entry.get("answer")
    if " ".join(str(answer or "").split()) == " ".join(str(output or "").split()):
        return None
    return _NO_ANSWER if answer is None or not str(answer).strip() else str(answer)


def shows_answers(section: Mapping[str, Any]) -> bool:
    """Whether any shown output has an answer other than itself (then the tables get
    an answer column)."""
    return any(
        answer_text(o) is not None
        for ex in section.get("examples") or []
        for o in (ex.get("outputs") or {}).values()
    )


def outputs_words(doc: Mapping[str, Any], limit: int) -> str:
    """The caption of the outputs section (shared with the HTML report)."""
    section = doc["outputs"]
    title = metric_title(doc, str(section.get("metric")))
    n = len(section.get("examples") or [])
    text = (
        f"The first {n} test example{'' if n == 1 else 's'} every approach scored: each "
        f"approach's output beside the reference; score = {title} of the answer against "
        "the reference."
    )
    if shows_answers(section):
        text += " The answer column holds the answer read from the output, where it differs."
    return text + f" Texts longer than {limit} characters are shortened (…)."


def self_consistency_words() -> str:
    """The caption of the self-consistency section (shared with the HTML report)."""
    return (
        "Exact match of the majority answer over the first k sampled chains, with 95% "
        "bootstrap intervals; $ per example is the approach's cost per example scaled to k "
        "chains, $ per correct answer that over the exact match (- when no answer is "
        "correct)."
    )


def chains_words(name: str, entry: Mapping[str, Any]) -> str:
    """How many chains an approach sampled, at which temperature, on how many examples."""
    t = entry.get("temperature")
    at = f" at temperature {t:g}" if isinstance(t, (int, float)) else ""
    return (
        f"{name}: {entry.get('samples')} sampled chains per example{at}, "
        f"n = {entry.get('n')} test examples."
    )


def _score(v: Any) -> str:
    return "-" if v is None else f"{v:.3f}"


def _usd(v: Any) -> str:
    return "-" if v is None else f"{v:.3g}"


def _interval(d: Mapping[str, Any] | None) -> str:
    """``value [ci_low, ci_high]``; the value alone without bounds, ``-`` without one."""
    if not d or d.get("value") is None:
        return "-"
    if d.get("ci_low") is None or d.get("ci_high") is None:
        return f"{d['value']:.3f}"
    return iv(d)


def _example_lines(ex: Mapping[str, Any], title: str, answers: bool) -> list[str]:
    head = ["approach", "output", *(["answer (if not the output)"] if answers else []), title]
    align = ["---", "---", *(["---"] if answers else []), "---:"]
    lines = [
        "",
        f"### Test example {ex.get('index')}",
        "",
        f"- input: {cell(shorten(ex.get('input')))}",
        f"- reference: {cell(shorten(ex.get('reference')))}",
        "",
        f"| {' | '.join(cell(h) for h in head)} |",
        f"|{'|'.join(align)}|",
    ]
    for name, o in (ex.get("outputs") or {}).items():
        answer = answer_text(o)
        cells = [
            cell(name),
            cell(shorten(o.get("output"))),
            *([cell(shorten(answer)) if answer is not None else ""] if answers else []),
            _score(o.get("score")),
        ]
        lines.append(f"| {' | '.join(cells)} |")
    return lines


def outputs_lines(doc: Mapping[str, Any]) -> list[str]:
    """The "Outputs beside the references" section; nothing when the document has no
    ``outputs``."""
    section = doc.get("outputs")
    if not section or not (section.get("examples") or section.get("length_ratio")):
        return []
    title = metric_title(doc, str(section.get("metric")))
    answers = shows_answers(section)
    lines = [*heading("Outputs beside the references"), cell(outputs_words(doc, SHORT_CHARS))]
    for ex in section.get("examples") or []:
        lines += _example_lines(ex, title, answers)
    ratios = section.get("length_ratio") or {}
    if ratios:
        lines += [
            "",
            "Length of the outputs: mean ratio of output words to reference words on the "
            "test examples scored, with 95% bootstrap intervals.",
            "",
            f"| approach | {LENGTH_WORDS} [95% CI] |",
            "|---|---|",
            *[f"| {cell(name)} | {_interval(r)} |" for name, r in ratios.items()],
        ]
    return lines


def self_consistency_lines(doc: Mapping[str, Any]) -> list[str]:
    """The "Self-consistency" section; nothing when the document has no
    ``self_consistency``."""
    section = doc.get("self_consistency")
    if not section:
        return []
    lines = [
        *heading("Self-consistency: votes over k chains"),
        cell(self_consistency_words()),
        "",
        *[f"- {cell(chains_words(name, entry))}" for name, entry in section.items()],
        "",
        "| approach | k | exact match [95% CI] | $ per example | $ per correct answer |",
        "|---|---:|---|---:|---:|",
    ]
    for name, entry in section.items():
        for pt in entry.get("points") or []:
            lines.append(
                f"| {cell(name)} | {pt.get('k')} | {_interval(pt.get('exact_match'))} "
                f"| {_usd(pt.get('usd_per_example'))} | {_usd(pt.get('usd_per_correct'))} |"
            )
    return lines
