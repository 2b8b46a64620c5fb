"""Parsing OpenAI-style responses into scores, for :mod:`taskfit.backends.openai_compat`.

What: pure functions from a decoded JSON body to numbers; no HTTP here.

- :func:`parse_echo` / :func:`parse_echo_array` read ``/completions`` answers made with
  ``echo`` + ``logprobs``: an option's log-probability is the sum over the echoed tokens
  that fall in the option's character span (``text_offset``).
- :func:`parse_chat` reads a ``/chat/completions`` answer's text, :func:`parse_reply`
  the same and whether the reply stopped at ``max_tokens``;
  :func:`parse_top_logprobs` the ``top_logprobs`` of its first generated token, and
  :func:`chat_distribution` turns those into a distribution over the options.

Why apart: the backend builds payloads and posts them; what a body means is tested here
without a server. Bodies that lack expected fields raise :class:`Malformed` (the caller
retries them); bodies that show the server cannot give log-probabilities raise
:class:`Unavailable` (not retried: the caller switches method).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ArrayUnsupported",
    "EchoScore",
    "Malformed",
    "Unavailable",
    "chat_distribution",
    "parse_chat",
    "parse_echo",
    "parse_echo_array",
    "parse_reply",
    "parse_top_logprobs",
    "usage",
]

# Probability given to an option that nothing points at, so its log is finite.
TINY_PROB = 1e-9


class Malformed(Exception):
    """A 2xx response whose body lacks the expected fields (retried)."""


class Unavailable(Exception):
    """The endpoint answered but returned no log-probabilities (not retried)."""


class ArrayUnsupported(Exception):
    """A prompt-array request was answered for fewer prompts than were sent."""


@dataclass(frozen=True)
class EchoScore:
    """One scored option of a ``/completions`` echo answer."""

    logprob: float
    option_tokens: int
    prompt_tokens: int  # tokens of the context (prefix + body)
    sent_tokens: int  # prompt tokens of the whole request (context + option)
    completion_tokens: int


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _choices(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        raise Malformed("body is not a JSON object")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise Malformed("no 'choices'")
    return choices


def _first_choice(body: Any) -> dict[str, Any]:
    choice = _choices(body)[0]
    if not isinstance(choice, dict):
        raise Malformed("no 'choices'")
    return choice


def usage(body: Any, field: str) -> int | None:
    """``body["usage"][field]`` when it is a non-negative integer, else ``None``."""
    found = body.get("usage") if isinstance(body, dict) else None
    if not isinstance(found, dict):
        return None
    value = found.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


# ---------------------------------------------------------------------- completions + echo


def _echo_choice(choice: Any, start: int, end: int) -> tuple[float, int, int, int]:
    """(log-prob, option tokens, echoed prompt tokens, generated tokens) of one choice.

    A token belongs to the option when its ``text_offset`` is in ``[start, end)``, or
    when it starts before ``start`` and the next token starts after it (a token
    straddling the prompt/option boundary, e.g. when the prompt ends with a space).
    The generated token starts at ``end`` and is excluded. Offsets are taken relative
    to the choice's first token, so servers that number a prompt array's offsets
    cumulatively read the same as those that restart at 0.
    """
    if not isinstance(choice, dict):
        raise Malformed("a choice is not an object")
    logprobs = choice.get("logprobs")
    if not isinstance(logprobs, dict):
        raise Unavailable("the response has no log-probabilities")
    tokens = logprobs.get("tokens")
    values = logprobs.get("token_logprobs")
    offsets = logprobs.get("text_offset")
    if not (isinstance(tokens, list) and isinstance(values, list) and isinstance(offsets, list)):
        raise Unavailable("the response has no echoed token log-probabilities")
    if not len(tokens) == len(values) == len(offsets):
        raise Malformed("logprobs lists differ in length")
    if not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets):
        raise Malformed("non-integer text_offset")
    if offsets and offsets[0] > 0:
        offsets = [o - offsets[0] for o in offsets]

    n = len(offsets)
    total = 0.0
    option_tokens = 0
    for i, offset in enumerate(offsets):
        following = offsets[i + 1] if i + 1 < n else math.inf
        if not (start <= offset < end or offset < start < following):
            continue
        value = values[i]
        if value is None:
            raise Unavailable("the echoed prompt tokens have no log-probabilities")
        if not _is_number(value):
            raise Malformed("non-numeric token_logprobs")
        total += float(value)
        option_tokens += 1
    if option_tokens == 0:
        raise Unavailable("the endpoint did not echo the prompt")
    echoed_prompt = sum(1 for offset in offsets if offset < end)
    return total, option_tokens, echoed_prompt, n - echoed_prompt


def parse_echo(body: Any, start: int, end: int) -> EchoScore:
    """Score the option at characters ``[start, end)`` of a one-prompt echo answer.

    The request's prompt tokens come from ``usage`` when the server reports them,
    else from the echoed tokens.
    """
    total, option_tokens, echoed_prompt, generated = _echo_choice(_first_choice(body), start, end)
    sent = usage(body, "prompt_tokens")
    if sent is None or sent < option_tokens:
        sent = echoed_prompt
    completion = usage(body, "completion_tokens")
    if completion is None:
        completion = generated
    return EchoScore(total, option_tokens, sent - option_tokens, sent, completion)


def parse_echo_array(
    body: Any, start: int, ends: Sequence[int]
) -> tuple[list[EchoScore], int, int]:
    """Score a prompt-array echo answer: prompt ``i`` is the context followed by option ``i``.

    Choices are matched to prompts by their ``index``. Returns the per-option scores
    (their token counts come from the echo), and the whole request's prompt and
    completion tokens (from ``usage`` when reported). Fewer choices than prompts raise
    :class:`ArrayUnsupported`: the server answered only part of the array.
    """
    by_index: dict[int, Any] = {}
    for position, choice in enumerate(_choices(body)):
        index = choice.get("index", position) if isinstance(choice, dict) else position
        if isinstance(index, bool) or not isinstance(index, int):
            raise Malformed("non-integer choice index")
        by_index.setdefault(index, choice)
    if any(i not in by_index for i in range(len(ends))):
        raise ArrayUnsupported(f"{len(by_index)} choices for {len(ends)} prompts")

    scores = []
    for i, end in enumerate(ends):
        total, option_tokens, echoed_prompt, generated = _echo_choice(by_index[i], start, end)
        scores.append(
            EchoScore(total, option_tokens, echoed_prompt - option_tokens, echoed_prompt, generated)
        )
    echoed = sum(s.sent_tokens for s in scores)
    sent = usage(body, "prompt_tokens")
    if sent is None or sent < sum(s.option_tokens for s in scores):
        sent = echoed
    completion = usage(body, "completion_tokens")
    if completion is None:
        completion = sum(s.completion_tokens for s in scores)
    return scores, sent, completion


# ---------------------------------------------------------------------- chat


def parse_chat(body: Any) -> tuple[str, int | None, int | None]:
    """(answer text, prompt tokens, completion tokens) of a chat answer."""
    message = _first_choice(body).get("message")
    if not isinstance(message, dict):
        raise Malformed("no 'message' in choices[0]")
    content = message.get("content")
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise Malformed("non-string message content")
    return content, usage(body, "prompt_tokens"), usage(body, "completion_tokens")


def parse_reply(body: Any) -> tuple[str, int | None, int | None, bool]:
    """(answer text, prompt tokens, completion tokens, cut) of a chat answer; ``cut``
    when the server says the reply stopped at ``max_tokens`` (``finish_reason`` is
    ``"length"``)."""
    text, prompt_tokens, completion_tokens = parse_chat(body)
    cut = _first_choice(body).get("finish_reason") == "length"
    return text, prompt_tokens, completion_tokens, cut


def _entry(token: Any, logprob: Any) -> tuple[str, float]:
    if not isinstance(token, str) or not _is_number(logprob) or math.isnan(logprob):
        raise Malformed("a top_logprobs entry lacks 'token' or a numeric 'logprob'")
    return token, float(logprob)


def parse_top_logprobs(body: Any) -> tuple[list[tuple[str, float]], int | None, int | None]:
    """(top tokens of the first answer token, prompt tokens, completion tokens).

    Reads ``choices[0].logprobs.content[0].top_logprobs`` (a list of
    ``{"token", "logprob"}``; a ``{token: logprob}`` mapping is accepted too). An answer
    without log-probabilities raises :class:`Unavailable`: the endpoint ignored the
    request for them.
    """
    choice = _first_choice(body)
    logprobs = choice.get("logprobs")
    if not isinstance(logprobs, dict):
        raise Unavailable("the response has no log-probabilities")
    content = logprobs.get("content")
    if not isinstance(content, list) or not content:
        raise Unavailable("the response has no token log-probabilities")
    first = content[0]
    if not isinstance(first, dict):
        raise Malformed("logprobs.content[0] is not an object")
    top = first.get("top_logprobs")
    entries: list[tuple[str, float]] = []
    if isinstance(top, list):
        for item in top:
            if not isinstance(item, dict):
                raise Malformed("a top_logprobs entry is not an object")
            entries.append(_entry(item.get("token"), item.get("logprob")))
    elif isinstance(top, dict):
        entries = [_entry(token, value) for token, value in top.items()]
    if not entries and first.get("token") is not None:
        entries = [_entry(first.get("token"), first.get("logprob"))]
    if not entries:
        raise Unavailable("the response has no top log-probabilities")
    return entries, usage(body, "prompt_tokens"), usage(body, "completion_tokens")


def chat_distribution(
    top: Sequence[tuple[str, float]], options: Sequence[str]
) -> tuple[float, ...]:
    """Log-probabilities of ``options`` from the top tokens of the first answer token.

    Texts are compared stripped and case-insensitively. A top token equal to an option
    gives that option its probability; otherwise, a token that is a non-empty prefix of
    options gives them its probability (split evenly when it starts several). Several
    tokens reaching one option add up (``"pos"`` and ``" positive"``). Options no top
    token reached share the mass left over, ``max(1 - covered, tiny)``, evenly - but
    none gets more than the least likely top token: a token outside the top-k cannot be
    likelier than the ones in it.

    >>> [round(math.exp(x), 2) for x in chat_distribution([("Pos", -0.5)], ["pos", "neg"])]
    [0.61, 0.39]
    """
    wanted = [o.strip().lower() for o in options]
    probs = [0.0] * len(wanted)
    reached = [False] * len(wanted)
    covered = 0.0
    least = math.inf
    for token, logprob in top:
        p = math.exp(min(logprob, 0.0))
        least = min(least, p)
        text = token.strip().lower()
        if not text:
            continue
        targets = [i for i, o in enumerate(wanted) if o == text]
        if not targets:
            targets = [i for i, o in enumerate(wanted) if o.startswith(text)]
        if not targets:
            continue
        for i in targets:
            probs[i] += p / len(targets)
            reached[i] = True
        covered += p
    unreached = [i for i, r in enumerate(reached) if not r]
    if unreached:
        share = min(max(1.0 - covered, TINY_PROB) / len(unreached), least)
        for i in unreached:
            probs[i] = share
    return tuple(math.log(max(p, TINY_PROB)) for p in probs)
