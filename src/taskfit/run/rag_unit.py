"""Run retrieval-augmented units of QA over a corpus (``--corpus``).

Before a unit runs, every question (training and test) gets the ``top_k`` passages its
retriever (unit param ``retriever``: ``bm25``, ``dense`` or ``hybrid``, see
:mod:`taskfit.retrieval`) ranks best, shown as the example's documents: numbered lines
``[i] title: text`` after a given context, if the data has one. The unit then runs as it
would without retrieval, on those documents: prompted (:class:`RagPromptRunner`, the
prompted runner of free-text tasks, whose QA wordings show the documents before the
question) or as a LoRA fine-tuned reader (:class:`RagLoraRunner`, trained on question +
retrieved passages -> answer). A passage longer than ``passage_words`` words (unit param)
is cut there, so a reader's prompt fits its context.

The retriever's index is built once per process and corpus (the dense vectors come from
the run's encoder, cached in the store), and each question's retrieval time is added to
its latency. The result's ``prompting["retrieval"]`` keeps the retriever, k, the build
and per-query times, each test question's passage ids and scores, and recall@k where the
data names gold passages (``--evidence``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from taskfit.errors import UsageError
from taskfit.retrieval import Retriever, build_retriever, recall_at_k
from taskfit.run.lora_unit import LoraRunner
from taskfit.run.runners import UnitEnv
from taskfit.run.text_unit import TextPromptRunner
from taskfit.types import Dataset, Example, Passage, Unit, UnitResult

__all__ = ["RAG_LORA", "RAG_PROMPTED", "RagLoraRunner", "RagPromptRunner", "documents"]


def documents(passages: Sequence[Passage], max_words: int | None = None) -> str:
    """Retrieved passages as a prompt shows them, numbered from 1.

    >>> print(documents([Passage("a", "Returns are free for 30 days.", "Returns")]))
    [1] Returns: Returns are free for 30 days.
    """
    lines = []
    for i, p in enumerate(passages, 1):
        words = p.text.split()
        text = (
            " ".join(words[:max_words]) + " ..." if max_words and len(words) > max_words else p.text
        )
        lines.append(f"[{i}] {p.title}: {text}" if p.title else f"[{i}] {text}")
    return "\n".join(lines)


def _retriever(unit: Unit, env: UnitEnv) -> Retriever:
    dataset = env.dataset
    kind = str(unit.param("retriever", "bm25"))
    key = f"retriever:{dataset.data_hash}:{kind}:{env.embedder.model_id}"
    memo: dict[str, Any] = env.fitted if env.fitted is not None else {}
    if key not in memo:
        embedder = env.embedder if kind in ("dense", "hybrid") else None
        memo[key] = build_retriever(kind, dataset.corpus, embedder)
    found: Retriever = memo[key]
    return found


class _Retrieved:
    """The unit's dataset with retrieved documents, and what retrieval did."""

    def __init__(self, unit: Unit, env: UnitEnv) -> None:
        dataset = env.dataset
        if not dataset.corpus:
            raise UsageError(f"{unit.approach} retrieves passages: give a corpus with --corpus")
        self.k = int(unit.param("top_k", 3))
        max_words = unit.param("passage_words")
        retriever = _retriever(unit, env)
        questions = [e.text for e in (*dataset.train, *dataset.test)]
        t0 = time.perf_counter()
        hits = retriever.search(questions, self.k)
        self.query_ms = 1000.0 * (time.perf_counter() - t0) / max(1, len(questions))
        passages = dataset.corpus

        def with_docs(e: Example, found: Sequence[tuple[int, float]]) -> Example:
            docs = documents([passages[i] for i, _ in found], max_words)
            pair = docs if e.text_pair is None else f"{e.text_pair}\n{docs}"
            return replace(e, text_pair=pair)

        n = len(dataset.train)
        self.dataset: Dataset = replace(
            dataset,
            train=tuple(with_docs(e, h) for e, h in zip(dataset.train, hits[:n], strict=True)),
            test=tuple(with_docs(e, h) for e, h in zip(dataset.test, hits[n:], strict=True)),
            text_pair_col=dataset.text_pair_col or "documents",
        )
        test_hits = [hits[n + i] for i in unit.test_indices]
        gold = [dataset.test[i].evidence for i in unit.test_indices]
        recall = recall_at_k([[i for i, _ in h] for h in test_hits], gold, passages, self.k)
        self.record: dict[str, Any] = {
            "retriever": retriever.name,
            "k": self.k,
            "build_seconds": float(retriever.build_seconds),
            "query_ms": self.query_ms,
            "hits": [[passages[i].id for i, _ in h] for h in test_hits],
            "scores": [[round(float(s), 4) for _, s in h] for h in test_hits],
            "recall": recall,
            "passages": len(passages),
        }

    def finish(self, result: UnitResult) -> UnitResult:
        """``result`` with retrieval's time in each latency and its record kept."""
        scored = [r for r in self.record["recall"] if r is not None]
        note = (
            f"{self.record['retriever']} retrieval of the top {self.k} of "
            f"{self.record['passages']} passages, {self.query_ms:.1f} ms per question"
        )
        if scored:
            note += f"; recall@{self.k} {sum(scored) / len(scored):.3f} on {len(scored)} questions"
        return replace(
            result,
            latency_ms=tuple(ms + self.query_ms for ms in result.latency_ms),
            notes=(*result.notes, note),
            prompting={**result.prompting, "retrieval": self.record},
        )


class RagPromptRunner(TextPromptRunner):
    """Prompted QA over retrieved passages."""

    def run(self, unit: Unit, env: UnitEnv) -> UnitResult:
        found = _Retrieved(unit, env)
        return found.finish(super().run(unit, replace(env, dataset=found.dataset)))


class RagLoraRunner(LoraRunner):
    """A LoRA fine-tuned reader: question + retrieved passages -> answer, under the QA
    wording that points at the documents."""

    variant = "grounded"

    def run(self, unit: Unit, env: UnitEnv) -> UnitResult:
        found = _Retrieved(unit, env)
        return found.finish(super().run(unit, replace(env, dataset=found.dataset)))


RAG_PROMPTED = RagPromptRunner()
RAG_LORA = RagLoraRunner()
