"""Run a prompted approach (zero-shot, few-shot, few-shot-knn) over test examples.

Each test example becomes one :class:`~taskfit.backends.base.ScoreRequest` whose options
are the verbalised labels; the label log-probabilities are normalised into a probability
distribution (softmax over the label sequences' total log-probabilities). When the
backend cannot return prompt log-probabilities, the answer is generated and parsed; a
failed parse predicts the most frequent training label and is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from taskfit.backends.base import GenerateRequest, LLMBackend, ScoreRequest
from taskfit.errors import BackendError
from taskfit.learners.embed import Embedder
from taskfit.prompting.demos import balanced_random, nearest, reordered
from taskfit.prompting.parse import parse_label
from taskfit.prompting.templates import Template
from taskfit.types import Dataset, Example

__all__ = ["PROMPT_APPROACHES", "PromptOutcome", "run_prompt_approach"]

PROMPT_APPROACHES = ("zero-shot", "few-shot", "few-shot-knn")

Progress = Callable[[int], None]


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


def _build_requests(
    approach: str,
    backend: LLMBackend,
    template: Template,
    dataset: Dataset,
    test: Sequence[Example],
    *,
    shots: int,
    seed: int,
    embedder: Embedder | None,
    order: int = 0,
) -> tuple[list[ScoreRequest], int, int]:
    """Score requests, the number of demonstrations used, and texts truncated."""
    options = template.options()
    ctx = backend.info().context_size
    n_truncated = 0

    def fit(ex: Example, budget: int) -> tuple[str, str | None]:
        nonlocal n_truncated
        text, cut = _fit_text(backend, ex.text, budget)
        pair = ex.text_pair
        cut2 = False
        if pair is not None:
            pair, cut2 = _fit_text(backend, pair, budget // 2)
        n_truncated += int(cut or cut2)
        return text, pair

    if approach == "zero-shot":
        prefix = template.prefix()
        budget = ctx - backend.count_tokens(prefix) - 64
        bodies = [template.body(*fit(ex, budget)) for ex in test]
        return [ScoreRequest(prefix, b, options) for b in bodies], 0, n_truncated
    if approach == "few-shot":
        demos = reordered(balanced_random(dataset.train, shots, seed), order)
        demo_budget = max(32, (ctx // 2) // max(1, shots))
        prefix = template.prefix([(*fit(d, demo_budget), d.label) for d in demos])
        budget = ctx - backend.count_tokens(prefix) - 64
        if budget < 32:
            raise BackendError(
                f"{shots} demonstrations fill the {ctx}-token context; use fewer --shots"
            )
        bodies = [template.body(*fit(ex, budget)) for ex in test]
        return [ScoreRequest(prefix, b, options) for b in bodies], len(demos), n_truncated
    if approach == "few-shot-knn":
        if embedder is None:
            raise BackendError("few-shot-knn needs a sentence encoder")
        train = list(dataset.train)
        emb_train = embedder.encode([e.joined for e in train])
        emb_test = embedder.encode([e.joined for e in test])
        idx = nearest(emb_train, emb_test, shots)
        prefix = template.prefix()
        demo_budget = max(32, (ctx // 2) // max(1, shots))
        used: set[int] = set()
        requests = []
        for ex, row in zip(test, idx, strict=True):
            shown = "".join(template.body(*fit(train[j], demo_budget), train[j].label) for j in row)
            used.update(int(j) for j in row)
            budget = ctx - backend.count_tokens(prefix + shown) - 64
            requests.append(ScoreRequest(prefix, shown + template.body(*fit(ex, budget)), options))
        return requests, len(used), n_truncated
    raise ValueError(f"not a prompted approach: {approach}")


def run_prompt_approach(
    approach: str,
    backend: LLMBackend,
    dataset: Dataset,
    test: Sequence[Example],
    *,
    label_name: str = "label",
    descriptions: dict[str, str] | None = None,
    shots: int = 8,
    seed: int = 0,
    embedder: Embedder | None = None,
    batch_size: int = 8,
    progress: Progress | None = None,
    order: int = 0,
) -> PromptOutcome:
    """Predict every example of ``test`` with ``approach`` on ``backend``.

    ``order`` > 0 shows the few-shot demonstrations in another seeded order."""
    template = Template.for_task(dataset.labels, label_name=label_name, descriptions=descriptions)
    requests, n_demos, n_trunc = _build_requests(
        approach,
        backend,
        template,
        dataset,
        test,
        shots=shots,
        seed=seed,
        embedder=embedder,
        order=order,
    )
    out = PromptOutcome([], [], [], n_demo_labels=n_demos)
    if n_trunc:
        out.notes.append(f"{n_trunc} text(s) were truncated to fit the model's context")
    if backend.info().prompt_logprobs:
        try:
            _score(requests, backend, template, out, batch_size, progress)
            return out
        except BackendError as e:
            if backend.info().prompt_logprobs:  # a real failure, not a missing capability
                raise
            out.notes.append(f"prompt log-probabilities unavailable ({e}); parsed generation used")
            out.probabilities.clear()
            out.predictions.clear()
            out.latency_ms.clear()
    majority = Counter(ex.label for ex in dataset.train).most_common(1)[0][0]
    _generate(requests, backend, template, out, batch_size, progress, majority)
    return out


def _score(
    requests: list[ScoreRequest],
    backend: LLMBackend,
    template: Template,
    out: PromptOutcome,
    batch_size: int,
    progress: Progress | None,
) -> None:
    for start in range(0, len(requests), batch_size):
        results = backend.score_options(requests[start : start + batch_size])
        for res in results:
            probs = _softmax(res.logprobs)
            out.probabilities.append(probs)
            out.predictions.append(template.labels[int(np.argmax(probs))])
            out.latency_ms.append(res.seconds * 1000)
            out.prompt_tokens += res.evaluated_tokens
        if progress:
            progress(len(results))


def _generate(
    requests: list[ScoreRequest],
    backend: LLMBackend,
    template: Template,
    out: PromptOutcome,
    batch_size: int,
    progress: Progress | None,
    fallback: str,
) -> None:
    gen = [
        GenerateRequest(
            prompt=r.prefix + r.body,
            max_tokens=16,
            temperature=0.0,
            stop=("\n",),
            system=template.generation_system(),
        )
        for r in requests
    ]
    labels = list(template.labels)
    for start in range(0, len(gen), batch_size):
        results = backend.generate(gen[start : start + batch_size])
        for res in results:
            label = parse_label(res.text, template.verbal)
            if label is None:
                out.parse_failures += 1
                label = fallback
            probs = [1.0 if lab == label else 0.0 for lab in labels]
            out.probabilities.append(probs)
            out.predictions.append(label)
            out.latency_ms.append(res.seconds * 1000)
            out.prompt_tokens += res.prompt_tokens
            out.completion_tokens += res.completion_tokens
        if progress:
            progress(len(results))
