"""Small data files the tests write."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from taskfit.cli import main


def two_intent_csv(path: Path) -> Path:
    """30 rows, two intents of 15 each, columns ``text`` and ``label``."""
    rows = ["text,label"]
    rows += [f"refund my order {i},refund" for i in range(15)]
    rows += [f"reset my password {i},password" for i in range(15)]
    path.write_text("\n".join(rows) + "\n")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV file of ``rows`` under ``header`` (the csv module's quoting)."""
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def fails_with_one_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run the CLI with ``args``; it must exit with code 2, no traceback and one error
    line, the last it prints (after any notes). Returns that line."""
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2, err
    assert "Traceback" not in err
    errors = [ln for ln in err.strip().splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and err.strip().endswith(errors[0]), err  # one line, the last
    return errors[0]
