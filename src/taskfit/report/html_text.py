"""HTML report sections for the free-text task types: ``outputs`` (each approach's
output beside the reference, and the output/reference length ratios) and
``self_consistency`` (the majority vote over k sampled chains). Same figures and
wording as :mod:`taskfit.report.markdown_text`, as HTML blocks."""

from __future__ import annotations

from typing import Any

from taskfit.report.html_blocks import iv, list_block, num, p, section, table, usd
from taskfit.report.markdown_text import (
    LENGTH_WORDS,
    answer_text,
    chains_words,
    metric_title,
    outputs_words,
    self_consistency_words,
    shorten,
    shows_answers,
)

__all__ = ["HTML_SHORT_CHARS", "outputs_section", "self_consistency_section", "text_sections"]

Doc = dict[str, Any]

# Texts longer than this many characters are shortened in the HTML report.
HTML_SHORT_CHARS = 480


def _example(ex: Doc, title: str, answers: bool) -> Any:
    """One table per example: the input and the reference, then a row per approach."""

    def row(first: str, text: Any, answer: str, score: str) -> list[str]:
        return [first, shorten(text, HTML_SHORT_CHARS), *([answer] if answers else []), score]

    rows = [row("input", ex.get("input"), "", ""), row("reference", ex.get("reference"), "", "")]
    for name, o in (ex.get("outputs") or {}).items():
        answer = answer_text(o)
        shown = "" if answer is None else shorten(answer, HTML_SHORT_CHARS)
        rows.append(row(name, o.get("output"), shown, num(o.get("score"))))
    head = ["", "text", *(["answer (if not the output)"] if answers else []), title]
    return table(
        head,
        rows,
        numeric=(len(head) - 1,),
        highlight=(1,),
        caption=f"Test example {ex.get('index')}.",
        tid=f"output-{ex.get('index')}",
    )


def outputs_section(doc: Doc) -> dict[str, Any] | None:
    """The "Outputs beside the references" section; None when the document has no
    ``outputs``."""
    sec = doc.get("outputs")
    if not sec:
        return None
    title = metric_title(doc, str(sec.get("metric")))
    answers = shows_answers(sec)
    examples = sec.get("examples") or []
    blocks: list[Any] = [p(outputs_words(doc, HTML_SHORT_CHARS))] if examples else []
    blocks += [_example(ex, title, answers) for ex in examples]
    ratios = sec.get("length_ratio") or {}
    blocks.append(
        table(
            ["approach", f"{LENGTH_WORDS} [95% CI]"],
            [(name, iv(r)) for name, r in ratios.items()],
            numeric=(1,),
            caption="Length of the outputs: mean ratio of output words to reference words "
            "on the test examples scored, with 95% bootstrap intervals.",
            tid="length-ratio",
        )
    )
    return section("outputs", "Outputs beside the references", blocks)


def self_consistency_section(doc: Doc) -> dict[str, Any] | None:
    """The "Self-consistency" section; None when the document has no
    ``self_consistency``."""
    sec = doc.get("self_consistency")
    if not sec:
        return None
    rows = [
        (
            name,
            pt.get("k"),
            iv(pt.get("exact_match")),
            usd(pt.get("usd_per_example")),
            usd(pt.get("usd_per_correct")),
        )
        for name, entry in sec.items()
        for pt in entry.get("points") or []
    ]
    return section(
        "self-consistency",
        "Self-consistency: votes over k chains",
        [
            list_block(chains_words(name, entry) for name, entry in sec.items()),
            table(
                ["approach", "k", "exact match [95% CI]", "$ per example", "$ per correct answer"],
                rows,
                numeric=(1, 2, 3, 4),
                caption=self_consistency_words(),
                tid="self-consistency",
            ),
        ],
    )


def text_sections(doc: Doc) -> list[dict[str, Any]]:
    """The outputs and self-consistency sections present in ``doc``, in that order."""
    out = [outputs_section(doc), self_consistency_section(doc)]
    return [s for s in out if s is not None]
