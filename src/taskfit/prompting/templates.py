"""Prompt building for classification, kept apart from scoring and parsing.

A prompt is split into a shared ``prefix`` (instruction, label list, fixed
demonstrations) and a per-example ``body``, so backends that keep model state evaluate
the prefix once per run. Each label is scored as the continuation ``" " + verbal``
after the body, where ``verbal`` is a readable form of the label (``card_arrival`` ->
``card arrival``).

>>> t = Template.for_task(["neg", "pos"], label_name="sentiment")
>>> t.body("great film", None)
'Text: great film\\nSentiment:'
>>> t.options()
(' neg', ' pos')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Template", "verbalize"]


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
    """Completion-style classification prompt (works with base and instruct models)."""

    labels: tuple[str, ...]
    verbal: Mapping[str, str]
    label_name: str = "Label"
    descriptions: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_task(
        cls,
        labels: Sequence[str],
        *,
        label_name: str = "label",
        descriptions: Mapping[str, str] | None = None,
    ) -> Template:
        return cls(
            labels=tuple(labels),
            verbal=verbalize(labels),
            label_name=_field_name(label_name, "Label"),
            descriptions=dict(descriptions or {}),
        )

    def instruction(self) -> str:
        lines = [
            f"Classify each text. The possible {self.label_name.lower()} values are:",
        ]
        for lab in self.labels:
            desc = self.descriptions.get(lab)
            lines.append(f"- {self.verbal[lab]}" + (f": {desc}" if desc else ""))
        return "\n".join(lines) + "\n\n"

    def body(self, text: str, pair: str | None, label: str | None = None) -> str:
        """One example; with ``label`` it is a finished demonstration."""
        s = f"Text: {text}\n"
        if pair is not None:
            s += f"Second text: {pair}\n"
        s += f"{self.label_name}:"
        if label is not None:
            s += f" {self.verbal[label]}\n\n"
        return s

    def prefix(self, demos: Sequence[tuple[str, str | None, str]] = ()) -> str:
        """Instruction plus demonstrations given as (text, pair, label)."""
        return self.instruction() + "".join(self.body(t, p, lab) for t, p, lab in demos)

    def options(self) -> tuple[str, ...]:
        return tuple(" " + self.verbal[lab] for lab in self.labels)

    def generation_system(self) -> str:
        names = ", ".join(self.verbal[lab] for lab in self.labels)
        return (
            f"You are a text classifier. Answer with exactly one {self.label_name.lower()} "
            f"from this list and nothing else: {names}."
        )
