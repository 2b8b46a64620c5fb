"""Prompts of free-text task types (generation, reasoning): an instruction, optional
demonstrations, the example's input; the model writes the output.

Two formats, like classification's (:mod:`taskfit.tasks.classification.prompts`):

- **chat**: the instruction is the system turn, each input a user turn and each
  demonstration's output the assistant's reply, rendered in the model's own chat format;
- **completion**: ``Input: ... / Output: ...`` blocks after the instruction, the model
  continuing after the last ``Output:``; generation stops at the next blank line.

A :class:`TextTemplate` is one wording (variant) of the instruction; the task type lists
the variants prompt selection tries on a dev split.

>>> t = TextTemplate("Write the answer.", "Question", "Answer")
>>> t.completion("2 + 2?", None, [("1 + 1?", None, "2")])
'Write the answer.\\n\\nQuestion: 1 + 1?\\nAnswer: 2\\n\\nQuestion: 2 + 2?\\nAnswer:'
>>> [role for role, _ in t.chat("2 + 2?", None, [("1 + 1?", None, "2")])]
['system', 'user', 'assistant', 'user']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from taskfit.tasks.base import TaskType

__all__ = ["COMPLETION_STOP", "Demo", "TextTemplate", "field_names", "text_task", "text_template"]

Demo = tuple[str, str | None, str]  # (text, second text or None, output)
# Where a completion-format output ends: the next example would start after a blank line.
COMPLETION_STOP = ("\n\n",)


@dataclass(frozen=True)
class TextTemplate:
    """One wording of a free-text prompt."""

    instruction: str
    input_name: str = "Input"
    output_name: str = "Output"
    variant: str = "default"
    pair_name: str = "Second input"
    # A JSON schema (JSON text) replies must follow: constrained decoding where the
    # backend can, else asked for and parsed. None: free text.
    json_schema: str | None = None

    def reply(self, text: str, target: str) -> str:
        """How a demonstration's target is written as the model's reply (extraction shows
        its spans as JSON); the target itself by default."""
        return target

    def user(self, text: str, pair: str | None) -> str:
        s = f"{self.input_name}: {text}"
        return s if pair is None else f"{s}\n{self.pair_name}: {pair}"

    def chat(
        self, text: str, pair: str | None, demos: Sequence[Demo] = ()
    ) -> tuple[tuple[str, str], ...]:
        """The conversation: instruction, demonstrations, then this example's input."""
        turns: list[tuple[str, str]] = [("system", self.instruction)]
        for t, p, out in demos:
            turns += [("user", self.user(t, p)), ("assistant", self.reply(t, out))]
        turns.append(("user", self.user(text, pair)))
        return tuple(turns)

    def block(self, text: str, pair: str | None, output: str | None = None) -> str:
        s = f"{self.user(text, pair)}\n{self.output_name}:"
        return s if output is None else f"{s} {output}\n\n"

    def completion(self, text: str, pair: str | None, demos: Sequence[Demo] = ()) -> str:
        """One prompt string ending where the model writes the output."""
        return (
            f"{self.instruction}\n\n"
            + "".join(self.block(t, p, self.reply(t, out)) for t, p, out in demos)
            + self.block(text, pair)
        )


def text_template(
    instructions: Mapping[str, str], variant: str, input_name: str, output_name: str
) -> TextTemplate:
    """The :class:`TextTemplate` of wording ``variant``: its instruction (``{input}`` and
    ``{output}`` filled in with the lower-cased names) and the field names."""
    if variant not in instructions:
        raise ValueError(f"unknown prompt variant {variant!r}; variants: {tuple(instructions)}")
    text = instructions[variant].format(input=input_name.lower(), output=output_name.lower())
    return TextTemplate(text, input_name, output_name, variant)


def text_task(**fields: Any) -> TaskType:
    """A free-text task type: no label set, prompted units run by
    :mod:`taskfit.run.text_unit`, the output lengths profiled with the inputs'. ``fields``
    are the other :class:`~taskfit.tasks.base.TaskType` fields, and ``extra_measures``
    what the profile measures beyond those of every free-text task."""
    measures = ("lengths", "duplicates", "pii", "language", "shift", "output_lengths")
    measures += tuple(fields.pop("extra_measures", ()))
    return TaskType(
        **fields,
        profile_measures=measures,
        label_set=False,
        prompt_runner="taskfit.run.text_unit:TEXT_PROMPTED",
    )


def _field(column: str, fallback: str) -> str:
    name = column.replace("_", " ").replace("-", " ").strip()
    return name[:1].upper() + name[1:] if name and len(name) <= 30 else fallback


def field_names(text_col: str, target_col: str) -> dict[str, str]:
    """How prompts name the data's input and output columns (``for_task`` arguments):
    the column names as words, or Input/Output for long ones.

    >>> field_names("product_attributes", "description")
    {'input_name': 'Product attributes', 'output_name': 'Description'}
    """
    return {"input_name": _field(text_col, "Input"), "output_name": _field(target_col, "Output")}
