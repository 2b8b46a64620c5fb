"""Progress when stderr is not a terminal: plain timestamped lines, one per unit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.data import two_intent_csv


def _compare(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "taskfit.cli", "compare", str(two_intent_csv(tmp_path / "d.csv"))]
    args += ["--text", "text", "--label", "label", "--approaches", "majority,tfidf-lr"]
    args += ["--no-plots", "--out", str(tmp_path / "run")]
    env = {**os.environ, "TASKFIT_HOME": str(tmp_path / "home")}
    return subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)


def test_piped_stderr_gets_a_line_per_unit_and_cache_hits_say_so(tmp_path):
    first = _compare(tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    stamp = r"^\[\d+:\d\d\] "
    for name in ("majority", "tfidf-lr"):
        assert any(re.match(stamp + name + r": \d+ examples$", ln) for ln in lines), lines
        assert any(re.match(stamp + name + r": done in \d+ s$", ln) for ln in lines), lines
    assert not any("━" in ln for ln in lines)  # no bar drawn into a log

    again = _compare(tmp_path).stderr.splitlines()
    assert any(re.match(stamp + r"tfidf-lr: from the cache$", ln) for ln in again), again
