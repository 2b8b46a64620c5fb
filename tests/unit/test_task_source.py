"""The data source's task type and target column: loading targets that are not labels of a
fixed set, and the ``--task`` / ``--target`` flags of the command line."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.support.data import two_intent_csv
from typer.main import get_command
from typer.testing import CliRunner

import taskfit.tasks
from taskfit.cli import app, main
from taskfit.config import SOURCE_FIELDS, CompareOptions, DataSource, split_options
from taskfit.data import load_dataset
from taskfit.errors import DataError, UsageError
from taskfit.tasks import get_task, task_names
from taskfit.types import Dataset
from taskfit.workflows import profile as profile_workflow
from taskfit.workflows.context import load_source


def qa_csv(path: Path, n: int = 20, start: int = 0) -> Path:
    """``n`` rows of ``question,answer``; every answer is different (no label set)."""
    rows = ["question,answer"]
    rows += [f"what is {i} plus one,{i + 1}" for i in range(start, start + n)]
    path.write_text("\n".join(rows) + "\n")
    return path


def load_open(path: Path, **kwargs: Any) -> Dataset:
    return load_dataset(path, text="question", label="answer", label_set=False, **kwargs)


def rows(ds: Dataset) -> list[tuple[str, str]]:
    return [(e.text, e.target) for e in (*ds.train, *ds.test)]


# --- load_dataset with label_set=False ---------------------------------------------------


def test_open_targets_split_at_random_with_no_label_space(tmp_path: Path) -> None:
    path = qa_csv(tmp_path / "qa.csv")
    ds = load_open(path, task="qa", seed=0)
    assert ds.labels == ()
    assert ds.task == "qa"
    assert (len(ds.train), len(ds.test)) == (14, 6)  # test_size 0.3 of 20 rows
    assert sorted(rows(ds)) == sorted(rows(load_open(path, seed=0)))  # nothing lost
    # seeded: the same seed gives the same split, another seed another one
    assert load_open(path, seed=0).test == ds.test
    assert load_open(path, seed=1).test != ds.test
    # the targets (all different) would not stratify: as labels they are refused
    with pytest.raises(DataError):
        load_dataset(path, text="question", label="answer")


def test_open_targets_accept_a_test_file_with_unseen_targets(tmp_path: Path) -> None:
    train = qa_csv(tmp_path / "train.csv", n=10)
    test = qa_csv(tmp_path / "test.csv", n=5, start=100)  # no answer occurs in train
    ds = load_open(train, test=test)
    assert (len(ds.train), len(ds.test)) == (10, 5)
    assert {e.target for e in ds.test}.isdisjoint({e.target for e in ds.train})
    assert ds.labels == ()


def test_empty_target_cell_is_named_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "qa.csv"
    path.write_text("question,answer\nwhat is 1 plus one,2\nwhat is 2 plus one,\nok,x\n")
    with pytest.raises(DataError) as info:
        load_open(path)
    e = info.value
    assert (e.row, e.column) == (3, "answer")
    assert "empty target" in e.message and "label" not in e.message
    assert str(e).startswith(f"{path}, row 3, column 'answer': empty target")


# --- the data source's task type --------------------------------------------------------


def test_data_source_carries_the_task() -> None:
    assert "task" in SOURCE_FIELDS
    assert DataSource(text="t", label="l").task == "classification"
    source, _ = split_options(CompareOptions, None, {"text": "t", "label": "l", "task": "qa"})
    assert source.task == "qa"


def test_load_source_follows_the_task_types_label_set(tmp_path: Path, monkeypatch) -> None:
    task_names()  # the registry is loaded before a type is added for this test only
    open_task = replace(get_task("classification"), name="open-test", label_set=False)
    monkeypatch.setitem(taskfit.tasks._TASKS, "open-test", open_task)
    path = qa_csv(tmp_path / "qa.csv")
    ds = load_source(path, DataSource(text="question", label="answer", task="open-test"), seed=0)
    assert (ds.task, ds.labels, len(ds.test)) == ("open-test", (), 6)

    labelled = two_intent_csv(tmp_path / "d.csv")
    ds = load_source(labelled, DataSource(text="text", label="label"), seed=0)
    assert (ds.task, ds.labels) == ("classification", ("password", "refund"))


def test_load_source_refuses_an_unknown_task(tmp_path: Path) -> None:
    path = two_intent_csv(tmp_path / "d.csv")
    with pytest.raises(UsageError) as info:
        load_source(path, DataSource(text="text", label="label", task="nosuch"), seed=0)
    message = str(info.value)
    assert message.startswith("--task: unknown task type 'nosuch'")
    assert f"task types: {', '.join(task_names())}" in message


# --- the command line -------------------------------------------------------------------


def test_target_is_the_label_options_other_name() -> None:
    commands = getattr(get_command(app), "commands")  # noqa: B009
    for name in ("compare", "profile", "advise", "curve", "distill"):
        params = {p.name: p for p in commands[name].params}
        assert params["label"].opts == ["--label", "--target"], name
        assert params["task"].default == "classification", name
        assert "Task type: classification" in (params["task"].help or ""), name


def test_profile_with_target_works_like_label(tmp_path: Path, monkeypatch) -> None:
    # no LLM and no encoder: the profile keeps to its quick, model-free sections
    monkeypatch.setattr(profile_workflow, "_installed", lambda *modules: False)
    monkeypatch.setenv("TASKFIT_HOME", str(tmp_path / "home"))
    data = two_intent_csv(tmp_path / "d.csv")
    runner = CliRunner()
    docs = []
    for flag in ("--label", "--target"):
        out = tmp_path / flag.strip("-")
        args = ["profile", str(data), "--text", "text", flag, "label", "--out", str(out)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        docs.append(json.loads((out / "profile.json").read_text()))
    by_label, by_target = docs
    assert by_label["data_hash"] == by_target["data_hash"]
    assert by_label["labels"] == by_target["labels"]
    assert by_target["labels"]


@pytest.mark.parametrize("command", ["profile", "compare"])
def test_unknown_task_is_one_usage_line(command: str, tmp_path: Path, capsys) -> None:
    data = two_intent_csv(tmp_path / "d.csv")
    args = [command, str(data), "--text", "text", "--target", "label", "--task", "nosuch"]
    if command == "compare":
        args += ["--approaches", "majority", "--out", str(tmp_path / "run")]
    with pytest.raises(SystemExit) as info:
        main(args)
    captured = capsys.readouterr()
    assert info.value.code == 2
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: --task: unknown task type 'nosuch'")
    assert f"task types: {', '.join(task_names())}" in lines[0]
    assert not (tmp_path / "run").exists()
