"""The demo comparison end to end with the real embedded models (SmolLM2 GGUF + MiniLM)."""

from __future__ import annotations

import pytest

from taskfit.learners.embed import Embedder
from taskfit.run.store import Store
from taskfit.workflows.compare import compare_demo

pytestmark = pytest.mark.integration


def test_demo_with_real_models(tmp_path, smollm2, embedder):
    res = compare_demo(
        approaches=("zero-shot", "few-shot-knn", "majority", "encoder-lr"),
        max_test=24,
        home=str(tmp_path / "h"),
        out=str(tmp_path / "o"),
    )
    by = {m.name: m for m in res.metrics}
    raw = {n for n in by if "+" not in n}  # and the prompted ones' +batch-cal/+dev-cal
    assert raw == {"zero-shot@smollm2", "few-shot-knn@smollm2", "majority", "encoder-lr@minilm"}
    assert {"zero-shot+batch-cal@smollm2", "zero-shot+dev-cal@smollm2"} <= set(by)
    # the prompts were chosen on a dev split: both formats tried, the record kept
    rec = res.results_json["prompting"]["zero-shot@smollm2"]
    assert {c["format"] for c in rec["candidates"]} == {"completion", "chat"}
    assert rec["dev_n"] == 64 and rec["selected_on_dev"]
    enc, maj = by["encoder-lr@minilm"], by["majority"]
    assert enc.n_test == 161 and by["zero-shot@smollm2"].n_test == 24
    assert enc.accuracy.ci_low > maj.accuracy.ci_high  # a real encoder beats the baseline
    assert enc.latency_p95_ms > 0 and enc.cost_per_1k_usd > 0
    assert by["few-shot-knn@smollm2"].n_train_labels > 0
    assert any("smoke-test" in w for w in res.recommendation.warnings)
    # The new rule's reasons: the most accurate is kept unless a cheaper approach is shown
    # within 1 point; every cheaper one that is not gets a reason with its loss interval.
    reasons = res.recommendation.reasons
    assert reasons[0].startswith("Most accurate: ")
    assert res.recommendation.choice == res.results_json["recommendation"]["rule"]["most_accurate"]
    assert any("beyond the 1.0-point tolerance" in r for r in reasons)
    summary = (tmp_path / "o" / "summary.md").read_text()
    assert "How the choice is made" in summary


def test_embeddings_are_cached_by_text(tmp_path, embedder):
    store = Store(tmp_path / "s.db")
    texts = ["where is my parcel", "refund please", "where is my parcel"]
    first = Embedder(cache=store)
    first._model = embedder.model()  # share the loaded weights
    a = first.encode(texts)
    assert first.encoded == 2  # the repeated text is encoded once
    second = Embedder(cache=store)
    second._model = embedder.model()
    b = second.encode(texts)
    assert second.encoded == 0 and second.served == 3
    timing = second.uncached()  # the serving-latency path really encodes
    timing.encode(texts[:1])
    assert timing.encoded == 1
    assert a.shape == (3, 384) and (abs(a - b) < 1e-6).all()
    assert abs(float(a[0] @ a[1])) < 0.99  # different texts, different vectors
