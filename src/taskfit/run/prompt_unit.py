"""Run one prompted unit: choose its prompt on the dev split, then predict the test set.

The unit's params say how (``prompt_format``, ``dev_size``); units stored before prompt
selection existed have neither and run as they did (completion format, default wording,
no dev split). The dev split comes from the training examples
(:func:`taskfit.prompting.select.dev_split`); demonstrations come from the rest, for the
dev candidates and the test set alike, so the prompt chosen is the prompt measured.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from taskfit import approaches as registry
from taskfit.backends.base import BackendInfo, LLMBackend
from taskfit.learners.embed import Embedder
from taskfit.prompting.classify import PromptOutcome, run_prompt_approach
from taskfit.prompting.select import (
    Candidate,
    PromptChoice,
    best,
    candidates,
    describe,
    dev_split,
    score_candidate,
)
from taskfit.run.runners import UnitEnv
from taskfit.tasks import get_task
from taskfit.types import Dataset, Example, Unit, UnitResult

__all__ = ["PROMPTED", "PromptRunner", "prompt_total", "run_prompt_unit"]

Progress = Callable[[int], None]


# More labels than this make one request per label too slow to try the completion format
# on a served model whose chat format takes one request per example.
MAX_OPTION_REQUESTS = 4


def completion_costly(unit: Unit, info: BackendInfo, n_labels: int) -> bool:
    """Does ``auto`` leave the completion format out for this backend?"""
    return (
        unit.param("prompt_format") == "auto"
        and info.chat
        and info.prompt_logprobs
        and info.option_requests
        and n_labels > MAX_OPTION_REQUESTS
    )


def _plan(
    unit: Unit, backend: LLMBackend, dataset: Dataset
) -> tuple[list[PromptChoice], list[Example], list[Example]]:
    """(candidates, dev examples, demonstration pool) of a prompted unit."""
    fmt = unit.param("prompt_format")
    shots = int(unit.param("shots", 0))
    if fmt is None:  # a unit planned before prompt selection existed
        return [PromptChoice("completion", "list")], [], list(dataset.train)
    dev, pool = dev_split(dataset.train, int(unit.param("dev_size", 0)), unit.seed, keep=shots)
    info = backend.info()
    cands = candidates(
        fmt,
        chat=info.chat,
        completion=info.prompt_logprobs and not completion_costly(unit, info, len(dataset.labels)),
        selection=bool(dev),
        # an approach may narrow the wordings tried (see Approach.variants)
        variants=registry.get(unit.approach).variants or get_task(dataset.task).variants,
    )
    return cands, dev, pool


def prompt_total(unit: Unit, backend: LLMBackend, dataset: Dataset) -> int:
    """Examples the unit will score: every candidate on the dev split, then the test set."""
    cands, dev, _ = _plan(unit, backend, dataset)
    return len(unit.test_indices) + (len(cands) * len(dev) if dev else 0)


def run_prompt_unit(
    unit: Unit,
    backend: LLMBackend,
    dataset: Dataset,
    embedder: Embedder,
    progress: Progress | None = None,
) -> UnitResult:
    cands, dev, pool = _plan(unit, backend, dataset)
    made0 = getattr(backend, "calls_made", 0)
    cached0 = getattr(backend, "calls_cached", 0)
    common: dict[str, Any] = {
        "labels": dataset.labels,
        "label_name": unit.param("label_name", "label"),
        "descriptions": dict(unit.param("label_descriptions", ())),
        "shots": unit.param("shots", 0),
        "seed": unit.seed,
        "order": unit.param("order", 0),
        "embedder": embedder if registry.get(unit.approach).uses_encoder else None,
        "task": dataset.task,
        "progress": progress,
    }
    scored: list[Candidate] = []
    requests = 0
    for c in cands if dev else ():
        dev_out = run_prompt_approach(
            unit.approach,
            backend,
            pool,
            dev,
            prompt_format=c.format,
            variant=c.variant,
            **common,
        )
        requests += dev_out.requests
        scored.append(
            score_candidate(
                c,
                [e.label for e in dev],
                dev_out.predictions,
                dev_out.probabilities,
                dataset.labels,
                dev_out.probability_kind,
            )
        )
    chosen = best(scored) if scored else None
    choice = chosen.choice if chosen else cands[0]
    test = [dataset.test[i] for i in unit.test_indices]
    out = run_prompt_approach(
        unit.approach,
        backend,
        pool,
        test,
        prompt_format=choice.format,
        variant=choice.variant,
        **common,
    )
    notes = list(out.notes)
    if completion_costly(unit, backend.info(), len(dataset.labels)):
        notes.append(
            "the completion format was not tried: this endpoint scores it with one request per "
            f"label ({len(dataset.labels)} per example) where its chat format takes one; "
            "--prompt-format completion forces it"
        )
    if chosen is not None:
        notes.append(
            f"prompt chosen on a dev split of {len(dev)} training examples: {choice.id} "
            f"({describe(choice)}), dev accuracy {chosen.accuracy:.3f} among "
            f"{len(scored)} candidates"
        )
    return UnitResult(
        unit_key=unit.key,
        name=unit.name,
        family=unit.family,
        model=unit.model,
        labels=dataset.labels,
        test_indices=unit.test_indices,
        predictions=tuple(out.predictions),
        probabilities=tuple(tuple(p) for p in out.probabilities),
        latency_ms=tuple(out.latency_ms),
        n_train_labels=out.n_demo_labels + len(dev),
        train_seconds=0.0,
        prompt_tokens=out.prompt_tokens,
        completion_tokens=out.completion_tokens,
        parse_failures=out.parse_failures,
        llm_calls_made=getattr(backend, "calls_made", 0) - made0,
        llm_calls_cached=getattr(backend, "calls_cached", 0) - cached0,
        notes=tuple(notes),
        prompting=_record(choice, chosen, scored, dev, out, requests),
    )


def _record(
    choice: PromptChoice,
    chosen: Candidate | None,
    scored: list[Candidate],
    dev: list[Example],
    out: PromptOutcome,
    dev_requests: int,
) -> dict[str, Any]:
    """How the prompt was chosen, for the results' ``prompting`` section."""
    return {
        "format": choice.format,
        "variant": choice.variant,
        "description": describe(choice),
        "selected_on_dev": chosen is not None,
        "candidates": [c.to_json() for c in scored],
        "dev_n": len(dev),
        "dev_labels": [e.label for e in dev],
        "dev_probabilities": [list(p) for p in chosen.probabilities] if chosen else [],
        "probabilities": out.probability_kind,
        "requests": out.requests,
        "dev_requests": dev_requests,
    }


class PromptRunner:
    """The :class:`~taskfit.run.runners.UnitRunner` of prompted classification units."""

    def total(self, unit: Unit, env: UnitEnv) -> int:
        return prompt_total(unit, env.backend(unit.model), env.dataset)

    def run(self, unit: Unit, env: UnitEnv) -> UnitResult:
        backend = env.backend(unit.model)
        return run_prompt_unit(unit, backend, env.dataset, env.embedder, env.progress)


PROMPTED = PromptRunner()
