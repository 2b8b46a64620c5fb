"""Every approach of the generation and reasoning task types on the embedded SmolLM2-135M
(llama.cpp for the prompted ones, transformers + peft for the LoRA ones), through
``compare`` on small slices of the demo data. The figures of a 135M model are not the
point; that each approach runs for real, keeps its raw outputs, and is scored, cached and
reported as its task type says is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from tests.support.models import (
    GGUF,
    LLAMA,
    PEFT,
    SMOLLM2,
    TORCH,
    skip_without,
    small_lora_on_one_thread,
)

from taskfit import approaches
from taskfit.config import CompareOptions
from taskfit.data.demo import load_demo
from taskfit.types import Dataset
from taskfit.workflows.compare import compare_dataset

pytestmark = pytest.mark.integration

N_TRAIN, N_TEST, DEV = 16, 5, 6


@pytest.fixture(autouse=True)
def _models(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    skip_without(LLAMA, SMOLLM2, TORCH, PEFT, GGUF)
    yield from small_lora_on_one_thread(monkeypatch)


def _slice(task: str) -> Dataset:
    demo = load_demo(task=task)
    return replace(
        demo,
        train=demo.train[:N_TRAIN],
        test=demo.test[:N_TEST],
        data_hash=f"{demo.data_hash}-every-approach-{N_TRAIN}-{N_TEST}",
    )


def _compare(ds: Dataset, names: tuple[str, ...], tmp: Path, out: str) -> dict:
    opts = CompareOptions(
        approaches=names,
        llms=("smollm2",),
        shots=2,
        dev_size=DEV,
        samples=3,
        home=str(tmp / "home"),
        out=str(tmp / out),
        plots=False,
    )
    compare_dataset(ds, opts)
    return json.loads((tmp / out / "results.json").read_text())


def _rows(doc: dict) -> dict[str, dict]:
    return {a["name"].split("@")[0]: a for a in doc["approaches"]}


def test_every_generation_approach(tmp_path: Path) -> None:
    names = approaches.names(task="generation")
    assert set(names) >= {"zero-shot", "few-shot", "few-shot-knn", "nearest-output", "lora"}
    doc = _compare(_slice("generation"), names, tmp_path, "out")
    rows = _rows(doc)
    assert set(rows) == set(names)
    for name, row in rows.items():
        assert row["n_test"] == N_TEST, name
        for metric in ("rouge_l", "chrf", "bleu"):
            iv = row["metrics"][metric]
            assert iv["ci_low"] <= iv["value"] <= iv["ci_high"], (name, metric)
        assert 0.0 <= row["metrics"]["rouge_l"]["value"] <= 1.0
    # the prompted ones chose their wording on the dev split and wrote something
    for name in ("zero-shot", "few-shot", "few-shot-knn"):
        assert f"dev split of {DEV}" in " ".join(rows[name]["notes"]), name
    shown = doc["outputs"]["examples"][0]["outputs"]
    assert {n.split("@")[0] for n in shown} == set(names)
    assert all(o["output"].strip() for n, o in shown.items() if n.startswith("zero-shot"))
    assert rows["lora"]["train_seconds"] > 0
    assert doc["recommendation"]["choice"] in {a["name"] for a in doc["approaches"]}
    assert doc["comparisons"] and doc["comparisons"][0]["test"] == "paired-permutation"


def test_every_reasoning_approach(tmp_path: Path) -> None:
    names = approaches.names(task="reasoning")
    assert set(names) >= {"cot", "self-consistency", "lora", "lora-rationales", "majority"}
    ds = _slice("reasoning")
    doc = _compare(ds, names, tmp_path, "out")
    rows = _rows(doc)
    assert set(rows) == set(names)
    truth = [e.target for e in ds.test]
    for name, row in rows.items():
        em = row["metrics"]["exact_match"]
        assert 0.0 <= em["value"] <= 1.0 and em["ci_low"] <= em["value"] <= em["ci_high"]
        assert row["n_test"] == N_TEST, name
    # every approach's raw output and extracted answer are kept beside the reference
    first = doc["outputs"]["examples"][0]
    assert first["reference"] == truth[0]
    by = {n.split("@")[0]: o for n, o in first["outputs"].items()}
    assert set(by) == set(names)
    assert len(by["cot"]["output"]) > len(by["cot"]["answer"] or "")  # a rationale first
    assert len(by["lora-rationales"]["output"]) > len(by["lora-rationales"]["answer"] or "")
    # self-consistency: k = 1, 3 of 3 samples, cost growing with k
    (sc,) = doc["self_consistency"].values()
    assert sc["samples"] == 3 and [p["k"] for p in sc["points"]] == [1, 3]
    assert sc["points"][1]["usd_per_example"] > sc["points"][0]["usd_per_example"]
    # distilling step by step: the teacher's rationales, then the gold answer
    notes = " ".join(rows["lora-rationales"]["notes"])
    assert f"for {N_TRAIN} training questions" in notes and "its own answer was right" in notes
    assert rows["lora-rationales"]["n_train_labels"] == rows["lora"]["n_train_labels"] == N_TRAIN
    # a rerun is served from the store: every unit, every LLM call and both adapters
    again = _compare(ds, names, tmp_path, "again")
    assert again["run_stats"]["units_run"] == 0
    assert again["run_stats"]["units_cached"] == len(names)
    assert len(list((tmp_path / "home" / "lora").iterdir())) == 2


def test_lora_label_budget_curve(tmp_path: Path) -> None:
    # `taskfit curve --task generation`: LoRA trained at each budget, scored by ROUGE-L,
    # against the prompted zero-shot reference line.
    from taskfit.workflows.curve import CurveOptions, curve_dataset

    ds = _slice("generation")
    res = curve_dataset(
        ds,
        CurveOptions(
            approaches=("lora",),
            prompted=("zero-shot",),
            budgets=(4, 8, 16),
            seeds=1,
            llms=("smollm2",),
            dev_size=DEV,
            home=str(tmp_path / "home"),
            out=str(tmp_path / "out"),
            plots=False,
        ),
    )
    sec = res.section
    assert sec["metric"] == "rouge_l" and sec["budgets"] == [4, 8, 16]
    (curve,) = sec["approaches"]
    assert [p["n_train_labels"] for p in curve["points"]] == [4, 8, 16]
    assert all(0.0 <= p["rouge_l"] <= 1.0 and p["train_seconds"] > 0 for p in curve["points"])
    (ref,) = sec["references"]
    assert ref["name"].startswith("zero-shot") and 0.0 <= ref["rouge_l"] <= 1.0
    assert curve["crossover"] is not None  # some statement against the reference
    assert len(list((tmp_path / "home" / "lora").iterdir())) == 3  # one adapter a budget
