"""What the profile measures for QA over a corpus and for extraction (``Profile.facts``).

- ``corpus``: passages, their word counts (p50, p95, max), the documents they were cut
  from, the share of questions the data marks unanswerable ("not in the documents") and
  of questions with gold passages, and for each LLM the tokens a prompt of the top-3
  passages plus a question takes at the passages' p95 against its context window.
- ``entities``: spans per entity type in train and test, spans per text (mean, max),
  span length in words (p50, max) and the share of texts without a span.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from taskfit.types import Dataset

__all__ = ["RETRIEVED", "corpus_facts", "entity_facts"]

# Passages a retrieval-augmented prompt holds when the context window is judged.
RETRIEVED = 3


def _words(texts: Sequence[str]) -> dict[str, float]:
    n = np.array([len(t.split()) for t in texts] or [0], dtype=float)
    return {
        "p50": float(np.percentile(n, 50)),
        "p95": float(np.percentile(n, 95)),
        "max": float(n.max()),
    }


def corpus_facts(
    dataset: Dataset, windows: Mapping[str, tuple[Callable[[str], int], int]]
) -> dict[str, Any]:
    """The ``corpus`` facts; ``windows`` maps an LLM's name to (its token counter, its
    context size)."""
    from taskfit.tasks.qa import is_no_answer

    examples = (*dataset.train, *dataset.test)
    passages = dataset.corpus
    out: dict[str, Any] = {
        "unanswerable_share": sum(is_no_answer(e.target) for e in examples) / max(1, len(examples)),
        "gold_share": sum(bool(e.evidence) for e in examples) / max(1, len(examples)),
        "passages": len(passages),
        "documents": len({p.doc or p.id for p in passages}),
    }
    if not passages:
        return out
    out["passage_words"] = _words([p.text for p in passages])
    # a prompt of RETRIEVED long (p95) passages and a question
    long = sorted(passages, key=lambda p: len(p.text.split()))[int(0.95 * (len(passages) - 1))]
    question = max((e.text for e in dataset.train), key=len, default="")
    prompt = "\n".join([long.indexed] * RETRIEVED + [question])
    out["context"] = {
        name: {"prompt_tokens": count(prompt), "context_size": size, "fits": count(prompt) < size}
        for name, (count, size) in windows.items()
    }
    return out


def entity_facts(dataset: Dataset) -> dict[str, Any]:
    """The ``entities`` facts of data whose targets are encoded spans."""
    from taskfit.tasks.extraction.spans import decode_spans

    out: dict[str, Any] = {}
    all_lengths: list[int] = []
    for split, examples in (("train", dataset.train), ("test", dataset.test)):
        per_text = []
        types: Counter[str] = Counter()
        for e in examples:
            spans = decode_spans(e.target)
            per_text.append(len(spans))
            types.update(s.type for s in spans)
            all_lengths += [len(e.text[s.start : s.end].split()) for s in spans]
        out[f"{split}_type_counts"] = dict(sorted(types.items()))
        out[f"{split}_spans_per_text"] = {
            "mean": float(np.mean(per_text)) if per_text else 0.0,
            "max": int(max(per_text, default=0)),
        }
        out[f"{split}_without_spans"] = sum(n == 0 for n in per_text) / max(1, len(per_text))
    lengths = np.array(all_lengths or [0], dtype=float)
    out["span_words"] = {"p50": float(np.percentile(lengths, 50)), "max": float(lengths.max())}
    out["types"] = sorted(set(out["train_type_counts"]) | set(out["test_type_counts"]))
    return out
