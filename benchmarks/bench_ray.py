"""Local executor vs the Ray executor on a CPU-bound label-budget curve (banking77).

Measured side by side in one process, on the same plan (the default budgets x
``--seeds`` x encoder-lr and tfidf-lr, no prompted references):

1. ``local``: the local executor (units one after another in this process, BLAS and
   torch on every core), and ``local 1t``: the same with one thread for BLAS and torch,
   as a Ray task of one CPU has them.
2. ``ray x1``: the Ray executor on a Ray cluster of one CPU on 127.0.0.1 (one worker
   process runs the units one after another): the overhead of Ray itself.
3. ``ray x2``: the same on a cluster of two CPUs (two worker processes side by side):
   the scaling.

The sweep is made CPU-bound, as a long sweep is: every configuration starts from a copy
of a store that holds the MiniLM vectors of every text (a first, warm-up run computed
them) and no unit, so each run fits and predicts every point and encodes nothing.
Wall time is that of ``curve_dataset`` (Ray's cluster start excluded, connecting
included). Predictions and probabilities of every unit are compared with local's.

Usage: python benchmarks/bench_ray.py [--seeds 3] [--budgets 100,200,...]
(needs ../shared/data/banking77 and the ray extra: pip install -e '.[models,ray]')
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"
sys.path.insert(0, str(ROOT))  # the tests' local Ray cluster
from tests.support.ray_cluster import local_cluster, ray_environment  # noqa: E402

ray_environment()  # before ray is imported: every node on 127.0.0.1


def units_of(home: Path) -> dict[str, tuple[list[str], list[list[float]]]]:
    with sqlite3.connect(home / "store.db") as c:
        rows = c.execute("SELECT key, result FROM units").fetchall()
    return {k: (json.loads(r)["predictions"], json.loads(r)["probabilities"]) for k, r in rows}


def fresh_home(warm: Path, home: Path) -> Path:
    """A copy of the warm store without its units: vectors cached, every point to run."""
    home.mkdir(parents=True)
    shutil.copy(warm / "store.db", home / "store.db")
    with sqlite3.connect(home / "store.db") as c:
        c.execute("DELETE FROM units")
    return home


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--budgets", default=None, help="comma-separated (default: the curve's)")
    args = ap.parse_args()
    if not (BANKING77 / "test.csv").exists():
        print(f"skipped: {BANKING77} not found (benchmarks need ../shared/data/banking77)")
        return 0
    import numpy as np
    import ray

    from taskfit.data import load_dataset
    from taskfit.workflows.curve import CurveOptions, curve_dataset, plan_for

    dataset = load_dataset(
        BANKING77 / "train.csv", test=BANKING77 / "test.csv", text="text", label="category"
    )
    budgets = tuple(int(b) for b in args.budgets.split(",")) if args.budgets else None
    opts = CurveOptions(prompted=(), seeds=args.seeds, plots=False)
    if budgets:
        opts = replace(opts, budgets=budgets)
    spec = plan_for(dataset, opts)
    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores; ray {ray.__version__}; banking77 "
        f"train {len(dataset.train)}, test {len(dataset.test)}; budgets {list(spec.budgets)}; "
        f"seeds {len(spec.seeds)}; {len(spec.units)} units"
    )
    walls: dict[str, float] = {}
    results: dict[str, dict[str, tuple[list[str], list[list[float]]]]] = {}
    with tempfile.TemporaryDirectory(prefix="taskfit-bench-ray-") as tmp:
        warm = Path(tmp) / "warm"
        t0 = time.perf_counter()
        curve_dataset(dataset, replace(opts, home=str(warm)))
        print(f"warm-up (encodes every text once): {time.perf_counter() - t0:.1f} s")

        home = fresh_home(warm, Path(tmp) / "local")
        t0 = time.perf_counter()
        curve_dataset(dataset, replace(opts, home=str(home)))
        walls["local"] = time.perf_counter() - t0
        results["local"] = units_of(home)

        # The local executor with one thread for BLAS and torch, as a Ray task of one CPU
        # has them: Ray's own cost, apart from the threads.
        import torch
        from threadpoolctl import threadpool_limits

        home = fresh_home(warm, Path(tmp) / "local1")
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        with threadpool_limits(limits=1):
            t0 = time.perf_counter()
            curve_dataset(dataset, replace(opts, home=str(home)))
            walls["local 1t"] = time.perf_counter() - t0
        torch.set_num_threads(threads)
        results["local 1t"] = units_of(home)

        for cpus in (1, 2):
            name = f"ray x{cpus}"
            home = fresh_home(warm, Path(tmp) / f"ray{cpus}")
            with local_cluster(workers=0, cpus=cpus) as cluster:
                t0 = time.perf_counter()
                curve_dataset(
                    dataset,
                    replace(opts, home=str(home), executor="ray", ray_address=cluster.address),
                )
                walls[name] = time.perf_counter() - t0
            results[name] = units_of(home)

    def unlike(name: str, ref_name: str) -> str:
        got, ref = results[name], results[ref_name]
        assert set(got) == set(ref), name
        differ = sum(got[k][0] != ref[k][0] for k in ref)
        gap = max(float(np.abs(np.asarray(got[k][1]) - np.asarray(ref[k][1])).max()) for k in ref)
        return f"vs {ref_name}: {differ}/{len(ref)} units predict otherwise, |dp| <= {gap:.1e}"

    for name in results:
        vs = f"{unlike(name, 'local')}; {unlike(name, 'local 1t')}"
        print(f"{name:8s} {walls[name]:7.1f} s  {vs}")
    print(f"overhead: ray x1 / local 1t = {walls['ray x1'] / walls['local 1t']:.2f}")
    print(f"          ray x1 / local    = {walls['ray x1'] / walls['local']:.2f}")
    print(
        f"scaling:  ray x1 / ray x2 = {walls['ray x1'] / walls['ray x2']:.2f} (2 would be linear)"
    )
    print(f"ray x2 vs local: {walls['local'] / walls['ray x2']:.2f} x as fast")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
