"""Render a model's own chat template (GGUF ``tokenizer.chat_template``) the way llama.cpp does.

Instruct models answer best in the format they were tuned on. A GGUF file carries that
format as a jinja2 template in its metadata; llama-cpp-python renders it with a
sandboxed jinja2 environment (``trim_blocks``, ``lstrip_blocks``, ``loopcontrols``, a
``tojson`` filter that keeps non-ASCII text, ``raise_exception`` and ``strftime_now``)
and the model's BOS/EOS token texts. :class:`ChatTemplate` does the same, so a prompt
scored here is the prompt the model sees when served; a test checks the rendering
against llama-cpp-python's own ``Jinja2ChatFormatter`` for the embedded SmolLM2.

For label scoring a conversation is split into a shared part and a per-example part:

>>> t = ChatTemplate("{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>\\n"
...                  "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}")
>>> t.split((("system", "Classify."),), (("user", "Text: hi"),))
('<|system|>Classify.<|end|>\\n', '<|user|>Text: hi<|end|>\\n<|assistant|>')
>>> t.end_of_turn
'<|end|>'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from taskfit.errors import BackendError

__all__ = ["ChatTemplate"]

Turn = tuple[str, str]
_SENTINEL = "\x00TASKFIT-ANSWER\x00"


def _tojson(
    x: Any,
    ensure_ascii: bool = False,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    return json.dumps(
        x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


def _raise(message: str) -> str:
    raise BackendError(f"the model's chat template refused the conversation: {message}")


def _strftime_now(fmt: str) -> str:
    return datetime.now().strftime(fmt)


class ChatTemplate:
    """A compiled chat template with the model's BOS and EOS token texts."""

    def __init__(self, template: str, *, bos_token: str = "", eos_token: str = "") -> None:
        import jinja2
        import jinja2.ext
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        class _IgnoreGeneration(jinja2.ext.Extension):
            """Pass-through for Hugging Face's ``{% generation %}`` tag."""

            tags = {"generation"}  # noqa: RUF012 - jinja2 reads a plain set

            def parse(self, parser: Any) -> Any:
                parser.stream.skip(1)
                return parser.parse_statements(("name:endgeneration",), drop_needle=True)

        env = ImmutableSandboxedEnvironment(
            loader=jinja2.BaseLoader(),
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=[_IgnoreGeneration, jinja2.ext.loopcontrols],
        )
        env.filters["tojson"] = _tojson
        try:
            self._template = env.from_string(template)
        except jinja2.TemplateError as e:
            raise BackendError(f"the model's chat template does not compile: {e}") from None
        self.source = template
        self.bos_token = bos_token
        self.eos_token = eos_token
        self.end_of_turn = self._end_of_turn()

    def render(self, turns: Sequence[Turn], *, add_generation_prompt: bool = True) -> str:
        """The conversation as the model sees it."""
        import jinja2

        messages = [{"role": r, "content": c} for r, c in turns]
        try:
            return self._template.render(
                messages=messages,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
                add_generation_prompt=add_generation_prompt,
                raise_exception=_raise,
                strftime_now=_strftime_now,
            )
        except jinja2.TemplateError as e:
            raise BackendError(f"the model's chat template failed to render: {e}") from None

    def split(self, context: Sequence[Turn], turns: Sequence[Turn]) -> tuple[str, str]:
        """(shared prefix, per-example rest) of ``context + turns`` with the answer cue.

        The prefix is the rendered ``context`` when the whole conversation starts with it
        (true of common templates), else empty: then nothing is shared, but the prompt is
        still exactly what the template renders.
        """
        whole = self.render([*context, *turns], add_generation_prompt=True)
        if not context:
            return "", whole
        head = self.render(list(context), add_generation_prompt=False)
        if head and whole.startswith(head):
            return head, whole[len(head) :]
        return "", whole

    def _end_of_turn(self) -> str:
        """The text that closes an assistant reply (``<|im_end|>``, ``<|eot_id|>``, ...).

        Found by rendering a reply and reading what follows it up to the first line
        break; empty when the template adds nothing after a reply.
        """
        try:
            text = self.render(
                [("user", "question"), ("assistant", _SENTINEL)], add_generation_prompt=False
            )
        except BackendError:
            return self.eos_token
        _, found, after = text.partition(_SENTINEL)
        if not found:
            return self.eos_token
        return after.split("\n", 1)[0].strip() if after.strip() else ""
