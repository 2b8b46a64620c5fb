"""Wall time of `taskfit compare` on banking77 with the default approaches.

Runs in a fresh store (nothing cached) with ``--max-test 300`` for the LLM approaches, then
prints the table, per-approach figures and the wall time.

Usage: python benchmarks/bench_compare.py [--max-test 300] [--home DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-test", type=int, default=300)
    ap.add_argument("--home", default=None, help="store folder (default: a fresh temp dir)")
    args = ap.parse_args()
    if not (BANKING77 / "test.csv").exists():
        print(f"skipped: {BANKING77} not found (benchmarks need ../shared/data/banking77)")
        return 0
    from taskfit import compare

    home = args.home or tempfile.mkdtemp(prefix="taskfit-bench-")
    t0 = time.perf_counter()
    res = compare(
        BANKING77 / "train.csv",
        test=BANKING77 / "test.csv",
        text="text",
        label="category",
        max_test=args.max_test,
        home=home,
        out=str(Path(home) / "out"),
    )
    wall = time.perf_counter() - t0
    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores"
    )
    frame = res.to_frame()
    cols = [
        "name",
        "n_test",
        "accuracy",
        "accuracy_ci_low",
        "accuracy_ci_high",
        "latency_p95_ms",
        "train_seconds",
        "cost_per_1k_usd",
    ]
    print(frame[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"recommendation: {res.recommendation.choice}")
    print(f"wall time of compare (default approaches, --max-test {args.max_test}): {wall:.0f} s")
    print(f"run_stats: {res.results_json['run_stats']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
