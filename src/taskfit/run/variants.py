"""Derived datasets for the trust measures: each is an ordinary :class:`Dataset`.

A trust measure asks how the same approach does on other inputs: a dev split carved
from training (temperature scaling), perturbed or token-masked test sets (robustness,
shortcuts), content-free inputs (contextual calibration), or an out-of-distribution
set. Each becomes a dataset whose ``data_hash`` covers what changed, so the units run on
it are planned, executed and cached like any other: a perturbation that leaves a text
unchanged hits the store's LLM and embedding caches, and a learner whose training data
is unchanged is fitted once per run.

Everything here is pure: no model is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from taskfit.data.perturb import perturb_examples
from taskfit.data.shortcuts import mask_examples
from taskfit.run.plan import stratified_sample
from taskfit.types import Dataset, Example, canonical_hash

__all__ = [
    "CONTENT_FREE",
    "Variant",
    "content_free_variant",
    "dev_variant",
    "holdout_variant",
    "masked_variant",
    "ood_file_variant",
    "perturbed_variant",
    "prompt_indices",
]

# Content-free inputs of contextual calibration (Zhao et al., 2021).
CONTENT_FREE = ("N/A", "[MASK]", "")


@dataclass(frozen=True)
class Variant:
    """A derived dataset. For an OOD variant the first ``n_id`` test examples are
    in-distribution and the rest out-of-distribution; ``changed`` flags the test
    examples a perturbation or mask changed, and such a variant's test examples line up
    with the base test set index for index."""

    name: str
    dataset: Dataset
    n_id: int = 0
    changed: tuple[bool, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def aligned(self) -> bool:
        return bool(self.changed)


def _derive(
    base: Dataset,
    name: str,
    spec: object,
    *,
    train: Sequence[Example] | None = None,
    test: Sequence[Example],
    labels: Sequence[str] | None = None,
) -> Dataset:
    """``base`` with other examples; the hash covers the base and the derivation."""
    train_t = tuple(base.train if train is None else train)
    test_t = tuple(test)
    digest = canonical_hash(
        {
            "base": base.data_hash,
            "variant": name,
            "spec": spec,
            "train": None if train is None else [[e.joined, e.label] for e in train_t],
            "test": [[e.joined, e.label] for e in test_t],
        }
    )
    return replace(
        base,
        train=train_t,
        test=test_t,
        labels=tuple(labels) if labels is not None else base.labels,
        data_hash=digest,
        notes=(*base.notes, f"derived: {name}"),
    )


def dev_variant(base: Dataset, *, share: float = 0.2, seed: int = 0) -> Variant:
    """Train on ``1 - share`` of the training data, test on the held-out ``share``
    (stratified, seeded). Temperatures are fitted on its predictions.

    Labels with fewer than 2 training examples stay in train (every label keeps one)."""
    labels = [e.label for e in base.train]
    counts: dict[str, int] = {}
    for lab in labels:
        counts[lab] = counts.get(lab, 0) + 1
    eligible = [i for i, lab in enumerate(labels) if counts[lab] >= 2]
    n_dev = max(1, round(share * len(labels)))
    picked = stratified_sample([labels[i] for i in eligible], n_dev, seed)
    dev = {eligible[j] for j in picked}
    # never take every example of a label
    for lab in counts:
        idx = [i for i, x in enumerate(labels) if x == lab]
        if idx and all(i in dev for i in idx):
            dev.discard(idx[0])
    train = [e for i, e in enumerate(base.train) if i not in dev]
    test = [base.train[i] for i in sorted(dev)]
    ds = _derive(base, "dev", {"share": share, "seed": seed}, train=train, test=test)
    return Variant("dev", ds, notes=(f"dev split: {len(test)} of {len(labels)} training rows",))


def perturbed_variant(base: Dataset, kind: str, *, seed: int = 0) -> Variant:
    """The test set with one perturbation applied (labels kept)."""
    test = perturb_examples(base.test, kind, seed)
    changed = tuple(a != b for a, b in zip(base.test, test, strict=True))
    ds = _derive(base, f"perturb:{kind}", {"kind": kind, "seed": seed}, test=test)
    return Variant(f"perturb:{kind}", ds, changed=changed)


def masked_variant(base: Dataset, tokens: Sequence[str]) -> Variant:
    """The test set with ``tokens`` (whole words) removed."""
    test, _ = mask_examples(base.test, tokens)
    changed = tuple(a != b for a, b in zip(base.test, test, strict=True))
    ds = _derive(base, "masked", {"tokens": sorted(tokens)}, test=test)
    return Variant("masked", ds, changed=changed)


def content_free_variant(base: Dataset) -> Variant:
    """Content-free inputs (``N/A``, ``[MASK]``, empty) whose predicted label
    distribution is a prompt's label prior."""
    fill = base.labels[0]
    test = [Example(t, fill, None if base.text_pair_col is None else t, None) for t in CONTENT_FREE]
    return Variant("content-free", _derive(base, "content-free", list(CONTENT_FREE), test=test))


def ood_file_variant(base: Dataset, ood: Sequence[Example], source: str) -> Variant:
    """In-distribution test set followed by an out-of-distribution one, same training.

    OOD labels unseen in training stay as they are: no approach can predict them, and
    the scores count them per label."""
    test = (*base.test, *ood)
    ds = _derive(base, "ood", {"source": source}, test=test)
    return Variant("ood", ds, n_id=len(base.test), notes=(f"OOD set: {source}",))


def holdout_variant(
    base: Dataset,
    name: str,
    held_train: Sequence[int],
    id_test: Sequence[int],
    held_test: Sequence[int] = (),
    notes: Sequence[str] = (),
) -> Variant:
    """Hold whole groups or clusters out of training: train on the rest, test on the
    kept part of the test set (in-distribution) followed by the held-out rows of train
    and test (out-of-distribution)."""
    held = set(held_train)
    train = [e for i, e in enumerate(base.train) if i not in held]
    test = [base.test[i] for i in id_test] + [base.train[i] for i in sorted(held)]
    test += [base.test[i] for i in held_test]
    spec = {"held_train": sorted(held), "id_test": list(id_test), "held_test": list(held_test)}
    ds = _derive(base, name, spec, train=train, test=test)
    return Variant(name, ds, n_id=len(id_test), notes=tuple(notes))


def prompt_indices(variant: Variant, cap: int | None, seed: int) -> tuple[int, ...]:
    """Test indices a prompted approach runs on a variant: at most ``cap`` of the ID
    part and ``cap`` of the OOD part (stratified)."""
    test = variant.dataset.test
    if not variant.n_id:
        return stratified_sample([e.label for e in test], cap, seed)
    ids = stratified_sample([e.label for e in test[: variant.n_id]], cap, seed)
    rest = stratified_sample([e.label for e in test[variant.n_id :]], cap, seed)
    return ids + tuple(variant.n_id + i for i in rest)
