"""Label-scoring efficiency on banking77 (77 multi-token labels) with the embedded LLM.

Measures, side by side in one run:
- token ratio: tokens actually evaluated / (prompt tokens + label tokens counted once per
  example, shared prefix once per run); target <= 1.2;
- speedup over naive scoring (one full forward pass of prompt + label per label, as
  multiple-choice harnesses do), on a subset of examples;
- scoring throughput (evaluated tokens/s) vs the raw llama.cpp prompt-processing rate of
  the same context; target >= 0.7.

Usage: python benchmarks/bench_scoring.py [--n 100] [--naive-n 3]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="test examples scored")
    ap.add_argument("--naive-n", type=int, default=3, help="examples scored naively")
    args = ap.parse_args()
    if not (BANKING77 / "test.csv").exists():
        print(f"skipped: {BANKING77} not found (benchmarks need ../shared/data/banking77)")
        return 0

    from llama_cpp import Llama

    from taskfit.backends import ScoreRequest, make_backend, parse_spec
    from taskfit.backends.llamacpp import embedded_model_path
    from taskfit.data import load_dataset
    from taskfit.run.plan import stratified_sample
    from taskfit.tasks.classification.prompts import Template

    ds = load_dataset(
        BANKING77 / "train.csv", test=BANKING77 / "test.csv", text="text", label="category"
    )
    idx = stratified_sample([e.label for e in ds.test], args.n, seed=0)
    test = [ds.test[i] for i in idx]
    template = Template.for_task(ds.labels, label_name="intent")
    prefix, options = template.prefix(), template.options()
    reqs = [ScoreRequest(prefix, template.body(e.text, None), options) for e in test]

    be = make_backend(parse_spec("smollm2"))
    raw_rate = be.raw_prompt_rate(512)
    t0 = time.perf_counter()
    results = be.score_options(reqs)
    ours_s = time.perf_counter() - t0
    evaluated = sum(r.evaluated_tokens for r in results)
    n_prefix = len(be.tokenize(prefix, bos=True))
    label_tokens = sum(len(be.tokenize(o)) for o in options)
    ideal = n_prefix + sum(len(be.tokenize(r.body)) + label_tokens for r in reqs)
    raw_rate_after = be.raw_prompt_rate(512)
    be.close()

    # Naive: one full forward pass (prefix + body + label) per label.
    ref = Llama(str(embedded_model_path()), n_ctx=2048, n_batch=512, verbose=False)
    t0 = time.perf_counter()
    naive_tokens = 0
    for r in reqs[: args.naive_n]:
        ptoks = ref.tokenize(prefix.encode(), add_bos=True) + ref.tokenize(
            r.body.encode(), add_bos=False
        )
        for o in options:
            toks = ptoks + ref.tokenize(o.encode(), add_bos=False)
            ref.reset()
            ref.eval(toks)
            naive_tokens += len(toks)
    naive_s_per_ex = (time.perf_counter() - t0) / args.naive_n
    ref.close()

    ours_per_ex = ours_s / len(reqs)
    rate = evaluated / ours_s
    raw = (raw_rate + raw_rate_after) / 2
    print(
        f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
        f"{platform.processor() or platform.machine()}, {__import__('os').cpu_count()} cores, "
        f"Python {sys.version.split()[0]}"
    )
    print(
        f"banking77: {len(reqs)} test examples x {len(options)} labels "
        f"({label_tokens} label tokens per example), prefix {n_prefix} tokens"
    )
    print(
        f"tokens evaluated {evaluated} / ideal {ideal} = ratio {evaluated / ideal:.3f} "
        "(target <= 1.2)"
    )
    print(
        f"ours: {ours_per_ex * 1000:.0f} ms/example; naive: {naive_s_per_ex * 1000:.0f} "
        f"ms/example ({naive_tokens // args.naive_n} tokens/example) -> speedup "
        f"{naive_s_per_ex / ours_per_ex:.1f}x"
    )
    print(
        f"scoring throughput {rate:.0f} tok/s vs raw prompt processing {raw:.0f} tok/s "
        f"(before {raw_rate:.0f}, after {raw_rate_after:.0f}) -> {rate / raw:.2f} "
        "(target >= 0.7)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
