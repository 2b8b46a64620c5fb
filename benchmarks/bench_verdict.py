"""Which recommendations the non-inferiority rule changes, on banking77, side by side.

Runs `compare` on banking77 (77 intents) with the fine-tuned approaches and baselines in
one store, in the settings where the old rule ("prefer the cheapest approach that is not
significantly less accurate", McNemar p >= 0.05) and the new one (non-inferiority within
``--max-accuracy-loss`` points, on OOD evidence too) can differ:

1. the full test set (3,080 examples);
2. a seeded stratified sample of 300 test examples (where a 4-point gap can be "not
   significant");
3. the same 300 with an OOD split by held-out clusters (``--ood``);
4. the same 300 with ``--max-accuracy-loss 5`` (a user who accepts 5 points).

For each run it prints the old rule's choice (recomputed from the same results.json: its
McNemar p-values, costs and latencies), the new choice, and the new rule's reasons. Only
learners run, so the whole benchmark takes a few minutes (MiniLM encodes each text once).

Usage: python benchmarks/bench_verdict.py [--home DIR] [--sample 300]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"
APPROACHES = ("majority", "tfidf-lr", "encoder-lr")


def old_rule(doc: dict[str, Any]) -> str:
    """The previous rule: the most accurate, unless a cheaper one has McNemar p >= 0.05."""
    by = {a["name"]: a for a in doc["approaches"]}
    comps = doc["comparisons"]
    if not comps:
        return doc["recommendation"]["choice"]
    best = by[comps[0]["a"]]
    ties = [by[c["b"]] for c in comps if c["n"] > 0 and c["p_value"] >= 0.05]
    cheaper = [m for m in ties if m["cost_per_1k_usd"] < best["cost_per_1k_usd"]]
    if not cheaper:
        return str(best["name"])
    pick = min(
        cheaper,
        key=lambda m: (
            m["cost_per_1k_usd"],
            m["latency_ms"]["p95"],
            -m["metrics"]["accuracy"]["value"],
        ),
    )
    return str(pick["name"])


def sample_test(path: Path, out: Path, n: int, seed: int = 0) -> Path:
    """A stratified sample of ``n`` rows of ``path`` (by the ``category`` column)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by[r["category"]].append(r)
    rng = random.Random(seed)
    picked: list[dict[str, str]] = []
    share = n / len(rows)
    for label in sorted(by):
        group = by[label]
        rng.shuffle(group)
        picked += group[: max(1, round(share * len(group)))]
    rng.shuffle(picked)
    picked = picked[:n]
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(picked)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=None, help="store folder (default: a fresh temp dir)")
    ap.add_argument("--sample", type=int, default=300, help="test examples in runs 2-4")
    args = ap.parse_args()
    if not (BANKING77 / "test.csv").exists():
        print(f"skipped: {BANKING77} not found (benchmarks need ../shared/data/banking77)")
        return 0
    from taskfit import compare
    from taskfit.run.trust_plan import TrustOptions

    home = Path(args.home or tempfile.mkdtemp(prefix="taskfit-bench-verdict-"))
    home.mkdir(parents=True, exist_ok=True)
    small = sample_test(BANKING77 / "test.csv", home / "test_sample.csv", args.sample)
    common: dict[str, Any] = dict(
        text="text", label="category", approaches=APPROACHES, home=str(home), plots=False
    )
    runs: list[tuple[str, dict[str, Any]]] = [
        ("full test set (3,080)", dict(test=BANKING77 / "test.csv")),
        (f"{args.sample} test examples", dict(test=small)),
        (
            f"{args.sample} test examples + OOD (held-out clusters)",
            dict(test=small, trust=TrustOptions(measures=("ood",))),
        ),
        (
            f"{args.sample} test examples, --max-accuracy-loss 5",
            dict(test=small, max_accuracy_loss=5.0),
        ),
    ]
    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores; approaches: {', '.join(APPROACHES)}"
    )
    for i, (title, kw) in enumerate(runs, 1):
        t0 = time.perf_counter()
        res = compare(BANKING77 / "train.csv", out=str(home / f"run{i}"), **common, **kw)
        seconds = time.perf_counter() - t0
        doc = res.results_json
        print(f"\n## {i}. {title} ({seconds:.0f} s)")
        for a in doc["approaches"]:
            acc = a["metrics"]["accuracy"]
            print(
                f"  {a['name']:<20} accuracy {acc['value']:.3f} [{acc['ci_low']:.3f}, "
                f"{acc['ci_high']:.3f}] n={a['n_test']}  ${a['cost_per_1k_usd']:.3g}/1k"
            )
        for c in doc["comparisons"]:
            d = c["difference"]
            print(
                f"  {c['a']} vs {c['b']}: McNemar p={c['p_value']:.3g}; loss "
                f"{100 * d['value']:.1f} [{100 * d['ci_low']:.1f}, {100 * d['ci_high']:.1f}] "
                f"points -> {c['verdict']}" + (f" (~{c['n_needed']:,} n)" if c["n_needed"] else "")
            )
        old, new = old_rule(doc), res.recommendation.choice
        print(f"  old rule: {old}; new rule: {new}" + ("  <- changed" if old != new else ""))
        for r in res.recommendation.reasons:
            print(f"    - {r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
