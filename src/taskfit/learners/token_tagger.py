"""Token classification for extraction: the embedded MiniLM encoder with a BIO head,
fine-tuned on character spans.

Targets are the extraction task's encoded spans, ``[[start,end,"TYPE"],...]``
(:func:`taskfit.learners.gazetteer.encode_target`); ``predict`` returns the same encoding.

- **Labels.** The texts are cut into subtokens by the encoder's fast tokenizer, whose
  offset mapping gives each subtoken's characters. A subtoken that overlaps a span is
  labelled ``B-TYPE`` when it is the span's first subtoken, else ``I-TYPE``; a subtoken
  that overlaps no span ``O`` (a subtoken overlapping two spans belongs to the first);
  the special tokens (``[CLS]``, ``[SEP]``) and padding are left out of the loss (-100).
- **Truncation.** A text is cut at ``max_length`` subtokens, special tokens included.
  Nothing beyond the cut is learnt or predicted: a training span not wholly inside the
  kept subtokens is counted in ``truncated_`` (the texts cut in ``n_truncated_``), and the
  texts cut by the last :meth:`TokenTagger.predict` in ``predict_truncated_``.
- **Training.** A plain torch loop on the CPU: AdamW (weight decay 0.01), a linear
  warm-up over the first 10% of the steps then linear decay, gradient norm clipped at 1,
  batches of ``batch_size`` texts padded to the longest, in a seeded order, for
  ``epochs`` passes or more: at least ``min_steps`` optimizer steps are run, so a small
  training set gets more passes (the passes run are ``epochs_``).
  ``torch.manual_seed(seed)`` fixes the head's initialisation and the dropout masks (the
  process's own random state is left as it was), so one seed gives one model. The torch
  thread count is left as it is.
- **Frozen word embeddings.** The word-embedding matrix (half of MiniLM's weights) is not
  trained: on a few hundred examples it hardly moves, and leaving it out halves the time
  of a step on a CPU (measured: 0.79 s against 0.42 s for 16 texts of 24 subtokens, one
  thread).
- **Defaults**, measured on the extraction demo (support messages, 4 entity types, entity
  F1 on its 80 test messages, one CPU thread): the learning rate is 1e-4 because the
  budgets are small. With 48 training messages and 60 steps, 5e-5 reached F1 0.64 and
  1e-4 0.94 (2e-4: 0.94, 3e-4: 0.96); with 200 messages (104 steps) 5e-5 and 1e-4 both
  reached 0.96 and 3e-4 0.95. Without ``min_steps``, 48 messages (24 steps) reached F1
  0.00 at 5e-5 and 0.18 at 1e-4: the head had not moved off ``O``.
- **Decoding.** The arg-max label of every subtoken, read as BIO leniently (as seqeval's
  default mode: an ``I-X`` that continues no ``X`` entity starts one); an entity runs from
  its first subtoken's start to its last subtoken's end.

The encoder is loaded from disk only (:func:`taskfit.learners.embed.resolve_encoder`);
torch and transformers are imported when a model is fitted, not with this module.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from taskfit.errors import UsageError
from taskfit.learners.embed import DEFAULT_ENCODER, quiet_hf, resolve_encoder
from taskfit.learners.gazetteer import Triple, decode_target, encode_target

__all__ = ["TokenTagger", "subtoken_labels", "subtoken_spans"]

_IGNORE = -100


def subtoken_labels(
    offsets: Sequence[tuple[int, int]], special: Sequence[int], spans: Sequence[Triple]
) -> list[str | None]:
    """BIO label of every subtoken (None for special tokens), from character spans.

    >>> subtoken_labels([(0, 0), (0, 5), (6, 8), (8, 9), (9, 12), (0, 0)],
    ...                 [1, 0, 0, 0, 0, 1], [(6, 12, "ORDER")])
    [None, 'O', 'B-ORDER', 'I-ORDER', 'I-ORDER', None]
    """
    labels: list[str | None] = [None if sp else "O" for sp in special]
    for start, end, kind in sorted(spans):
        first = True
        for i, (s, e) in enumerate(offsets):
            if special[i] or labels[i] != "O" or not (s < end and e > start):
                continue
            labels[i] = f"{'B' if first else 'I'}-{kind}"
            first = False
    return labels


def subtoken_spans(
    offsets: Sequence[tuple[int, int]], special: Sequence[int], labels: Sequence[str]
) -> list[Triple]:
    """Character spans of subtoken BIO labels (lenient; special tokens are skipped).

    >>> subtoken_spans([(0, 0), (0, 2), (2, 3), (3, 5), (6, 8), (0, 0)], [1, 0, 0, 0, 0, 1],
    ...                ["O", "B-ID", "I-ID", "I-ID", "B-ID", "O"])
    [(0, 5, 'ID'), (6, 8, 'ID')]
    """
    out: list[Triple] = []
    current: Triple | None = None  # the open entity
    for (s, e), sp, label in zip(offsets, special, labels, strict=True):
        if sp:
            continue
        prefix, kind = ("O", "") if label == "O" else (label[0], label[2:])
        if prefix == "I" and current is not None and current[2] == kind:
            current = (current[0], e, kind)
            continue
        if current is not None:
            out.append(current)
        current = None if prefix == "O" else (s, e, kind)
    if current is not None:
        out.append(current)
    return out


class TokenTagger:
    """A BIO token-classification head on the embedded MiniLM, fine-tuned on spans (see
    the module docstring).

    After :meth:`fit`: ``classes_`` (the sorted types), ``labels_`` (the BIO labels, ``O``
    first), ``truncated_``, ``n_truncated_``, ``epochs_``, ``steps_`` and
    ``train_seconds_``.
    """

    def __init__(
        self,
        encoder: str = DEFAULT_ENCODER,
        epochs: int = 8,
        lr: float = 1e-4,
        batch_size: int = 16,
        max_length: int = 128,
        seed: int = 0,
        min_steps: int = 60,
        predict_batch_size: int = 32,
    ) -> None:
        self.encoder = encoder
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.max_length = max_length
        self.seed = seed
        self.min_steps = min_steps
        self.predict_batch_size = predict_batch_size

    # --- encoding ---------------------------------------------------------------------

    def _tokenize(self, texts: Sequence[str]) -> tuple[Any, list[int | None]]:
        """The tokenizer's encoding of ``texts`` cut at ``max_length``, and for each text
        where the cut falls (characters kept), or None when it was not cut."""
        enc = self.tokenizer_(
            list(texts),
            return_offsets_mapping=True,
            return_special_tokens_mask=True,
            truncation=True,
            max_length=self.max_length,
        )
        full = self.tokenizer_(list(texts), add_special_tokens=True)["input_ids"]
        cuts: list[int | None] = []
        for i, ids in enumerate(full):
            if len(ids) <= self.max_length:
                cuts.append(None)
                continue
            pairs = zip(enc["offset_mapping"][i], enc["special_tokens_mask"][i], strict=True)
            cuts.append(max((e for (_, e), sp in pairs if not sp), default=0))
        return enc, cuts

    # --- fit --------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], targets: Sequence[str]) -> TokenTagger:
        if len(texts) != len(targets):
            raise ValueError(f"{len(texts)} texts but {len(targets)} targets")
        texts = [str(t) for t in texts]
        spans = [decode_target(y) for y in targets]
        types = sorted({kind for row in spans for _, _, kind in row})
        self.classes_ = np.array(types, dtype=str)
        self.labels_ = ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]
        self.truncated_ = 0
        self.n_truncated_ = 0
        self.steps_ = 0
        self.epochs_ = 0
        self.train_seconds_ = 0.0
        self.predict_truncated_ = 0
        self.model_: Any = None
        if not types:  # nothing to learn: every prediction is "no span"
            return self

        quiet_hf()
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        folder = str(resolve_encoder(self.encoder))
        self.tokenizer_ = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        if not getattr(self.tokenizer_, "is_fast", False):
            raise UsageError(f"encoder {self.encoder!r} has no fast tokenizer (no offsets)")
        index = {label: i for i, label in enumerate(self.labels_)}
        enc, cuts = self._tokenize(texts)
        rows: list[tuple[list[int], list[int]]] = []
        for i, (row, cut) in enumerate(zip(spans, cuts, strict=True)):
            offsets, special = enc["offset_mapping"][i], enc["special_tokens_mask"][i]
            if cut is not None:
                self.n_truncated_ += 1
                self.truncated_ += sum(e > cut for _, e, _ in row)
            labels = subtoken_labels(offsets, special, row)
            ids = [_IGNORE if lab is None else index[lab] for lab in labels]
            rows.append((list(enc["input_ids"][i]), ids))

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            with contextlib.redirect_stderr(io.StringIO()):  # "newly initialized" notes
                model: Any = AutoModelForTokenClassification.from_pretrained(
                    folder,
                    num_labels=len(self.labels_),
                    id2label=dict(enumerate(self.labels_)),
                    label2id=index,
                    local_files_only=True,
                )
            model.to("cpu")
            model.get_input_embeddings().weight.requires_grad_(False)
            t0 = time.perf_counter()
            self._train(model, rows)
            self.train_seconds_ = time.perf_counter() - t0
        model.eval()
        self.model_ = model
        return self

    def _batch(self, rows: Sequence[tuple[list[int], list[int]]]) -> tuple[Any, Any, Any]:
        import torch

        pad = int(self.tokenizer_.pad_token_id or 0)
        width = max(len(ids) for ids, _ in rows)
        ids = torch.full((len(rows), width), pad, dtype=torch.long)
        labels = torch.full((len(rows), width), _IGNORE, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, (x, y) in enumerate(rows):
            ids[i, : len(x)] = torch.tensor(x, dtype=torch.long)
            labels[i, : len(y)] = torch.tensor(y, dtype=torch.long)
            mask[i, : len(x)] = 1
        return ids, labels, mask

    def _train(self, model: Any, rows: Sequence[tuple[list[int], list[int]]]) -> None:
        import torch

        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=self.lr, weight_decay=0.01)
        per_epoch = math.ceil(len(rows) / self.batch_size)
        self.epochs_ = max(self.epochs, math.ceil(self.min_steps / per_epoch))
        total = max(1, per_epoch * self.epochs_)
        warmup = max(1, round(0.1 * total))

        def schedule(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            return max(0.0, (total - step) / max(1, total - warmup))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
        rng = np.random.default_rng(self.seed)
        model.train()
        for _ in range(self.epochs_):
            order = rng.permutation(len(rows))
            for b in range(0, len(order), self.batch_size):
                ids, labels, mask = self._batch([rows[i] for i in order[b : b + self.batch_size]])
                loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                self.steps_ += 1
        model.eval()

    # --- predict ----------------------------------------------------------------------

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The encoded spans found in each text."""
        texts = [str(t) for t in texts]
        if self.model_ is None:
            return [encode_target([]) for _ in texts]
        import torch

        out: list[str] = []
        self.predict_truncated_ = 0
        for b in range(0, len(texts), self.predict_batch_size):
            chunk = texts[b : b + self.predict_batch_size]
            enc, cuts = self._tokenize(chunk)
            self.predict_truncated_ += sum(c is not None for c in cuts)
            rows: list[tuple[list[int], list[int]]] = [(list(x), []) for x in enc["input_ids"]]
            ids, _, mask = self._batch(rows)
            with torch.inference_mode():
                best = self.model_(input_ids=ids, attention_mask=mask).logits.argmax(dim=-1)
            for i in range(len(chunk)):
                offsets, special = enc["offset_mapping"][i], enc["special_tokens_mask"][i]
                n = len(offsets)
                labels = [self.labels_[j] for j in best[i, :n].tolist()]
                out.append(encode_target(subtoken_spans(offsets, special, labels)))
        return out
