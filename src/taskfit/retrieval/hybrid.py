"""Hybrid retrieval: BM25 and dense rankings merged by reciprocal rank fusion.

The rule (:func:`rrf_fuse`, Cormack et al. 2009): each retriever ranks the passages for
a query, down to ``depth`` (default ``max(4 * k, 20)``); a passage's fused score is the
sum, over the rankings that hold it, of ``1 / (rrf_k + rank)`` with ranks from 1 and
``rrf_k = 60``. Only ranks count, not the retrievers' scores, which are on different
scales (BM25 is unbounded, cosine is in [-1, 1]). The top ``k`` fused scores are
returned, best first; equal fused scores go to the passage with the smaller index. A
passage found by only one retriever still counts (one term), so a query with no indexed
word (no BM25 hits) gets the dense ranking.

>>> rrf_fuse([[3, 1, 2], [1, 4]], rrf_k=60)[:2]
[(1, 0.03252247488101534), (3, 0.01639344262295082)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taskfit.retrieval import Retriever

__all__ = ["HybridRetriever", "rrf_fuse"]

RRF_K = 60


def rrf_fuse(rankings: Sequence[Sequence[int]], rrf_k: int = RRF_K) -> list[tuple[int, float]]:
    """Every passage of ``rankings`` (indices, best first) with its fused score, best first."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, index in enumerate(ranking, start=1):
            fused[index] = fused.get(index, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


class HybridRetriever:
    """Reciprocal rank fusion of ``bm25`` and ``dense``; see the module docstring.

    ``build_seconds`` is the sum of the two retrievers' build times."""

    name = "hybrid"

    def __init__(
        self, bm25: Retriever, dense: Retriever, rrf_k: int = RRF_K, depth: int | None = None
    ) -> None:
        if rrf_k < 0:
            raise ValueError(f"rrf_k must be at least 0, got {rrf_k}")
        if depth is not None and depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        self.bm25 = bm25
        self.dense = dense
        self.rrf_k = rrf_k
        self.depth = depth
        self.build_seconds = bm25.build_seconds + dense.build_seconds

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[int, float]]]:
        """For each query, ``(passage index, fused score)`` of its top ``k``, best first."""
        if k <= 0:
            return [[] for _ in queries]
        depth = self.depth if self.depth is not None else max(4 * k, 20)
        sparse = self.bm25.search(queries, depth)
        dense = self.dense.search(queries, depth)
        return [
            rrf_fuse([[i for i, _ in s], [i for i, _ in d]], self.rrf_k)[:k]
            for s, d in zip(sparse, dense, strict=True)
        ]
