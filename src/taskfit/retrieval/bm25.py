"""BM25 keyword retrieval over a corpus's passages, with ``bm25s``.

- **Text**: each passage's :attr:`~taskfit.types.Passage.indexed` text (title, then text),
  lower-cased and split into words of two or more word characters
  (``(?u)\\b\\w\\w+\\b``, scikit-learn's rule); English stop words (NLTK's list, shipped
  with bm25s) are dropped, and words are not stemmed. Queries are tokenised the same way.
- **Scoring**: the Lucene variant of BM25 (bm25s ``method="lucene"``): a query word's
  weight is ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))`` times
  ``tf / (tf + k1 * (1 - b + b * len / avglen))`` with ``k1 = 1.5``, ``b = 0.75``; a
  passage's score is the sum over the query's words (a repeated query word counts again).
  Scores are precomputed into a sparse matrix when the index is built, so a query costs
  one sparse column sum.
- **Results**: the top ``k`` passages (``k`` capped at the corpus size) with a positive
  score, best first; equal scores go to the earlier passage. A passage that shares no
  word with the query scores 0 and is not returned, so a query with no indexed word (all
  stop words, or words the corpus never uses) gets an empty list.

>>> r = BM25Retriever([Passage("a", "Paris is the capital of France"),
...                    Passage("b", "Berlin is the capital of Germany")])
>>> [i for i, _ in r.search(["capital of Germany?"], k=5)[0]]
[1, 0]
>>> r.search(["the of"], k=5)
[[]]
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from taskfit.types import Passage

__all__ = ["BM25Retriever", "top_k"]

STOPWORDS = "en"


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Indices and values of the ``k`` largest positive ``scores``, best first; ties go to
    the smaller index.

    >>> top_k(np.array([0.5, 2.0, 0.0, 2.0]), 3)
    [(1, 2.0), (3, 2.0), (0, 0.5)]
    """
    k = min(k, len(scores))
    if k <= 0:
        return []
    if k < len(scores):
        # the k-th largest value; every index at or above it is a candidate (ties kept)
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        candidates = np.flatnonzero(scores >= kth)
    else:
        candidates = np.arange(len(scores))
    candidates = candidates[scores[candidates] > 0]
    order = np.lexsort((candidates, -scores[candidates]))[:k]
    return [(int(candidates[i]), float(scores[candidates[i]])) for i in order]


class BM25Retriever:
    """Lucene BM25 (k1 = 1.5, b = 0.75) over ``passages``; see the module docstring."""

    name = "bm25"

    def __init__(self, passages: Sequence[Passage], *, k1: float = 1.5, b: float = 0.75) -> None:
        import bm25s

        if not passages:
            raise ValueError("no passages to index")
        start = time.perf_counter()
        self.passages = tuple(passages)
        tokens = bm25s.tokenize(
            [p.indexed for p in self.passages],
            lower=True,
            stopwords=STOPWORDS,
            show_progress=False,
        )
        self._index = bm25s.BM25(k1=k1, b=b, method="lucene")
        self._index.index(tokens, show_progress=False)
        self.build_seconds = time.perf_counter() - start

    def __len__(self) -> int:
        return len(self.passages)

    def word_ids(self, queries: Sequence[str]) -> list[list[int]]:
        """Vocabulary ids of each query's indexed words (unknown words left out)."""
        import bm25s

        words = bm25s.tokenize(
            list(queries), lower=True, stopwords=STOPWORDS, return_ids=False, show_progress=False
        )
        return [self._index.get_tokens_ids(w) for w in words]

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[int, float]]]:
        """For each query, ``(passage index, score)`` of its top ``k`` passages, best first."""
        if not queries:
            return []
        out: list[list[tuple[int, float]]] = []
        for ids in self.word_ids(queries):
            if not ids or k <= 0:
                out.append([])
                continue
            scores = np.asarray(self._index.get_scores_from_ids(ids), dtype=np.float64)
            out.append(top_k(scores, k))
        return out
