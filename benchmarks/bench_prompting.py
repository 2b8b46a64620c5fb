"""The prompted arm's set-up, measured: format, prompt selection, label-prior correction.

For the embedded SmolLM2-135M on the demo data (8 intents) and banking77 (77 intents),
zero-shot and few-shot, on the same stratified test examples:

- completion format, default wording (what taskfit used before prompt selection);
- chat format (the model's own template), default wording;
- the prompt chosen on a dev split of training examples (``--dev-size``, default 64)
  among both formats x the wording variants;
- each of those with batch calibration (label prior from the unlabelled test inputs) and
  the selected one with the dev-split prior as well.

Accuracy and macro-F1 carry 95% bootstrap intervals; all calls go through one store, so
a candidate measured twice costs once. Prints a markdown table.

Usage: python benchmarks/bench_prompting.py [--datasets demo,banking77] [--max-test 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"


def _dataset(name: str, seed: int):
    from taskfit.data import load_dataset, load_demo

    if name == "demo":
        return load_demo(seed=seed)
    return load_dataset(
        BANKING77 / "train.csv",
        test=BANKING77 / "test.csv",
        text="text",
        label="category",
        seed=seed,
    )


def _fmt(iv) -> str:
    return f"{iv.value:.3f} [{iv.ci_low:.3f}, {iv.ci_high:.3f}]"


def _row(name, arm, y, probs, labels, seed) -> dict:
    from taskfit.metrics.quality import bootstrap_interval

    pred = [labels[int(i)] for i in np.argmax(np.asarray(probs), axis=1)]
    top, count = Counter(pred).most_common(1)[0]
    return {
        "arm": arm,
        "acc": bootstrap_interval(y, pred, "accuracy", seed=seed),
        "f1": bootstrap_interval(y, pred, "macro_f1", labels=labels, seed=seed),
        "top": f"{count / len(pred):.0%} {top}",
        "name": name,
        "n": len(y),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="demo,banking77")
    ap.add_argument("--max-test", type=int, default=200)
    ap.add_argument("--dev-size", type=int, default=64)
    ap.add_argument("--shots", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--home", default=None, help="store folder (default: a fresh temp dir)")
    ap.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: all)")
    args = ap.parse_args()

    from taskfit.backends import make_backend, parse_spec
    from taskfit.learners.embed import Embedder
    from taskfit.metrics.prior import batch_calibrate, dev_calibrate
    from taskfit.run.llm_cache import CachingBackend
    from taskfit.run.plan import PlanOptions, prompt_unit, stratified_sample
    from taskfit.run.prompt_unit import run_prompt_unit
    from taskfit.run.store import Store

    home = Path(args.home or tempfile.mkdtemp(prefix="taskfit-bench-prompt-"))
    store = Store(home / "store.db")
    spec = parse_spec("smollm2")
    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores; model: SmolLM2-135M-Instruct Q4_1"
    )
    rows: list[dict] = []
    options = {"n_threads": args.threads} if args.threads else {}
    with CachingBackend(make_backend(spec, **options), store) as backend:
        for ds_name in args.datasets.split(","):
            if ds_name == "banking77" and not (BANKING77 / "test.csv").exists():
                print(f"skipped banking77: {BANKING77} not found")
                continue
            ds = _dataset(ds_name, args.seed)
            idx = stratified_sample([e.label for e in ds.test], args.max_test, args.seed)
            y = [ds.test[i].label for i in idx]
            labels = list(ds.labels)
            for approach in ("zero-shot", "few-shot"):
                arms = {
                    "completion (before)": PlanOptions(
                        shots=args.shots, prompt_format="completion", dev_size=0
                    ),
                    "chat": PlanOptions(shots=args.shots, prompt_format="chat", dev_size=0),
                    "selected on dev": PlanOptions(
                        shots=args.shots, prompt_format="auto", dev_size=args.dev_size
                    ),
                }
                for arm, opts in arms.items():
                    t0 = time.perf_counter()
                    unit = prompt_unit(approach, spec, ds, idx, args.seed, opts)
                    res = run_prompt_unit(unit, backend, ds, Embedder(cache=store))
                    took = time.perf_counter() - t0
                    probs = np.asarray(res.probabilities)
                    rec = res.prompting
                    what = arm
                    if rec.get("selected_on_dev"):
                        what = f"{arm}: {rec['format']}/{rec['variant']}"
                    name = f"{ds_name} {approach}"
                    rows.append(_row(name, what, y, probs, labels, args.seed))
                    rows.append(
                        _row(name, f"{what} + batch-cal", y, batch_calibrate(probs), labels, 0)
                    )
                    if rec.get("dev_probabilities"):
                        dev = np.asarray(rec["dev_probabilities"])
                        rows.append(
                            _row(name, f"{what} + dev-cal", y, dev_calibrate(probs, dev), labels, 0)
                        )
                        cands = ", ".join(
                            f"{c['format']}/{c['variant']} {c['dev_accuracy']:.3f}"
                            for c in rec["candidates"]
                        )
                        print(f"{name} dev candidates (n={rec['dev_n']}): {cands}")
                    print(f"{name} {arm}: {took:.0f} s", flush=True)
    print(f"\nLLM calls made {backend.calls_made}, served from the store {backend.calls_cached}")
    print("\n| data, approach (n test) | prompt | accuracy [95% CI] | macro-F1 | top label |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['name']} (n={r['n']}) "
            f"| {r['arm']} | {_fmt(r['acc'])} | {r['f1'].value:.3f} | {r['top']} |"
        )
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
