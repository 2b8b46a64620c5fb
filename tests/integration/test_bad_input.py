"""Bad input through the real CLI (``python -m taskfit.cli compare`` in a subprocess).

The rule: each bad input gives a one-line ``error:`` message on stderr naming the
file / row / column where known, exit code 2, no traceback, and nothing written: input
is validated before the store (``TASKFIT_HOME/store.db``) is opened. An LLM endpoint
that fails mid-run is the exception: finished units stay in the store and the run is
marked failed.

Data files are written in ``tmp_path`` and the CLI runs there, so messages name them by
their relative names (``train.csv``). Row numbers are lines as an editor shows them: a
CSV header is row 1, so data line ``i`` (0-based) is row ``i + 2``.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

import taskfit
from taskfit.errors import DataError

FAST = "zero-shot,majority,tfidf-lr"
COLS = ["--text", "text", "--label", "label"]
TEXTS = ("I want a refund for order", "I cannot log in to account", "My invoice is wrong for")
LABELS = ("refund", "login", "billing")


# --------------------------------------------------------------------------- helpers


def lines(n: int = 12, labels: tuple[str, ...] = LABELS) -> list[str]:
    """``n`` CSV data lines ``text,label``, distinct texts, labels cycling."""
    return [f"{TEXTS[i % len(TEXTS)]} {i},{labels[i % len(labels)]}" for i in range(n)]


def write(d: Path, name: str, body: str | bytes) -> str:
    """Write ``d/name`` (text bodies as UTF-8) and return ``name`` for the command line."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    (d / name).write_bytes(data)
    return name


def csv_body(rows: list[str], header: str = "text,label") -> str:
    return "\n".join([header, *rows]) + "\n"


def train_csv(d: Path) -> str:
    return write(d, "train.csv", csv_body(lines()))


def run_cli(
    d: Path, args: list[str], *, llm: str | None = "fake", approaches: str = FAST
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "taskfit.cli", "compare", *args, "--out", str(d / "out")]
    if llm is not None:
        cmd += ["--llm", llm]
    if "--approaches" not in args:
        cmd += ["--approaches", approaches]
    # narrow on purpose: the error is printed soft-wrapped, so it stays one line at any width
    env = {**os.environ, "TASKFIT_HOME": str(d / "home"), "COLUMNS": "60"}
    return subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True, timeout=180)


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The single ``error:`` line, after checking the exit code and the absence of a traceback."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


# --------------------------------------------------------------------------- cases
# Each case writes its files in d and returns (CLI args, substrings the error must contain).

Case = Callable[[Path], tuple[list[str], list[str]]]


def missing_file(d: Path) -> tuple[list[str], list[str]]:
    return ["nope.csv", *COLS], ["nope.csv", "file not found"]


def unknown_column(d: Path) -> tuple[list[str], list[str]]:
    args = [train_csv(d), "--text", "body", "--label", "label"]
    return args, ["train.csv", "column 'body'", "no such column", "'text', 'label'"]


def empty_file(d: Path) -> tuple[list[str], list[str]]:
    return [write(d, "train.csv", b""), *COLS], ["train.csv", "empty (0 bytes)"]


def header_only(d: Path) -> tuple[list[str], list[str]]:
    return [write(d, "train.csv", "text,label\n"), *COLS], ["train.csv", "no data rows"]


def empty_text(d: Path) -> tuple[list[str], list[str]]:
    rows = lines()
    rows[3] = ",refund"  # data line 3 -> row 5
    args = [write(d, "train.csv", csv_body(rows)), *COLS]
    return args, ["train.csv", "row 5", "column 'text'", "empty text", "--drop-empty"]


def unseen_test_label(d: Path) -> tuple[list[str], list[str]]:
    rows = lines(4)
    rows[1] = "Where is my parcel,shipping"  # row 3 of test.csv
    args = [train_csv(d), "--test", write(d, "test.csv", csv_body(rows)), *COLS]
    return args, ["test.csv", "row 3", "column 'label'", "'shipping'", "does not occur in train"]


def single_class(d: Path) -> tuple[list[str], list[str]]:
    args = [write(d, "train.csv", csv_body(lines(labels=("refund",)))), *COLS]
    return args, ["train.csv", "column 'label'", "single class", "'refund'"]


def not_utf8(d: Path) -> tuple[list[str], list[str]]:
    body = csv_body(lines()).encode("utf-8")
    bad = body.index(b"order 6")  # data line 6 -> row 8
    body = body[:bad] + b"\xff" + body[bad:]
    args = [write(d, "train.csv", body), *COLS]
    return args, ["train.csv", "row 8", f"byte {bad}", "0xff", "UTF-8"]


def malformed_jsonl(d: Path) -> tuple[list[str], list[str]]:
    rows = [json.dumps({"text": f"{TEXTS[i % 3]} {i}", "label": LABELS[i % 3]}) for i in range(12)]
    rows[4] = '{"text": "I want a refund", "label": '  # line 5
    args = [write(d, "train.jsonl", "\n".join(rows) + "\n"), *COLS]
    return args, ["train.jsonl", "row 5", "not valid JSON"]


def duplicate_columns(d: Path) -> tuple[list[str], list[str]]:
    rows = [f"{r},extra {i}" for i, r in enumerate(lines())]
    args = [write(d, "train.csv", csv_body(rows, header="text,label,text")), *COLS]
    return args, ["train.csv", "row 1", "duplicate column names", "'text'"]


def unknown_llm(d: Path) -> tuple[list[str], list[str]]:
    args = [train_csv(d), *COLS, "--llm", "bogus:x"]
    forms = ["smollm2", "gguf:/path/model.gguf", "openai:MODEL", "openai:MODEL@BASE_URL", "fake"]
    return args, ["unknown --llm spec 'bogus:x'", *forms]


def unknown_approach(d: Path) -> tuple[list[str], list[str]]:
    args = [train_csv(d), *COLS, "--approaches", "zero-shot,fine-tune"]
    valid = ["zero-shot", "few-shot", "few-shot-knn", "majority", "tfidf-lr", "encoder-lr"]
    return args, ["unknown approach 'fine-tune'", *valid, "setfit"]


def gguf_missing(d: Path) -> tuple[list[str], list[str]]:
    args = [train_csv(d), *COLS, "--llm", "gguf:models/nope.gguf"]
    return args, ["models/nope.gguf", "not found"]


def gguf_not_gguf(d: Path) -> tuple[list[str], list[str]]:
    args = [train_csv(d), *COLS, "--llm", "gguf:" + write(d, "x.gguf", "just some text\n")]
    return args, ["x.gguf", "not a GGUF file"]


def ood_without_label_column(d: Path) -> tuple[list[str], list[str]]:
    ood = write(d, "ood.csv", csv_body([f"{t} x" for t in TEXTS], header="text"))
    return [train_csv(d), *COLS, "--ood-test", ood], ["ood.csv", "column 'label'"]


def ood_missing(d: Path) -> tuple[list[str], list[str]]:
    return [train_csv(d), *COLS, "--ood-test", "gone.csv"], ["gone.csv", "file not found"]


def unknown_group_column(d: Path) -> tuple[list[str], list[str]]:
    return [train_csv(d), *COLS, "--group-col", "source"], ["train.csv", "column 'source'"]


def unknown_perturbation(d: Path) -> tuple[list[str], list[str]]:
    args = [train_csv(d), *COLS, "--perturbations", "typos,sarcasm"]
    return args, ["unknown perturbation 'sarcasm'", "typos", "entity-swap"]


def target_out_of_range(d: Path) -> tuple[list[str], list[str]]:
    return [train_csv(d), *COLS, "--target-accuracy", "90"], ["--target-accuracy", "(0, 1]"]


def export_bad_suffix(d: Path) -> tuple[list[str], list[str]]:
    args = [train_csv(d), *COLS, "--export-perturbed", "perturbed.txt"]
    return args, ["perturbed.txt", ".csv or .jsonl"]


CASES: list[Case] = [
    missing_file,
    unknown_column,
    empty_file,
    header_only,
    empty_text,
    unseen_test_label,
    single_class,
    not_utf8,
    malformed_jsonl,
    duplicate_columns,
    unknown_llm,
    unknown_approach,
    gguf_missing,
    gguf_not_gguf,
    ood_without_label_column,
    ood_missing,
    unknown_group_column,
    unknown_perturbation,
    target_out_of_range,
    export_bad_suffix,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, case: Case) -> None:
    args, expected = case(tmp_path)
    proc = run_cli(tmp_path, args, llm=None if "--llm" in args else "fake")
    assert proc.stderr.strip() == error_line(proc), proc.stderr  # the error and nothing else
    for part in expected:
        assert part in proc.stderr, f"{part!r} not in {proc.stderr!r}"
    assert not (tmp_path / "home" / "store.db").exists()
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- the rest


def test_drop_empty_skips_the_row_and_notes_it(tmp_path: Path) -> None:
    args, _ = empty_text(tmp_path)
    proc = run_cli(tmp_path, [*args, "--drop-empty"])
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    notes = json.loads((tmp_path / "out" / "results.json").read_text())["task"]["notes"]
    assert any("dropped 1 row with empty text" in n for n in notes), notes


def _free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, read, released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_endpoint_fails_one_line_and_keeps_finished_units(tmp_path: Path) -> None:
    # Prompted units run first (plan order), so a second, working LLM (fake) is what gets
    # a unit finished before the refused endpoint fails; majority/tfidf-lr never start.
    # The CLI cannot shorten the OpenAI backend's retries: 5 retries with backoff take
    # ~8-16 s here.
    url = f"http://127.0.0.1:{_free_port()}/v1"
    args = [train_csv(tmp_path), *COLS, "--llm", "fake", "--llm", f"openai:m@{url}"]
    proc = run_cli(tmp_path, args, llm=None, approaches="majority,tfidf-lr,zero-shot")
    line = error_line(proc)
    # stderr also holds the progress bars of the units that started, but the error is last
    assert proc.stderr.strip().splitlines()[-1] == line
    assert url in line and "connection refused" in line
    store = tmp_path / "home" / "store.db"
    assert store.exists()
    with closing(sqlite3.connect(store)) as db:
        names = {r[0] for r in db.execute("SELECT name FROM units")}
        statuses = [r[0] for r in db.execute("SELECT status FROM runs")]
    assert "zero-shot@fake" in names and not any("openai" in n for n in names), names
    assert statuses == ["failed"]
    assert not (tmp_path / "out" / "results.json").exists()


def test_python_api_bad_column_raises_data_error(tmp_path: Path) -> None:
    data = tmp_path / train_csv(tmp_path)
    with pytest.raises(DataError) as info:
        taskfit.compare(
            data,
            text="body",
            label="label",
            llms=("fake",),
            approaches=("majority",),
            home=str(tmp_path / "home"),
            out=str(tmp_path / "out"),
        )
    assert type(info.value) is DataError
    assert info.value.column == "body" and info.value.file == str(data)
    assert "'text', 'label'" in str(info.value)
    assert not (tmp_path / "home").exists()
