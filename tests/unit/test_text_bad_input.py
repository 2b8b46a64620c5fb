"""Bad input of the free-text task types: one error line naming the file, row and column
(after any notes), exit code 2, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.data import fails_with_one_line as _fails
from tests.support.data import write_csv as _write


def _args(
    command: str, data: Path, task: str, text: str, target: str, out: Path, *approaches: str
) -> list[str]:
    """``taskfit command data --task --text --target [--approaches] --out``."""
    args = [command, str(data), "--task", task, "--text", text, "--target", target]
    if approaches:
        args += ["--approaches", ",".join(approaches)]
    return [*args, "--out", str(out)]


def _questions(n: int = 30) -> list[list[str]]:
    return [
        [f"What is {i} plus {i + 1}?", str(2 * i + 1), f"{i} + {i + 1} = {2 * i + 1}"]
        for i in range(n)
    ]


@pytest.mark.parametrize("command", ["compare", "profile"])
def test_missing_target_column(command: str, tmp_path: Path, capsys) -> None:
    data = _write(tmp_path / "q.csv", ["question", "answer", "working"], _questions())
    out = tmp_path / "run"
    line = _fails(_args(command, data, "reasoning", "question", "solution", out), capsys)
    assert "q.csv" in line and "'solution'" in line
    assert not out.exists()


def test_empty_reference_names_its_row(tmp_path: Path, capsys) -> None:
    rows = [[f"name: item {i} | colour: red", f"Item {i} is red."] for i in range(30)]
    rows[6][1] = "  "
    data = _write(tmp_path / "g.csv", ["attributes", "description"], rows)
    out = tmp_path / "run"
    args = _args("compare", data, "generation", "attributes", "description", out, "nearest-output")
    line = _fails(args, capsys)
    assert "g.csv" in line and "row 8" in line and "description" in line
    assert "empty target" in line


def test_reasoning_column_without_final_answers(tmp_path: Path, capsys) -> None:
    rows = [
        [q, a, f"First we note that {w}, so adding them gives the total we want, {a}."]
        for q, a, w in _questions()
    ]
    data = _write(tmp_path / "q.csv", ["question", "answer", "working"], rows)
    line = _fails(
        _args("compare", data, "reasoning", "question", "working", tmp_path / "run", "majority"),
        capsys,
    )
    assert "q.csv" in line and "working" in line and "short final answers" in line
    assert not (tmp_path / "run").exists()


def test_an_approach_of_another_task_type(tmp_path: Path, capsys) -> None:
    data = _write(tmp_path / "q.csv", ["question", "answer", "working"], _questions())
    line = _fails(
        _args("compare", data, "reasoning", "question", "answer", tmp_path / "run", "tfidf-lr"),
        capsys,
    )
    assert "'tfidf-lr' does not support reasoning tasks" in line
