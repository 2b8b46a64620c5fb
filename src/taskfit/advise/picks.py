"""What to run to test the advice: ``taskfit compare`` approaches and catalog models.

What: :func:`approaches_for` chooses the compare approaches worth running from the facts;
:func:`pick_models` chooses a few catalog entries for one side (``"prompt"``: decoder-only
LLMs; ``"finetune"``: small encoders or encoder-decoders) under the deployment
constraints; :func:`instruction_tuned_small` lists small instruction-tuned decoders to
fine-tune (the blog's advice with enough labels and a limited budget).

Why: a prior is only useful when it gets tested. Both sides are always proposed for
text-to-label tasks, so a measurement can overturn the flows; models come with the taskfit
spec that runs them when there is one.

Model choice: for a low-resource language, multilingual models come first. Fine-tune side:
encoders (encoder-decoders for generation tasks), those runnable as is (a ``spec``) first,
then the newest and smallest. Prompt side: up to half API models (runnable ones first,
dropped when the data must stay on the premises), the rest open-weights LLMs that fit the
hardware (a laptop CPU for ``hardware: cpu``, else at most :data:`SINGLE_GPU_MAX_PARAMS_B`
billion parameters), newest and largest first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

from taskfit import approaches as registry
from taskfit.advise.card import Deployment
from taskfit.advise.catalog import ModelEntry, filter_models
from taskfit.advise.facts import Fact
from taskfit.approaches.registry import computed_names

__all__ = [
    "APPROACHES",
    "FINETUNE_SIDE",
    "LABEL_TASKS",
    "MODELS_PER_SIDE",
    "PROMPT_SIDE",
    "SINGLE_GPU_MAX_PARAMS_B",
    "approaches_for",
    "instruction_tuned_small",
    "model_json",
    "pick_models",
]

Side = Literal["prompt", "finetune"]


def _every() -> tuple[str, ...]:
    # the flows weigh classification approaches
    return registry.prompt_names("classification") + registry.learner_names("classification")


# The two sides of the comparison the flows weigh (classification), from the approach
# registry's families (prompted; fine-tuned and baselines), computed when read so
# registered plugins are included.
# Declared for type checkers and linters; the values come from __getattr__.
PROMPT_SIDE: tuple[str, ...]
FINETUNE_SIDE: tuple[str, ...]
APPROACHES: tuple[str, ...]

__getattr__ = computed_names(
    __name__,
    PROMPT_SIDE=lambda: registry.prompt_names("classification"),
    FINETUNE_SIDE=lambda: registry.learner_names("classification"),
    APPROACHES=_every,
)


# Task types ``taskfit compare`` can measure: one text (or pair) in, one label out.
LABEL_TASKS = frozenset({"classification", "nli", "regression"})
MODELS_PER_SIDE = 4
# Largest open-weights LLM proposed without ``hardware: cpu``: about what one large GPU
# serves (16-bit up to ~30B on 80 GB; quantised on 24-48 GB).
SINGLE_GPU_MAX_PARAMS_B = 32.0


def _true(facts: Mapping[str, Fact], name: str) -> bool:
    fact = facts.get(name)
    return fact is not None and fact.value


def approaches_for(task_type: str, facts: Mapping[str, Fact]) -> tuple[tuple[str, ...], str]:
    """(approaches, why): compare approaches worth running, most telling first.

    - regression-like target: no prompted approach (the flows send it to fine-tuning, and
      the prompted approaches predict labels, not numbers);
    - few labels: zero-shot, few-shot, SetFit (built for few labels) and the baselines;
    - enough labels: the fine-tuned side first, then kNN-selected few-shot and zero-shot
      so the LLM side is still measured;
    - other task types: every registered approach that supports them (generation,
      reasoning), or none when none does (QA, NER, ...).
    """
    if _true(facts, "regression_like"):
        return (
            ("majority", "tfidf-lr", "encoder-lr"),
            "regression-like target: fine-tuned side only, against the majority baseline",
        )
    if task_type not in LABEL_TASKS:
        supported = registry.names(task=task_type)
        if supported:
            return supported, f"every approach that measures {task_type} tasks"
        return (), f"taskfit compare measures text-to-label tasks, not {task_type}"
    if _true(facts, "few_labels"):
        return (
            ("zero-shot", "few-shot", "setfit", "majority", "tfidf-lr"),
            "few labels: in-context learning against SetFit and the baselines",
        )
    return (
        ("tfidf-lr", "encoder-lr", "setfit", "few-shot-knn", "zero-shot", "majority"),
        "enough labels: fine-tuned models against kNN few-shot and zero-shot prompting",
    )


def _rank(
    entries: Iterable[ModelEntry],
    key: Callable[[ModelEntry], Any],
    *,
    multilingual_first: bool,
    runnable_first: bool = True,
) -> list[ModelEntry]:
    def full(e: ModelEntry) -> tuple[Any, ...]:
        multilingual = "multilingual" in e.notes.casefold()
        return (multilingual_first and not multilingual, runnable_first and e.spec is None, key(e))

    return sorted(entries, key=full)  # stable: catalog order breaks ties


def pick_models(
    catalog: Sequence[ModelEntry],
    side: Side,
    *,
    deployment: Deployment,
    facts: Mapping[str, Fact],
    task_type: str,
    k: int = MODELS_PER_SIDE,
) -> tuple[ModelEntry, ...]:
    """Up to ``k`` catalog entries for one side, allowed by ``deployment``."""
    multilingual = _true(facts, "low_resource_language")
    cpu = deployment.hardware == "cpu"
    if side == "finetune":
        label_like = task_type in LABEL_TASKS or task_type in ("ner", "qa")
        arch = "encoder-only" if label_like else "encoder-decoder"
        pool = filter_models(catalog, use="finetune", architecture=arch, cpu_only=cpu)
        ranked = _rank(pool, lambda e: (-e.year, e.params_b), multilingual_first=multilingual)
        return tuple(ranked[:k])
    pool = filter_models(catalog, use="prompt", architecture="decoder-only")
    fits_cpu = set(filter_models(pool, cpu_only=True))

    def allowed(e: ModelEntry) -> bool:
        if not e.open_weights:  # an API: nothing to host, but the data leave the premises
            return not deployment.on_prem
        if cpu:
            return e in fits_cpu
        return 0 < e.params_b <= SINGLE_GPU_MAX_PARAMS_B

    ok = [e for e in pool if allowed(e)]
    api = _rank(
        (e for e in ok if not e.open_weights), lambda e: -e.year, multilingual_first=multilingual
    )
    # Local LLMs: the newest and largest that fit, runnable or not (the one runnable as is,
    # SmolLM2-135M, is a smoke-test model and would only take a slot).
    local = _rank(
        (e for e in ok if e.open_weights and e.backends),
        lambda e: (-e.year, -e.params_b),
        multilingual_first=multilingual,
        runnable_first=False,
    )
    # Half from each kind when both exist, so a local option is always shown.
    picks = api[: k // 2] + local[: k - min(len(api), k // 2)]
    if len(picks) < k:
        picks += [e for e in api if e not in picks][: k - len(picks)]
    return tuple(picks[:k])


def instruction_tuned_small(
    catalog: Sequence[ModelEntry], *, deployment: Deployment, k: int = 3
) -> tuple[ModelEntry, ...]:
    """Small instruction-tuned decoders listed as fine-tuning targets, smallest newest first."""
    pool = filter_models(
        catalog, use="finetune", architecture="decoder-only", cpu_only=deployment.hardware == "cpu"
    )
    return tuple(sorted(pool, key=lambda e: (-e.year, e.params_b))[:k])


def model_json(entry: ModelEntry, side: str) -> dict[str, Any]:
    """A catalog entry as the advice shows it, with how to run it in taskfit."""
    if entry.spec is not None:
        run = f"--encoder {entry.spec}" if side == "finetune" else f"--llm {entry.spec}"
    else:
        run = entry.notes or "needs a local file or a server"
    return {
        "name": entry.name,
        "spec": entry.spec,
        "architecture": entry.architecture,
        "params_b": entry.params_b,
        "context": entry.context,
        "licence": entry.licence,
        "open_weights": entry.open_weights,
        "year": entry.year,
        "run": run,
    }
