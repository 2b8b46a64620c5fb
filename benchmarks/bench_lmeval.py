"""taskfit vs lm-evaluation-harness on one llama.cpp server (banking77, 77 labels).

Both tools score the SAME strings against the SAME ``python -m llama_cpp.server`` process
(the embedded SmolLM2-135M GGUF on 127.0.0.1, started with the arguments of
``tests/support/llama_server.py`` plus ``--n_threads``/``--n_threads_batch``, default 1):
the context is taskfit's zero-shot classification prompt (``Template.for_task(labels,
label_name="intent")``), the continuations are taskfit's option strings (``" card
arrival"``, leading space included), one per label. Arms, side by side in one run:

- ``lm-eval server``: lm-evaluation-harness 0.4.x, ``local-completions`` model against the
  server's ``/v1/completions`` (``echo`` + ``logprobs``), a ``multiple_choice`` task whose
  YAML this script writes into a temp dir (dataset: a local JSONL with the rendered
  context in ``prompt``; ``doc_to_text: "{{prompt}}"``, ``target_delimiter: ""``,
  ``doc_to_choice``: the option strings). Its tokenizer (needed for context lengths) is
  the GGUF's own, converted offline by ``transformers`` into a temp folder. One request
  in flight (``num_concurrent=1``, ``batch_size=1``: the server takes one prompt per
  request). ``acc`` is the argmax of summed log-probs; ``acc_norm`` divides by bytes.
  ``local-completions`` sums ``token_logprobs[ctxlen:-1]``, taking the last echoed token
  for the generated one; llama-cpp-python's server echoes the prompt tokens only, so as
  shipped it drops the last token of every continuation (a one-token label scores 0 and
  wins). The driver registers ``local-completions-echo``, the same model whose parser sums
  ``[ctxlen:len(input)]``, and reports the as-shipped accuracy beside it from the same
  responses; ``--lmeval-as-shipped`` runs the unmodified model instead.
- ``taskfit server``: ``OpenAICompatBackend.score_options`` against the same server, one
  request per option (``prompt_arrays=False``: this server refuses prompt arrays), one in
  flight (``max_concurrency=1, adaptive_concurrency=False``).
- ``taskfit local``: ``LlamaCppBackend.score_options``, llama-cpp-python in process on the
  same GGUF (shared prefix evaluated once, options batched).

taskfit predicts the argmax of the softmax of the summed option log-probs, which is the
argmax of the sums: lm-eval's ``acc``. Server warm-up is excluded for every arm alike: one
echo request is sent after start-up, before the first arm. lm-eval's time covers
``simple_evaluate`` (model set-up, dataset, requests, metrics) but not interpreter
start-up and imports, which are reported apart.

``--prompt`` chooses the context: ``body`` (default) is the per-example part of the
zero-shot prompt (``Text: ...\\nIntent:``); ``full`` prepends the instruction with the 77
labels listed (about 450 tokens). The llama.cpp python server's echo path costs tens of
milliseconds per prompt token (it sorts the whole vocabulary in Python for every echoed
token), one request per label: ``full`` takes about half an hour per example here.

``--inflight 1,2,4,8`` adds the served-model throughput sweep: ``OpenAICompatBackend``
with ``max_concurrency`` c and adaptive concurrency off, on the first
``--inflight-examples`` examples, examples/s and requests/s for each c.

Set-up (once, from the project root, after ``make test`` or ``pip install -e .[models]``
and ``pip install 'llama-cpp-python[server]'`` in .venv)::

    python3 -m venv benchmarks/.venv-lmeval
    benchmarks/.venv-lmeval/bin/pip install torch==2.13.0   # the CPU build, first
    benchmarks/.venv-lmeval/bin/pip install "lm-eval[api]>=0.4,<0.5" transformers gguf

Run::

    .venv/bin/python benchmarks/bench_lmeval.py --per-label 2 --limit 3 --inflight 1,2,4,8

Usage: python benchmarks/bench_lmeval.py [--per-label 2] [--seed 0] [--limit N]
  [--prompt body|full] [--inflight 1,2,4,8] [--inflight-examples 1] [--server-threads 1]
  [--lmeval-python PATH] [--lmeval-as-shipped] [--skip-lmeval] [--local-all]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]  # the tests' server, bench_served's helpers
from bench_served import load_average, machine  # noqa: E402
from tests.support.llama_server import llama_server  # noqa: E402

BANKING77 = ROOT.parent / "shared" / "data" / "banking77"
LMEVAL_PYTHON = ROOT / "benchmarks" / ".venv-lmeval" / "bin" / "python"
TASK = "banking77_taskfit"

# Runs in the lm-eval virtualenv: argv[1] is a JSON job; writes a JSON answer to job["out"].
LMEVAL_DRIVER = r"""
import json, os, sys, time
t_start = time.perf_counter()
job = json.loads(sys.argv[1])
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
from operator import itemgetter
import yaml
import lm_eval
from lm_eval.api.registry import register_model
from lm_eval.models.openai_completions import LocalCompletionsAPI
from lm_eval.tasks import TaskManager
from transformers import AutoTokenizer
t_imported = time.perf_counter()

# llama-cpp-python's server echoes the prompt tokens only (the generated token has no
# logits row, so it is dropped from the echo), while local-completions assumes the last
# echoed token is the generated one and sums token_logprobs[ctxlen:-1]: it would lose the
# last token of every continuation. This model sums [ctxlen:len(input)] instead (the same
# on servers that do echo the generated token) and keeps what the shipped parser returns.
shipped = {}


@register_model("local-completions-echo")
class EchoCompletions(LocalCompletionsAPI):
    @staticmethod
    def parse_logprobs(outputs, tokens=None, ctxlens=None, **kwargs):
        as_shipped = LocalCompletionsAPI.parse_logprobs(outputs, tokens=tokens, ctxlens=ctxlens)
        for inp, value in zip(tokens, as_shipped):
            shipped[tuple(inp)] = value[0]
        res = []
        for out in outputs if isinstance(outputs, list) else [outputs]:
            choices = sorted(out["choices"], key=itemgetter("index"))
            for choice, inp, ctxlen in zip(choices, tokens, ctxlens):
                lps = choice["logprobs"]["token_logprobs"][ctxlen : len(inp)]
                tops = choice["logprobs"]["top_logprobs"][ctxlen : len(inp)]
                greedy = all(lp == max(top.values()) for lp, top in zip(lps, tops))
                res.append((sum(lps), greedy))
        return res


gguf = job["gguf"]
tok = AutoTokenizer.from_pretrained(os.path.dirname(gguf), gguf_file=os.path.basename(gguf))
tok.clean_up_tokenization_spaces = False  # decoded requests must be the strings encoded
tok_dir = os.path.join(job["tmp"], "tokenizer")
tok.save_pretrained(tok_dir)

task = {
    "task": job["task"],
    "dataset_path": "json",
    "dataset_kwargs": {"data_files": {"test": job["data"]}},
    "test_split": "test",
    "output_type": "multiple_choice",
    "doc_to_text": "{{prompt}}",
    "doc_to_target": "label",
    "doc_to_choice": job["choices"],
    "target_delimiter": "",
    "metric_list": [
        {"metric": "acc", "aggregation": "mean", "higher_is_better": True},
        {"metric": "acc_norm", "aggregation": "mean", "higher_is_better": True},
    ],
}
task_dir = os.path.join(job["tmp"], "tasks")
os.makedirs(task_dir, exist_ok=True)
with open(os.path.join(task_dir, job["task"] + ".yaml"), "w") as f:
    yaml.safe_dump(task, f, sort_keys=False, allow_unicode=True)
t_ready = time.perf_counter()

results = lm_eval.simple_evaluate(
    model="local-completions-echo" if job["echo_fix"] else "local-completions",
    model_args={
        "model": "smollm2",
        "base_url": job["base_url"] + "/completions",
        "tokenizer_backend": "huggingface",
        "tokenizer": tok_dir,
        "tokenized_requests": False,
        "num_concurrent": 1,
        "batch_size": 1,
        "max_retries": 3,
        "max_length": 2048,
        "timeout": 3600,
    },
    tasks=[job["task"]],
    task_manager=TaskManager(include_path=task_dir),
    log_samples=True,
    bootstrap_iters=0,
)
t_done = time.perf_counter()
metrics = results["results"][job["task"]]
samples = []
for s in results["samples"][job["task"]]:
    ctx = s["doc"]["prompt"]
    keys = [tuple(tok(ctx + c, add_special_tokens=False).input_ids) for c in job["choices"]]
    samples.append(
        {
            "doc_id": s["doc_id"],
            "logprobs": [float(r[0]) for r in s["filtered_resps"]],
            "shipped": [shipped.get(k) for k in keys],
        }
    )
with open(job["out"], "w") as f:
    json.dump(
        {
            "version": lm_eval.__version__ if hasattr(lm_eval, "__version__") else "?",
            "acc": metrics.get("acc,none"),
            "acc_norm": metrics.get("acc_norm,none"),
            "samples": samples,
            "import_s": t_imported - t_start,
            "setup_s": t_ready - t_imported,
            "eval_s": t_done - t_ready,
        },
        f,
    )
"""


@dataclass
class Arm:
    name: str
    how: str
    n: int
    wall_s: float
    requests: int
    correct: int
    logprobs: list[list[float]] = field(default_factory=list)
    note: str = ""


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def argmax(values: list[float] | tuple[float, ...]) -> int:
    return max(range(len(values)), key=values.__getitem__)


def sample_examples(test: list[Any], labels: list[str], per_label: int, seed: int) -> list[Any]:
    """``per_label`` test examples of each label (seeded), in a seeded shuffled order, so
    that a ``--limit`` prefix spans many labels."""
    rng = random.Random(seed)
    by_label: dict[str, list[Any]] = {lab: [] for lab in labels}
    for ex in test:
        by_label[ex.label].append(ex)
    chosen = [ex for lab in labels for ex in rng.sample(by_label[lab], per_label)]
    rng.shuffle(chosen)
    return chosen


def warm_up(base_url: str, prompt: str) -> float:
    import httpx

    t0 = time.perf_counter()
    payload = {"model": "smollm2", "prompt": prompt, "max_tokens": 1, "echo": True}
    payload |= {"logprobs": 1, "temperature": 0}
    httpx.post(f"{base_url}/completions", json=payload, timeout=600).raise_for_status()
    return time.perf_counter() - t0


def run_lmeval(
    python: Path,
    base_url: str,
    contexts: list[str],
    options: tuple[str, ...],
    gold: list[int],
    echo_fix: bool,
) -> tuple[Arm, dict[str, Any]]:
    from taskfit.backends.llamacpp import embedded_model_path

    tmp = Path(tempfile.mkdtemp(prefix="taskfit-bench-lmeval-"))
    data = tmp / "banking77.jsonl"
    with data.open("w") as f:
        for ctx, g in zip(contexts, gold, strict=True):
            f.write(json.dumps({"prompt": ctx, "label": g}) + "\n")
    job = {
        "gguf": str(embedded_model_path()),
        "tmp": str(tmp),
        "data": str(data),
        "task": TASK,
        "choices": list(options),
        "base_url": base_url,
        "out": str(tmp / "answer.json"),
        "echo_fix": echo_fix,
    }
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    env["HF_HOME"] = str(tmp / "hf")  # a fresh datasets cache: no run reuses another's
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(python), "-c", LMEVAL_DRIVER, json.dumps(job)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process_s = time.perf_counter() - t0
    (tmp / "lmeval.log").write_text(proc.stdout)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-25:])
        raise RuntimeError(f"lm-eval exited with {proc.returncode}:\n{tail}")
    answer: dict[str, Any] = json.loads((tmp / "answer.json").read_text())
    by_id = {s["doc_id"]: s["logprobs"] for s in answer["samples"]}
    logprobs = [by_id[i] for i in range(len(contexts))]
    correct = sum(int(argmax(lp) == g) for lp, g in zip(logprobs, gold, strict=True))
    shipped_note = ""
    if echo_fix and all(None not in x["shipped"] for x in answer["samples"]):
        ship = {x["doc_id"]: x["shipped"] for x in answer["samples"]}
        ok = sum(int(argmax(ship[i]) == g) for i, g in enumerate(gold))
        shipped_note = f" (as shipped, [ctxlen:-1]: acc {ok / len(gold):.3f})"
    answer["process_s"] = process_s
    answer["log"] = str(tmp / "lmeval.log")
    arm = Arm(
        "lm-eval, server",
        "local-completions" + (" + echo fix" if echo_fix else "") + ", 1 in flight",
        len(contexts),
        float(answer["eval_s"]),
        len(contexts) * len(options),
        correct,
        logprobs,
        f"acc {answer['acc']:.3f}{shipped_note}, acc_norm {answer['acc_norm']:.3f}",
    )
    return arm, answer


def run_taskfit_server(base_url: str, requests: list[Any], gold: list[int]) -> Arm:
    from taskfit.backends.openai_compat import OpenAICompatBackend

    t0 = time.perf_counter()
    with OpenAICompatBackend(
        "smollm2",
        base_url,
        max_concurrency=1,
        adaptive_concurrency=False,
        prompt_arrays=False,
        prompt_logprobs=True,
    ) as backend:
        results = backend.score_options(requests)
        n_requests = backend.requests_total
    wall = time.perf_counter() - t0
    logprobs = [list(r.logprobs) for r in results]
    correct = sum(int(argmax(lp) == g) for lp, g in zip(logprobs, gold, strict=True))
    return Arm(
        "taskfit, server",
        "OpenAICompatBackend, per-option, 1 in flight",
        len(requests),
        wall,
        n_requests,
        correct,
        logprobs,
    )


def run_taskfit_local(requests: list[Any], gold: list[int], name: str) -> Arm:
    from taskfit.backends.llamacpp import LlamaCppBackend, embedded_model_path

    t0 = time.perf_counter()
    with LlamaCppBackend(embedded_model_path(), smoke_test_model=True) as backend:
        results = backend.score_options(requests)
    wall = time.perf_counter() - t0
    logprobs = [list(r.logprobs) for r in results]
    correct = sum(int(argmax(lp) == g) for lp, g in zip(logprobs, gold, strict=True))
    return Arm(
        name,
        "LlamaCppBackend, in process (model load included)",
        len(requests),
        wall,
        len(requests),
        correct,
        logprobs,
    )


def run_inflight(base_url: str, requests: list[Any], concurrency: int) -> tuple[float, int]:
    from taskfit.backends.openai_compat import OpenAICompatBackend

    t0 = time.perf_counter()
    with OpenAICompatBackend(
        "smollm2",
        base_url,
        max_concurrency=concurrency,
        adaptive_concurrency=False,
        prompt_arrays=False,
        prompt_logprobs=True,
    ) as backend:
        backend.score_options(requests)
        n_requests = backend.requests_total
    return time.perf_counter() - t0, n_requests


def agreement(a: Arm, b: Arm) -> str:
    """Same predictions, and the largest log-prob difference over all options."""
    if not a.logprobs or not b.logprobs:
        return "-"
    same = sum(int(argmax(x) == argmax(y)) for x, y in zip(a.logprobs, b.logprobs, strict=True))
    diff = max(
        abs(p - q)
        for x, y in zip(a.logprobs, b.logprobs, strict=True)
        for p, q in zip(x, y, strict=True)
    )
    return f"{same}/{len(a.logprobs)} same predictions, max |log-prob diff| {diff:.2g}"


def table(arms: list[Arm], reference: Arm | None) -> str:
    lines = [
        "| arm | how | examples | option requests | wall s | examples/s | s per example "
        "| accuracy (n) | vs lm-eval examples/s | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for a in arms:
        rate = a.n / a.wall_s if a.wall_s else float("nan")
        ratio = "-"
        if reference is not None and reference.wall_s and a is not reference:
            ratio = f"{rate / (reference.n / reference.wall_s):.3g}x"
        lines.append(
            f"| {a.name} | {a.how} | {a.n} | {a.requests} | {a.wall_s:,.1f} | {rate:.3g} "
            f"| {a.wall_s / a.n:,.2f} | {a.correct / a.n:.3f} ({a.n}) | {ratio} | {a.note} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-label", type=int, default=2, help="test examples per label")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--limit", type=int, default=None, help="score only the first N sampled examples"
    )
    ap.add_argument("--prompt", choices=("body", "full"), default="body")
    ap.add_argument("--inflight", default="", help="e.g. 1,2,4,8; empty: no sweep")
    ap.add_argument("--inflight-examples", type=int, default=1)
    ap.add_argument("--lmeval-python", type=Path, default=LMEVAL_PYTHON)
    ap.add_argument(
        "--server-threads",
        type=int,
        default=1,
        help="llama.cpp server --n_threads and --n_threads_batch (1: no thread hand-offs "
        "stall when another process shares the CPU)",
    )
    ap.add_argument("--skip-lmeval", action="store_true")
    ap.add_argument(
        "--lmeval-as-shipped",
        action="store_true",
        help="plain local-completions (drops the last continuation token on this server)",
    )
    ap.add_argument(
        "--local-all", action="store_true", help="also score all sampled examples locally"
    )
    args = ap.parse_args()
    if not (BANKING77 / "test.csv").exists():
        print(f"skipped: {BANKING77} not found (benchmarks need ../shared/data/banking77)")
        return 0
    try:
        import llama_cpp.server.app  # noqa: F401 - needs llama-cpp-python[server]
    except ImportError as exc:
        print(f"skipped: llama_cpp.server cannot be imported ({exc})")
        return 0
    if not args.skip_lmeval and not args.lmeval_python.exists():
        print(f"skipped: {args.lmeval_python} not found; set it up as the docstring says")
        return 0

    from taskfit.backends import ScoreRequest
    from taskfit.backends.llamacpp import embedded_model_path
    from taskfit.data import load_dataset
    from taskfit.tasks.classification.prompts import Template

    ds = load_dataset(
        BANKING77 / "train.csv", test=BANKING77 / "test.csv", text="text", label="category"
    )
    labels = list(ds.labels)
    subset = sample_examples(list(ds.test), labels, args.per_label, args.seed)
    chosen = subset[: args.limit] if args.limit else subset
    template = Template.for_task(labels, label_name="intent")
    prefix = template.prefix() if args.prompt == "full" else ""
    options = template.options()

    def requests_of(examples: list[Any]) -> list[Any]:
        return [ScoreRequest(prefix, template.body(e.text, None), options) for e in examples]

    requests = requests_of(chosen)
    gold = [labels.index(e.label) for e in chosen]
    contexts = [r.prefix + r.body for r in requests]

    started = datetime.now(timezone.utc)
    print(f"date: {started:%Y-%m-%d %H:%M} UTC; machine: {machine()}; load {load_average()}")
    print(
        f"banking77: {len(subset)} test examples ({args.per_label} per label, seed {args.seed}),"
        f" {len(chosen)} scored x {len(labels)} labels; prompt {args.prompt!r}, e.g. "
        f"{contexts[0]!r} + {options[0]!r}"
    )
    print(
        f"llama-cpp-python {package_version('llama_cpp_python')}, "
        f"taskfit {package_version('taskfit')}, python {platform.python_version()}"
    )
    arms: list[Arm] = []
    lmeval_arm: Arm | None = None
    lmeval_answer: dict[str, Any] = {}
    inflight: list[tuple[int, int, float, int]] = []
    logs = Path(tempfile.mkdtemp(prefix="taskfit-bench-lmeval-server-"))
    with llama_server(
        embedded_model_path(), logs / "server.log", threads=args.server_threads
    ) as url:
        print(f"server {url} up; warm-up request {warm_up(url, contexts[0]):.1f} s", flush=True)
        if not args.skip_lmeval:
            print(f"lm-eval (load {load_average()})", flush=True)
            lmeval_arm, lmeval_answer = run_lmeval(
                args.lmeval_python, url, contexts, options, gold, not args.lmeval_as_shipped
            )
            arms.append(lmeval_arm)
            print(table(arms[-1:], None).splitlines()[-1], flush=True)
        print(f"taskfit server (load {load_average()})", flush=True)
        arms.append(run_taskfit_server(url, requests, gold))
        print(table(arms[-1:], None).splitlines()[-1], flush=True)
        for c in [int(x) for x in args.inflight.split(",") if x.strip()]:
            few = requests[: args.inflight_examples]
            print(f"in flight {c} (load {load_average()})", flush=True)
            wall, n_req = run_inflight(url, few, c)
            inflight.append((c, len(few), wall, n_req))
            print(f"  {wall:.1f} s, {n_req} requests", flush=True)
    print(f"taskfit local (load {load_average()})", flush=True)
    arms.append(run_taskfit_local(requests, gold, "taskfit, local llama.cpp"))
    if args.local_all and len(subset) > len(chosen):
        full = run_taskfit_local(
            requests_of(subset), [labels.index(e.label) for e in subset], "taskfit, local (all)"
        )
        full.logprobs = []
        arms.append(full)

    print(f"finished {datetime.now(timezone.utc):%H:%M} UTC; load {load_average()}")
    if lmeval_answer:
        print(
            f"lm-eval {lmeval_answer['version']}: interpreter start-up and imports "
            f"{lmeval_answer['import_s']:.1f} s, tokenizer conversion and task YAML "
            f"{lmeval_answer['setup_s']:.1f} s, simple_evaluate {lmeval_answer['eval_s']:.1f} s, "
            f"process {lmeval_answer['process_s']:.1f} s (log {lmeval_answer['log']})"
        )
    print()
    print(table(arms, lmeval_arm))
    print()
    server_arm = next(a for a in arms if a.name == "taskfit, server")
    local_arm = next(a for a in arms if a.name == "taskfit, local llama.cpp")
    if lmeval_arm is not None:
        print(f"- lm-eval vs taskfit server: {agreement(lmeval_arm, server_arm)}")
    print(f"- taskfit server vs taskfit local: {agreement(server_arm, local_arm)}")
    if inflight:
        print()
        print(
            "| requests in flight | examples | requests | wall s | examples/s | requests/s "
            "| vs 1 in flight |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|")
        base_rate = inflight[0][3] / inflight[0][2]
        for c, n, wall, n_req in inflight:
            print(
                f"| {c} | {n} | {n_req} | {wall:,.1f} | {n / wall:.3g} | {n_req / wall:.3g} "
                f"| {n_req / wall / base_rate:.2f}x |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
