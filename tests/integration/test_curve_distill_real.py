"""`taskfit curve` and `taskfit distill` through the real CLI, the embedded SmolLM2 and MiniLM.

Bad input follows compare's rule: one ``error:`` line, exit code 2, no traceback, and the
store untouched.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from taskfit.data import demo_paths

pytestmark = pytest.mark.integration


def cli(d: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "taskfit.cli", *args]
    env = {**os.environ, "TASKFIT_HOME": str(d / "home"), "COLUMNS": "200"}
    return subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True, timeout=900)


def one_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_curve_on_the_demo_with_real_models(tmp_path, smollm2, embedder):
    proc = cli(
        tmp_path,
        "curve",
        "--demo",
        "--approaches",
        "encoder-lr,tfidf-lr",
        "--prompted",
        "zero-shot",
        "--budgets",
        "8,40,342",
        "--seeds",
        "2",
        "--max-test",
        "24",
        "--out",
        "out",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    sec = doc["curves"]
    enc = next(a for a in sec["approaches"] if a["name"] == "encoder-lr@minilm")
    means = [s["accuracy_mean"] for s in enc["summary"]]
    assert means[-1] > 0.9 and means[-1] > means[0]  # MiniLM + LR learns the demo intents
    (ref,) = sec["references"]
    assert ref["name"] == "zero-shot@smollm2" and ref["n_test"] == 24
    assert enc["crossover"]["reference"] == "zero-shot@smollm2"
    assert "reference zero-shot@smollm2" in proc.stdout
    for name in ("learning_curves.png", "learning_curves.svg", "pareto.png", "pareto.svg"):
        assert (tmp_path / "out" / name).stat().st_size > 1000
    assert "Learning curves" in (tmp_path / "out" / "summary.md").read_text()
    # a second run is served from the store
    again = cli(
        tmp_path,
        "curve",
        "--demo",
        "--approaches",
        "encoder-lr,tfidf-lr",
        "--prompted",
        "zero-shot",
        "--budgets",
        "8,40,342",
        "--seeds",
        "2",
        "--max-test",
        "24",
        "--out",
        "out2",
        "--no-plots",
    )
    assert again.returncode == 0, again.stderr
    stats = json.loads((tmp_path / "out2" / "results.json").read_text())["run_stats"]
    assert stats["units_run"] == 0 and stats["llm_calls_made"] == 0
    assert not (tmp_path / "out2" / "pareto.png").exists()


def test_distill_smollm2_into_minilm(tmp_path, smollm2, embedder):
    # A small pool: 40 demo training texts, with their intents kept as gold for scoring.
    with open(demo_paths()["train"], encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[::8][:40]
    pool = tmp_path / "pool.csv"
    with open(pool, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["text", "intent"])
        w.writeheader()
        w.writerows({"text": r["text"], "intent": r["intent"]} for r in rows)
    proc = cli(
        tmp_path,
        "distill",
        "--demo",
        "--unlabeled",
        str(pool),
        "--students",
        "encoder-lr",
        "--gold",
        "16",
        "--seeds",
        "1",
        "--max-test",
        "24",
        "--out",
        "out",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    d = doc["distill"]
    assert d["pool"]["n"] == 40 and d["pool"]["n_with_gold"] == 40
    la = d["pool"]["label_accuracy"]
    assert 0 <= la["ci_low"] <= la["value"] <= la["ci_high"] <= 1
    (student,) = d["students"]
    assert student["n_train"] == 16 + 40 and student["n_gold"] == 16
    assert 0 <= student["agreement_with_teacher"] <= 1
    # the student serves far faster than the LLM teacher on this CPU
    assert student["latency_ms"]["p95"] < d["teacher"]["latency_ms"]["p95"]
    cm = {c["name"]: c for c in doc["cost_model"]["approaches"]}
    assert cm["distill:encoder-lr@minilm"]["human_labels"] == 16
    assert "Teacher zero-shot@smollm2" in proc.stdout
    assert (tmp_path / "out" / "distillation.png").stat().st_size > 1000


def test_bad_input_is_one_line_and_writes_nothing(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("text\n")
    cases = [
        (("curve", "--demo", "--budgets", "8,x"), "--budgets"),
        (("curve", "--demo", "--approaches", "zero-shot"), "cannot be swept"),
        (("curve", "missing.csv", "--text", "t", "--label", "l"), "missing.csv"),
        (("distill", "--demo"), "--unlabeled POOL or --from-train"),
        (("distill", "--demo", "--unlabeled", str(empty)), "no data rows"),
        (("distill", "--demo", "--from-train", "--teacher", "setfit"), "teacher"),
    ]
    for args, needle in cases:
        line = one_error(cli(tmp_path, *args))
        assert needle in line, line
    assert not (tmp_path / "home" / "store.db").exists()
