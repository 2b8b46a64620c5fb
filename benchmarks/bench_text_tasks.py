"""Every approach of the free-text demo tasks (generation, reasoning, QA, extraction) on
the embedded models.

For each task: the headline metric with its 95% interval, training seconds, p50/p95
latency and cost per 1k predictions of every approach (``compare`` on the bundled demo
data, a fresh store: nothing cached); LoRA training seconds per 100 examples; for
reasoning the self-consistency curve (k = 1, 3, 5) and answers-only vs
rationales-plus-answers LoRA ("distilling step by step"); for QA retrieval recall@k and
the gain of retrieval over closed-book answers; for extraction entity F1 per type.
Prints markdown for RESULTS.md.

Usage: python benchmarks/bench_text_tasks.py [--task generation|reasoning|qa|extraction|both]
       [--home DIR] [--max-test N] [--dev-size N]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import datetime, timezone
from typing import Any


def _iv(m: dict[str, Any]) -> str:
    return f"{m['value']:.3f} [{m['ci_low']:.3f}, {m['ci_high']:.3f}]"


def _table(head: str, rule: str, rows: list[tuple[Any, ...]]) -> None:
    """A markdown table: ``head`` with cells split by "|", the alignment ``rule``, rows."""
    print("| " + " | ".join(head.split("|")) + " |")
    print(rule)
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


def _run(task: str, home: str, **options: Any) -> None:
    from taskfit import approaches
    from taskfit.workflows.compare import compare_demo

    names = approaches.names(task=task)
    t0 = time.perf_counter()
    res = compare_demo(
        task=task, approaches=names, home=home, out=os.path.join(home, task), **options
    )
    wall = time.perf_counter() - t0
    doc = res.results_json
    metric = doc["task"]["metrics"][0]
    given = ", ".join(f"{k}={v}" for k, v in options.items() if v is not None) or "defaults"
    print(f"\n### {task} ({wall:.0f} s wall, fresh store, {given})\n")
    head = f"approach|{metric['title']} [95% CI]|n|train s|p50 / p95 ms|$ per 1k|parse fails"
    rows = [
        (
            a["name"],
            _iv(a["metrics"][metric["name"]]),
            a["n_test"],
            f"{a['train_seconds']:.1f}",
            f"{a['latency_ms']['p50']:.0f} / {a['latency_ms']['p95']:.0f}",
            f"{a['cost_per_1k_usd']:.3g}",
            a["parse_failures"],
        )
        for a in doc["approaches"]
    ]
    _table(head, "|---|---|---:|---:|---|---:|---:|", rows)
    for a in doc["approaches"]:
        if a["name"].startswith("lora"):
            per100 = 100 * a["train_seconds"] / max(1, a["n_train_labels"])
            print(f"\n{a['name']}: {per100:.0f} s of training per 100 examples", end="")
            print(f" ({a['n_train_labels']} examples). Notes: {'; '.join(a['notes'])}")
    for name, sc in (doc.get("self_consistency") or {}).items():
        print(f"\nSelf-consistency {name} (temperature {sc['temperature']}, n={sc['n']}):\n")
        per = [p["usd_per_correct"] for p in sc["points"]]
        _table(
            "k|exact match [95% CI]|$ per example|$ per correct answer",
            "|---:|---|---:|---:|",
            [
                (
                    p["k"],
                    _iv(p["exact_match"]),
                    f"{p['usd_per_example']:.3g}",
                    "-" if c is None else f"{c:.3g}",
                )
                for p, c in zip(sc["points"], per, strict=True)
            ],
        )
    _retrieval(doc.get("retrieval"))
    _entities(doc.get("entities"))
    print(f"\nRecommendation: {doc['recommendation']['choice']}")
    for r in doc["recommendation"]["reasons"]:
        print(f"- {r}")


def _retrieval(sec: dict[str, Any] | None) -> None:
    if not sec:
        return
    print("\nRetrieval (recall@k over questions with a gold passage):\n")
    _table(
        "approach|retriever|k|recall@k [95% CI]|ms / question|index build s",
        "|---|---|---:|---|---:|---:|",
        [
            (
                r["approach"],
                r["retriever"],
                r["k"],
                _iv(r["recall"]) if r["recall"] else "n/a",
                f"{r['query_ms']:.2f}",
                f"{r['build_seconds']:.2f}",
            )
            for r in sec["retrievers"]
        ],
    )
    print(f"\nGain of retrieval over closed-book ({sec['metric']}, paired):\n")
    _table(
        "approach|closed-book|difference [95% CI]|test|p",
        "|---|---|---|---|---:|",
        [
            (
                g["approach"],
                g["closed_book"],
                _iv(g["difference"]),
                g["test"],
                f"{g['p_value']:.3g}",
            )
            for g in sec["gain"]
        ],
    )


def _entities(sec: dict[str, Any] | None) -> None:
    if not sec:
        return
    types = sorted({t for per in sec["per_type"].values() for t in per})
    print("\nEntity F1 per type (exact span match):\n")
    _table(
        "approach|" + "|".join(types),
        "|---|" + "---:|" * len(types),
        [
            (name, *(f"{per[t]['f1']:.3f}" if t in per else "-" for t in types))
            for name, per in sec["per_type"].items()
        ],
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--task",
        default="both",
        choices=("generation", "reasoning", "qa", "extraction", "both"),
        help="both: generation and reasoning",
    )
    ap.add_argument("--home", default=None, help="store folder (default: a fresh temp dir)")
    ap.add_argument("--max-test", type=int, default=None, help="test examples the LLM sees")
    ap.add_argument("--dev-size", type=int, default=64, help="dev split choosing the wording")
    args = ap.parse_args()
    home = args.home or tempfile.mkdtemp(prefix="taskfit-bench-text-")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
    )
    for task in ("generation", "reasoning") if args.task == "both" else (args.task,):
        _run(task, home, max_test=args.max_test, dev_size=args.dev_size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
