"""Dense retrieval: cosine similarity of sentence embeddings, in a faiss index.

- **Vectors**: ``embedder.encode`` of each passage's :attr:`~taskfit.types.Passage.indexed`
  text (title, then text) and of each query; with the project's
  :class:`~taskfit.learners.embed.Embedder` (all-MiniLM-L6-v2, 384 dimensions) they come
  from the store's cache when the corpus was encoded before, so a corpus is encoded once.
  Vectors are L2-normalised (again) before indexing, so inner product is cosine.
- **Index** (``index=``): ``"flat"`` is ``IndexFlatIP``, exact: every query is compared
  with every passage. ``"hnsw"`` is ``IndexHNSWFlat`` with the inner-product metric, a
  graph of ``M = 32`` links per vector built with ``efConstruction = 64``, searched with
  ``efSearch = max(256, k)``: approximate; in ``benchmarks/bench_retrieval.py`` its
  recall@10 against exact search is 1.000 on 10,000 real MiniLM vectors and 0.988 on
  100,000 vectors drawn like them (0.961 at efSearch 128). ``"auto"`` (default) is flat
  up to :data:`FLAT_MAX` (200,000) passages and HNSW above: up to there exact search
  costs at most about 20 ms a question and builds in under a second, while HNSW's build
  (34 s at 100,000) is repaid only after thousands of questions and is paid again in
  every process (figures in ``benchmarks/RESULTS.md``).
- **Threads**: searches run on one faiss (OpenMP) thread, builds on faiss's default (all
  cores). A run searches a few hundred questions, each under 10 ms on one thread up to
  100,000 passages, and OpenMP threads waiting on each other made one query 18 times
  slower on 2 cores (10 ms instead of 0.56 ms over 10,000 passages,
  ``benchmarks/RESULTS.md``), more still on a busy machine.
- **Results**: the top ``k`` passages (``k`` capped at the corpus size) with their cosine,
  best first.

Why faiss: exact flat search and HNSW in one mature library (since 2017, the reference
other vector indexes are measured against), with the same calls for both; CPU wheels on
PyPI for Linux, macOS and Windows; it runs in process (no service to start) and indexes
vectors we already hold (the store's cache) rather than owning their storage. usearch
would also do (HNSW with an exact mode) but is younger with a smaller user base;
sqlite-vec runs inside SQLite, so it needs a Python whose ``sqlite3`` can load extensions
(not every build can, e.g. macOS's system Python), and its ``vec0`` tables search by a
full scan.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, Protocol

import numpy as np

from taskfit.types import Passage

__all__ = [
    "FLAT_MAX",
    "HNSW_EF_CONSTRUCTION",
    "HNSW_EF_SEARCH",
    "HNSW_M",
    "SEARCH_THREADS",
    "DenseRetriever",
    "Encoder",
    "build_index",
    "search_index",
]

IndexKind = Literal["flat", "hnsw"]

# "auto": exact search up to this many passages, HNSW above. Measured (benchmarks/
# RESULTS.md): at 100k passages flat search answers in 8.7 ms and builds in 0.2 s, HNSW in
# 1.2 ms after a 34 s build redone in every process: flat wins below thousands of
# questions, so HNSW is kept for corpora where flat's memory and scan time grow large.
FLAT_MAX = 200_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 256
SEARCH_THREADS = 1  # faiss (OpenMP) threads of a search; builds use faiss's default


class Encoder(Protocol):
    """What dense retrieval needs of an embedder (:class:`taskfit.learners.embed.Embedder`):
    one L2-normalised float32 row per text."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _as_unit_rows(vectors: np.ndarray) -> np.ndarray:
    import faiss

    x = np.array(vectors, dtype=np.float32, order="C", copy=True)
    if x.ndim != 2:
        raise ValueError(f"expected one vector per row, got an array of shape {x.shape}")
    faiss.normalize_L2(x)
    return x


def build_index(
    vectors: np.ndarray,
    kind: IndexKind,
    *,
    m: int = HNSW_M,
    ef_construction: int = HNSW_EF_CONSTRUCTION,
) -> Any:
    """A faiss inner-product index over the (normalised) rows of ``vectors``."""
    import faiss

    x = _as_unit_rows(vectors)
    dim = x.shape[1]
    index: Any
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
    else:
        raise ValueError(f"unknown index {kind!r}: use 'flat' or 'hnsw'")
    index.add(x)
    return index


@contextmanager
def _omp_threads(n: int | None) -> Iterator[None]:
    """faiss's OpenMP threads set to ``n`` for the block (None: unchanged)."""
    import faiss

    before = faiss.omp_get_max_threads()
    if n is None or n == before:
        yield
        return
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def search_index(
    index: Any, queries: np.ndarray, k: int, *, ef_search: int = HNSW_EF_SEARCH
) -> list[list[tuple[int, float]]]:
    """``(row, cosine)`` of the top ``k`` rows of ``index`` for each query, best first."""
    import faiss

    q = _as_unit_rows(queries)
    k = min(k, int(index.ntotal))
    if k <= 0 or len(q) == 0:
        return [[] for _ in range(len(q))]
    with _omp_threads(SEARCH_THREADS):
        if isinstance(index, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(efSearch=max(ef_search, k))  # type: ignore[attr-defined]
            scores, rows = index.search(q, k, params=params)
        else:
            scores, rows = index.search(q, k)
    return [
        [(int(i), float(s)) for i, s in zip(r, d, strict=True) if i >= 0]
        for r, d in zip(rows, scores, strict=True)
    ]


class DenseRetriever:
    """Cosine similarity of ``embedder`` vectors in a faiss index; see the module docstring.

    ``build_seconds`` includes encoding the passages (or reading them from the cache);
    ``encode_seconds`` is that part alone; ``kind`` is the index built (``flat``/``hnsw``).
    """

    name = "dense"

    def __init__(
        self,
        passages: Sequence[Passage],
        embedder: Encoder,
        index: str = "auto",
        *,
        ef_search: int = HNSW_EF_SEARCH,
    ) -> None:
        if index not in ("auto", "flat", "hnsw"):
            raise ValueError(f"unknown index {index!r}: use 'auto', 'flat' or 'hnsw'")
        if not passages:
            raise ValueError("no passages to index")
        start = time.perf_counter()
        self.passages = tuple(passages)
        self.embedder = embedder
        self.ef_search = ef_search
        vectors = embedder.encode([p.indexed for p in self.passages])
        self.encode_seconds = time.perf_counter() - start
        if len(vectors) != len(self.passages):
            raise ValueError(f"the embedder returned {len(vectors)} vectors for {len(self)} texts")
        self.kind: IndexKind
        if index == "auto":
            self.kind = "flat" if len(self.passages) <= FLAT_MAX else "hnsw"
        else:
            self.kind = "flat" if index == "flat" else "hnsw"
        self._index = build_index(vectors, self.kind)
        self.build_seconds = time.perf_counter() - start

    def __len__(self) -> int:
        return len(self.passages)

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[int, float]]]:
        """For each query, ``(passage index, cosine)`` of its top ``k`` passages, best first."""
        if not queries:
            return []
        if k <= 0:
            return [[] for _ in queries]
        return search_index(
            self._index, self.embedder.encode(list(queries)), k, ef_search=self.ef_search
        )
