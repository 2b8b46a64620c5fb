"""SetFit: contrastive fine-tuning of the sentence encoder, then a logistic-regression head.

SetFit is a few-shot method, so the CPU defaults are bounded: at most
``per_class`` training examples per class (a seeded sample; the rest are not used and
the unit says so) and at most ``max_pairs`` contrastive pairs for one epoch. Measured
on a 2-core CPU: 16 per class on SST-2, 640 pairs, one epoch, about 30 s.
"""

from __future__ import annotations

import contextlib
import io
import math
import random
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from taskfit.learners.embed import DEFAULT_ENCODER, quiet_hf, resolve_encoder

__all__ = ["SetFitLearner", "sample_per_class"]


def sample_per_class(
    texts: Sequence[str], labels: Sequence[str], per_class: int, seed: int
) -> tuple[list[str], list[str]]:
    """A seeded sample of at most ``per_class`` examples of each label, in input order."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        by_label[lab].append(i)
    rng = random.Random(seed)
    keep: list[int] = []
    for lab in sorted(by_label):
        idx = by_label[lab]
        keep.extend(idx if len(idx) <= per_class else rng.sample(idx, per_class))
    keep.sort()
    return [texts[i] for i in keep], [labels[i] for i in keep]


def _quiet() -> None:
    quiet_hf()
    try:
        import datasets
        import setfit.logging

        setfit.logging.set_verbosity_error()
        setfit.logging.disable_progress_bar()
        datasets.disable_progress_bars()
    except Exception:  # pragma: no cover - logging niceties only
        pass


@dataclass(eq=False, repr=False)  # compared by identity, like the other learners
class SetFitLearner:
    """SetFit on the embedded MiniLM encoder (or a local sentence-transformers folder).

    The fields are the parameters ``__init__`` stores; :meth:`fit` adds the learned state.
    """

    encoder: str = DEFAULT_ENCODER
    per_class: int = 16
    max_pairs: int = 640
    batch_size: int = 16
    epochs: int = 1
    seed: int = 0

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> SetFitLearner:
        _quiet()
        from datasets import Dataset as HFDataset
        from setfit import SetFitModel, Trainer, TrainingArguments

        x, y = sample_per_class(texts, labels, self.per_class, self.seed)
        self.n_used_ = len(x)
        self.classes_ = np.array(sorted(set(labels)))
        with contextlib.redirect_stdout(io.StringIO()):
            model: Any = SetFitModel.from_pretrained(
                str(resolve_encoder(self.encoder)), labels=list(self.classes_), device="cpu"
            )
        steps = max(1, math.ceil(self.max_pairs / self.batch_size))
        with tempfile.TemporaryDirectory(prefix="taskfit-setfit-") as tmp:
            args = TrainingArguments(
                output_dir=tmp,
                batch_size=self.batch_size,
                num_epochs=self.epochs,
                max_steps=steps,
                sampling_strategy="oversampling",
                seed=self.seed,
                show_progress_bar=False,
                report_to="none",
                save_strategy="no",
                logging_strategy="no",
                eval_strategy="no",
            )
            trainer = Trainer(
                model=model,
                args=args,
                train_dataset=HFDataset.from_dict({"text": x, "label": y}),
            )
            # The trainer prints its loss dicts to stdout; keep the CLI's output clean.
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                trainer.train()
        self.n_pairs_ = steps * self.batch_size
        self.model_ = model
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        proba = self.model_.predict_proba(list(texts), batch_size=64, show_progress_bar=False)
        arr = np.asarray(proba.detach().cpu().numpy() if hasattr(proba, "detach") else proba)
        # SetFitModel orders columns by its `labels`, which we pass sorted: same as classes_.
        return arr.astype(float)
