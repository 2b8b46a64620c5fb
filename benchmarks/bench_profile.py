"""Wall time of `taskfit profile` on a large corpus made by perturbing banking77.

Generates N rows (default 100,000) with ``benchmarks/perturb.py``, writes them to a CSV,
then loads and profiles them in a fresh store (nothing cached), with the embedded encoder
and LLM, printing the time of every section.

Usage: python benchmarks/bench_profile.py [--n 100000] [--sample 10000]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=10_000)
    args = ap.parse_args()
    try:
        from perturb import make_corpus
    except FileNotFoundError as e:
        print(f"skipped: {e}")
        return 0
    from taskfit.workflows.profile import ProfileOptions, load_for_profile, profile_dataset

    tmp = Path(tempfile.mkdtemp(prefix="taskfit-bench-profile-"))
    t0 = time.perf_counter()
    rows = make_corpus(args.n, seed=0)
    path = tmp / "corpus.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows)
    gen = time.perf_counter() - t0

    t0 = time.perf_counter()
    dataset, _, _ = load_for_profile(path, text="text", label="label", test_size=0.2)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    prof = profile_dataset(dataset, ProfileOptions(sample=args.sample, home=str(tmp / "home")))
    prof_s = time.perf_counter() - t0

    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores; rows {args.n:,} "
        f"({prof.n_train:,} train / {prof.n_test:,} test); sample {args.sample:,}"
    )
    print(f"corpus generation {gen:.1f} s (not part of the profile)")
    print(f"load + validate + split: {load_s:.1f} s")
    for name, s in prof.seconds.items():
        print(f"  {name:<14} {s:8.1f} s")
    print(f"profile total: {prof_s:.1f} s  (load + profile: {load_s + prof_s:.1f} s)")
    d = prof.duplicates
    if d is not None:
        print(
            f"duplicates: exact train pairs {d.exact_pairs_train:,}, near {d.near_pairs_train:,}; "
            f"leaked test rows {d.leaked_test_rows:,} ({d.leaked_share:.1%})"
        )
    if prof.shift is not None:
        print(f"shift: AUC {prof.shift.auc:.3f} vs null p95 {prof.shift.null_p95:.3f}")
    print(f"label errors flagged: {prof.label_error_count:,}; notes: {list(prof.notes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
