"""One conformance test over every executor: the local one and Ray's (a local Ray
instance of two CPUs on 127.0.0.1). The same plan gives the same results, every unit
and LLM call lands in the store (written by the driver), and a second run is served
from it whole."""

from __future__ import annotations

import json
import sqlite3

import pytest
from tests.support.ray_cluster import skip_without_ray

from taskfit.workflows.compare import compare_demo

# A prompted approach (the scripted fake LLM), a learner and the floor.
PLAN = ("zero-shot", "few-shot", "majority", "tfidf-lr")


@pytest.fixture(params=["local", "ray"])
def executor(request):
    if request.param == "ray":
        skip_without_ray()
    return request.param


def _run(tmp_path, name, executor):
    res = compare_demo(
        llms=("fake",),
        approaches=PLAN,
        home=str(tmp_path / "home"),
        out=str(tmp_path / name),
        max_test=24,
        dev_size=16,
        plots=False,
        executor=executor,
    )
    return json.loads((res.out_dir / "results.json").read_text())


def _predictions(home) -> dict[str, list[str]]:
    with sqlite3.connect(home / "store.db") as c:
        rows = c.execute("SELECT key, result FROM units").fetchall()
    return {k: json.loads(r)["predictions"] for k, r in rows}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The plan's results with the local executor."""
    path = tmp_path_factory.mktemp("reference")
    doc = _run(path, "out", "local")
    return doc, _predictions(path / "home")


def test_executor_conformance(executor, reference, tmp_path):
    doc = _run(tmp_path, "out", executor)
    ref_doc, ref_predictions = reference
    assert _predictions(tmp_path / "home") == ref_predictions
    assert [a["metrics"] for a in doc["approaches"]] == [
        a["metrics"] for a in ref_doc["approaches"]
    ]
    stats = doc["run_stats"]
    assert stats["units_run"] == len(PLAN) and stats["units_cached"] == 0
    assert stats["llm_calls_made"] == ref_doc["run_stats"]["llm_calls_made"] > 0
    with sqlite3.connect(tmp_path / "home" / "store.db") as c:
        assert c.execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0] == stats["llm_calls_made"]
    again = _run(tmp_path, "again", executor)
    assert again["run_stats"]["units_cached"] == len(PLAN)
    assert again["run_stats"]["units_run"] == again["run_stats"]["llm_calls_made"] == 0
