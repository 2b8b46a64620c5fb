"""Run a prompted approach over examples.

How the approach chooses its demonstrations (none, a label-balanced random set, the
nearest training examples) is its :attr:`~taskfit.approaches.Approach.demos`, looked up
in the approach registry.

Each example becomes one scoring request whose options are the labels' answers, in the
completion format (:class:`~taskfit.backends.base.ScoreRequest`) or in the model's chat
format (:class:`~taskfit.backends.base.ChatScoreRequest`). The label log-probabilities
are normalised into a probability distribution (softmax over the label sequences' total
log-probabilities). When the backend can return no log-probabilities, the answer is
generated and parsed; a failed parse predicts the most frequent training label and is
counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from taskfit import approaches as registry
from taskfit.backends.base import (
    ChatScoreRequest,
    GenerateRequest,
    LLMBackend,
    ScoreRequest,
    ScoreResult,
    Turn,
)
from taskfit.errors import BackendError, UsageError
from taskfit.learners.embed import Embedder
from taskfit.prompting.demos import balanced_random, nearest, reordered
from taskfit.tasks import get_task
from taskfit.tasks.classification.prompts import Template
from taskfit.types import Example

__all__ = ["FORMATS", "PromptOutcome", "run_prompt_approach"]

FORMATS = ("completion", "chat")

Progress = Callable[[int], None]
Request = ScoreRequest | ChatScoreRequest


@dataclass
class PromptOutcome:
    probabilities: list[list[float]]
    predictions: list[str]
    latency_ms: list[float]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    parse_failures: int = 0
    n_demo_labels: int = 0  # distinct training examples shown to the model
    notes: list[str] = field(default_factory=list)
    # "exact" (every label scored), "approximate" (top-k of the first answer token) or
    # "parsed" (generated answers, no probabilities)
    probability_kind: str = "exact"
    requests: int = 0  # model calls / HTTP requests the scoring took


def _softmax(logprobs: Sequence[float]) -> list[float]:
    a = np.asarray(logprobs, dtype=float)
    e = np.exp(a - a.max())
    return (e / e.sum()).tolist()


def _fit_text(backend: LLMBackend, text: str, budget: int) -> tuple[str, bool]:
    """Cut ``text`` to about ``budget`` tokens (keeping its start)."""
    if len(text) <= budget * 2 or backend.count_tokens(text) <= budget:
        return text, False
    cut = text
    while len(cut) > 1 and backend.count_tokens(cut) > budget:
        cut = cut[: int(len(cut) * 0.8)]
    return cut, True


@dataclass
class _Builder:
    """Builds the requests of one approach in one format."""

    backend: LLMBackend
    template: Template
    chat: bool
    n_truncated: int = 0

    def fit(self, ex: Example, budget: int) -> tuple[str, str | None]:
        text, cut = _fit_text(self.backend, ex.text, budget)
        pair = ex.text_pair
        cut2 = False
        if pair is not None:
            pair, cut2 = _fit_text(self.backend, pair, budget // 2)
        self.n_truncated += int(cut or cut2)
        return text, pair

    def shared(self, demos: Sequence[tuple[str, str | None, str]]) -> str | tuple[Turn, ...]:
        t = self.template
        return t.chat_context(demos) if self.chat else t.prefix(demos)

    def tokens(self, shared: str | tuple[Turn, ...]) -> int:
        if isinstance(shared, str):
            return self.backend.count_tokens(shared)
        return self.backend.count_tokens("\n".join(c for _, c in shared)) + 8 * len(shared)

    def request(
        self,
        shared: str | tuple[Turn, ...],
        demos: Sequence[tuple[str, str | None, str]],
        ex: tuple[str, str | None],
    ) -> Request:
        t = self.template
        if isinstance(shared, tuple):
            turns: tuple[Turn, ...] = ()
            for d in demos:
                turns += t.chat_turns(*d)
            return ChatScoreRequest(shared, (*turns, *t.chat_turns(*ex)), t.chat_options())
        shown = "".join(t.body(*d) for d in demos)
        return ScoreRequest(shared, shown + t.body(*ex), t.options())


def _demos_of(approach: str) -> str:
    try:
        a = registry.get(approach)
    except UsageError:
        raise ValueError(f"not a prompted approach: {approach}") from None
    if not a.is_prompted:
        raise ValueError(f"not a prompted approach: {approach}")
    return a.demos


def _build_requests(
    approach: str,
    b: _Builder,
    pool: Sequence[Example],
    test: Sequence[Example],
    *,
    shots: int,
    seed: int,
    embedder: Embedder | None,
    order: int = 0,
) -> tuple[list[Request], int]:
    """Scoring requests and the number of distinct demonstrations used."""
    ctx = b.backend.info().context_size
    demo_budget = max(32, (ctx // 2) // max(1, shots))
    demos_kind = _demos_of(approach)
    if demos_kind == "none":
        shared = b.shared(())
        budget = ctx - b.tokens(shared) - 64
        return [b.request(shared, (), b.fit(ex, budget)) for ex in test], 0
    if demos_kind == "random":
        demos = reordered(balanced_random(pool, shots, seed), order)
        shared = b.shared([(*b.fit(d, demo_budget), d.label) for d in demos])
        budget = ctx - b.tokens(shared) - 64
        if budget < 32:
            raise BackendError(
                f"{shots} demonstrations fill the {ctx}-token context; use fewer --shots"
            )
        return [b.request(shared, (), b.fit(ex, budget)) for ex in test], len(demos)
    if demos_kind == "knn":
        if embedder is None:
            raise BackendError(f"{approach} needs a sentence encoder")
        train = list(pool)
        emb_train = embedder.encode([e.joined for e in train])
        emb_test = embedder.encode([e.joined for e in test])
        idx = nearest(emb_train, emb_test, shots)
        shared = b.shared(())
        used: set[int] = set()
        requests = []
        for ex, row in zip(test, idx, strict=True):
            shown_demos = [(*b.fit(train[j], demo_budget), train[j].label) for j in row]
            used.update(int(j) for j in row)
            shown = b.tokens(b.shared(shown_demos)) - b.tokens(shared)
            budget = ctx - b.tokens(shared) - shown - 64
            requests.append(b.request(shared, shown_demos, b.fit(ex, budget)))
        return requests, len(used)
    raise ValueError(f"{approach}: unknown demonstrations {demos_kind!r}")


def run_prompt_approach(
    approach: str,
    backend: LLMBackend,
    pool: Sequence[Example],
    test: Sequence[Example],
    *,
    labels: Sequence[str],
    label_name: str = "label",
    descriptions: dict[str, str] | None = None,
    prompt_format: str = "completion",
    variant: str = "list",
    shots: int = 8,
    seed: int = 0,
    embedder: Embedder | None = None,
    task: str = "classification",
    batch_size: int = 8,
    progress: Progress | None = None,
    order: int = 0,
) -> PromptOutcome:
    """Predict every example of ``test`` with ``approach`` on ``backend``.

    ``pool`` is where demonstrations come from (the training examples, less any dev
    split); ``labels`` is the label space in the order of the probabilities.
    ``prompt_format`` is "completion" or "chat"; ``variant`` one of
    :data:`~taskfit.tasks.classification.prompts.VARIANTS`. ``order`` > 0 shows the few-shot
    demonstrations in another seeded order."""
    if prompt_format not in FORMATS:
        raise ValueError(f"unknown prompt format {prompt_format!r}")
    kind = get_task(task)  # the task type renders the prompt and parses answers
    template = kind.prompt.for_task(
        labels, label_name=label_name, descriptions=descriptions, variant=variant
    )
    chat = prompt_format == "chat"
    builder = _Builder(backend, template, chat)
    requests, n_demos = _build_requests(
        approach,
        builder,
        pool,
        test,
        shots=shots,
        seed=seed,
        embedder=embedder,
        order=order,
    )
    out = PromptOutcome([], [], [], n_demo_labels=n_demos)
    if builder.n_truncated:
        out.notes.append(f"{builder.n_truncated} text(s) were truncated to fit the model's context")
    can_score = backend.info().chat if chat else backend.info().prompt_logprobs
    if can_score:
        try:
            _score(requests, backend, template, out, batch_size, progress)
            return out
        except BackendError as e:
            still = backend.info().chat if chat else backend.info().prompt_logprobs
            if still:  # a real failure, not a missing capability
                raise
            what = "chat log-probabilities" if chat else "prompt log-probabilities"
            out.notes.append(f"{what} unavailable ({e}); parsed generation used")
            out.probabilities.clear()
            out.predictions.clear()
            out.latency_ms.clear()
            out.requests = 0
    elif chat:
        out.notes.append("the endpoint returns no chat log-probabilities; parsed generation used")
    majority = Counter(ex.label for ex in pool).most_common(1)[0][0]
    _generate(requests, backend, template, out, batch_size, progress, majority, kind.parse)
    return out


def _call(backend: LLMBackend, batch: Sequence[Request]) -> list[ScoreResult]:
    if batch and isinstance(batch[0], ChatScoreRequest):
        return backend.score_chat([r for r in batch if isinstance(r, ChatScoreRequest)])
    return backend.score_options([r for r in batch if isinstance(r, ScoreRequest)])


def _score(
    requests: list[Request],
    backend: LLMBackend,
    template: Template,
    out: PromptOutcome,
    batch_size: int,
    progress: Progress | None,
) -> None:
    approximate = False
    for start in range(0, len(requests), batch_size):
        results = _call(backend, requests[start : start + batch_size])
        for res in results:
            probs = _softmax(res.logprobs)
            out.probabilities.append(probs)
            out.predictions.append(template.labels[int(np.argmax(probs))])
            out.latency_ms.append(res.seconds * 1000)
            out.prompt_tokens += res.evaluated_tokens
            out.requests += res.requests
            approximate |= res.approximate
        if progress:
            progress(len(results))
    out.probability_kind = "approximate" if approximate else "exact"


def _generation(req: Request, template: Template) -> GenerateRequest:
    if isinstance(req, ChatScoreRequest):
        return GenerateRequest(
            prompt="", max_tokens=16, temperature=0.0, messages=(*req.context, *req.turns)
        )
    return GenerateRequest(
        prompt=req.prefix + req.body,
        max_tokens=16,
        temperature=0.0,
        stop=("\n",),
        system=template.generation_system(),
    )


def _generate(
    requests: list[Request],
    backend: LLMBackend,
    template: Template,
    out: PromptOutcome,
    batch_size: int,
    progress: Progress | None,
    fallback: str,
    parse: Callable[[str, Mapping[str, str]], str | None],
) -> None:
    gen = [_generation(r, template) for r in requests]
    labels = list(template.labels)
    answers = template.answers
    for start in range(0, len(gen), batch_size):
        results = backend.generate(gen[start : start + batch_size])
        for res in results:
            label = parse(res.text, answers)
            if label is None:
                out.parse_failures += 1
                label = fallback
            probs = [1.0 if lab == label else 0.0 for lab in labels]
            out.probabilities.append(probs)
            out.predictions.append(label)
            out.latency_ms.append(res.seconds * 1000)
            out.prompt_tokens += res.prompt_tokens
            out.completion_tokens += res.completion_tokens
            out.requests += 1
        if progress:
            progress(len(results))
    out.probability_kind = "parsed"
