"""Reasoning: a question in, a short final answer out (a number or a few words).

Scored by exact match after normalisation (:func:`taskfit.tasks.answers.normalize_answer`).
A prompted model answers directly (zero- and few-shot) or reasons first: chain of thought
writes a rationale that ends with the answer, which :func:`extract_answer` reads back by a
documented rule (failures are counted); self-consistency samples several chains and takes
the majority answer. The raw outputs are kept with the extracted answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from taskfit.tasks.answers import long_answers
from taskfit.tasks.base import Metric
from taskfit.tasks.text_prompts import TextTemplate, text_task, text_template

__all__ = ["REASONING", "ReasoningPrompts", "extract_answer", "rationale_target"]

_INSTRUCTIONS = {
    "answer": "Solve the problem. Reply with the final {output} only.",
    "number": "Answer the {input}. Reply with the final {output} only, as a number if it is one.",
    # chain of thought: the rationale, then the answer in a fixed closing sentence
    "steps": (
        "Solve the problem step by step. Show your working, then finish with the sentence "
        "'The answer is X.' where X is the final {output}."
    ),
    "explain": (
        "Think about the {input} carefully and explain your reasoning briefly. End with "
        "'The answer is X.' where X is the final {output}."
    ),
}
DIRECT_VARIANTS = ("answer", "number")
COT_VARIANTS = ("steps", "explain")

_ANSWER_IS = re.compile(r"answer\s*(?:is|=|:)\s*:?\s*([^\n]+)", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?\$?\d[\d,]*(?:\.\d+)?")


class ReasoningPrompts:
    """Makes the :class:`TextTemplate` of a wording (direct or chain of thought)."""

    @staticmethod
    def for_task(
        *, variant: str = "answer", input_name: str = "Question", output_name: str = "Answer"
    ) -> TextTemplate:
        return text_template(_INSTRUCTIONS, variant, input_name, output_name)


def _clean(answer: str) -> str:
    return answer.strip().strip("*").strip().rstrip(".").strip()


def extract_answer(text: str, _answers: Mapping[str, str] | None = None) -> str | None:
    """The final answer in a model's output, by this rule:

    1. the text after the last "answer is" (or "answer:" / "answer ="), up to the end of
       its line, without a closing full stop; when that text holds a number, the number;
    2. else, for a one-line output, that line;
    3. else the last number in the output;
    4. else None: an extraction failure.

    >>> extract_answer("3 x 12 = 36. 36 - 7 = 29. The answer is 29.")
    '29'
    >>> extract_answer("Paris"), extract_answer("First 4, then 4 * 2 = 8\\nso 8 apples")
    ('Paris', '8')
    >>> extract_answer("I am not sure.\\nIt depends.") is None
    True
    """
    found = _ANSWER_IS.findall(text)
    if found:
        tail = _clean(found[-1])
        numbers = _NUMBER.findall(tail)
        if numbers:
            return numbers[0].replace("$", "")
        return tail or None
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if len(lines) == 1 and len(lines[0]) <= 80:
        return _clean(lines[0]) or None
    numbers = _NUMBER.findall(text)
    return numbers[-1].replace("$", "") if numbers else None


_LEAD_IN = re.compile(r"(?:(?:so|thus|therefore),?\s*)?(?:the\s*(?:final\s*)?)?$", re.IGNORECASE)


def rationale_target(chain: str, answer: str) -> str:
    r"""A training target for "distilling step by step": the rationale of a teacher's
    ``chain`` of thought (its text before the last "answer is" sentence) followed by the
    closing sentence with the gold ``answer``, so a student learns to reason and then to
    give the right answer in the form :func:`extract_answer` reads.

    >>> rationale_target("3 x 12 = 36. 36 - 7 = 29. So the answer is 28.", "29")
    '3 x 12 = 36. 36 - 7 = 29.\nThe answer is 29.'
    >>> rationale_target("", "7")
    'The answer is 7.'
    """
    found = list(_ANSWER_IS.finditer(chain))
    rationale = chain[: found[-1].start()] if found else chain
    rationale = _LEAD_IN.sub("", rationale.rstrip()).strip()
    closing = f"The answer is {answer.strip()}."
    return f"{rationale}\n{closing}" if rationale else closing


# Answers longer than this (median, in words) are not final answers: the column probably
# holds rationales or whole solutions.
MAX_ANSWER_WORDS = 12


def check_answers(answers: Sequence[str]) -> str | None:
    """None when the answers are short final answers, else what is wrong.

    >>> check_answers(["12", "Paris", "7"]) is None
    True
    """
    median = long_answers(answers, MAX_ANSWER_WORDS)
    if median is not None:
        return (
            f"the answers have a median of {median} words: a reasoning task needs short final "
            f"answers (a number or a few words, at most {MAX_ANSWER_WORDS}); name the column "
            "of final answers with --target"
        )
    return None


REASONING = text_task(
    name="reasoning",
    summary="a question in, a short final answer out, scored by exact match",
    inputs=("text",),
    target="answer",
    metrics=(Metric("exact_match", "exact match"),),
    sections=("comparisons", "cost_model", "outputs", "self_consistency", "curves"),
    prompt=ReasoningPrompts,
    variants=DIRECT_VARIANTS,
    parse=extract_answer,
    check_targets=check_answers,
)
