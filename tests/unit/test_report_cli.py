"""`taskfit report` and `--report` through the command line, and the command line the
report rebuilds from a run's settings."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from tests.support.data import two_intent_csv
from typer.main import get_command

import taskfit
from taskfit.cli import app, main
from taskfit.cli.flags import compare_settings
from taskfit.report.reproduce import CLI_DEFAULTS, TRUST_DEFAULTS, command_line
from taskfit.run.trust_plan import TrustOptions
from taskfit.workflows.compare import CompareOptions
from taskfit.workflows.curve import CurveOptions
from taskfit.workflows.distill import DistillOptions


def _commands() -> dict[str, Any]:
    commands: dict[str, Any] = getattr(get_command(app), "commands")  # noqa: B009
    return commands


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory):
    """A finished compare run stored under its home: (home, run id, run folder)."""
    tmp = tmp_path_factory.mktemp("cli")
    home = tmp / "home"
    res = taskfit.compare(
        two_intent_csv(tmp / "d.csv"),
        text="text",
        label="label",
        approaches=("majority", "tfidf-lr"),
        home=str(home),
        plots=False,
    )
    return home, res.run_id, res.out_dir


def _cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def test_report_by_run_id_uses_taskfit_home(stored_run, capsys, monkeypatch, tmp_path):
    home, run_id, run_dir = stored_run
    monkeypatch.setenv("TASKFIT_HOME", str(home))
    monkeypatch.chdir(tmp_path)  # the id is not a folder here
    code, out, err = _cli(["report", run_id], capsys)
    assert (code, err) == (0, "")
    assert out.strip() == str(home / "runs" / run_id / "report.html")
    assert (run_dir / "report.html").read_text().count(run_id) >= 2


def test_report_by_folder_and_out_elsewhere(stored_run, capsys, tmp_path):
    _, run_id, stored = stored_run
    run_dir = tmp_path / "run"  # a copy holding only results.json
    run_dir.mkdir()
    (run_dir / "results.json").write_bytes((stored / "results.json").read_bytes())
    dest = tmp_path / "review" / "r.html"
    code, out, _ = _cli(["report", str(run_dir), "--out", str(dest)], capsys)
    assert code == 0 and out.strip() == str(dest)
    figures = {"pareto.svg", "pareto.png", "confusion_1.svg", "confusion_1.png"}
    assert figures <= {p.name for p in dest.parent.iterdir()}
    assert {p.name for p in run_dir.iterdir()} == {"results.json"}
    assert run_id in dest.read_text()
    code, out, _ = _cli(["report", str(run_dir)], capsys)
    assert code == 0 and out.strip() == str(run_dir / "report.html")
    assert figures | {"report.html"} <= {p.name for p in run_dir.iterdir()}


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TASKFIT_HOME", str(tmp_path / "home"))
    no_json = tmp_path / "no_json"
    no_json.mkdir()
    malformed = tmp_path / "malformed"
    malformed.mkdir()
    (malformed / "results.json").write_text('{"run_id": ')
    for arg, named in (
        ("20990101-000000-nothere", "20990101-000000-nothere"),
        (str(tmp_path / "gone"), str(tmp_path / "gone")),
        (str(no_json), str(no_json / "results.json")),
        (str(malformed), str(malformed / "results.json")),
    ):
        code, out, err = _cli(["report", arg], capsys)
        assert code == 2 and out == ""
        assert err.startswith("error: ") and err.count("\n") == 1 and named in err, err


def test_bad_input_through_the_installed_entry_point_has_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "taskfit.cli", "report", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert str(tmp_path / "nope") in proc.stderr


def test_compare_with_report_writes_it_into_the_run_folder(tmp_path, capsys, home):
    data = two_intent_csv(tmp_path / "d.csv")
    args = ["compare", str(data), "--text", "text", "--label", "label"]
    code, out, _ = _cli([*args, "--approaches", "majority,tfidf-lr", "--report"], capsys)
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("Report: "))
    path = Path(line.removeprefix("Report: "))
    assert path.name == "report.html" and path.parent.parent == home / "runs"
    assert "tfidf-lr" in path.read_text()


@pytest.mark.parametrize("command", ["compare", "demo", "curve", "distill"])
def test_report_flag_is_accepted(command):
    cmd = _commands()[command]
    needs = ["d.csv", "--text", "t", "--label", "l"] if command == "compare" else []
    assert cmd.make_context(command, [*needs, "--report"]).params["report"] is True
    assert cmd.make_context(command, list(needs)).params["report"] is False


# --------------------------------------------------------------------------- command line


def test_cli_defaults_are_the_option_defaults():
    c, cu, d, t = CompareOptions(), CurveOptions(), DistillOptions(), TrustOptions()
    keys = ("shots", "prompt_format", "dev_size", "seed", "encoder", "usd_per_hour")
    for key in (*keys, "usd_per_label", "horizon_months", "max_accuracy_loss"):
        assert CLI_DEFAULTS[key] == getattr(c, key) == getattr(cu, key) == getattr(d, key)
    assert CLI_DEFAULTS["setfit_per_class"] == c.setfit_per_class
    assert CLI_DEFAULTS["curve_seeds"] == cu.seeds and CLI_DEFAULTS["distill_seeds"] == d.seeds
    assert CLI_DEFAULTS["teacher"] == d.teacher and CLI_DEFAULTS["gold"] == d.gold
    assert {k: getattr(t, k) for k in TRUST_DEFAULTS} == TRUST_DEFAULTS


def _demo_settings() -> dict:
    trust = asdict(
        TrustOptions(
            measures=("calibration", "robustness", "ood", "shortcuts", "selective", "groups"),
            perturbations=("typos", "casing"),
            ood_test="demo:ood_test.csv",
            target_accuracy=0.9,
            llm_max_test=30,
            perturb_seed=3,
        )
    )
    return {
        "approaches": ["zero-shot", "tfidf-lr"],
        "approaches_from_advice": False,
        "llms": ["openai:qwen@http://localhost:8000/v1"],
        "encoder": "minilm",
        "shots": 4,
        "prompt_format": "chat",
        "dev_size": 32,
        "max_test": 40,
        "seed": 3,
        "setfit_per_class": 16,
        "label_descriptions": None,
        "latency_p95_ms": 200.0,
        "budget_per_1k": None,
        "usd_per_hour": 0.25,
        "usd_per_label": 0.1,
        "horizon_months": 12.0,
        "max_accuracy_loss": 2.5,
        "volume_per_month": 40000.0,
        "price_file": None,
        "card": None,
        "answers": {"ood": True, "many_tasks": False},
        "on_prem": True,
        "trust": {k: list(v) if isinstance(v, tuple) else v for k, v in trust.items()},
    }


def test_demo_command_line_parses_back_to_the_same_settings():
    settings = _demo_settings()
    doc = {"task": {"source": "demo:train.csv", "test_source": "demo:test.csv"}}
    line, caveats = command_line({**doc, "settings": settings})
    words = shlex.split(line)
    assert words[:2] == ["taskfit", "demo"]
    params = _commands()["demo"].make_context("demo", words[2:]).params
    kw = compare_settings(params)
    assert list(kw["approaches"]) == settings["approaches"]
    assert list(kw["llms"]) == settings["llms"]
    keys = ("shots", "prompt_format", "dev_size", "max_test", "seed", "latency_p95_ms")
    for key in (*keys, "usd_per_hour", "on_prem", "max_accuracy_loss", "volume_per_month"):
        assert kw[key] == settings[key], key
    assert kw["answers"] == settings["answers"]
    rebuilt = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(kw["trust"]).items()}
    # the demo adds its own OOD file at run time, exactly as it did for the recorded run
    assert rebuilt.pop("ood_test") is None and settings["trust"].pop("ood_test")
    assert rebuilt == settings["trust"]
    assert caveats == ["backend options passed from Python are not recorded"]


def test_compare_command_line_names_the_data_and_what_it_cannot_restore():
    doc = {
        "task": {
            "source": "data/tickets v2.csv",
            "test_source": None,
            "columns": {"text": "body", "text_pair": None, "label": "intent"},
            "notes": ["dropped 2 rows with empty text (column 'body' of data/tickets v2.csv)"],
        },
        "settings": {
            "approaches": ["tfidf-lr"],
            "approaches_from_advice": True,
            "llms": [],
            "setfit_per_class": 8,
            "trust": {"measures": ["ood"], "llm_max_test": None, "n_bins": 10},
        },
    }
    line, caveats = command_line(doc)
    assert shlex.split(line) == [
        "taskfit",
        "compare",
        "data/tickets v2.csv",
        "--text",
        "body",
        "--label",
        "intent",
        "--drop-empty",
        "--ood",
    ]
    text = " ".join(caveats)
    for words in ("--test-size", "setfit_per_class=8", "not capped", "n_bins=10", "paths"):
        assert words in text, words


def test_recorded_curve_run_rebuilds_its_command(tmp_path):
    doc = {
        "task": {"source": "demo:train.csv"},
        "settings": json.loads(
            json.dumps(
                {
                    "command": "curve",
                    "approaches": ["tfidf-lr"],
                    "prompted": [],
                    "llms": [],
                    "budgets": [8, 32],
                    "budget_unit": "per_class",
                    "seeds": [0, 1],
                    "seed": 0,
                }
            )
        ),
    }
    line, _ = command_line(doc)
    assert line == (
        "taskfit curve --demo --approaches tfidf-lr --prompted '' --budgets 8,32 --per-class "
        "--seeds 2"
    )
