"""Entity-level scores of extraction outputs: precision, recall and F1 over typed spans.

- **Match.** A predicted span is a true positive when a reference span of the same example
  has the same start, the same end and the same type; there is no partial credit. Each
  example's spans are a set (a duplicate counts once). A predicted span with no equal
  reference span is a false positive, a reference span with no equal prediction a false
  negative.
- **Averaging.** ``entity_precision``, ``entity_recall`` and ``entity_f1`` are micro
  averages: true positives, false positives and false negatives are summed over all
  examples and all types, then ``P = tp / (tp + fp)``, ``R = tp / (tp + fn)`` and
  ``F1 = 2 tp / (2 tp + fp + fn)``, each 0 when its denominator is 0. :func:`per_type`
  gives the same figures for each type.
- **seqeval.** For spans decoded from BIO tags these are the figures of seqeval's
  ``precision_score``, ``recall_score`` and ``f1_score`` in their default (lenient, micro)
  mode: an entity there is a (type, first token, last token) triple, and over one
  tokenisation it is one character span.
- **Targets.** Both sides are encoded targets
  (:func:`taskfit.tasks.extraction.spans.encode_spans`). A reference that does not decode
  raises ``ValueError`` (references are numbered from 1); a prediction that does not
  decode counts as predicting no span.
- **Intervals.** These are corpus scores, not means over examples: their bootstrap
  intervals resample the per-example (tp, fp, fn) rows of :func:`span_counts`, summed and
  scored again in each round (:data:`taskfit.metrics.quality.CORPUS`).

Importing this module registers the three metrics in :mod:`taskfit.metrics.quality`.

>>> truth = ['[[0,4,"ORG"],[9,17,"ORDER"]]', "[]"]
>>> pred = ['[[0,4,"ORG"],[9,16,"ORDER"]]', '[[2,5,"ORG"]]']
>>> span_counts(truth, pred).tolist()
[[1, 1, 1], [0, 1, 0]]
>>> prf(1, 2, 1)
(0.3333333333333333, 0.5, 0.4)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from taskfit.metrics.quality import register_metric
from taskfit.tasks.extraction.spans import Span, decode_spans

__all__ = [
    "entity_f1",
    "entity_precision",
    "entity_recall",
    "per_type",
    "prf",
    "span_counts",
]


def _pairs(
    y_true: Sequence[str], y_pred: Sequence[str]
) -> list[tuple[frozenset[Span], frozenset[Span]]]:
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} items but y_pred has {len(y_pred)}")
    if len(y_true) == 0:
        raise ValueError("cannot compute a metric on zero examples")
    out = []
    for i, (t, p) in enumerate(zip(y_true, y_pred, strict=True), 1):
        try:
            truth = frozenset(decode_spans(t))
        except ValueError as e:
            raise ValueError(f"reference {i}: {e}") from None
        try:
            pred = frozenset(decode_spans(p))
        except ValueError:
            pred = frozenset()
        out.append((truth, pred))
    return out


def span_counts(y_true: Sequence[str], y_pred: Sequence[str]) -> np.ndarray:
    """Per-example (tp, fp, fn), shape ``(n, 3)``: the rows sum to the corpus counts."""
    rows = [(len(t & p), len(p - t), len(t - p)) for t, p in _pairs(y_true, y_pred)]
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3)


def prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    """(precision, recall, F1) of counts; each is 0 when its denominator is 0.

    >>> prf(0, 0, 0)
    (0.0, 0.0, 0.0)
    """
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn > 0 else 0.0
    return float(precision), float(recall), float(f1)


def per_type(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1, support (reference spans), tp, fp and fn of every type that
    occurs in the references or the predictions, keyed by type in sorted order (the
    counts are ints).

    >>> per_type(['[[0,4,"ORG"]]'], ['[[0,4,"ORG"],[5,8,"LOC"]]'])["LOC"]["precision"]
    0.0
    """
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for t, p in _pairs(y_true, y_pred):
        for s in t & p:
            counts[s.type][0] += 1
        for s in p - t:
            counts[s.type][1] += 1
        for s in t - p:
            counts[s.type][2] += 1
    out = {}
    for kind in sorted(counts):
        tp, fp, fn = counts[kind]
        precision, recall, f1 = prf(tp, fp, fn)
        out[kind] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": tp + fn,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
    return out


def _scorer(which: int) -> Callable[[np.ndarray], float]:
    def score(summed: np.ndarray) -> float:
        tp, fp, fn = (float(x) for x in summed)
        return prf(tp, fp, fn)[which]

    return score


_precision_of, _recall_of, _f1_of = _scorer(0), _scorer(1), _scorer(2)


def entity_precision(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Micro precision over all spans of all examples."""
    return _precision_of(span_counts(y_true, y_pred).sum(axis=0))


def entity_recall(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Micro recall over all spans of all examples."""
    return _recall_of(span_counts(y_true, y_pred).sum(axis=0))


def entity_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Micro F1 over all spans of all examples."""
    return _f1_of(span_counts(y_true, y_pred).sum(axis=0))


def _register() -> None:
    from taskfit.metrics.quality import CORPUS, METRICS

    if "entity_f1" in METRICS:
        return
    for name, point, score in (
        ("entity_f1", entity_f1, _f1_of),
        ("entity_precision", entity_precision, _precision_of),
        ("entity_recall", entity_recall, _recall_of),
    ):
        register_metric(name, point)
        CORPUS[name] = (span_counts, score)


_register()
