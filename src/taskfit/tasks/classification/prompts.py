"""Classification prompts, kept apart from scoring and parsing.

Two formats:

- **completion**: a prompt is split into a shared ``prefix`` (instruction, label list,
  fixed demonstrations) and a per-example ``body``, so backends that keep model state
  evaluate the prefix once per run. Each label is scored as the continuation
  ``" " + verbal`` after the body, where ``verbal`` is a readable form of the label
  (``card_arrival`` -> ``card arrival``). Works with base and instruct models.
- **chat**: the instruction is the system turn, each text a user turn and each label the
  assistant's reply; fixed demonstrations are user/assistant turns. The backend renders
  the turns in the model's own chat format.

A :class:`Template` is one *variant* of the wording, from the small documented set
:data:`VARIANTS` that prompt selection tries on a dev split:

- ``list``: "Classify each text. The possible <label> values are:" and one label per line
  (with the user's label descriptions when given);
- ``question``: the labels in one sentence and a direct question for the answer;
- ``numbered``: the labels as a numbered list, answered with a number (one short token per
  label, which also lets a chat endpoint give every label a probability in one request).

>>> t = Template.for_task(["neg", "pos"], label_name="sentiment")
>>> t.body("great film", None)
'Text: great film\\nSentiment:'
>>> t.options()
(' neg', ' pos')
>>> t.chat_options(), Template.for_task(["neg", "pos"], variant="numbered").chat_options()
(('neg', 'pos'), ('1', '2'))
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["VARIANTS", "Template", "verbalize"]

VARIANTS = ("list", "question", "numbered")


def verbalize(labels: Sequence[str]) -> dict[str, str]:
    """Readable, unique label strings: underscores and dashes become spaces."""
    out: dict[str, str] = {}
    for lab in labels:
        v = re.sub(r"[_\-]+", " ", str(lab)).strip() or str(lab)
        out[lab] = v
    if len(set(out.values())) != len(out):  # verbalising merged two labels: keep raw names
        return {lab: str(lab) for lab in labels}
    return out


def _field_name(column: str, fallback: str) -> str:
    name = re.sub(r"[_\-]+", " ", column).strip()
    if not name or len(name) > 30:
        return fallback
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Template:
    """One wording of a classification prompt, in completion or chat form."""

    labels: tuple[str, ...]
    verbal: Mapping[str, str]
    label_name: str = "Label"
    descriptions: Mapping[str, str] = field(default_factory=dict)
    variant: str = "list"

    @classmethod
    def for_task(
        cls,
        labels: Sequence[str],
        *,
        label_name: str = "label",
        descriptions: Mapping[str, str] | None = None,
        variant: str = "list",
    ) -> Template:
        if variant not in VARIANTS:
            raise ValueError(f"unknown prompt variant {variant!r}; variants: {VARIANTS}")
        return cls(
            labels=tuple(labels),
            verbal=verbalize(labels),
            label_name=_field_name(label_name, "Label"),
            descriptions=dict(descriptions or {}),
            variant=variant,
        )

    # -- what the model answers -------------------------------------------------------
    def answer(self, label: str) -> str:
        """The answer text for ``label``: its verbal form, or its number."""
        if self.variant == "numbered":
            return str(self.labels.index(label) + 1)
        return self.verbal[label]

    @property
    def answers(self) -> dict[str, str]:
        """label -> answer text, for parsing generated answers."""
        return {lab: self.answer(lab) for lab in self.labels}

    def _label_lines(self) -> list[str]:
        out = []
        for i, lab in enumerate(self.labels, start=1):
            desc = self.descriptions.get(lab)
            head = f"{i}. " if self.variant == "numbered" else "- "
            out.append(f"{head}{self.verbal[lab]}" + (f": {desc}" if desc else ""))
        return out

    def _field(self) -> str:
        return "Answer" if self.variant == "numbered" else self.label_name

    # -- completion format ------------------------------------------------------------
    def instruction(self) -> str:
        name = self.label_name.lower()
        if self.variant == "question":
            names = ", ".join(self.verbal[lab] for lab in self.labels)
            return (
                f"Read each text and give its {name}. The {name} is one of: {names}.\n\n"
                + "".join(
                    f"{self.verbal[lab]}: {d}\n" for lab, d in sorted(self.descriptions.items())
                )
                + ("\n" if self.descriptions else "")
            )
        if self.variant == "numbered":
            head = f"Classify each text. Answer with the number of its {name}:"
        else:
            head = f"Classify each text. The possible {name} values are:"
        return "\n".join([head, *self._label_lines()]) + "\n\n"

    def body(self, text: str, pair: str | None, label: str | None = None) -> str:
        """One example; with ``label`` it is a finished demonstration."""
        s = f"Text: {text}\n"
        if pair is not None:
            s += f"Second text: {pair}\n"
        s += f"{self._field()}:"
        if label is not None:
            s += f" {self.answer(label)}\n\n"
        return s

    def prefix(self, demos: Sequence[tuple[str, str | None, str]] = ()) -> str:
        """Instruction plus demonstrations given as (text, pair, label)."""
        return self.instruction() + "".join(self.body(t, p, lab) for t, p, lab in demos)

    def options(self) -> tuple[str, ...]:
        """Completion continuations. A number is followed by its line break, so that
        ``1`` is not read as the start of ``12``."""
        end = "\n" if self.variant == "numbered" else ""
        return tuple(" " + self.answer(lab) + end for lab in self.labels)

    # -- chat format ------------------------------------------------------------------
    def system(self) -> str:
        """The system turn: what to do and the labels."""
        name = self.label_name.lower()
        if self.variant == "question":
            names = ", ".join(self.verbal[lab] for lab in self.labels)
            extra = "".join(
                f"\n{self.verbal[lab]}: {d}" for lab, d in sorted(self.descriptions.items())
            )
            return (
                f"You will be given a text. Reply with its {name}, one of: {names}. "
                f"Reply with the {name} only.{extra}"
            )
        if self.variant == "numbered":
            head = f"Classify the text. Reply with the number of its {name} only:"
        else:
            head = f"Classify the text. The possible {name} values are:"
        tail = [] if self.variant == "numbered" else [f"Reply with the {name} only."]
        return "\n".join([head, *self._label_lines(), *tail])

    def user(self, text: str, pair: str | None) -> str:
        s = f"Text: {text}"
        if pair is not None:
            s += f"\nSecond text: {pair}"
        return s

    def chat_turns(
        self, text: str, pair: str | None, label: str | None = None
    ) -> tuple[tuple[str, str], ...]:
        """One example as a user turn; with ``label`` also the assistant's answer."""
        turns: tuple[tuple[str, str], ...] = (("user", self.user(text, pair)),)
        if label is not None:
            turns += (("assistant", self.answer(label)),)
        return turns

    def chat_context(
        self, demos: Sequence[tuple[str, str | None, str]] = ()
    ) -> tuple[tuple[str, str], ...]:
        """The system turn plus demonstrations as user/assistant turns."""
        turns: tuple[tuple[str, str], ...] = (("system", self.system()),)
        for t, p, lab in demos:
            turns += self.chat_turns(t, p, lab)
        return turns

    def chat_options(self) -> tuple[str, ...]:
        return tuple(self.answer(lab) for lab in self.labels)

    def generation_system(self) -> str:
        if self.variant == "numbered":
            return self.system()
        names = ", ".join(self.verbal[lab] for lab in self.labels)
        return (
            f"You are a text classifier. Answer with exactly one {self.label_name.lower()} "
            f"from this list and nothing else: {names}."
        )
