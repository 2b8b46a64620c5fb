"""What the full trust suite adds to `taskfit compare` on banking77, measured side by side.

One fresh store, two runs with the same approaches: ``compare`` (the headline), then the
same ``compare --trust`` (calibration, robustness, OOD by held-out clusters, shortcuts,
selective). The second run serves the headline units from the store, so its wall time is
the trust suite's own cost; the ratio ``trust / compare`` is the figure the target speaks
of. Also printed: how many LLM calls and embeddings the caches served (perturbed test sets
reuse the store for texts a perturbation leaves unchanged).

Usage: python benchmarks/bench_trust.py [--max-test 300] [--trust-max-test 100]
       [--approaches zero-shot,few-shot,majority,tfidf-lr,encoder-lr] [--home DIR]
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
APPROACHES = "zero-shot,few-shot,majority,tfidf-lr,encoder-lr"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-test", type=int, default=300)
    ap.add_argument("--trust-max-test", type=int, default=100)
    ap.add_argument("--approaches", default=APPROACHES)
    ap.add_argument("--home", default=None, help="store folder (default: a fresh temp dir)")
    args = ap.parse_args()
    if not (BANKING77 / "test.csv").exists():
        print(f"skipped: {BANKING77} not found (benchmarks need ../shared/data/banking77)")
        return 0
    from taskfit import compare
    from taskfit.run.trust_plan import TrustOptions

    home = args.home or tempfile.mkdtemp(prefix="taskfit-bench-trust-")
    common = dict(
        test=BANKING77 / "test.csv",
        text="text",
        label="category",
        max_test=args.max_test,
        approaches=tuple(args.approaches.split(",")),
        home=home,
        plots=False,
    )
    t0 = time.perf_counter()
    base = compare(BANKING77 / "train.csv", out=str(Path(home) / "base"), **common)
    t_base = time.perf_counter() - t0
    trust = TrustOptions(
        measures=("calibration", "robustness", "ood", "shortcuts", "selective"),
        llm_max_test=args.trust_max_test,
        target_accuracy=0.9,
    )
    t0 = time.perf_counter()
    res = compare(BANKING77 / "train.csv", out=str(Path(home) / "trust"), trust=trust, **common)
    t_trust = time.perf_counter() - t0
    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores"
    )
    print(
        f"approaches: {args.approaches}; --max-test {args.max_test}; "
        f"--trust-max-test {args.trust_max_test}"
    )
    doc = res.results_json
    for a in doc["approaches"]:
        acc = a["metrics"]["accuracy"]
        print(f"  {a['name']:<24} accuracy {acc['value']:.3f} (n={a['n_test']})")
    for r in doc["ood"]["approaches"]:
        print(
            f"  ood {r['name']:<20} id {r['id_accuracy']['value']:.3f} "
            f"ood {r['ood_accuracy']['value']:.3f} gap {100 * r['gap']['value']:.1f} points "
            f"(n_ood={r['n_ood']})"
        )
    for r in doc["calibration"]["approaches"]:
        t = r["temperature"]
        print(
            f"  calibration {r['name']:<20} ECE {r['uncalibrated']['ece_width']:.3f} -> "
            f"{t['after']['ece_width']:.3f} (T={t['t']:.2f})"
        )
    for r in doc["robustness"]["approaches"]:
        worst = max(r["perturbations"], key=lambda p: p["drop"]["value"])
        print(
            f"  robustness {r['name']:<20} worst {worst['kind']} "
            f"-{100 * worst['drop']['value']:.1f} points"
        )
    print(f"recommendation: {res.recommendation.choice}")
    s0, s1 = base.results_json["run_stats"], doc["run_stats"]
    trust_s = doc["trust_seconds"]
    print(f"compare (fresh store): {t_base:.0f} s ({s0})")
    print(f"compare --trust, headline from the store: {t_trust:.0f} s ({s1})")
    print(f"  of which the trust stage: {trust_s:.0f} s")
    print(
        f"trust stage / compare: {trust_s / t_base:.2f}x "
        f"(compare --trust from scratch ~ {(t_base + trust_s) / t_base:.2f}x compare)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
