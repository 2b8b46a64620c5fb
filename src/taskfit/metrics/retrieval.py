"""The ``retrieval`` results section of QA over a corpus.

- ``retrievers``: per retrieval-augmented result, its retriever, k, recall@k with its
  interval (the share of questions with gold passages, ``--evidence``, whose top k holds
  one; bootstrap over those questions), the mean retrieval time per question and the
  index build time.
- ``gain``: what retrieval adds to the answers: for each retrieval-augmented result, its
  headline metric minus that of the same LLM's zero-shot closed-book prompt (retrieval-
  augmented prompts show no demonstrations either; the best closed-book prompt when there
  is no zero-shot one), on the same test examples, paired: a 95% paired bootstrap
  interval of the difference and the paired test's p-value. A fine-tuned reader is
  compared with the closed-book LoRA fine-tune when there is one.
- ``hits``: the first test questions with their answer, the gold passages and what each
  retriever found, beside the answer given from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from taskfit.metrics.noninferiority import paired_difference
from taskfit.metrics.quality import mean_interval, paired_test
from taskfit.tasks.scores import PER_EXAMPLE
from taskfit.types import Dataset, UnitResult

__all__ = ["SHOWN", "retrieval_section"]

# Test questions shown with their retrieved passages.
SHOWN = 8


def _scores(dataset: Dataset, r: UnitResult, metric: str) -> dict[int, float]:
    truth = [dataset.test[i].target for i in r.test_indices]
    values = PER_EXAMPLE[metric](truth, list(r.predictions))
    return {i: float(v) for i, v in zip(r.test_indices, values, strict=True)}


def _model(r: UnitResult) -> str:
    return r.name.split("@", 1)[1] if "@" in r.name else ""


def _closed_book(
    rag: UnitResult, others: Sequence[UnitResult], dataset: Dataset, metric: str
) -> UnitResult | None:
    """The closed-book result a retrieval-augmented one is measured against, everything
    else as equal as the run allows: the same LLM's zero-shot prompt (retrieval-augmented
    prompts show no demonstrations), else its best closed-book prompt; for a fine-tuned
    reader the plain LoRA fine-tune."""
    if rag.family == "prompt":
        pool = [r for r in others if r.family == "prompt" and _model(r) == _model(rag)]
        same = [r for r in pool if r.name.split("@", 1)[0] == "zero-shot"]
        pool = same or pool
    else:
        pool = [r for r in others if r.name.split("@", 1)[0] == "lora"]
    if not pool:
        return None

    def mean(r: UnitResult) -> float:
        s = _scores(dataset, r, metric)
        return sum(s.values()) / max(1, len(s))

    return max(pool, key=mean)


def _gain(
    rag: UnitResult, closed: UnitResult, dataset: Dataset, metric: str, seed: int
) -> dict[str, Any] | None:
    a, b = _scores(dataset, rag, metric), _scores(dataset, closed, metric)
    shared = sorted(set(a) & set(b))
    if not shared:
        return None
    xa, xb = [a[i] for i in shared], [b[i] for i in shared]
    test, p = paired_test(xa, xb)
    return {
        "approach": rag.name,
        "closed_book": closed.name,
        "n": len(shared),
        "difference": paired_difference(xa, xb, seed=seed).to_json(),
        "test": test,
        "p_value": p,
    }


def retrieval_section(
    dataset: Dataset, results: Sequence[UnitResult], metric: str, *, seed: int = 0
) -> dict[str, Any] | None:
    """The ``retrieval`` section (None when no result retrieved passages)."""
    rag = [r for r in results if "retrieval" in r.prompting]
    if not rag:
        return None
    others = [r for r in results if "retrieval" not in r.prompting]
    retrievers = []
    for r in rag:
        rec = r.prompting["retrieval"]
        hits = [x for x in rec.get("recall", []) if x is not None]
        retrievers.append(
            {
                "approach": r.name,
                "retriever": rec["retriever"],
                "k": rec["k"],
                "recall": mean_interval(hits, seed=seed).to_json() if hits else None,
                "n_gold": len(hits),
                "query_ms": rec["query_ms"],
                "build_seconds": rec["build_seconds"],
                "passages": rec.get("passages"),
            }
        )
    gains = []
    for r in rag:
        closed = _closed_book(r, others, dataset, metric)
        g = _gain(r, closed, dataset, metric, seed) if closed is not None else None
        if g is not None:
            gains.append(g)
    return {
        "metric": metric,
        "retrievers": retrievers,
        "gain": gains,
        "hits": _hits(dataset, rag, metric),
    }


def _hits(dataset: Dataset, rag: Sequence[UnitResult], metric: str) -> list[dict[str, Any]]:
    shared = set.intersection(*(set(r.test_indices) for r in rag))
    out = []
    for i in sorted(shared)[:SHOWN]:
        ex = dataset.test[i]
        found = {}
        for r in rag:
            k = r.test_indices.index(i)
            rec = r.prompting["retrieval"]
            answer = r.predictions[k]
            found[r.name] = {
                "passages": rec["hits"][k],
                "answer": answer,
                "score": float(PER_EXAMPLE[metric]([ex.target], [answer])[0]),
            }
        out.append(
            {
                "index": i,
                "question": ex.text,
                "answer": ex.target,
                "gold": ex.evidence.split("|") if ex.evidence else [],
                "retrieved": found,
            }
        )
    return out
