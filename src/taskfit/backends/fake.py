"""A scripted, deterministic LLM backend for fast tests (no model, no network).

Scores depend on the input text: an option gains log-probability for every word it
(or its keywords) shares with the prompt body, so a fake "model" with good keywords is
accurate and one without them is near chance. ``noise`` flips the decision on a seeded
fraction of bodies, which lets tests plant a known error rate. ``bias`` (completion
format) and ``chat_bias`` (chat format) add a constant log-probability to options, keyed by
the option's stripped text, which plants a collapsed prompt: one label wins everywhere.

Generation returns the ``responder``'s reply (or a deterministic ``answer-N``) cut to
``max_tokens`` words. A request with a ``json_schema`` is not constrained: the reply is
returned verbatim (whitespace kept), cut after ``max_tokens`` words with ``truncated``
set, so tests script valid, invalid and cut JSON replies alike; ``last_json_schema``
holds the schema of the last generate request.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence

from taskfit.backends import base

__all__ = ["FakeBackend"]

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _unit_hash(*parts: str) -> float:
    """A deterministic number in [0, 1) from the parts."""
    h = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


class FakeBackend(base.LLMBackend):
    """Deterministic scripted backend.

    >>> fb = FakeBackend(keywords={" refund": ["money", "back"]})
    >>> r = fb.score_options([base.ScoreRequest("", "I want my money back", (" refund", " other"))])
    >>> r[0].logprobs[0] > r[0].logprobs[1]
    True
    """

    def __init__(
        self,
        model_id: str = "fake",
        *,
        keywords: Mapping[str, Sequence[str]] | None = None,
        noise: float = 0.0,
        seed: int = 0,
        prompt_logprobs: bool = True,
        responder: Callable[[str], str] | None = None,
        context_size: int = 4096,
        chat: bool = True,
        bias: Mapping[str, float] | None = None,
        chat_bias: Mapping[str, float] | None = None,
        option_requests: bool = False,
    ) -> None:
        self.model_id = model_id
        self.keywords = {k: _words(" ".join(v)) for k, v in (keywords or {}).items()}
        self.noise = noise
        self.seed = seed
        self.prompt_logprobs = prompt_logprobs
        self.responder = responder
        self.context_size = context_size
        self.chat = chat
        self.option_requests = option_requests  # pretend: one request per option
        self.bias = dict(bias or {})
        self.chat_bias = dict(chat_bias or {})
        self.chat_calls = 0
        self.score_calls = 0
        self.generate_calls = 0
        self.last_json_schema: str | None = None  # of the last generate request
        self.evaluated_tokens_total = 0
        self._prefixes_seen: set[str] = set()

    def info(self) -> base.BackendInfo:
        return base.BackendInfo(
            backend="fake",
            model_id=self.model_id,
            context_size=self.context_size,
            prompt_logprobs=self.prompt_logprobs,
            local=True,
            chat=self.chat,
            option_requests=self.option_requests,
        )

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def _option_logprob(
        self, body: str, option: str, words: set[str], bias: Mapping[str, float]
    ) -> float:
        cues = _words(option) | self.keywords.get(option, set())
        cues |= self.keywords.get(" " + option.strip(), set())
        overlap = len(words & cues)
        score = -0.5 * self.count_tokens(option) + 2.0 * overlap + bias.get(option.strip(), 0.0)
        return score - _unit_hash(str(self.seed), body, option)  # tie-breaking jitter

    def score_chat(self, requests: Sequence[base.ChatScoreRequest]) -> list[base.ScoreResult]:
        """The chat format: the example's turns are the body, the shared turns the prefix."""
        if not self.chat:
            from taskfit.errors import BackendError

            raise BackendError("fake backend: no chat format for this model")
        flat = [
            base.ScoreRequest(
                "".join(f"<{r}>{c}\n" for r, c in req.context),
                "".join(f"<{r}>{c}\n" for r, c in req.turns) + "<assistant>",
                req.options,
            )
            for req in requests
        ]
        self.chat_calls += len(requests)
        return self._score(flat, self.chat_bias)

    def score_options(self, requests: Sequence[base.ScoreRequest]) -> list[base.ScoreResult]:
        if not self.prompt_logprobs:
            from taskfit.errors import BackendError

            raise BackendError("fake backend: prompt log-probabilities are disabled")
        return self._score(requests, self.bias)

    def _score(
        self, requests: Sequence[base.ScoreRequest], bias: Mapping[str, float]
    ) -> list[base.ScoreResult]:
        out = []
        for req in requests:
            self.score_calls += 1
            words = _words(req.body)
            lps = [self._option_logprob(req.body, o, words, bias) for o in req.options]
            if self.noise and _unit_hash("noise", str(self.seed), req.body) < self.noise:
                # Planted error: move the winner's mass to a seeded other option.
                best = max(range(len(lps)), key=lps.__getitem__)
                others = [i for i in range(len(lps)) if i != best]
                if others:
                    pick = others[int(_unit_hash("pick", req.body) * len(others))]
                    lps[pick] = lps[best] + 1.0
            # Normalise over the options so the numbers are proper log-probabilities.
            top = max(lps)
            log_z = top + math.log(sum(math.exp(v - top) for v in lps))
            lps = [v - log_z for v in lps]
            n_prefix = 0 if req.prefix in self._prefixes_seen else self.count_tokens(req.prefix)
            self._prefixes_seen.add(req.prefix)
            opt_tokens = tuple(self.count_tokens(o) for o in req.options)
            evaluated = n_prefix + self.count_tokens(req.body) + sum(opt_tokens)
            self.evaluated_tokens_total += evaluated
            out.append(
                base.ScoreResult(
                    logprobs=tuple(lps),
                    option_tokens=opt_tokens,
                    prompt_tokens=self.count_tokens(req.prefix + req.body),
                    evaluated_tokens=evaluated,
                )
            )
        return out

    def generate(self, requests: Sequence[base.GenerateRequest]) -> list[base.Generation]:
        out = []
        for req in requests:
            self.generate_calls += 1
            prompt = "\n".join(c for _, c in req.messages) if req.messages else req.prompt
            if self.responder is not None:
                text = self.responder(prompt)
            else:
                # Deterministic text that depends on the prompt and the seed.
                text = f"answer-{int(_unit_hash(prompt, str(req.seed)) * 1000)}"
            self.last_json_schema = req.json_schema
            words = text.split()
            cut = len(words) > req.max_tokens
            if req.json_schema is None:
                text = " ".join(words[: req.max_tokens])
            elif cut:  # verbatim up to the end of the last word kept
                ends = [m.end() for m in re.finditer(r"\S+", text)]
                text = text[: ends[req.max_tokens - 1]] if req.max_tokens > 0 else ""
            out.append(
                base.Generation(
                    text=text,
                    prompt_tokens=self.count_tokens(prompt),
                    completion_tokens=min(len(words), req.max_tokens),
                    truncated=cut,
                )
            )
        return out
