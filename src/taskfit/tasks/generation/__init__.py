"""Generation: one text (or a text pair) in, a free text out, scored against a reference.

Data-to-text, summarisation, rewriting, translation: the target column holds the
reference output. Prompted models write the output (greedy, at most a number of tokens
derived from the reference lengths); ROUGE-L is the headline metric (per example, so
approaches are compared example by example), chrF and BLEU (corpus scores, 0-100) follow;
the outputs section shows the output/reference length ratio.
"""

from __future__ import annotations

from collections.abc import Mapping

from taskfit.tasks.base import Metric
from taskfit.tasks.text_prompts import TextTemplate, text_task, text_template

__all__ = ["GENERATION", "GenerationPrompts", "parse_output"]

_INSTRUCTIONS = {
    "rewrite": "Given the {input}, write the {output}. Reply with the {output} only.",
    "sentence": (
        "Turn the {input} into one fluent sentence that mentions everything it says. "
        "Reply with the sentence only."
    ),
    "summary": "Write a short {output} of the {input}. Reply with the {output} only.",
}
VARIANTS = tuple(_INSTRUCTIONS)


class GenerationPrompts:
    """Makes the :class:`TextTemplate` of a wording."""

    @staticmethod
    def for_task(
        *, variant: str = "rewrite", input_name: str = "Input", output_name: str = "Output"
    ) -> TextTemplate:
        return text_template(_INSTRUCTIONS, variant, input_name, output_name)


def parse_output(text: str, _answers: Mapping[str, str] | None = None) -> str | None:
    """The output: the generated text up to its first blank line, stripped (None if
    empty)."""
    out = text.strip().split("\n\n", 1)[0].strip()
    return out or None


GENERATION = text_task(
    name="generation",
    summary="a text in, a free text out, scored against a reference (ROUGE-L, chrF, BLEU)",
    inputs=("text", "text_pair"),
    target="reference",
    metrics=(
        Metric("rouge_l", "ROUGE-L"),
        Metric("chrf", "chrF"),
        Metric("bleu", "BLEU"),
    ),
    sections=("comparisons", "cost_model", "outputs", "curves"),
    prompt=GenerationPrompts,
    variants=VARIANTS,
    parse=parse_output,
)
