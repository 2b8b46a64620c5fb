"""`taskfit advise` and the advice inside `taskfit compare`, through the real CLI and models.

Bad input follows compare's rule: one ``error:`` line, exit code 2, no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from taskfit.workflows.compare import compare_demo

pytestmark = pytest.mark.integration


def advise_cli(d: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "taskfit.cli", "advise", *args]
    env = {**os.environ, "TASKFIT_HOME": str(d / "home"), "COLUMNS": "200"}
    return subprocess.run(
        cmd, cwd=d, env=env, capture_output=True, text=True, timeout=300, input=stdin
    )


def one_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


def test_card_alone_gives_answered_advice_and_json(tmp_path: Path) -> None:
    (tmp_path / "card.yaml").write_text(
        "task_type: classification\nfew_labels: yes\nlatency_p95_ms: 50\n", encoding="utf-8"
    )
    proc = advise_cli(tmp_path, "--card", "card.yaml", "--out", "adv")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "adv" / "advice.json").read_text())
    adv = doc["advice"]
    # few labels -> both flows prompt (P5, B6); a 50 ms p95 rules out serving an LLM
    assert {f: r["decided_by"] for f, r in adv["flows"].items()} == {"P": "P5", "B": "B6"}
    assert adv["prior"] == "distill"
    p5 = adv["flows"]["P"]["path"][-1]
    assert p5["fact"] == "few_labels" and p5["source"] == "answered"
    assert "profile" not in doc and doc["card"]["facts"] == {"few_labels": True}
    assert "Prior: distil" in proc.stdout and "P5" in proc.stdout


def test_demo_advice_measures_facts(tmp_path: Path, smollm2, embedder) -> None:
    proc = advise_cli(tmp_path, "--demo", "--set", "spurious_correlations=no", "--out", "adv")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "adv" / "advice.json").read_text())
    facts = {f["name"]: f for f in doc["advice"]["facts"]}
    for name in ("few_labels", "regression_like", "ood", "low_resource_language"):
        assert facts[name]["source"] == "measured", name
    assert facts["few_labels"]["value"] is False  # 342 rows over 8 intents
    assert facts["ood"]["value"] is True  # the bundled OOD test set is given with --demo
    assert facts["spurious_correlations"]["source"] == "answered"
    assert doc["profile"]["n_train"] == 342 and doc["profile"]["ood_shift"]["shifted"]
    assert "measured" in proc.stdout and "assumed" in proc.stdout


@pytest.mark.parametrize(
    ("card", "fragments"),
    [
        ("colour: blue\n", ["card.yaml", "unknown key 'colour'", "task_type"]),
        ("latency_p95_ms: fast\n", ["card.yaml", "latency_p95_ms"]),
    ],
)
def test_bad_card_is_one_line(tmp_path: Path, card: str, fragments: list[str]) -> None:
    (tmp_path / "card.yaml").write_text(card, encoding="utf-8")
    line = one_error(advise_cli(tmp_path, "--card", "card.yaml"))
    for f in fragments:
        assert f in line, line
    assert not (tmp_path / "home").exists()  # nothing written


def test_unknown_fact_in_set_is_one_line(tmp_path: Path) -> None:
    line = one_error(advise_cli(tmp_path, "--set", "oddness=yes"))
    assert "oddness" in line and "few_labels" in line


def test_interactive_without_terminal_says_how_to_answer(tmp_path: Path) -> None:
    line = one_error(advise_cli(tmp_path, "--interactive", stdin=""))
    assert "not a terminal" in line and "--set" in line and "--card" in line


def test_compare_defaults_come_from_the_advice(tmp_path: Path, smollm2, embedder) -> None:
    res = compare_demo(max_test=16, home=str(tmp_path / "h"), out=str(tmp_path / "o"))
    assert res.advice is not None
    doc = json.loads((tmp_path / "o" / "results.json").read_text())
    # demo: 43 labels per class, i.i.d. test split -> both flows end in fine-tuning
    assert doc["advice"]["prior"] == "finetune"
    expected = list(res.advice.approaches)
    # the label-prior corrected variants of prompted approaches are derived, not run
    ran = [a["name"].split("@")[0] for a in doc["approaches"] if "+" not in a["name"]]
    assert sorted(ran) == sorted(expected) and doc["settings"]["approaches_from_advice"]
    assert doc["profile"]["n_train"] == 342 and doc["profile"]["shift"] is not None
    rec = doc["recommendation"]
    assert rec["prior"] == "finetune"
    chosen_family = next(a["family"] for a in doc["approaches"] if a["name"] == rec["choice"])
    assert rec["agrees_with_prior"] is (chosen_family != "prompt")
    assert "prior" in rec["reasons"][-1]
    assert "Decision flows: prior" in (tmp_path / "o" / "summary.md").read_text()


@pytest.mark.parametrize("command", ["profile", "advise"])
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["nope.csv", "--text", "text", "--label", "label"], ["nope.csv", "file not found"]),
        (["d.csv", "--text", "body", "--label", "label"], ["d.csv", "column 'body'", "'text'"]),
        (["d.csv", "--text", "text"], ["--text and --label are required"]),
        (["d.csv", "--demo", "--text", "text", "--label", "label"], ["not both"]),
    ],
)
def test_data_errors_of_profile_and_advise(
    tmp_path: Path, command: str, args: list[str], fragments: list[str]
) -> None:
    rows = [f"message number {i},{'ab'[i % 2]}" for i in range(20)]
    (tmp_path / "d.csv").write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "taskfit.cli", command, *args]
    env = {**os.environ, "TASKFIT_HOME": str(tmp_path / "home"), "COLUMNS": "60"}
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    line = one_error(proc)
    for f in fragments:
        assert f in line, line
    assert not (tmp_path / "home").exists()
