"""What the seams cost: CLI start-up and planning, this tree against an older source tree.

The approach registry, the task types and the settings layer sit on paths every command
takes: importing the CLI, checking settings, planning units (a registry lookup per unit).
This runs both trees side by side in fresh interpreters, alternating, and reports medians:

    python benchmarks/bench_seams.py --baseline-src /path/to/old/checkout/src

Planning uses banking77 from ../shared/data (77 labels, 10,003 train / 3,080 test rows):
the compare plan of every approach and a 8-budget x 5-seed curve plan. Unit keys are
compared too: the same plan must give the same keys in both trees (stored results are
found by key).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
BANKING77 = HERE.parent.parent / "shared" / "data" / "banking77"

PLAN = r"""
import hashlib, json, sys, time
t0 = time.perf_counter()
from taskfit.data import load_dataset
from taskfit.backends import parse_spec
from taskfit.run.plan import PlanOptions, plan_units
from taskfit.run.curve_plan import CurvePlan, plan_curve
t_import = time.perf_counter() - t0
ds = load_dataset(sys.argv[1] + "/train.csv", test=sys.argv[1] + "/test.csv",
                  text="text", label="category")
approaches = ("zero-shot", "few-shot", "few-shot-knn", "majority", "tfidf-lr",
              "encoder-lr", "setfit")
opts = PlanOptions(approaches=approaches, llms=(parse_spec("smollm2"),), max_test=300)
t0 = time.perf_counter()
for _ in range(20):
    units = plan_units(ds, opts)
    curve = plan_curve(ds, CurvePlan(learners=("encoder-lr", "tfidf-lr"),
                                     prompted=("zero-shot", "few-shot"), seeds=5, base=opts))
t_plan = (time.perf_counter() - t0) / 20
keys = [u.key for u in units] + [u.key for u in curve.units]
print(json.dumps({"import_s": t_import, "plan_s": t_plan, "n_units": len(keys),
                  "keys": hashlib.sha256("".join(keys).encode()).hexdigest()[:16]}))
"""


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "100"}


def startup_seconds(src: Path) -> float:
    """Wall time of ``taskfit --help`` in a fresh interpreter."""
    import time

    t0 = time.perf_counter()
    code = "import sys; sys.argv=['taskfit','--help']\nfrom taskfit.cli import main\nmain()"
    subprocess.run([sys.executable, "-c", code], env=_env(src), check=False, capture_output=True)
    return time.perf_counter() - t0


def plan_figures(src: Path) -> dict[str, float | str | int]:
    out = subprocess.run(
        [sys.executable, "-c", PLAN, str(BANKING77)],
        env=_env(src),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-src", type=Path, required=True, help="an older tree's src/")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not (BANKING77 / "train.csv").is_file():
        print(f"skipped: {BANKING77} not found (the shared banking77 data)")
        return
    trees = {"baseline": args.baseline_src.resolve(), "this tree": SRC}
    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}"
    )
    start: dict[str, list[float]] = {k: [] for k in trees}
    plans: dict[str, list[dict[str, float | str | int]]] = {k: [] for k in trees}
    for _ in range(args.runs):  # alternate, so drift hits both alike
        for name, src in trees.items():
            start[name].append(startup_seconds(src))
            plans[name].append(plan_figures(src))
    print("| tree | `taskfit --help` s (median) | planning imports s | plan ms | units | keys |")
    print("|---|---:|---:|---:|---:|---|")
    for name in trees:
        p = plans[name]
        print(
            f"| {name} | {statistics.median(start[name]):.2f} "
            f"| {statistics.median(float(x['import_s']) for x in p):.2f} "
            f"| {1000 * statistics.median(float(x['plan_s']) for x in p):.1f} "
            f"| {p[0]['n_units']} | `{p[0]['keys']}` |"
        )
    b, t = (statistics.median(start[k]) for k in trees)
    pb, pt = (statistics.median(float(x["plan_s"]) for x in plans[k]) for k in trees)
    same = plans["baseline"][0]["keys"] == plans["this tree"][0]["keys"]
    print(f"\nstart-up ratio this/baseline: {t / b:.2f}; planning ratio: {pt / pb:.2f}")
    print(f"unit keys identical: {same}")


if __name__ == "__main__":
    main()
