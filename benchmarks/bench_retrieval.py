"""Retrieval index build and query times at 10,000 and 100,000 passages.

Measures, for the indexes of :mod:`taskfit.retrieval`:
- BM25 (bm25s, Lucene variant): index build (tokenising included) and query time, on
  synthetic passages of about 60 words drawn from a Zipf-like word distribution (seeded):
  the head of the vocabulary is the English words of ../shared/data/banking77 and the
  profile's reference text by frequency, the tail seeded pseudo-words;
- the embedded MiniLM encoder's rate (passages/s) on a sample of those passages: the
  dense index's dominant build cost the first time a corpus is seen (later runs read the
  vectors from the store's cache);
- HNSW recall@10 against exact search on real MiniLM vectors: banking77's training texts
  as passages, a sample of its test texts as queries;
- faiss exact (IndexFlatIP) and HNSW (M=32) build and query time on seeded random unit
  384-d vectors, and HNSW recall@10 against exact search at several efSearch values.
  Isotropic random vectors are the hard case for HNSW (no direction dominates), so their
  recall is a lower bound; their queries are a passage's vector plus as much noise again
  (cosine ~0.7 to it), as a question is near its answer;
- the same HNSW figures on "MiniLM-fitted" vectors: seeded Gaussian draws with the mean
  and covariance of the banking77 MiniLM vectors (their spread over directions, not their
  clusters), queries fresh draws: the closest we get to 100,000 real vectors without
  encoding them.

Query times are per query: "batch" is all queries in one call divided by their number,
"single" is one query per call (as a question at a time is answered).

Usage: python benchmarks/bench_retrieval.py [--sizes 10000 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"
REFERENCE = ROOT / "src" / "taskfit" / "profile" / "reference.txt"
DIM = 384


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1]) * 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        ram = f"{mem / 2**30:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpus} CPUs (nproc), {model}, {ram}, {platform.system()} {platform.machine()}"


def versions() -> str:
    import bm25s
    import faiss

    out = [f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    out += [f"bm25s {bm25s.__version__}", f"faiss-cpu {faiss.__version__}"]
    try:
        import sentence_transformers
        import torch

        out += [f"sentence-transformers {sentence_transformers.__version__}"]
        out += [f"torch {torch.__version__}"]
    except ImportError:
        pass
    return ", ".join(out)


def vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    """English words by frequency (banking77, the reference text), then pseudo-words."""
    texts = [REFERENCE.read_text(encoding="utf-8")] if REFERENCE.exists() else []
    if (BANKING77 / "train.csv").exists():
        texts.append((BANKING77 / "train.csv").read_text(encoding="utf-8"))
    counts = Counter(re.findall(r"[a-z]{2,}", " ".join(texts).lower()))
    words = [w for w, _ in counts.most_common()]
    seen = set(words)
    onsets = [*"bcdfghjklmnprstvwz", "br", "cr", "dr", "fl", "gr", "pl", "st", "tr"]
    vowels = [*"aeiou", "ai", "ea", "oo"]
    while len(words) < size:
        n = int(rng.integers(2, 4))
        w = "".join(str(rng.choice(onsets)) + str(rng.choice(vowels)) for _ in range(n))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words[:size]


def synthetic_passages(n: int, vocab: list[str], rng: np.random.Generator) -> list[str]:
    """``n`` passages of 40-80 words (mean 60), word rank r drawn with weight 1/r."""
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    weights /= weights.sum()
    lengths = rng.integers(40, 81, size=n)
    draws = rng.choice(len(vocab), size=int(lengths.sum()), p=weights)
    out, start = [], 0
    for length in lengths:
        out.append(" ".join(vocab[i] for i in draws[start : start + length]))
        start += length
    return out


def bm25_queries(passages: list[str], n: int, rng: np.random.Generator) -> list[str]:
    """Six words of a random passage each (the question's answer is in the corpus)."""
    out = []
    for j in rng.integers(0, len(passages), size=n):
        words = passages[j].split()
        out.append(" ".join(rng.choice(words, size=min(6, len(words)), replace=False)))
    return out


def unit_rows(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def recall_vs(truth: list[set[int]], approx: list[list[tuple[int, float]]]) -> float:
    """Mean share of each query's exact top-10 that the approximate search found."""
    pairs = zip(truth, approx, strict=True)
    return float(np.mean([len(t & {i for i, _ in h}) / len(t) for t, h in pairs]))


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def faiss_rows(
    data: str, x: np.ndarray, q: np.ndarray, efs: list[int], single: int, flat_row: bool = True
) -> list[str]:
    """Table rows of exact search and of HNSW at each efSearch over ``x``, queried by ``q``."""
    from taskfit.retrieval.dense import HNSW_EF_SEARCH, build_index, search_index

    def one_at_a_time(index: object, ef: int) -> float:
        t0 = time.perf_counter()
        for v in q[:single]:
            search_index(index, v[None, :], 10, ef_search=ef)
        return (time.perf_counter() - t0) / single * 1000

    rows = []
    n = len(x)
    flat, flat_build = timed(lambda: build_index(x, "flat"))
    exact, flat_batch = timed(lambda: search_index(flat, q, 10))
    if flat_row:
        rows.append(
            f"| faiss flat (exact) | {data} | {n:,} | {flat_build:.2f} | "
            f"{flat_batch / len(q) * 1000:.2f} | {one_at_a_time(flat, 0):.2f} | 1 |"
        )
        print(rows[-1], flush=True)
    truth = [{i for i, _ in h} for h in exact]
    hnsw, hnsw_build = timed(lambda: build_index(x, "hnsw"))
    for ef in efs:
        approx, batch = timed(lambda ef=ef: search_index(hnsw, q, 10, ef_search=ef))
        mark = " (default)" if ef == HNSW_EF_SEARCH else ""
        rows.append(
            f"| faiss HNSW M=32, efSearch {ef}{mark} | {data} | {n:,} | {hnsw_build:.1f} | "
            f"{batch / len(q) * 1000:.2f} | {one_at_a_time(hnsw, ef):.2f} | "
            f"{recall_vs(truth, approx):.3f} |"
        )
        print(rows[-1], flush=True)
    return rows


def threads_note(x: np.ndarray, single: int) -> str:
    """Exact search of one query at a time with faiss's default threads, then with one."""
    import faiss

    from taskfit.retrieval.dense import build_index

    index = build_index(x, "flat")
    default = faiss.omp_get_max_threads()
    ms = {}
    for threads in (default, 1, default, 1):
        faiss.omp_set_num_threads(threads)
        t0 = time.perf_counter()
        for v in x[:single]:
            index.search(v[None, :], 10)
        ms.setdefault(threads, []).append((time.perf_counter() - t0) / single * 1000)
    faiss.omp_set_num_threads(default)
    shown = {t: f"{min(v):.2f} ms" for t, v in ms.items()}
    return (
        f"One query at a time over {len(x):,} vectors (exact search, best of 2): "
        f"{shown[default]} on faiss's {default} threads, {shown[1]} on one."
    )


def real_vectors(
    args: argparse.Namespace, rng: np.random.Generator, emb: Any
) -> tuple[np.ndarray, np.ndarray, float | None] | None:
    """MiniLM vectors of banking77's train texts and of a sample of its test texts (kept in
    ``args.cache`` so a second run does not encode them again), and the seconds encoding
    took (None when read back)."""
    if not (BANKING77 / "test.csv").exists():
        return None
    import pandas as pd

    train = pd.read_csv(BANKING77 / "train.csv")["text"].astype(str).tolist()
    test = pd.read_csv(BANKING77 / "test.csv")["text"].astype(str).tolist()
    test = [test[i] for i in rng.choice(len(test), size=args.queries, replace=False)]
    cache = Path(args.cache) / f"banking77-minilm-{args.seed}-{args.queries}.npz"
    if cache.exists():
        saved = np.load(cache)
        return saved["x"], saved["q"], None
    (xv, qv), seconds = timed(lambda: (emb.encode(train), emb.encode(test)))
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, x=xv, q=qv)
    return xv, qv, seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--single", type=int, default=50, help="queries timed one per call")
    ap.add_argument("--encode-sample", type=int, default=2000)
    ap.add_argument("--ef-search", type=int, nargs="+", default=[64, 128, 256, 512])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-encode", action="store_true", help="skip everything MiniLM")
    ap.add_argument(
        "--cache", default="/tmp/taskfit-bench-retrieval", help="where banking77's vectors are kept"
    )
    args = ap.parse_args()

    from taskfit.retrieval import BM25Retriever
    from taskfit.retrieval.dense import HNSW_EF_SEARCH
    from taskfit.types import Passage

    started = datetime.now(timezone.utc)
    load_before = os.getloadavg()
    rng = np.random.default_rng(args.seed)
    vocab = vocabulary(50_000, rng)
    largest = max(args.sizes)
    texts = synthetic_passages(largest, vocab, rng)
    rows: list[str] = []
    notes: list[str] = []

    # ---- BM25 ---------------------------------------------------------------------
    for n in args.sizes:
        passages = [Passage(f"p{i}", t) for i, t in enumerate(texts[:n])]
        queries = bm25_queries(texts[:n], args.queries, rng)
        r, build_s = timed(lambda passages=passages: BM25Retriever(passages))
        hits, batch_s = timed(lambda r=r, queries=queries: r.search(queries, 10))
        t0 = time.perf_counter()
        for q in queries[: args.single]:
            r.search([q], 10)
        single_ms = (time.perf_counter() - t0) / args.single * 1000
        assert all(h for h in hits)
        rows.append(
            f"| BM25 (bm25s) | synthetic text | {n:,} | {build_s:.1f} | "
            f"{batch_s / len(queries) * 1000:.2f} | {single_ms:.2f} | - |"
        )
        print(rows[-1], flush=True)
        del r

    # ---- MiniLM encoding rate -------------------------------------------------------
    emb = None
    if not args.no_encode:
        from taskfit.learners.embed import Embedder

        emb = Embedder(cache=None)
        emb.memo = False
        emb.encode(["warm up the encoder", "and its tokenizer"])
        sample = texts[: args.encode_sample]
        _, enc_s = timed(lambda: emb.encode(sample))
        rate = len(sample) / enc_s
        notes.append(
            f"MiniLM encoding (all-MiniLM-L6-v2, batch 64, CPU): {rate:.0f} passages/s on "
            f"{len(sample):,} of these ~60-word passages ({enc_s:.1f} s); so encoding a corpus "
            "the first time takes about "
            + ", ".join(f"{n / rate:,.0f} s at {n:,}" for n in args.sizes)
            + " passages (later runs read the vectors from the store)."
        )
        print(notes[-1], flush=True)

    # ---- faiss flat and HNSW ------------------------------------------------------------
    import faiss

    efs = sorted({*args.ef_search, HNSW_EF_SEARCH})
    notes.append(
        f"faiss: searches on one thread, index builds on {faiss.omp_get_max_threads()} "
        "(OpenMP; the library's rule); HNSW efConstruction 64."
    )
    real = real_vectors(args, rng, emb) if emb is not None else None
    if real is not None:
        xv, qv, texts_s = real
        notes.append(
            f"MiniLM (banking77): its {len(xv):,} training texts (short requests, ~12 words) "
            f"as passages, {len(qv)} of its test texts as queries"
            + (f"; encoded at {(len(xv) + len(qv)) / texts_s:.0f} texts/s." if texts_s else ".")
        )
        rows += faiss_rows("MiniLM (banking77)", xv, qv, efs, args.single, flat_row=False)
    base = unit_rows(rng.standard_normal((largest, DIM)))
    notes.append(threads_note(base[: min(args.sizes)], args.single))
    for n in args.sizes:
        x = base[:n]
        # a passage's vector plus as much noise again: cosine ~0.7 to its source passage
        picks = rng.integers(0, n, size=args.queries)
        q = unit_rows(x[picks] + unit_rows(rng.standard_normal((args.queries, DIM))))
        rows += faiss_rows("random unit", x, q, efs, args.single)
    if real is not None:
        # Gaussian with the mean and covariance of the real vectors: their spread over
        # directions (few dominant ones), not their clusters; queries are fresh draws
        xv = real[0]
        mean = xv.mean(axis=0)
        chol = np.linalg.cholesky(np.cov(xv, rowvar=False) + 1e-6 * np.eye(DIM))
        fitted = unit_rows(mean + rng.standard_normal((largest + args.queries, DIM)) @ chol.T)
        for n in args.sizes:
            rows += faiss_rows(
                "MiniLM-fitted", fitted[:n], fitted[largest:], efs, args.single, flat_row=False
            )

    print()
    print(f"## Retrieval index: build and query times, {started:%Y-%m-%d}")
    print()
    print(f"Machine: {machine()}. {versions()}.")
    load = os.getloadavg()
    print(
        f"Run {started:%Y-%m-%d %H:%M} UTC, {args.queries} queries, k = 10; load average "
        f"{load_before[0]:.1f} at the start, {load[0]:.1f} at the end."
    )
    print()
    print(
        "| index | data | passages | build s | ms/query (batch) | ms/query (single) "
        "| recall@10 vs flat |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row)
    print()
    for note in notes:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
