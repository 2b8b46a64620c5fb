"""The profile stage: ``Dataset -> Profile`` (measured facts about the user's data).

Every section is measured, never asked: label counts and balance, text lengths against
each candidate model's context window, exact and near duplicates and train/test leakage,
a train-vs-test shift score with a permutation null (and the same for an OOD test set),
the language mix, PII indicators, likely label errors, and each LLM's domain fit.

Cheap sections (counts, character lengths, duplicates, PII) read every row. Sections that
run a model read a seeded sample of at most ``sample`` rows, and say so in the notes.
Models come from the caller: an :class:`~taskfit.learners.embed.Embedder` (with whatever
cache the caller gives it) and named LLM backends; the profile itself writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from taskfit.backends.base import LLMBackend
from taskfit.profile.basic import char_lengths, label_stats, label_type, token_lengths
from taskfit.profile.domain_fit import domain_fit
from taskfit.profile.duplicates import find_duplicates
from taskfit.profile.label_errors import find_label_issues, out_of_fold_probs
from taskfit.profile.language import language_report
from taskfit.profile.pii import scan_pii
from taskfit.profile.shift import shift_score
from taskfit.profile.targets import multi_quantity_share, target_words
from taskfit.profile.task_facts import corpus_facts, entity_facts
from taskfit.tasks import PROFILE_MEASURES, get_task
from taskfit.types import Dataset, Example, LabelIssue, LengthStats, Profile

if TYPE_CHECKING:
    from taskfit.learners.embed import Embedder

__all__ = ["SECTIONS", "build_profile"]

SECTIONS = PROFILE_MEASURES  # the profile's sections, in the order they run


def _sample(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    return np.arange(n) if n <= k else np.sort(rng.choice(n, k, replace=False))


def build_profile(
    dataset: Dataset,
    *,
    embedder: Embedder | None = None,
    llms: Mapping[str, LLMBackend] | None = None,
    ood_test: Sequence[Example] = (),
    unlabeled: Sequence[str] = (),
    sample: int = 10_000,
    top: int = 20,
    seed: int = 0,
    on_section: Callable[[str], None] | None = None,
) -> Profile:
    """Profile ``dataset``. Without ``embedder`` the shift and label-error sections are
    skipped; without ``llms`` there is no domain fit. ``on_section`` is told each section's
    name as it starts (for progress display)."""
    rng = np.random.default_rng(seed)
    task = get_task(dataset.task)  # what the profile measures depends on the task type
    llms = dict(llms or {})
    seconds: dict[str, float] = {}
    notes: list[str] = []

    @contextmanager
    def section(name: str) -> Iterator[None]:
        if on_section is not None:
            on_section(name)
        t0 = time.perf_counter()
        yield
        seconds[name] = round(time.perf_counter() - t0, 3)

    train = [e.joined for e in dataset.train]
    test = [e.joined for e in dataset.test]
    stats: dict[str, object] = {
        "label_counts": {},
        "test_label_counts": {},
        "min_per_class": 0,
        "median_per_class": 0.0,
        "imbalance_ratio": 1.0,
    }
    kind = "text"  # targets that are not labels of a fixed set (references, answers)
    if task.measures("labels"):
        with section("labels"):
            stats = label_stats(dataset)
            kind = label_type([e.label for e in dataset.train])

    with section("lengths"):
        lengths: list[LengthStats] = [char_lengths(train + test)]
        idx = _sample(len(train) + len(test), sample, rng)
        texts = [(train + test)[i] for i in idx]
        for name, backend in llms.items():
            ctx = backend.info().context_size
            lengths.append(token_lengths(texts, backend.count_tokens, f"{name} tokens", ctx))
        if embedder is not None:
            tok = embedder.model().tokenizer
            limit = int(embedder.model().max_seq_length or 512)

            def n_enc(t: str) -> int:
                return len(tok(t, add_special_tokens=True, truncation=False)["input_ids"])

            lengths.append(token_lengths(texts, n_enc, f"{embedder.model_id} tokens", limit))
        if len(idx) < len(train) + len(test):
            notes.append(f"token lengths measured on a sample of {len(idx):,} rows")
        multi = None
        if task.measures("output_lengths"):
            targets = [e.target for e in (*dataset.train, *dataset.test)]
            lengths.append(target_words(targets))
            picked = [targets[i] for i in idx]
            for name, backend in llms.items():
                lengths.append(
                    token_lengths(picked, backend.count_tokens, f"{name} target tokens", None)
                )
            if task.name == "reasoning":
                multi = multi_quantity_share([e.text for e in dataset.train])

    with section("duplicates"):
        dups = find_duplicates(train, test, seed=seed, max_examples=top)

    with section("pii"):
        splits: dict[str, Sequence[str]] = {"train": train, "test": test}
        if ood_test:
            splits["ood_test"] = [e.joined for e in ood_test]
        if unlabeled:
            splits["unlabeled"] = list(unlabeled)
        pii = scan_pii(splits, max_examples=top)

    with section("language"):
        lang_idx = _sample(len(train) + len(test), min(sample, 5000), rng)
        languages = language_report([(train + test)[i] for i in lang_idx])
        if len(lang_idx) < len(train) + len(test):
            notes.append(f"language detected on a sample of {len(lang_idx):,} rows")

    shift = ood_shift = None
    n_flagged: int = 0
    issues: tuple[LabelIssue, ...] = ()
    if embedder is None:
        notes.append("no sentence encoder: shift score and label errors skipped")
    else:
        tr_idx = _sample(len(train), sample, rng)
        te_idx = _sample(len(test), sample, rng)
        tr_emb = embedder.encode([train[i] for i in tr_idx])
        te_emb = embedder.encode([test[i] for i in te_idx])
        if task.measures("shift"):
            with section("shift"):
                shift = shift_score(tr_emb, te_emb, reference_name="test", seed=seed)
                if ood_test:
                    ood_emb = embedder.encode([e.joined for e in ood_test])
                    ood_shift = shift_score(tr_emb, ood_emb, reference_name="ood_test", seed=seed)
        if task.measures("label_errors"):
            with section("label_errors"):
                n_flagged, issues = _label_errors(
                    dataset, tr_idx, te_idx, tr_emb, te_emb, seed, top
                )
                if len(tr_idx) + len(te_idx) < len(train) + len(test):
                    n = len(tr_idx) + len(te_idx)
                    notes.append(f"label errors checked on a sample of {n:,} rows")

    facts: dict[str, object] = {}
    if task.measures("corpus"):
        with section("corpus"):
            windows = {name: (b.count_tokens, b.info().context_size) for name, b in llms.items()}
            facts["corpus"] = corpus_facts(dataset, windows)
    if task.measures("entities"):
        with section("entities"):
            facts["entities"] = entity_facts(dataset)

    fits = []
    with section("domain_fit"):
        for name, backend in llms.items() if task.measures("domain_fit") else ():
            if backend.info().prompt_logprobs:
                fits.append(domain_fit(backend, name, train + test, seed=seed))
            else:
                notes.append(f"{name}: no prompt log-probabilities, domain fit not measured")

    return Profile(
        data_hash=dataset.data_hash,
        n_train=len(train),
        n_test=len(test),
        labels=dataset.labels,
        label_counts=stats["label_counts"],  # type: ignore[arg-type]
        test_label_counts=stats["test_label_counts"],  # type: ignore[arg-type]
        min_per_class=stats["min_per_class"],  # type: ignore[arg-type]
        median_per_class=stats["median_per_class"],  # type: ignore[arg-type]
        imbalance_ratio=stats["imbalance_ratio"],  # type: ignore[arg-type]
        label_type=kind,  # type: ignore[arg-type]
        is_pair=dataset.is_pair,
        lengths=tuple(lengths),
        duplicates=dups,
        shift=shift,
        ood_shift=ood_shift,
        languages=languages,
        pii=pii,
        label_errors=issues,
        label_error_count=n_flagged,
        domain_fit=tuple(fits),
        n_unlabeled=len(unlabeled),
        seconds=seconds,
        notes=tuple(notes),
        task=dataset.task,
        multi_quantity_share=multi,
        facts=facts,
    )


def _label_errors(
    dataset: Dataset,
    tr_idx: np.ndarray,
    te_idx: np.ndarray,
    tr_emb: np.ndarray,
    te_emb: np.ndarray,
    seed: int,
    top: int,
) -> tuple[int, tuple[LabelIssue, ...]]:
    """Confident learning over train and test rows together (test labels can be wrong too)."""
    rows = [("train", int(i), dataset.train[i]) for i in tr_idx]
    rows += [("test", int(i), dataset.test[i]) for i in te_idx]
    x = np.vstack([tr_emb, te_emb])
    labels = [e.label for _, _, e in rows]
    probs = out_of_fold_probs(x, labels, dataset.labels, seed=seed)
    return find_label_issues(
        probs,
        labels,
        dataset.labels,
        [e.joined for _, _, e in rows],
        [i for _, i, _ in rows],
        [s for s, _, _ in rows],
        top=top,
    )
