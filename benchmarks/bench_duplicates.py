"""Scaling of duplicate and leakage detection (`find_duplicates`) on perturbed banking77.

For each size (default 10k, 30k, 100k rows) a corpus is made with ``benchmarks/perturb.py``
(2% planted exact and 5% planted near duplicates among noisy banking77 rows), split 80%
train / 20% test in corpus order, and timed in a fresh process, so that each peak RSS
belongs to its own size. Prints rows, seconds, rows/s, seconds per 10k rows (flat when
scaling is linear), peak memory, the counts found and the planted counts.

Usage: python benchmarks/bench_duplicates.py [--sizes 10000 30000 100000] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def _run(n: int, seed: int) -> dict[str, Any]:
    import datasketch  # noqa: F401  (imported before timing: scipy comes with it)
    from perturb import make_corpus_with_plan

    from taskfit.profile.duplicates import (
        DEFAULT_THRESHOLD,
        find_duplicates,
        max_word_edits,
        near_duplicate_pairs,
        normalise,
        shingles,
        within_word_edits,
    )

    def near_by_rule(a: str, b: str) -> bool:
        wa, wb = normalise(a).split(), normalise(b).split()
        sa, sb = shingles(wa), shingles(wb)
        if len(sa & sb) >= DEFAULT_THRESHOLD * len(sa | sb):
            return True
        return within_word_edits(wa, wb, max_word_edits(max(len(wa), len(wb))))

    rows, plan = make_corpus_with_plan(n, seed)
    texts = [t for t, _ in rows]
    cut = int(0.8 * n)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    report = find_duplicates(texts[:cut], texts[cut:], seed=seed)
    seconds = time.perf_counter() - t0
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    planted = {
        "exact_train": sum(k == "exact" and i < cut for k, i, _ in plan),
        "near_train": sum(k == "near" and i < cut for k, i, _ in plan),
        "leaked": len({i for _, i, j in plan if i >= cut and j < cut}),
    }
    # Recall of the planted near pairs over the whole corpus (not timed). Each distinct
    # text is reported through its first row, so planted rows map to that row.
    first: dict[str, int] = {}
    rep = [first.setdefault(normalise(t), i) for i, t in enumerate(texts)]
    want = {tuple(sorted((rep[i], rep[j]))) for k, i, j in plan if k == "near"}
    want = {p for p in want if p[0] != p[1]}
    found = {(i, j) for i, j, _ in near_duplicate_pairs(texts, seed=seed)}
    # Planted edits of 2-4 word texts can exceed what the rules call near (two edits of a
    # 3-word text); recall is also given over the planted pairs that meet the rules.
    by_rule = {p for p in want if near_by_rule(texts[p[0]], texts[p[1]])}
    return {
        "n": n,
        "n_train": cut,
        "n_test": n - cut,
        "seconds": seconds,
        "peak_mib": peak_rss / 1024,
        "before_mib": base_rss / 1024,
        "report": report,
        "planted": planted,
        "recall": (sum(p in found for p in want), len(want)),
        "recall_rule": (sum(p in found for p in by_rule), len(by_rule)),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    try:
        from perturb import load_banking77

        load_banking77()
    except FileNotFoundError as e:
        print(f"skipped: {e}")
        return 0

    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}"
    )
    print(
        f"{'rows':>8} {'train/test':>13} {'seconds':>8} {'rows/s':>8} {'s/10k':>6} "
        f"{'peak MiB':>9} {'(before)':>9}"
    )
    results = []
    for n in args.sizes:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            r = pool.submit(_run, n, args.seed).result()
        results.append(r)
        print(
            f"{n:>8,} {r['n_train']:>6,}/{r['n_test']:<6,} {r['seconds']:>8.2f} "
            f"{n / r['seconds']:>8,.0f} {r['seconds'] / n * 10_000:>6.2f} "
            f"{r['peak_mib']:>9,.0f} {r['before_mib']:>9,.0f}",
            flush=True,
        )
    print("counts found [planted copies]; noisy background rows add natural near duplicates")
    for r in results:
        d, p = r["report"], r["planted"]
        (hit, total), (hit_rule, total_rule) = r["recall"], r["recall_rule"]
        print(
            f"  {r['n']:>7,} rows: exact pairs train {d.exact_pairs_train:,} "
            f"[{p['exact_train']:,}] / cross {d.exact_pairs_cross:,}; near pairs train "
            f"{d.near_pairs_train:,} [{p['near_train']:,}] / cross {d.near_pairs_cross:,}\n"
            f"{'':>16}duplicate train rows {d.duplicate_rows_train:,}; leaked test rows "
            f"{d.leaked_test_rows:,} [{p['leaked']:,}] = {d.leaked_share:.1%} of "
            f"{r['n_test']:,}\n"
            f"{'':>16}planted near pairs found {hit:,}/{total:,} = {hit / total:.3f} "
            f"(those meeting the rules: {hit_rule:,}/{total_rule:,} = {hit_rule / total_rule:.3f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
