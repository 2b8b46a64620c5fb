"""A run killed with SIGKILL resumes with zero repeated LLM calls and equal results."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# No prompt selection: the call counts below are the test examples' alone.
ARGS = [
    "demo",
    "--approaches",
    "zero-shot,few-shot,majority",
    "--max-test",
    "60",
    "--dev-size",
    "0",
]


def _cli(home, out, *, wait=True):
    env = {**os.environ, "TASKFIT_HOME": str(home), "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "taskfit.cli", *ARGS, "--out", str(out)]
    if wait:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _calls(db) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as c:
            return c.execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0]
    except sqlite3.OperationalError:  # table not created yet
        return 0


def test_sigkill_midway_then_resume(tmp_path, smollm2):
    home = tmp_path / "home"
    proc = _cli(home, tmp_path / "out", wait=False)
    db = home / "store.db"
    deadline = time.monotonic() + 300
    while _calls(db) < 70 and time.monotonic() < deadline:  # midway through few-shot
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    done_before = _calls(db)
    assert 60 <= done_before < 120, done_before

    resumed = _cli(home, tmp_path / "out")
    assert resumed.returncode == 0, resumed.stderr
    stats = json.loads((tmp_path / "out" / "results.json").read_text())["run_stats"]
    # zero-shot (60 calls) had finished: its unit is served whole from the store; the
    # few-shot calls finished before the kill are served from the call cache.
    assert stats["llm_calls_cached"] == done_before - 60
    assert stats["llm_calls_made"] == 120 - done_before  # nothing finished was repeated
    assert _calls(db) == 120
    assert stats["units_cached"] == 1 and stats["units_run"] == 2  # zero-shot had finished

    clean = _cli(tmp_path / "home2", tmp_path / "out2")
    assert clean.returncode == 0, clean.stderr
    a = json.loads((tmp_path / "out" / "results.json").read_text())["approaches"]
    b = json.loads((tmp_path / "out2" / "results.json").read_text())["approaches"]
    assert [x["metrics"] for x in a] == [x["metrics"] for x in b]
