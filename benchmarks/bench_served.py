"""Served scoring on banking77 (77 labels) through llama.cpp's server, before vs after.

Arms, side by side in one run, each against a fresh ``python -m llama_cpp.server`` with
the embedded SmolLM2-135M (a fresh server so that work one arm abandoned does not slow
the next):

- ``before``: the behaviour this replaces - one ``/completions`` request per label, a
  fixed 60 s timeout, 4 requests in flight whatever happens
  (``prompt_arrays=False, timeout_s=60, adaptive_concurrency=False``);
- ``after``: the defaults - one request per example with a prompt array, falling back
  to one per label when the server refuses arrays; adaptive timeouts and pacing;
- ``chat``: ``score_chat``, one ``/chat/completions`` request per example (system turn:
  the direct label list; options: the labels), probabilities from ``top_logprobs``.

Completion arms use the zero-shot prompt of ``Template.for_task(labels,
label_name="intent")``. Each arm scores the N stratified test examples one call per
example and starts no new example after ``--budget-s`` seconds (the example in progress
finishes), so a slow arm is capped and says so. An error ends an arm, as it ends a run.

Usage: python benchmarks/bench_served.py [--n 10] [--budget-s 600] [--arms before,after,chat]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the server start-up is shared with the integration tests
    sys.path.insert(0, str(ROOT))
from tests.support.llama_server import llama_server  # noqa: E402

BANKING77 = ROOT.parent / "shared" / "data" / "banking77"

ARMS: dict[str, dict[str, Any]] = {
    "before": {"prompt_arrays": False, "timeout_s": 60.0, "adaptive_concurrency": False},
    "after": {},
    "chat": {},
}


@dataclass
class ArmResult:
    name: str
    path: str
    scored: int
    n: int
    requests: int
    wall_s: float
    failures: int
    timeouts: int
    retries: int
    correct: int
    outcome: str  # "finished", "capped ..." or "aborted ..."


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.0f} GiB"
    return f"{os.cpu_count()} CPUs ({cpu}), {ram} RAM, {platform.machine()}"


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def run_arm(
    name: str, base_url: str, requests: list[Any], gold: list[int], budget_s: float
) -> ArmResult:
    from taskfit.backends.openai_compat import OpenAICompatBackend
    from taskfit.errors import BackendError

    backend = OpenAICompatBackend("smollm2", base_url, **ARMS[name])
    score = backend.score_chat if name == "chat" else backend.score_options
    scored = correct = failures = 0
    outcome = "finished"
    t0 = time.perf_counter()
    with backend:
        for i, req in enumerate(requests):
            if i and time.perf_counter() - t0 > budget_s:
                outcome = f"capped at {i} of {len(requests)} (budget {budget_s:.0f} s)"
                break
            try:
                (res,) = score([req])
            except BackendError as exc:
                failures += 1
                outcome = f"aborted at example {i + 1}: {str(exc)[:160]}"
                break
            scored += 1
            correct += int(max(range(len(res.logprobs)), key=res.logprobs.__getitem__) == gold[i])
            elapsed = time.perf_counter() - t0
            print(f"  {name}: example {i + 1} scored, {elapsed:.0f} s", flush=True)
        wall = time.perf_counter() - t0
        path = "chat" if name == "chat" else str(backend.score_path)
        return ArmResult(
            name,
            path,
            scored,
            len(requests),
            backend.requests_total,
            wall,
            failures,
            backend.timeouts_total,
            backend.retries_total,
            correct,
            outcome,
        )


def table(results: list[ArmResult]) -> str:
    lines = [
        "| arm | path | examples scored | HTTP requests per example | examples/s "
        "| s per example | wall s | failed examples | timeouts / retries | accuracy (n) "
        "| finished |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        attempted = r.scored + r.failures
        per_example = f"{r.requests / attempted:.1f}" if attempted else "-"
        rate = f"{r.scored / r.wall_s:.3g}" if r.scored else "0"
        per = f"{r.wall_s / r.scored:,.1f}" if r.scored else "-"
        accuracy = f"{r.correct / r.scored:.2f} ({r.scored})" if r.scored else "- (0)"
        lines.append(
            f"| {r.name} | {r.path} | {r.scored} / {r.n} | {per_example} | {rate} | {per} "
            f"| {r.wall_s:,.0f} | {r.failures} | {r.timeouts} / {r.retries} | {accuracy} "
            f"| {r.outcome} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10, help="test examples per arm")
    ap.add_argument("--budget-s", type=float, default=600.0, help="per arm, see above")
    ap.add_argument("--arms", default=",".join(ARMS), help="comma-separated subset")
    args = ap.parse_args()
    if not (BANKING77 / "test.csv").exists():
        print(f"skipped: {BANKING77} not found (benchmarks need ../shared/data/banking77)")
        return 0
    try:
        import llama_cpp.server.app  # noqa: F401 - needs llama-cpp-python[server]
    except ImportError as exc:
        print(f"skipped: llama_cpp.server cannot be imported ({exc})")
        return 0

    from taskfit.backends import ChatScoreRequest, ScoreRequest
    from taskfit.backends.llamacpp import embedded_model_path
    from taskfit.data import load_dataset
    from taskfit.run.plan import stratified_sample
    from taskfit.tasks.classification.prompts import Template

    ds = load_dataset(
        BANKING77 / "train.csv", test=BANKING77 / "test.csv", text="text", label="category"
    )
    test = [ds.test[i] for i in stratified_sample([e.label for e in ds.test], args.n, seed=0)]
    labels = list(ds.labels)
    gold = [labels.index(e.label) for e in test]
    template = Template.for_task(labels, label_name="intent")
    prefix, options = template.prefix(), template.options()
    completion = [ScoreRequest(prefix, template.body(e.text, None), options) for e in test]
    system = (("system", template.generation_system()),)
    verbal = tuple(template.verbal[lab] for lab in labels)
    chat = [ChatScoreRequest(system, (("user", f"Text: {e.text}"),), verbal) for e in test]

    started = datetime.now(timezone.utc)
    print(f"date: {started:%Y-%m-%d %H:%M} UTC; machine: {machine()}; load {load_average()}")
    print(f"banking77: {len(test)} stratified test examples x {len(labels)} labels")
    results = []
    logs = Path(tempfile.mkdtemp(prefix="taskfit-bench-served-"))
    for name in args.arms.split(","):
        with llama_server(embedded_model_path(), logs / f"{name}.log") as url:
            reqs = chat if name == "chat" else completion
            print(f"arm {name} (load {load_average()})", flush=True)
            results.append(run_arm(name, url, reqs, gold, args.budget_s))
        print(table(results[-1:]).splitlines()[-1], flush=True)  # kept if a later arm dies
    print(f"finished {datetime.now(timezone.utc):%H:%M} UTC; load {load_average()}")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
