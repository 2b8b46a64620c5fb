"""Distillation with the fake backend: a planted label-noise rate is what taskfit reports."""

from __future__ import annotations

import json

import pytest

from taskfit.errors import DataError, UsageError
from taskfit.workflows.distill import distill, distill_demo

WORDS = {
    "refund": "money back charge",
    "password": "login locked reset",
    "delivery": "parcel courier late",
    "invoice": "receipt billing pdf",
}
NOISE = 0.2


def _write(path, n_per_label, offset=0, with_label=True):
    """Texts that contain their own label word: the noiseless fake teacher is always right."""
    rows = ["text,label"] if with_label else ["text"]
    for lab, cue in WORDS.items():
        for i in range(n_per_label):
            text = f"{lab} please {cue.split()[i % 3]} case {offset + i}"
            rows.append(f"{text},{lab}" if with_label else text)
    path.write_text("\n".join(rows) + "\n")
    return path


def _run(tmp_path, **kw):
    data = _write(tmp_path / "train.csv", 60)
    test = _write(tmp_path / "test.csv", 50, offset=1000)
    return distill(
        data,
        text="text",
        label="label",
        test=test,
        llms=("fake",),
        students=("tfidf-lr",),
        backend_options={"fake": {"noise": NOISE, "seed": 7}},
        home=str(tmp_path / "h"),
        out=str(tmp_path / "out"),
        plots=False,
        **kw,
    )


def test_planted_noise_rate_is_the_reported_teacher_accuracy(tmp_path):
    res = _run(tmp_path, from_train=True, seeds=2)
    sec = res.section
    acc = sec["teacher"]["test_accuracy"]
    assert acc["ci_low"] <= 1 - NOISE <= acc["ci_high"]
    assert acc["ci_high"] < 0.95  # the noise is visible, not averaged away
    pool = sec["pool"]
    assert pool["n"] == 240 and pool["n_with_gold"] == 240
    la = pool["label_accuracy"]
    assert la["ci_low"] <= 1 - NOISE <= la["ci_high"]
    (student,) = sec["students"]
    assert student["n_train"] == 240 and student["n_gold"] == 0
    # students learn the words, so they agree with the (noisy) teacher less than perfectly
    assert 0.5 < student["agreement_with_teacher"] < 1.0
    sizes = sorted({g["n_llm_labels"] for g in sec["growth"]})
    assert sizes[-1] == 240 and len(sizes) >= 3
    cost = sec["labelling_cost"]
    assert cost["human_usd"] == pytest.approx(240 * 0.10)
    assert cost["llm_usd"] >= 0
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {"distill", "cost_model"} <= set(doc)
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert summary.startswith("# taskfit distillation") and "## Distillation" in summary
    cm = {c["name"]: c for c in doc["cost_model"]["approaches"]}
    assert cm["distill:tfidf-lr"]["human_labels"] == 0
    assert cm["distill:tfidf-lr"]["llm_labelling_usd"] == pytest.approx(cost["llm_usd"])


def test_min_confidence_and_gold_labels(tmp_path):
    res = _run(tmp_path, from_train=True, seeds=1, gold=20, min_confidence=0.5)
    sec = res.section
    pool = sec["pool"]
    assert pool["n_labelled"] <= 240 - 20  # gold examples are taken out of the pool
    (student,) = sec["students"]
    assert student["n_gold"] == 20 and student["n_train"] == 20 + pool["n_labelled"]
    assert pool["kept_label_accuracy"] is not None


def test_separate_pool_with_and_without_gold(tmp_path):
    pool = _write(tmp_path / "pool.csv", 10, offset=500, with_label=False)
    res = _run(tmp_path, unlabeled=str(pool), seeds=1)
    assert res.section["pool"]["n"] == 40 and res.section["pool"]["label_accuracy"] is None


def test_empty_pool_and_bad_options_are_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("text\n\n")
    with pytest.raises(DataError):
        _run(tmp_path, unlabeled=str(empty))
    for kw in (
        {},  # no pool
        {"from_train": True, "unlabeled": str(empty)},
        {"from_train": True, "teacher": "setfit"},
        {"from_train": True, "min_confidence": 1.5},
        {"from_train": True, "gold": 10_000},
    ):
        with pytest.raises(UsageError):
            _run(tmp_path, **kw)


def test_demo_defaults_to_the_training_texts(tmp_path):
    res = distill_demo(
        llms=("fake",),
        students=("tfidf-lr",),
        seeds=1,
        sizes=(20, 100),
        home=str(tmp_path / "h"),
        out=str(tmp_path / "o"),
        plots=False,
    )
    assert res.section["pool"]["n"] == 342
    assert sorted({g["n_llm_labels"] for g in res.section["growth"]}) == [20, 100]
