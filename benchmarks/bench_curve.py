"""Cost of the default label-budget curve on banking77, against its floor and a naive sweep.

Target: the default curve (8 budgets x 5 seeds x encoder-lr and tfidf-lr, no prompted
references) costs at most 1.3 x (one encoding pass over the data + the fits). Measured
side by side in one process, each in a fresh store:

1. ``curve``: `taskfit.workflows.curve` as users run it (wall time, load excluded).
2. ``floor``: one MiniLM encoding pass over every train and test text, plus every fit and
   prediction of the sweep on the precomputed vectors / raw texts (the work that cannot be
   avoided).
3. ``naive``: the same units run by an executor whose encoder has no cache at all, so every
   point re-encodes its training texts and the test set.

Usage: python benchmarks/bench_curve.py [--seeds 5] [--skip-naive]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"


def floor_seconds(dataset, spec, encoder_name: str) -> tuple[float, float]:
    """(one encoding pass, all fits + predictions) for the sweep's learner units."""
    from sklearn.linear_model import LogisticRegression

    from taskfit.approaches import get
    from taskfit.learners.embed import Embedder
    from taskfit.run.budgets import budget_indices

    emb = Embedder(encoder_name, cache=None)
    emb.model()  # loading the model is not encoding
    train_texts = [e.joined for e in dataset.train]
    test_texts = [e.joined for e in dataset.test]
    t0 = time.perf_counter()
    x_train = emb.encode(train_texts)
    x_test = emb.encode(test_texts)
    t_encode = time.perf_counter() - t0
    labels = [e.label for e in dataset.train]
    t_fits = 0.0
    for u in spec.units:
        idx, _ = budget_indices(
            labels,
            int(u.param("budget")),
            per_class=u.param("budget_unit") == "per_class",
            seed=u.seed,
        )
        y = [labels[i] for i in idx]
        t0 = time.perf_counter()
        if u.approach == "encoder-lr":
            lr = LogisticRegression(C=10.0, max_iter=2000, random_state=u.seed)
            lr.fit(x_train[list(idx)], y)
            lr.predict_proba(x_test)
        else:
            learner = get(u.approach).make_learner(seed=u.seed)
            learner.fit([train_texts[i] for i in idx], y)
            learner.predict_proba(test_texts)
        t_fits += time.perf_counter() - t0
    return t_encode, t_fits


def naive_seconds(dataset, spec, encoder_name: str, home: Path) -> float:
    from taskfit.learners.embed import Embedder
    from taskfit.run.execute import Executor
    from taskfit.run.store import Store

    store = Store(home / "store.db")
    emb = Embedder(encoder_name, cache=None)
    emb.memo = False
    emb.model()
    ex = Executor(dataset=dataset, store=store, embedder=emb)
    t0 = time.perf_counter()
    ex.run(spec.units)
    wall = time.perf_counter() - t0
    store.close()
    return wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args()
    if not (BANKING77 / "test.csv").exists():
        print(f"skipped: {BANKING77} not found (benchmarks need ../shared/data/banking77)")
        return 0
    from taskfit.data import load_dataset
    from taskfit.workflows.curve import CurveOptions, curve_dataset, plan_for

    dataset = load_dataset(
        BANKING77 / "train.csv", test=BANKING77 / "test.csv", text="text", label="category"
    )
    opts = CurveOptions(prompted=(), seeds=args.seeds, plots=False)
    spec = plan_for(dataset, opts)
    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores; banking77 train {len(dataset.train)}, "
        f"test {len(dataset.test)}; budgets {list(spec.budgets)}; seeds {len(spec.seeds)}; "
        f"{len(spec.units)} points"
    )
    with tempfile.TemporaryDirectory(prefix="taskfit-bench-") as tmp:
        home = Path(tmp)
        t_encode, t_fits = floor_seconds(dataset, spec, opts.encoder)
        floor = t_encode + t_fits
        print(f"floor: one encoding pass {t_encode:.1f} s + fits {t_fits:.1f} s = {floor:.1f} s")
        t0 = time.perf_counter()
        res = curve_dataset(dataset, replace(opts, home=str(home / "curve")))
        t_curve = time.perf_counter() - t0
        print(f"curve: {t_curve:.1f} s = {t_curve / floor:.2f} x floor (target <= 1.3)")
        for a in res.section["approaches"]:
            last = a["summary"][-1]
            print(
                f"  {a['name']}: accuracy at {last['budget']} labels {last['accuracy_mean']:.3f}; "
                f"fit a={a['fit']['a']:.3f} b={a['fit']['b']:.3g} c={a['fit']['c']:.3f}"
            )
        if not args.skip_naive:
            t_naive = naive_seconds(dataset, spec, opts.encoder, home / "naive")
            print(
                f"naive (re-encodes every point): {t_naive:.1f} s = {t_naive / floor:.2f} x "
                f"floor; the curve is {t_naive / t_curve:.1f} x faster"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
