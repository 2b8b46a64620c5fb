"""Every approach of the QA and extraction task types on the embedded models: SmolLM2-135M
(llama.cpp for the prompted ones, with JSON-schema-constrained replies for extraction;
transformers + peft for the LoRA reader) and MiniLM (dense retrieval, the token tagger),
through ``compare`` on small slices of the demo data. A 135M model's figures are not the
point: that each approach runs for real, retrieves, parses and is scored, cached and
reported as its task type says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from tests.support.models import (
    GGUF,
    LLAMA,
    MINILM,
    PEFT,
    SMOLLM2,
    TORCH,
    skip_without,
    small_lora_on_one_thread,
)

from taskfit import approaches
from taskfit.config import CompareOptions
from taskfit.tasks.extraction.spans import decode_spans
from taskfit.types import Dataset
from taskfit.workflows.compare import compare_dataset
from taskfit.workflows.context import demo_dataset

pytestmark = pytest.mark.integration

N_TRAIN, N_TEST, DEV = 16, 5, 4


@pytest.fixture(autouse=True)
def _models(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    skip_without(LLAMA, SMOLLM2, MINILM, TORCH, PEFT, GGUF)
    yield from small_lora_on_one_thread(monkeypatch)


def _slice(task: str, n_train: int = N_TRAIN) -> Dataset:
    demo = demo_dataset(task)
    return replace(
        demo,
        train=demo.train[:n_train],
        test=demo.test[:N_TEST],
        data_hash=f"{demo.data_hash}-every-approach-{n_train}-{N_TEST}",
    )


def _compare(ds: Dataset, names: tuple[str, ...], tmp: Path, out: str, **kw: object) -> dict:
    opts = CompareOptions(
        approaches=names,
        llms=("smollm2",),
        shots=2,
        dev_size=DEV,
        home=str(tmp / "home"),
        out=str(tmp / out),
        plots=False,
        **kw,  # type: ignore[arg-type]
    )
    compare_dataset(ds, opts)
    return json.loads((tmp / out / "results.json").read_text())


def _rows(doc: dict) -> dict[str, dict]:
    return {a["name"].split("@")[0]: a for a in doc["approaches"]}


def test_every_qa_approach(tmp_path: Path) -> None:
    names = approaches.names(task="qa")
    assert set(names) >= {"zero-shot", "rag-bm25", "rag-dense", "rag-hybrid", "lora-rag"}
    ds = _slice("qa")
    doc = _compare(ds, names, tmp_path, "out", top_k=2)
    rows = _rows(doc)
    assert set(rows) == set(names)
    for name, row in rows.items():
        assert row["n_test"] == N_TEST, name
        for metric in ("exact_match", "token_f1"):
            iv = row["metrics"][metric]
            assert iv["ci_low"] <= iv["value"] <= iv["ci_high"], (name, metric)
    sec = doc["retrieval"]
    kinds = {r["approach"].split("@")[0]: r for r in sec["retrievers"]}
    assert set(kinds) == {"rag-bm25", "rag-dense", "rag-hybrid", "lora-rag"}
    gold = [e.evidence for e in ds.test]
    for name, r in kinds.items():
        assert r["k"] == 2 and r["passages"] == len(ds.corpus)
        assert r["n_gold"] == sum(bool(g) for g in gold), name
        assert r["recall"] is not None and 0.0 <= r["recall"]["value"] <= 1.0
    # the retrieved passage ids are corpus ids, shown beside the answer given from them
    ids = {p.id for p in ds.corpus}
    for hit in sec["hits"]:
        for found in hit["retrieved"].values():
            assert len(found["passages"]) == 2 and set(found["passages"]) <= ids
    # the gain over closed-book: each prompted retriever against the same LLM's zero-shot
    # closed-book prompt, the reader against the closed-book LoRA fine-tune
    against = {g["approach"].split("@")[0]: g["closed_book"].split("@")[0] for g in sec["gain"]}
    assert against["lora-rag"] == "lora"
    assert against["rag-bm25"] == against["rag-dense"] == "zero-shot"
    # retrieval's time is part of each answer's latency and the reader trained for real
    assert rows["lora-rag"]["train_seconds"] > 0
    notes = " ".join(rows["rag-dense"]["notes"])
    assert "dense retrieval of the top 2" in notes and "ms per question" in notes
    assert doc["profile"]["facts"]["corpus"]["passages"] == len(ds.corpus)
    facts = {f["name"]: f for f in doc["advice"]["facts"]}
    assert facts["knowledge_intensive"]["source"] == "measured"
    # a rerun is served from the store
    again = _compare(ds, names, tmp_path, "again", top_k=2)
    assert again["run_stats"]["units_run"] == 0


def test_every_extraction_approach(tmp_path: Path) -> None:
    names = approaches.names(task="extraction")
    assert set(names) >= {"zero-shot", "few-shot", "gazetteer", "token-tagger"}
    ds = _slice("extraction", n_train=48)
    doc = _compare(ds, names, tmp_path, "out")
    rows = _rows(doc)
    assert set(rows) == set(names)
    types = {s.type for e in ds.train for s in decode_spans(e.target)}
    for name, row in rows.items():
        assert row["n_test"] == N_TEST, name
        iv = row["metrics"]["entity_f1"]
        assert iv["ci_low"] <= iv["value"] <= iv["ci_high"], name
    # constrained decoding: every prompted reply is JSON of the schema, so none failed
    for name in ("zero-shot", "few-shot", "few-shot-knn"):
        assert rows[name]["parse_failures"] == 0, (name, rows[name]["notes"])
    # (a reply cut at the token cap is a prefix of the schema's JSON: its completed
    # entities count) and only the data's types come back
    for ex in doc["outputs"]["examples"]:
        for name, out in ex["outputs"].items():
            if name.split("@")[0] in ("zero-shot", "few-shot"):
                assert out["output"].lstrip().startswith('{"entities"'), out["output"]
                assert {s.type for s in decode_spans(out["answer"])} <= types
    sec = doc["entities"]
    assert set(sec["per_type"]) == {r["name"] for r in doc["approaches"]}
    tagger = sec["per_type"][next(n for n in sec["per_type"] if n.startswith("token-tagger"))]
    assert set(tagger) <= types | {t for t in tagger}  # its types are the data's
    assert rows["token-tagger"]["train_seconds"] > 0
    assert doc["profile"]["facts"]["entities"]["types"] == sorted(
        types | {s.type for e in ds.test for s in decode_spans(e.target)}
    )
