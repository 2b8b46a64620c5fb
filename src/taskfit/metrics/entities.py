"""The ``entities`` results section of extraction.

- ``per_type``: for each approach, precision, recall, F1 and support of every entity type
  (exact span match; :func:`taskfit.metrics.spans.per_type`).
- ``errors``: for each approach and reference type, how its mistakes split:
  ``missed`` (no predicted span overlaps the reference span), ``boundary`` (an overlapping
  span of the same type with other offsets), ``wrong_type`` (the same offsets, another
  type), ``overlap_other`` (an overlapping span of another type and other offsets); and
  ``spurious`` predicted spans of each type that overlap no reference span.
- ``unplaced``: for prompted approaches, the mentions of their replies the text does not
  hold (the model did not copy them exactly), which therefore score nothing.
- ``examples``: the first test texts with errors, with the reference and each approach's
  spans as text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from taskfit.metrics.spans import per_type
from taskfit.tasks.extraction import unplaced
from taskfit.tasks.extraction.spans import Span, decode_spans
from taskfit.types import Dataset, UnitResult

__all__ = ["ERROR_KINDS", "entities_section", "error_kinds"]

ERROR_KINDS = ("missed", "boundary", "wrong_type", "overlap_other")
# Test texts with errors shown.
SHOWN = 8


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def error_kinds(gold: Sequence[Span], pred: Sequence[Span]) -> tuple[Counter[str], Counter[str]]:
    """(errors of reference spans by "TYPE:kind", spurious predicted spans by type).

    >>> g = [Span(0, 4, "A"), Span(10, 14, "B"), Span(20, 24, "A")]
    >>> p = [Span(0, 3, "A"), Span(10, 14, "A"), Span(30, 33, "B")]
    >>> errors, spurious = error_kinds(g, p)
    >>> sorted(errors.items()), dict(spurious)
    ([('A:boundary', 1), ('A:missed', 1), ('B:wrong_type', 1)], {'B': 1})
    """
    errors: Counter[str] = Counter()
    predicted = set(pred)
    for g in gold:
        if g in predicted:
            continue
        near = [p for p in pred if _overlaps(g, p)]
        if not near:
            kind = "missed"
        elif any(p.start == g.start and p.end == g.end for p in near):
            kind = "wrong_type"
        elif any(p.type == g.type for p in near):
            kind = "boundary"
        else:
            kind = "overlap_other"
        errors[f"{g.type}:{kind}"] += 1
    spurious = Counter(p.type for p in pred if not any(_overlaps(p, g) for g in gold))
    return errors, spurious


def _show(text: str, spans: Sequence[Span]) -> list[list[str]]:
    return [[text[s.start : s.end], s.type] for s in spans]


def entities_section(dataset: Dataset, results: Sequence[UnitResult]) -> dict[str, Any]:
    """The ``entities`` section of extraction results."""
    table: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    misplaced: dict[str, Any] = {}
    for r in results:
        texts = [dataset.test[i].text for i in r.test_indices]
        truth = [dataset.test[i].target for i in r.test_indices]
        table[r.name] = per_type(truth, list(r.predictions))
        by_type: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ERROR_KINDS, 0))
        spurious: Counter[str] = Counter()
        for t, p in zip(truth, r.predictions, strict=True):
            e, s = error_kinds(decode_spans(t), decode_spans(p))
            for key, n in e.items():
                kind_type, kind = key.split(":", 1)
                by_type[kind_type][kind] += n
            spurious.update(s)
        errors[r.name] = {"by_type": dict(sorted(by_type.items())), "spurious": dict(spurious)}
        raw = r.prompting.get("outputs")
        if raw:
            misplaced[r.name] = sum(unplaced(out, t) for out, t in zip(raw, texts, strict=True))
    return {
        "per_type": table,
        "errors": errors,
        "unplaced": misplaced,
        "examples": _examples(dataset, results),
    }


def _examples(dataset: Dataset, results: Sequence[UnitResult]) -> list[dict[str, Any]]:
    if not results:
        return []
    shared = sorted(set.intersection(*(set(r.test_indices) for r in results)))
    out = []
    for i in shared:
        ex = dataset.test[i]
        gold = decode_spans(ex.target)
        preds = {r.name: decode_spans(r.predictions[r.test_indices.index(i)]) for r in results}
        if all(set(p) == set(gold) for p in preds.values()):
            continue
        out.append(
            {
                "index": i,
                "text": ex.text,
                "reference": _show(ex.text, gold),
                "predicted": {name: _show(ex.text, p) for name, p in preds.items()},
            }
        )
        if len(out) == SHOWN:
            break
    return out
