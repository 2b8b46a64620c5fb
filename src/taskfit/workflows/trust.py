"""The trust stage of `compare`: calibration, robustness, OOD, shortcuts, selective
prediction and group slices, measured for every approach on the same examples.

It runs after the headline units, with the same executor (store, encoder, caches):
each measure that needs new predictions derives a dataset (:mod:`taskfit.run.variants`),
moves the headline units onto it (:mod:`taskfit.run.trust_plan`) and runs them; the
sections are scored by :mod:`taskfit.metrics.trust`. A killed run resumes from the
store like any other, and unchanged texts are served from the caches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskfit.data.ood_split import assign_to_kept, cluster_holdout
from taskfit.data.perturb import DESCRIPTIONS, PERTURBATIONS, export_perturbed
from taskfit.data.shortcuts import top_tokens
from taskfit.metrics import trust as sections
from taskfit.prompting.demos import balanced_random, reordered
from taskfit.run.execute import Executor
from taskfit.run.trust_plan import TrustOptions, group_holdout, order_units, units_for
from taskfit.run.variants import (
    Variant,
    content_free_variant,
    dev_variant,
    holdout_variant,
    masked_variant,
    ood_file_variant,
    perturbed_variant,
)
from taskfit.types import Dataset, EvidenceSet, Example, Unit, UnitResult

__all__ = ["TrustOutcome", "run_trust"]


@dataclass
class TrustOutcome:
    """The results.json sections, notes for the user, and the evidence sets (per-example
    correctness out of distribution and on perturbed inputs) the recommendation weighs."""

    sections: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    evidence: list[EvidenceSet] = field(default_factory=list)


def _correct(
    dataset: Dataset, results: Mapping[str, UnitResult], keep: Callable[[int], bool], tag: str = ""
) -> dict[str, dict[Any, bool]]:
    """name -> {(tag, test index): right?} over the kept test examples of each result."""
    out: dict[str, dict[Any, bool]] = {}
    for name, r in results.items():
        rows = {
            (tag, i): dataset.test[i].label == p
            for i, p in zip(r.test_indices, r.predictions, strict=True)
            if keep(i)
        }
        if rows:
            out[name] = rows
    return out


def _run(
    executor: Executor, variant: Variant, units: Sequence[Unit], label: str
) -> dict[str, UnitResult]:
    if not units:
        return {}
    executor.hook.stage(f"trust: {label}")
    results = executor.for_dataset(variant.dataset).run(units)
    return {r.name: r for r in results}


def run_trust(
    executor: Executor,
    dataset: Dataset,
    headline_units: Sequence[Unit],
    headline: Sequence[UnitResult],
    opts: TrustOptions,
    *,
    seed: int = 0,
    ood_examples: Sequence[Example] = (),
    ood_source: str = "",
) -> TrustOutcome:
    """Run the trust measures named in ``opts.measures``; see the module docstring."""
    out = TrustOutcome()
    if executor.fitted is None:
        executor.fitted = {}  # learners fitted once, reused on every derived test set
    cap = opts.llm_max_test
    if opts.on("calibration"):
        out.sections["calibration"] = _calibration(
            executor, dataset, headline_units, headline, opts
        )
    if opts.on("robustness"):
        out.sections["robustness"], robust = _robustness(
            executor, dataset, headline_units, headline, opts
        )
        out.evidence.append(robust)
    if opts.on("ood"):
        variant, notes = _ood_variant(executor, dataset, opts, ood_examples, ood_source, seed)
        out.notes += notes
        if variant is not None:
            res = _run(
                executor,
                variant,
                units_for(variant, headline_units, llm_max_test=cap, seed=seed),
                "out-of-distribution",
            )
            source = _source(opts, ood_source)
            headline_res = {r.name: res[r.name] for r in headline if r.name in res}
            out.evidence.append(
                EvidenceSet(
                    "ood",
                    f"out of distribution ({source})",
                    _correct(variant.dataset, headline_res, lambda i: i >= variant.n_id),
                )
            )
            out.sections["ood"] = sections.ood_section(
                variant.dataset,
                variant.n_id,
                [res[r.name] for r in headline if r.name in res],
                source=source,
                notes=(*variant.notes, *notes),
                seed=seed,
            )
    if opts.on("shortcuts"):
        out.sections["shortcuts"] = _shortcuts(
            executor, dataset, headline_units, headline, opts, seed
        )
    if opts.on("selective"):
        out.sections["selective"] = sections.selective_section(
            dataset, headline, target=opts.target_accuracy
        )
    if opts.on("groups"):
        if opts.group_col and any(e.group is not None for e in dataset.test):
            out.sections["groups"] = sections.groups_section(
                dataset, headline, opts.group_col, seed=seed
            )
        else:
            out.notes.append("group slices need --group-col; skipped")
    executor.fitted.clear()
    return out


def _source(opts: TrustOptions, ood_source: str) -> str:
    if ood_source:
        return f"file:{ood_source}"
    if opts.group_col:
        return f"group:{opts.group_col}"
    return "clusters"


def _calibration(
    executor: Executor,
    dataset: Dataset,
    units: Sequence[Unit],
    headline: Sequence[UnitResult],
    opts: TrustOptions,
) -> dict[str, Any]:
    seed = units[0].seed if units else 0
    dev = dev_variant(dataset, share=opts.dev_share, seed=seed)
    dev_res = _run(
        executor, dev, units_for(dev, units, llm_max_test=opts.llm_max_test, seed=seed), "dev split"
    )
    cf = content_free_variant(dataset)
    cf_units = units_for(cf, units, llm_max_test=None, seed=seed, families=("prompt",))
    cf_res = _run(executor, cf, cf_units, "content-free inputs")
    return sections.calibration_section(
        dataset, headline, dev_res, dev.dataset, cf_res, n_bins=opts.n_bins
    )


def _robustness(
    executor: Executor,
    dataset: Dataset,
    units: Sequence[Unit],
    headline: Sequence[UnitResult],
    opts: TrustOptions,
) -> tuple[dict[str, Any], EvidenceSet]:
    kinds = opts.perturbations or PERTURBATIONS
    seed = opts.perturb_seed
    perturbed: dict[str, tuple[Sequence[bool], Mapping[str, UnitResult]]] = {}
    export: list[tuple[str, int, Example, Example]] = []
    for kind in kinds:
        v = perturbed_variant(dataset, kind, seed=seed)
        run_seed = units[0].seed if units else 0
        res = _run(
            executor, v, units_for(v, units, llm_max_test=opts.llm_max_test, seed=run_seed), kind
        )
        perturbed[kind] = (v.changed, res)
        export += [
            (kind, i, a, b)
            for i, (a, b) in enumerate(zip(dataset.test, v.dataset.test, strict=True))
        ]
    section = sections.robustness_section(dataset, headline, perturbed, DESCRIPTIONS, seed=seed)
    names = {r.name for r in headline}
    correct: dict[str, dict[Any, bool]] = {}
    for kind, (flags, by_name) in perturbed.items():
        kept = {n: r for n, r in by_name.items() if n in names}
        for name, rows in _correct(dataset, kept, flags.__getitem__, kind).items():
            correct.setdefault(name, {}).update(rows)
    section["n_changed"] = {k: sum(ch) for k, (ch, _) in perturbed.items()}
    section["exported"] = None
    if opts.export_perturbed:
        export_perturbed(Path(opts.export_perturbed), export)
        section["exported"] = opts.export_perturbed
    label = f"on perturbed inputs ({', '.join(kinds)})"
    return section, EvidenceSet("robustness", label, correct)


def _ood_variant(
    executor: Executor,
    dataset: Dataset,
    opts: TrustOptions,
    ood_examples: Sequence[Example],
    ood_source: str,
    seed: int,
) -> tuple[Variant | None, tuple[str, ...]]:
    """An OOD file, else a group split, else a split by held-out clusters."""
    if ood_examples:
        return ood_file_variant(dataset, ood_examples, ood_source), ()
    if opts.group_col:
        return group_holdout(dataset, opts.group_col, opts.ood_share)
    executor.hook.stage("trust: clustering the training data")
    train_emb = executor.embedder.encode([e.joined for e in dataset.train])
    try:
        split = cluster_holdout(
            train_emb, [e.label for e in dataset.train], share=opts.ood_share, seed=seed
        )
    except ValueError as e:
        return None, (f"no automatic OOD split: {e}",)
    if not split.held_out:
        return None, split.notes
    test_emb = executor.embedder.encode([e.joined for e in dataset.test])
    kept = assign_to_kept(test_emb, split, train_emb)
    id_test = [i for i, k in enumerate(kept) if k]
    held_test = [i for i, k in enumerate(kept) if not k]
    note = (
        f"held out {len(split.clusters_held_out)} of {split.k} k-means clusters of the training "
        f"embeddings ({len(split.held_out)} train rows, {len(held_test)} test rows)"
    )
    return (
        holdout_variant(dataset, "ood", split.held_out, id_test, held_test, (note, *split.notes)),
        (),
    )


def _shortcuts(
    executor: Executor,
    dataset: Dataset,
    units: Sequence[Unit],
    headline: Sequence[UnitResult],
    opts: TrustOptions,
    seed: int,
) -> dict[str, Any]:
    tokens = top_tokens(dataset.train, k=opts.shortcut_tokens)
    masked_tokens = sorted({t.token for scores in tokens.values() for t in scores})
    section: dict[str, Any] = {
        "tokens": {lab: [t.to_json() for t in ts] for lab, ts in sorted(tokens.items())},
        "masked_tokens": masked_tokens,
        "masked": [],
        "prompt_bias": [],
    }
    if masked_tokens:
        v = masked_variant(dataset, masked_tokens)
        res = _run(
            executor,
            v,
            units_for(v, units, llm_max_test=None, seed=seed, families=("finetune", "baseline")),
            "masked shortcut tokens",
        )
        section["n_changed"] = sum(v.changed)
        section["masked"] = sections.masked_scores(dataset, headline, v.changed, res, seed=seed)
    extra = order_units(
        units, dataset, n_orders=opts.n_orders, max_test=opts.bias_max_test, seed=seed
    )
    orders: dict[str, tuple[list[UnitResult], list[str]]] = {}
    if extra:
        executor.hook.stage("trust: demonstration orders")
        for u, r in zip(extra, executor.run(extra), strict=True):
            demos = balanced_random(dataset.train, int(u.param("shots", 0)), u.seed)
            entry = orders.setdefault(r.name, ([], [reordered(demos, 0)[-1].label]))
            entry[0].append(r)
            entry[1].append(reordered(demos, int(u.param("order", 0)))[-1].label)
    section["prompt_bias"] = sections.prompt_bias(dataset, headline, orders)
    return section
