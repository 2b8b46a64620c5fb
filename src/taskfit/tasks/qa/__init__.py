"""Knowledge-intensive QA: a question (optionally with a given context) in, a short
answer out.

The target column holds the answer; a question the documents cannot answer has the
answer :data:`NO_ANSWER` ("not in the documents"), and a model that says so in other
words (:func:`is_no_answer`) is read as that answer. Scored the SQuAD way: exact match and
token F1 after :func:`~taskfit.tasks.answers.normalize_answer` (lower case, no
punctuation, no articles); when either side is "not in the documents" an example scores
1 only if both are (the SQuAD 2.0 rule).

Prompted closed-book, a model answers from what it knows (zero-/few-shot); retrieval-
augmented approaches (``rag-bm25``, ``rag-dense``, ``rag-hybrid``) put the top-k passages
of a corpus (``--corpus``) before the question. The prompt shows documents when an
example has some: a given context column (``--text-pair``) or retrieved passages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from taskfit.tasks.answers import long_answers
from taskfit.tasks.base import Metric
from taskfit.tasks.text_prompts import TextTemplate, text_task, text_template

__all__ = [
    "NO_ANSWER",
    "QA",
    "QAPrompts",
    "QATemplate",
    "check_answers",
    "is_no_answer",
    "parse_answer",
]

NO_ANSWER = "not in the documents"

_INSTRUCTIONS = {
    "short": (
        "Answer the {input} in a few words. If you do not know the answer, reply: "
        + NO_ANSWER
        + "."
    ),
    "grounded": (
        "Answer the {input} in a few words, using only the documents given. If they do not "
        "contain the answer, reply: " + NO_ANSWER + "."
    ),
}
VARIANTS = tuple(_INSTRUCTIONS)

# Ways of saying "I cannot answer" that count as the no-answer answer (checked on the
# lower-cased reply; the first line only).
_NO_ANSWER = re.compile(
    r"not in the (?:documents?|context|text|passages?)|not (?:mentioned|provided|stated|"
    r"given|specified|available) in|(?:does|do) not (?:contain|mention|say|specify)|"
    r"^(?:unanswerable|no answer|unknown|n/?a|i (?:do not|don't) know)\b"
)


@dataclass(frozen=True)
class QATemplate(TextTemplate):
    """A QA wording: with documents (a given context or retrieved passages, the example's
    second text) the user turn shows them before the question."""

    pair_name: str = "Documents"

    def user(self, text: str, pair: str | None) -> str:
        question = f"{self.input_name}: {text}"
        return question if pair is None else f"{self.pair_name}:\n{pair}\n\n{question}"


class QAPrompts:
    """Makes the :class:`QATemplate` of a wording."""

    @staticmethod
    def for_task(
        *, variant: str = "short", input_name: str = "Question", output_name: str = "Answer"
    ) -> QATemplate:
        t = text_template(_INSTRUCTIONS, variant, input_name, output_name)
        return QATemplate(t.instruction, t.input_name, t.output_name, t.variant)


def is_no_answer(text: str) -> bool:
    """Whether ``text`` says the question cannot be answered.

    >>> is_no_answer("Not in the documents."), is_no_answer("The documents do not say.")
    (True, True)
    >>> is_no_answer("14 days")
    False
    """
    first = text.strip().lower().split("\n", 1)[0]
    return bool(_NO_ANSWER.search(first))


_LEAD = re.compile(r"^(?:the\s+)?answer\s*(?:is|:)\s*", re.IGNORECASE)


def parse_answer(text: str, _answers: Mapping[str, str] | None = None) -> str | None:
    """The answer in a model's reply: its first line, without a leading "Answer:" or
    "The answer is" and a closing full stop; a reply that says it cannot answer
    (:func:`is_no_answer`) is :data:`NO_ANSWER`; an empty reply is None.

    >>> parse_answer("Answer: 14 days.\\nThe hub ...")
    '14 days'
    >>> parse_answer("I'm sorry, that is not in the documents.")
    'not in the documents'
    """
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return None
    if is_no_answer(lines[0]):
        return NO_ANSWER
    out = _LEAD.sub("", lines[0]).strip().strip("*").strip().rstrip(".").strip()
    return out or None


# Answers longer than this (median, in words) are not short answers: the column probably
# holds passages or explanations.
MAX_ANSWER_WORDS = 20


def check_answers(answers: Sequence[str]) -> str | None:
    """None when the answers are short, else what is wrong.

    >>> check_answers(["14 days", NO_ANSWER, "Pro"]) is None
    True
    """
    median = long_answers(answers, MAX_ANSWER_WORDS)
    if median is not None:
        return (
            f"the answers have a median of {median} words: a qa task needs short answers "
            f"(at most {MAX_ANSWER_WORDS} words); name the answer column with --target"
        )
    return None


QA = text_task(
    name="qa",
    summary=(
        "a question in, a short answer out (closed-book or over --corpus passages), "
        "scored by exact match and token F1"
    ),
    inputs=("text", "text_pair"),
    target="answer",
    metrics=(Metric("exact_match", "exact match"), Metric("token_f1", "token F1")),
    sections=("comparisons", "cost_model", "outputs", "retrieval", "curves"),
    prompt=QAPrompts,
    variants=VARIANTS,
    parse=parse_answer,
    check_targets=check_answers,
    extra_measures=("corpus",),
)
