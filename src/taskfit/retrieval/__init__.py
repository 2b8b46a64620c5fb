"""Retrieval over a corpus, for question answering with retrieved passages.

``load_corpus`` reads a corpus file into :class:`~taskfit.types.Passage` objects (long
documents cut into overlapping windows of words); a retriever indexes them and returns,
for each question, the indices of its top-k passages with their scores, best first:

- ``bm25`` (:mod:`~taskfit.retrieval.bm25`): keyword matching, Lucene BM25 with bm25s;
- ``dense`` (:mod:`~taskfit.retrieval.dense`): cosine of sentence embeddings in a faiss
  index (exact, or HNSW above 200,000 passages);
- ``hybrid`` (:mod:`~taskfit.retrieval.hybrid`): the two rankings merged by reciprocal
  rank fusion.

:func:`recall_at_k` scores retrieval against the passages known to hold each answer.
Every retriever records ``build_seconds``, the time to build its index (for ``dense``,
encoding included).

>>> r = build_retriever("bm25", [Passage("a", "Paris is in France"), Passage("b", "Rome")])
>>> r.name, r.search(["where is Paris?"], k=2)[0][0][0]
('bm25', 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from taskfit.retrieval.bm25 import BM25Retriever
from taskfit.retrieval.chunk import chunk_words
from taskfit.retrieval.corpus import load_corpus
from taskfit.retrieval.dense import DenseRetriever, Encoder
from taskfit.retrieval.hybrid import HybridRetriever, rrf_fuse
from taskfit.retrieval.recall import mean_recall, recall_at_k
from taskfit.types import Passage

__all__ = [
    "RETRIEVERS",
    "BM25Retriever",
    "DenseRetriever",
    "Encoder",
    "HybridRetriever",
    "Retriever",
    "build_retriever",
    "chunk_words",
    "load_corpus",
    "mean_recall",
    "recall_at_k",
    "rrf_fuse",
]

RETRIEVERS = ("bm25", "dense", "hybrid")


class Retriever(Protocol):
    """An index over a corpus's passages.

    ``search(queries, k)`` returns, per query, up to ``k`` ``(passage index, score)``
    pairs, best first (fewer when the corpus is smaller or nothing matches)."""

    name: str
    build_seconds: float

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[int, float]]]: ...


def build_retriever(
    kind: str, passages: Sequence[Passage], embedder: Encoder | None = None
) -> Retriever:
    """Build the ``kind`` retriever (one of :data:`RETRIEVERS`) over ``passages``.

    ``dense`` and ``hybrid`` need ``embedder`` (a
    :class:`~taskfit.learners.embed.Embedder`, or anything with its ``encode``)."""
    if kind not in RETRIEVERS:
        raise ValueError(f"unknown retriever {kind!r}: use one of {', '.join(RETRIEVERS)}")
    if kind == "bm25":
        return BM25Retriever(passages)
    if embedder is None:
        raise ValueError(f"the {kind} retriever needs an embedder to encode the passages")
    if kind == "dense":
        return DenseRetriever(passages, embedder)
    return HybridRetriever(BM25Retriever(passages), DenseRetriever(passages, embedder))
