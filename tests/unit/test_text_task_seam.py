"""A task type with free-text targets runs end to end through the seams.

The toy task ``shout`` and its two approaches live in ``tests/plugins/toy_task.py`` and
are registered by that file alone: loading (no label space, a random split), planning,
running (the approaches' own unit runners), scoring by the task type's metrics, the paired
tests, the recommendation and results.json/summary.md follow the task type, with no
label, accuracy or macro-F1 anywhere.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

from taskfit import approaches
from taskfit.config import CompareOptions
from taskfit.errors import UsageError
from taskfit.workflows.compare import compare

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
N = 40


@pytest.fixture(scope="module", autouse=True)
def _toy_task():
    sys.path.insert(0, str(PLUGINS))
    try:
        import toy_task

        toy_task.register()
        yield toy_task
    finally:
        approaches.unregister("shouter")
        approaches.unregister("parrot")
        sys.path.remove(str(PLUGINS))


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    path = tmp_path / "shout.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "shouted"])
        for i in range(N):
            text = f"please say thing number {i} louder"
            w.writerow([text, text.upper()])
    return path


def _opts(tmp_path: Path, **kw):
    return CompareOptions(home=str(tmp_path / "home"), out=str(tmp_path / "out"), plots=False, **kw)


def test_free_text_task_end_to_end(tmp_path: Path, data: Path) -> None:
    res = compare(
        data,
        text="text",
        label="shouted",
        task="shout",
        settings=_opts(tmp_path, approaches=("shouter", "parrot")),
    )
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert doc["task"]["type"] == "shout" and doc["task"]["labels"] == []
    assert [m["name"] for m in doc["task"]["metrics"]] == ["toy_exact", "toy_overlap"]
    n_test = doc["task"]["n_test"]
    assert 0 < n_test < N and doc["task"]["n_train"] == N - n_test
    by_name = {a["name"]: a for a in doc["approaches"]}
    assert set(by_name) == {"shouter", "parrot"}
    for a in by_name.values():
        assert set(a["metrics"]) == {"toy_exact", "toy_overlap"}  # no per-class F1
    # the shouter misses every fifth test example; the parrot never matches
    expected = sum(1 for k in range(n_test) if k % 5 != 4) / n_test
    assert by_name["shouter"]["metrics"]["toy_exact"]["value"] == pytest.approx(expected)
    assert by_name["parrot"]["metrics"]["toy_exact"]["value"] == 0.0
    low = by_name["shouter"]["metrics"]["toy_exact"]["ci_low"]
    assert 0.0 < low <= expected <= by_name["shouter"]["metrics"]["toy_exact"]["ci_high"]
    # right/wrong scores: McNemar, and a clear difference
    (c,) = doc["comparisons"]
    assert (c["a"], c["b"], c["test"]) == ("shouter", "parrot", "mcnemar")
    assert c["p_value"] < 0.01 and c["verdict"] == "inferior"
    assert doc["recommendation"]["choice"] == "shouter" == res.recommendation.choice
    assert doc["recommendation"]["reasons"][0].startswith("Best by toy exact match: shouter")
    for section in ("confusion", "prompting", "calibration"):
        assert section not in doc
    # (the trade rule's recorded field names, e.g. max_accuracy_loss_points, are fixed)
    text = json.dumps(doc["approaches"]) + " ".join(doc["recommendation"]["reasons"])
    assert "accura" not in text and "macro" not in text, doc["recommendation"]["reasons"]
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "toy exact match" in summary and "macro-F1" not in summary


def test_approaches_must_support_the_task(tmp_path: Path, data: Path) -> None:
    with pytest.raises(UsageError, match=r"'tfidf-lr' does not support shout tasks.*shouter"):
        compare(
            data,
            text="text",
            label="shouted",
            task="shout",
            settings=_opts(tmp_path, approaches=("shouter", "tfidf-lr")),
        )
    with pytest.raises(UsageError, match="no default approach supports shout tasks"):
        compare(data, text="text", label="shouted", task="shout", settings=_opts(tmp_path))
    assert not (tmp_path / "out").exists()
