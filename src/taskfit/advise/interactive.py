"""Ask, in a terminal, only the questions whose answers can change the advice.

What: :func:`ask_missing` asks yes/no questions for the assumed facts that a flow's path
actually reads, one at a time; after each answer the paths are walked again, so a question
a new path no longer reaches is never asked. Enter keeps the assumed value.

Why: most facts never matter for a given task (a classification task that ends at P8 never
reaches P10), and a user should not answer fifteen questions to get one decision. Without
a terminal nothing can be asked: :class:`~taskfit.errors.UsageError` says how to pass the
answers instead. Input is injectable, so the dialogue is testable.

>>> from taskfit.advise.facts import default_facts
>>> answers = ask_missing(default_facts("classification"), input_fn=lambda _: "n", is_tty=True)
>>> list(answers)[:3], len(answers)
(['mimics_human', 'emergent_abilities', 'many_tasks'], 12)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

from taskfit.advise.advice import questions_unanswered
from taskfit.advise.card import parse_bool
from taskfit.advise.facts import Fact, yes_no
from taskfit.advise.flows import FACT_QUESTIONS
from taskfit.errors import UsageError

__all__ = ["ask_missing"]

MAX_ATTEMPTS = 3


def _how_to_pass(name: str, default: bool) -> str:
    return (
        f"pass the answers with --card card.yaml or --set fact=yes|no "
        f"(e.g. --set {name}={yes_no(default)})"
    )


def ask_missing(
    facts: Mapping[str, Fact],
    *,
    input_fn: Callable[[str], str] = input,
    is_tty: bool | None = None,
) -> dict[str, bool]:
    """Ask the unanswered questions a path reads; return the answers given.

    ``is_tty`` defaults to whether stdin is a terminal; without one, any question to ask
    raises :class:`UsageError` explaining ``--card`` and ``--set``. A blank reply keeps
    the assumed value (and counts as an answer).
    """
    current = dict(facts)
    pending = questions_unanswered(current)
    if not pending:
        return {}
    tty = sys.stdin.isatty() if is_tty is None else is_tty
    if not tty:
        first = pending[0]
        raise UsageError(
            f"stdin is not a terminal, so {len(pending)} question(s) cannot be asked "
            f"({', '.join(pending)}); {_how_to_pass(first, current[first].value)}"
        )
    answers: dict[str, bool] = {}
    while pending:
        name = pending[0]
        value = _ask(name, current[name].value, input_fn)
        answers[name] = value
        current[name] = Fact(name, value, "answered", f"answered {yes_no(value)} interactively")
        pending = [q for q in questions_unanswered(current) if q not in answers]
    return answers


def _ask(name: str, default: bool, input_fn: Callable[[str], str]) -> bool:
    prompt = f"[{name}] {FACT_QUESTIONS[name]} [y/n, Enter = {yes_no(default)}] "
    for _ in range(MAX_ATTEMPTS):
        try:
            reply = input_fn(prompt)
        except EOFError as exc:
            raise UsageError(
                f"no answer to {name!r} (end of input); {_how_to_pass(name, default)}"
            ) from exc
        if not reply.strip():
            return default
        value = parse_bool(reply)
        if value is not None:
            return value
    raise UsageError(f"no valid answer to {name!r} after {MAX_ATTEMPTS} tries; answer y or n")
