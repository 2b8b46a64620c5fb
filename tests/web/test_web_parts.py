"""The web UI's parts without a server: job states, form parsing, name sanitising."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from taskfit.errors import UsageError
from taskfit.web.jobs import JobBoard
from taskfit.web.params import JobParams, parse_form
from taskfit.web.uploads import safe_name


@pytest.fixture()
def board(tmp_path: Path):
    b = JobBoard(tmp_path / "store.db")
    yield b
    b.close()


def test_job_lifecycle_and_final_states_stick(board):
    job = board.create({"upload_id": "x"})
    assert job.status == "queued" and not job.final
    board.report(job.job_id, {"stage": "profiling"})
    assert board.get(job.job_id).status == "running"
    board.finish(job.job_id, "failed", "error: boom")
    board.finish(job.job_id, "finished")  # too late: failed is final
    board.report(job.job_id, {"stage": "late"})
    got = board.get(job.job_id)
    assert (got.status, got.error) == ("failed", "error: boom")


def test_cancel_request_wins_over_the_workers_outcome(board):
    job = board.create({})
    board.report(job.job_id, {})
    board.request_cancel(job.job_id)
    assert board.get(job.job_id).status == "cancelling"
    board.finish(job.job_id, "finished")
    assert board.get(job.job_id).status == "cancelled"
    board.request_cancel(job.job_id)  # no effect on a final job
    assert board.get(job.job_id).status == "cancelled"


def test_reconcile_marks_only_lost_workers(board, tmp_path):
    alive_job, lost_job, other = board.create({}), board.create({}), board.create({})
    board.set_pid(alive_job.job_id, 111)
    board.set_pid(lost_job.job_id, 222)
    board.set_pid(other.job_id, 333)
    board.set_run(lost_job.job_id, "run-1")
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute("INSERT INTO runs VALUES ('run-1', 0, 'running', '{}', NULL)")
    assert board.reconcile(lambda pid: pid == 111, only=lost_job.job_id) == [lost_job.job_id]
    assert board.get(other.job_id).status == "queued"  # not checked: only= one job
    assert board.get(lost_job.job_id).status == "interrupted"
    assert board.reconcile(lambda pid: pid == 111) == [other.job_id]
    assert board.get(alive_job.job_id).status == "queued"
    with sqlite3.connect(tmp_path / "store.db") as db:
        assert db.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"


def test_params_round_trip(board):
    p = JobParams("a" * 32, "text", "intent", approaches=("majority",), trust=("calibration",))
    assert JobParams.from_json(p.to_json()) == p
    qa = JobParams(
        "a" * 32,
        "question",
        "answer",
        task="qa",
        corpus_upload_id="b" * 32,
        evidence="gold",
        top_k=5,
    )
    assert JobParams.from_json(qa.to_json()) == qa


def test_old_job_records_load_without_the_qa_fields():
    old = {"upload_id": "a" * 32, "text": "text", "label": "intent", "llms": ["fake"]}
    p = JobParams.from_json(old)
    assert (p.corpus_upload_id, p.evidence, p.top_k) == (None, None, 3)


GOOD = {"upload_id": "a" * 32, "text": "text", "label": "intent"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"test_size": "1.5"}, "between 0 and 1"),
        ({"test_size": "lots"}, "must be a number"),
        ({"llms": "smollm2, gguf:/etc/passwd"}, "command line"),
        ({"max_test": "0"}, "positive"),
        ({"shots": "x"}, "whole number"),
        ({"upload_id": "../../etc/passwd"}, "unknown upload"),
        ({"label": ""}, "label column"),
        ({"corpus_upload_id": "../corpus.csv"}, "unknown upload"),
        ({"top_k": "0"}, r"^passages per question \(top-k\) must be 1 or more, got 0$"),
        ({"top_k": "-2"}, "must be 1 or more, got -2"),
        ({"top_k": "2.5"}, r"^passages per question \(top-k\) must be a whole number, got '2.5'$"),
    ],
)
def test_form_errors_are_one_line_usage_errors(extra, message):
    with pytest.raises(UsageError, match=message):
        parse_form({**GOOD, **extra}, {})


def test_form_defaults_and_lists():
    p = parse_form({**GOOD, "llms": " fake , openai:m@http://127.0.0.1:1/v1"}, {"trust": ["ood"]})
    assert p.llms == ("fake", "openai:m@http://127.0.0.1:1/v1")
    assert (p.approaches, p.trust, p.test_size, p.max_test) == ((), ("ood",), 0.3, None)
    with pytest.raises(UsageError, match="unknown trust measure 'groups'"):
        parse_form(GOOD, {"trust": ["groups"]})


def test_form_reads_the_qa_fields():
    p = parse_form(GOOD, {})
    assert (p.corpus_upload_id, p.evidence, p.top_k) == (None, None, 3)
    qa = {"corpus_upload_id": "b" * 32, "evidence": " passage_id ", "top_k": " 7 "}
    p = parse_form({**GOOD, "task": "qa", **qa}, {})
    assert (p.task, p.corpus_upload_id, p.evidence, p.top_k) == ("qa", "b" * 32, "passage_id", 7)
    assert parse_form({**GOOD, "evidence": "", "top_k": ""}, {}).evidence is None


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\data\\tickets 2024.csv", "tickets_2024.csv"),
        (".bashrc", "bashrc"),
        ("../", "upload"),
        ("<script>.csv", "script_.csv"),
        (None, "upload"),
    ],
)
def test_safe_name(sent, shown):
    assert safe_name(sent) == shown


@pytest.mark.parametrize(
    "args",
    [["--port", "0"], ["--max-upload-mb", "-1"], ["--host", "no.such.host.invalid"], "taken"],
)
def test_ui_refuses_bad_options_with_one_line(args, tmp_path):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        if args == "taken":
            args = ["--port", str(held.getsockname()[1])]
        proc = subprocess.run(
            [sys.executable, "-m", "taskfit.cli", "ui", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "TASKFIT_HOME": str(tmp_path / "home"), "COLUMNS": "300"},
        )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    if "--host" in args:
        assert "no.such.host.invalid" in lines[0]
    if args[0] == "--port" and args[1] != "0":
        assert "already in use" in lines[0]


def test_a_txt_corpus_is_stored_as_a_corpus_and_not_as_data(board, tmp_path):
    from taskfit.errors import DataError
    from taskfit.web.uploads import UnsupportedType, head_lines, is_corpus, store_upload

    text = b"The Hub 2 has two USB-A ports.\n\n\nIts launch price was $129.\n"
    up = store_upload(board, tmp_path / "uploads", "docs.txt", [text], 2**20, corpus=True)
    assert (up.fmt, is_corpus(up)) == ("corpus:txt", True)
    assert head_lines(up) == ["The Hub 2 has two USB-A ports.", "Its launch price was $129."]
    assert board.upload(up.upload_id) == up
    with pytest.raises(UnsupportedType, match=r"unsupported file type \('.txt'\)"):
        store_upload(board, tmp_path / "uploads", "docs.txt", [text], 2**20)
    blank = b"\n  \n"
    with pytest.raises(DataError, match=r"^blank\.txt: the corpus has no passages$"):
        store_upload(board, tmp_path / "uploads", "blank.txt", [blank], 2**20, corpus=True)
    assert [p.name for p in (tmp_path / "uploads").rglob("*.txt")] == ["docs.txt"]
