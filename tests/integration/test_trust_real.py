"""Trust measures with the real embedded models: MiniLM encoder and SmolLM2 via llama.cpp."""

from __future__ import annotations

import pytest

from taskfit.run.trust_plan import TrustOptions
from taskfit.workflows.compare import compare_demo

pytestmark = pytest.mark.integration


def _row(section, name):
    return next(r for r in section["approaches"] if r["name"] == name)


def test_ood_gap_on_the_demo_shifted_set_with_the_real_encoder(tmp_path, embedder):
    res = compare_demo(
        approaches=("majority", "tfidf-lr", "encoder-lr"),
        home=str(tmp_path / "h"),
        out=str(tmp_path / "out"),
        trust=TrustOptions(
            measures=("ood", "calibration", "robustness", "selective"),
            perturbations=("typos", "casing"),
            target_accuracy=0.9,
        ),
    )
    doc = res.results_json
    enc = _row(doc["ood"], "encoder-lr@minilm")
    headline = next(a for a in doc["approaches"] if a["name"] == "encoder-lr@minilm")
    # in-distribution accuracy is the headline figure on the same 161 test examples
    assert enc["id_accuracy"]["value"] == pytest.approx(headline["metrics"]["accuracy"]["value"])
    assert (enc["n_id"], enc["n_ood"]) == (161, 124)
    # the shifted set (texting register, a product line training never mentions) is harder
    assert enc["gap"]["value"] > 0 and enc["ood_accuracy"]["value"] < enc["id_accuracy"]["value"]
    assert enc["gap"]["ci_low"] <= enc["gap"]["value"] <= enc["gap"]["ci_high"]
    # MiniLM does not lower-case for us the way TF-IDF does, but casing is still cheap to see
    rob = {p["kind"]: p for p in _row(doc["robustness"], "encoder-lr@minilm")["perturbations"]}
    assert rob["casing"]["n_changed"] > 100 and 0 <= rob["casing"]["flip_rate"] <= 1
    # temperature scaling moves confidence, never the predicted label
    cal = _row(doc["calibration"], "encoder-lr@minilm")
    before, after = cal["uncalibrated"], cal["temperature"]["after"]

    def acc(report):
        return sum(b["count"] * b["accuracy"] for b in report["bins"]) / report["n"]

    assert acc(after) == pytest.approx(acc(before)) == pytest.approx(enc["id_accuracy"]["value"])
    assert 0.05 <= cal["temperature"]["t"] <= 20
    sel = _row(doc["selective"], "encoder-lr@minilm")
    assert sel["aurc"] >= sel["oracle_aurc"]


def test_contextual_calibration_of_the_real_llm(tmp_path, smollm2, embedder):
    res = compare_demo(
        approaches=("zero-shot",),
        max_test=24,
        home=str(tmp_path / "h"),
        out=str(tmp_path / "out"),
        trust=TrustOptions(measures=("calibration",), llm_max_test=16),
    )
    cal = _row(res.results_json["calibration"], "zero-shot@smollm2")
    ctx = cal["contextual"]
    prior = list(ctx["prior"].values())
    assert ctx["n_content_free"] == 3 and sum(prior) == pytest.approx(1.0)
    # a 135M model is far from label-neutral on "N/A": the prior is not uniform
    assert max(prior) - min(prior) > 0.01
    assert 0 <= ctx["accuracy_after"] <= 1 and cal["temperature"]["fitted_on_n"] == 16
