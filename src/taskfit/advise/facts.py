"""Facts the flows read, and where each value came from: measured, answered or assumed.

What: a :class:`Fact` is one yes/no answer with its ``source`` and a ``detail`` naming the
figures behind it. :func:`facts_from_profile` derives the facts the profile measures,
:func:`default_facts` assumes every fact from the task type, and :func:`merge_facts`
combines the three with precedence answered > measured > assumed.

Why: the advice must say, for every answer a flow used, whether taskfit measured it on the
data, the user stated it, or it is only a default — and when the user overrode a
measurement, what the measurement said.

Thresholds (stated so users can disagree with them):

- ``few_labels``: median labelled examples per class below :data:`FEW_LABELS_PER_CLASS`
  (16, the usual largest "few-shot" setting and the per-class budget SetFit is run with);
  for a numeric target, fewer than :data:`FEW_LABELS_NUMERIC` labelled rows.
- ``context_has_knowledge``: a sentence-pair task whose median row (both texts, in
  characters) is at least :data:`CONTEXT_MIN_CHARS` long — a passage rather than a
  sentence, as in reading comprehension. Character length is a proxy: it is the one length
  every profile has. Shorter pairs (NLI, paraphrase) leave the fact to the task type.

>>> from taskfit.advise.facts import default_facts, merge_facts
>>> facts = merge_facts(default_facts("classification"), {}, {"ood": True})
>>> facts["ood"].value, facts["ood"].source, facts["few_labels"].source
(True, 'answered', 'assumed')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from taskfit.advise.flows import FACTS
from taskfit.errors import UsageError
from taskfit.types import Profile

__all__ = [
    "CONTEXT_MIN_CHARS",
    "FEW_LABELS_NUMERIC",
    "FEW_LABELS_PER_CLASS",
    "TASK_TYPES",
    "TASK_TYPE_FACTS",
    "Fact",
    "Source",
    "default_facts",
    "facts_from_profile",
    "merge_facts",
    "yes_no",
]

Source = Literal["measured", "answered", "assumed"]

FEW_LABELS_PER_CLASS = 16
FEW_LABELS_NUMERIC = 100
# Free-text targets (generation, reasoning): fewer input/output pairs than this is the
# few-shot regime.
FEW_PAIRS = 100
# Generation: references of at least this many words (median) are complex generation
# (paragraphs, summaries, code), shorter ones narrow outputs (a sentence, a title).
COMPLEX_OUTPUT_WORDS = 40
# Reasoning: at least this share of questions combining two or more quantities is
# multi-step reasoning.
MULTI_STEP_SHARE = 0.5
CONTEXT_MIN_CHARS = 400

# Task type -> facts assumed true for it; every other fact is assumed false.
TASK_TYPE_FACTS: dict[str, frozenset[str]] = {
    "classification": frozenset(),
    "nli": frozenset(),
    "ner": frozenset(),
    "regression": frozenset({"regression_like"}),
    "qa": frozenset({"knowledge_intensive", "context_has_knowledge"}),
    "closed-book-qa": frozenset({"knowledge_intensive"}),
    # The paper counts summaries among the generation tasks where LLMs are superior
    # (remark 3), so summarization is assumed to be complex generation.
    "summarization": frozenset({"needs_generation", "creative_generation"}),
    "generation": frozenset({"needs_generation", "creative_generation"}),
    "code": frozenset({"needs_generation", "creative_generation"}),
    "translation": frozenset({"needs_generation"}),
    "chat": frozenset({"mimics_human", "needs_generation"}),
    "reasoning": frozenset({"emergent_abilities"}),
    "cloze": frozenset({"lm_like"}),
    "multitask": frozenset({"many_tasks"}),
}
TASK_TYPES: tuple[str, ...] = tuple(TASK_TYPE_FACTS)


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


@dataclass(frozen=True)
class Fact:
    """One yes/no fact. ``measured_value`` is set when an answer replaced a measurement
    (``source == "answered"``), so the output can say the user overrode it."""

    name: str
    value: bool
    source: Source
    detail: str = ""
    measured_value: bool | None = None

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "value": self.value,
            "source": self.source,
            "detail": self.detail,
        }
        if self.measured_value is not None:
            d["measured_value"] = self.measured_value
            d["overrides_measurement"] = self.measured_value != self.value
        return d


def default_facts(task_type: str) -> dict[str, Fact]:
    """Every fact, assumed from ``task_type`` (one of :data:`TASK_TYPES`).

    >>> default_facts("chat")["mimics_human"].value
    True
    """
    if task_type not in TASK_TYPE_FACTS:
        raise UsageError(f"unknown task type {task_type!r}; task types: {', '.join(TASK_TYPES)}")
    true = TASK_TYPE_FACTS[task_type]
    return {
        name: Fact(
            name,
            name in true,
            "assumed",
            f"assumed {yes_no(name in true)}: the default for a {task_type} task",
        )
        for name in FACTS
    }


def facts_from_profile(profile: Profile | None) -> dict[str, Fact]:
    """The facts a :class:`Profile` measures; facts it cannot measure are left out.

    Measured: ``few_labels``, ``regression_like`` (always); ``ood`` (when a shift score or
    an OOD test set exists — an OOD test set means OOD generalization is required);
    ``low_resource_language`` (when a language was detected); ``context_has_knowledge``
    (only true, for long sentence-pair rows); ``emergent_abilities`` (reasoning data: the
    share of questions combining several quantities); ``creative_generation`` (generation
    data: the references' median length in words); ``knowledge_intensive`` and
    ``context_has_knowledge`` (QA data: factual questions; whether each comes with the
    passage that answers it, or needs it retrieved from a corpus or recalled).
    """
    if profile is None:
        return {}
    out: dict[str, Fact] = {}
    for fact in (
        _few_labels(profile),
        _regression_like(profile),
        _ood(profile),
        _low_resource(profile),
        _context(profile),
        _emergent(profile),
        _creative(profile),
        *_knowledge(profile),
    ):
        if fact is not None:
            out[fact.name] = fact
    return out


def _few_labels(p: Profile) -> Fact:
    if p.n_train == 0:
        return Fact("few_labels", True, "measured", "no labelled training rows")
    if p.label_type == "text":
        return Fact(
            "few_labels",
            p.n_train < FEW_PAIRS,
            "measured",
            f"{p.n_train} input/output pairs for training (few-shot regime below {FEW_PAIRS})",
        )
    if p.label_type == "numeric":
        return Fact(
            "few_labels",
            p.n_train < FEW_LABELS_NUMERIC,
            "measured",
            f"{p.n_train} labelled rows for a numeric target "
            f"(few labels below {FEW_LABELS_NUMERIC})",
        )
    return Fact(
        "few_labels",
        p.median_per_class < FEW_LABELS_PER_CLASS,
        "measured",
        f"median {p.median_per_class:g} labelled examples per class (min {p.min_per_class}, "
        f"{len(p.labels)} classes, {p.n_train} rows); few-shot regime below "
        f"{FEW_LABELS_PER_CLASS} per class",
    )


def _regression_like(p: Profile) -> Fact:
    if p.label_type == "text":
        return Fact("regression_like", False, "measured", "the targets are free text")
    if p.label_type == "numeric":
        return Fact(
            "regression_like",
            True,
            "measured",
            f"labels are numeric ({len(p.labels)} distinct values): a regression-like target",
        )
    return Fact(
        "regression_like", False, "measured", f"labels are categorical ({len(p.labels)} classes)"
    )


def _ood(p: Profile) -> Fact | None:
    if p.ood_shift is not None:
        s = p.ood_shift
        return Fact(
            "ood",
            True,
            "measured",
            f"an OOD test set was given, so OOD generalization is required (its shift from "
            f"train: AUC {s.auc:.2f} vs null p95 {s.null_p95:.2f}, p={s.p_value:.3g}, "
            f"{s.n_reference} OOD rows)",
        )
    if p.shift is not None:
        s = p.shift
        verdict = "shifted" if s.shifted else "no shift detected"
        return Fact(
            "ood",
            s.shifted,
            "measured",
            f"train-vs-{s.reference} shift: AUC {s.auc:.2f} vs null p95 {s.null_p95:.2f} "
            f"(p={s.p_value:.3g}, {s.n_train} train and {s.n_reference} {s.reference} rows): "
            f"{verdict}",
        )
    return None


def _low_resource(p: Profile) -> Fact | None:
    lang = p.languages
    if lang is None or lang.primary == "unknown":
        return None
    share = lang.mix.get(lang.primary, 0.0)
    flagged = ", ".join(lang.low_resource) or "none"
    return Fact(
        "low_resource_language",
        lang.primary in lang.low_resource,
        "measured",
        f"primary language {lang.primary!r} ({share:.0%} of {lang.n_rows} rows); "
        f"low-resource languages in the mix: {flagged} ({lang.detector})",
    )


def _context(p: Profile) -> Fact | None:
    if not p.is_pair:
        return None
    chars = next((s for s in p.lengths if s.unit == "chars"), None)
    if chars is None or chars.p50 < CONTEXT_MIN_CHARS:
        return None
    return Fact(
        "context_has_knowledge",
        True,
        "measured",
        f"sentence-pair rows with a median of {chars.p50:.0f} characters (both texts; "
        f"{CONTEXT_MIN_CHARS}+ suggests a passage, as in reading comprehension)",
    )


def _emergent(p: Profile) -> Fact | None:
    """P2 for reasoning data: do the questions need several steps?"""
    if p.multi_quantity_share is None:
        return None
    share = p.multi_quantity_share
    return Fact(
        "emergent_abilities",
        share >= MULTI_STEP_SHARE,
        "measured",
        f"{share:.0%} of the training questions combine two or more quantities "
        f"(multi-step reasoning from {MULTI_STEP_SHARE:.0%})",
    )


def _creative(p: Profile) -> Fact | None:
    """P7 for generation data: long, open outputs or narrow ones?"""
    if p.task != "generation":
        return None
    words = next((s for s in p.lengths if s.unit == "target words"), None)
    if words is None:
        return None
    return Fact(
        "creative_generation",
        words.p50 >= COMPLEX_OUTPUT_WORDS,
        "measured",
        f"references have a median of {words.p50:g} words (p95 {words.p95:g}); complex "
        f"generation from {COMPLEX_OUTPUT_WORDS} words, shorter outputs are narrow",
    )


def _knowledge(p: Profile) -> tuple[Fact, ...]:
    """P8/B7c and P9/B8a for QA data: the answers are facts; the context holds them only
    when each question comes with its passage (a given context column)."""
    if p.task != "qa":
        return ()
    corpus = p.facts.get("corpus", {})
    n = int(corpus.get("passages", 0))
    where = (
        f"a separate corpus of {n} passages holds them (retrieval must find them)"
        if n
        else "no corpus is given (closed-book: the model must know them)"
    )
    facts = [
        Fact(
            "knowledge_intensive",
            True,
            "measured",
            f"QA data: the answers are facts about the questions' subject; {where}",
        )
    ]
    if not p.is_pair:
        facts.append(
            Fact(
                "context_has_knowledge",
                False,
                "measured",
                f"the questions come without a context column; {where}",
            )
        )
    return tuple(facts)


def merge_facts(
    defaults: Mapping[str, Fact],
    measured: Mapping[str, Fact],
    answered: Mapping[str, bool | Fact],
) -> dict[str, Fact]:
    """One fact per name: answered > measured > assumed.

    An answer that replaces a measurement keeps the measurement's value and detail, so the
    output can say that the user overrode (or confirmed) it. An answer for an unknown fact
    raises :class:`UsageError` listing the facts.
    """
    unknown = [k for k in answered if k not in FACTS]
    if unknown:
        raise UsageError(f"unknown fact {unknown[0]!r}; facts: {', '.join(FACTS)}")
    out: dict[str, Fact] = {}
    for name in dict.fromkeys((*FACTS, *defaults, *measured)):
        if name in answered:
            given = answered[name]
            fact = given if isinstance(given, Fact) else Fact(name, given, "answered", "answered")
            fact = Fact(name, fact.value, "answered", fact.detail or "answered")
            if name in measured:
                m = measured[name]
                relation = "overrides" if m.value != fact.value else "agrees with"
                fact = Fact(
                    name,
                    fact.value,
                    "answered",
                    f"{fact.detail}; {relation} the measurement ({yes_no(m.value)}: {m.detail})",
                    measured_value=m.value,
                )
            out[name] = fact
        elif name in measured:
            out[name] = measured[name]
        elif name in defaults:
            out[name] = defaults[name]
    return out
