"""Planning: turn options into a list of pure, hashable units.

A unit is one approach x model x test sample x seed. Planning does no work and
touches no model, so a plan can be printed, cached, or shipped to any executor.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from taskfit import approaches as registry
from taskfit.approaches.registry import computed_names
from taskfit.backends import LLMSpec
from taskfit.errors import UsageError
from taskfit.types import Dataset, Example, Unit

__all__ = [
    "DEFAULT_APPROACHES",
    "FINETUNE_APPROACHES",
    "PROMPT_APPROACHES",
    "PlanOptions",
    "default_approaches",
    "learner_unit",
    "model_names",
    "parse_approaches",
    "plan_units",
    "prompt_unit",
    "strata",
    "stratified_sample",
]


def default_approaches() -> tuple[str, ...]:
    """What ``taskfit compare`` runs when no approach is named (and the advice names none)."""
    return registry.defaults("compare")


# Names kept for callers of the first version, which ran classification only: each is
# computed from the approach registry when read, for classification
# (:mod:`taskfit.approaches` has the API: ``names``, ``defaults``, ``get``).
# Declared for type checkers and linters; the values come from __getattr__.
PROMPT_APPROACHES: tuple[str, ...]
FINETUNE_APPROACHES: tuple[str, ...]
DEFAULT_APPROACHES: tuple[str, ...]

__getattr__ = computed_names(
    __name__,
    PROMPT_APPROACHES=lambda: registry.prompt_names("classification"),
    # fine-tuned approaches and baselines
    FINETUNE_APPROACHES=lambda: registry.learner_names("classification"),
    DEFAULT_APPROACHES=lambda: registry.defaults("compare", task="classification"),
)


@dataclass(frozen=True)
class PlanOptions:
    approaches: tuple[str, ...] = field(default_factory=default_approaches)
    llms: tuple[LLMSpec, ...] = ()
    encoder: str = "minilm"
    shots: int = 8
    max_test: int | None = None  # cap on test examples for prompted approaches
    seed: int = 0
    setfit_per_class: int = 16
    setfit_max_pairs: int = 640
    label_name: str = "label"
    # Optional label -> description, shown in prompts; part of the unit key.
    label_descriptions: tuple[tuple[str, str], ...] = ()
    # How prompted approaches get their prompt: "auto" (chosen on the dev split among
    # both formats), "chat" or "completion"; dev_size training examples are held out to
    # choose it (0: no selection, the default prompt of the format).
    prompt_format: str = "auto"
    dev_size: int = 64
    # Self-consistency: chains sampled per question, at this temperature.
    samples: int = 5
    temperature: float = 0.7
    # QA with retrieval: passages per question, the fine-tuned reader's retriever.
    top_k: int = 3
    retriever: str = "hybrid"


def parse_approaches(text: str | Sequence[str]) -> tuple[str, ...]:
    """Split and validate ``a,b,c`` against the registry; unknown names list the valid ones."""
    items = [text] if isinstance(text, str) else list(text)
    names = [n.strip() for item in items for n in item.split(",") if n.strip()]
    valid = registry.names()
    bad = [n for n in names if n not in valid]
    if bad:
        raise UsageError(f"unknown approach {bad[0]!r}; valid approaches: {', '.join(valid)}")
    if not names:
        raise UsageError(f"no approach given; valid approaches: {', '.join(valid)}")
    return tuple(dict.fromkeys(names))


def stratified_sample(labels: Sequence[str], n: int | None, seed: int) -> tuple[int, ...]:
    """At most ``n`` indices keeping label proportions (largest remainder), sorted."""
    if n is None or n >= len(labels):
        return tuple(range(len(labels)))
    if n <= 0:
        raise UsageError("--max-test must be a positive number")
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        by_label[lab].append(i)
    total = len(labels)
    quotas = {lab: n * len(ix) / total for lab, ix in by_label.items()}
    take = {lab: int(q) for lab, q in quotas.items()}
    left = n - sum(take.values())
    for lab in sorted(quotas, key=lambda k: (-(quotas[k] - take[k]), k))[:left]:
        take[lab] += 1
    rng = random.Random(seed)
    picked: list[int] = []
    for lab in sorted(by_label):
        picked.extend(rng.sample(by_label[lab], take[lab]))
    return tuple(sorted(picked))


def strata(examples: Sequence[Example], dataset: Dataset) -> list[str]:
    """What samples of ``examples`` keep the proportions of: their labels when the data
    has a label space, else nothing (one stratum: a seeded random sample)."""
    return [e.target if dataset.labels else "" for e in examples]


def _short(spec: LLMSpec) -> str:
    # the scripted test backend keeps its plain name: "zero-shot@fake", not "@fake-fake"
    return "fake" if spec.canonical == "fake" else spec.short


def _url_parts(spec: LLMSpec) -> tuple[str, str]:
    """An endpoint's host[:port] and path, never its credentials or query; ("", "")
    without a URL or with one that cannot be parsed."""
    if not spec.base_url:
        return "", ""
    try:
        parts = urlsplit(spec.base_url)
    except ValueError:
        return "", ""
    return parts.netloc.rsplit("@", 1)[-1], parts.path.rstrip("/")


def _host(spec: LLMSpec) -> str:
    return _url_parts(spec)[0]


def _endpoint(spec: LLMSpec) -> str:
    host, path = _url_parts(spec)
    return host + path if host else ""


def model_names(specs: Sequence[LLMSpec]) -> dict[str, str]:
    """Canonical spec -> the short name approach names show, distinct for distinct specs.

    A spec shows its model's short name (a GGUF file's stem, an endpoint's model id,
    ``smollm2``, ``fake``). Specs that share one are told apart: endpoints by their
    host (``m@host:port``, then ``m@host:port/path``), anything left by a number in
    the order given (``model``, ``model-2``).

    >>> from taskfit.backends import parse_spec
    >>> specs = ["gguf:/a/model.gguf", "openai:m@http://h1:8000/v1", "openai:m@http://h2/v1"]
    >>> sorted(model_names([parse_spec(s) for s in specs]).values())
    ['m@h1:8000', 'm@h2', 'model']
    """
    unique = list({s.canonical: s for s in specs}.values())
    names = {s.canonical: _short(s) for s in unique}
    for qualify in (_host, _endpoint):
        counts = Counter(names.values())
        for s in unique:
            name = names[s.canonical]
            if counts[name] > 1 and qualify(s):
                names[s.canonical] = f"{_short(s)}@{qualify(s)}"
    taken: set[str] = set()
    counts = Counter(names.values())
    for s in unique:
        name = base = names[s.canonical]
        k = 1
        while name in taken or (k > 1 and name in counts):
            k += 1
            name = f"{base}-{k}"
        taken.add(name)
        names[s.canonical] = name
    return names


def plan_units(dataset: Dataset, opts: PlanOptions) -> list[Unit]:
    """Every unit of a comparison, prompted approaches first (they share a backend)."""
    all_idx = tuple(range(len(dataset.test)))
    llm_idx = stratified_sample(strata(dataset.test, dataset), opts.max_test, opts.seed)
    chosen = [registry.get(a) for a in opts.approaches]
    units = [
        prompt_unit(a.name, spec, dataset, llm_idx, opts.seed, opts)
        for spec in opts.llms
        for a in chosen
        if a.is_prompted
    ]
    units += [
        learner_unit(a.name, dataset, all_idx, opts.seed, opts) for a in chosen if a.is_learner
    ]
    return units


def prompt_unit(
    approach: str,
    spec: LLMSpec,
    dataset: Dataset,
    test_indices: tuple[int, ...],
    seed: int,
    opts: PlanOptions,
) -> Unit:
    """One prompted approach on one LLM; the seed picks few-shot demonstrations.

    Its name shows the model's short name, told apart from the other LLMs of
    ``opts.llms`` (:func:`model_names`)."""
    a = registry.get(approach)
    if not a.is_prompted:
        raise UsageError(f"{approach!r} is not a prompted approach")
    params: list[tuple[str, Any]] = [
        ("label_name", opts.label_name),
        ("prompt_format", opts.prompt_format),
        ("dev_size", opts.dev_size),
    ]
    if opts.label_descriptions:
        params.append(("label_descriptions", opts.label_descriptions))
    if a.uses_shots:
        params.append(("shots", opts.shots))
    if a.uses_encoder:
        params.append(("encoder", opts.encoder))
    params += a.extra_params(opts)
    names = model_names((*opts.llms, spec))
    return Unit(
        approach,
        "prompt",
        spec.canonical,  # the full spec: the key, results' "model" and the backend use it
        dataset.data_hash,
        test_indices,
        seed,
        tuple(params),
        alias=names[spec.canonical],
    )


def learner_unit(
    approach: str,
    dataset: Dataset,
    test_indices: tuple[int, ...],
    seed: int,
    opts: PlanOptions,
    extra: tuple[tuple[str, Any], ...] = (),
    *,
    swept: bool = False,
) -> Unit:
    """One fine-tuned approach or baseline; ``extra`` adds e.g. a label budget.

    ``swept``: a point of a label-budget curve (its budget is the training cap). An
    approach that needs the encoder has the encoder as its model."""
    a = registry.get(approach)
    if not a.is_learner:
        raise UsageError(f"{approach!r} is a prompted approach, not a learner")
    model = opts.encoder if a.uses_encoder else ""
    return Unit(
        approach,
        a.family,
        model,
        dataset.data_hash,
        test_indices,
        seed,
        (*a.extra_params(opts, swept=swept), *extra),
    )
