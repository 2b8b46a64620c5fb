"""The trust stage end to end with the fake backend: sections, pairing, caching, resume."""

from __future__ import annotations

import csv
import json

import pytest

import taskfit
from taskfit.errors import UsageError
from taskfit.run.trust_plan import TRUST_MEASURES, TrustOptions
from taskfit.workflows.compare import compare_demo

FAST = ("zero-shot", "few-shot", "majority", "tfidf-lr")


@pytest.fixture(scope="module")
def trusted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trust")
    trust = TrustOptions(
        measures=TRUST_MEASURES,
        llm_max_test=30,
        target_accuracy=0.9,
        export_perturbed=str(tmp / "perturbed.csv"),
    )
    kw = dict(llms=("fake",), approaches=FAST, home=str(tmp / "h"), max_test=40, trust=trust)
    first = compare_demo(out=str(tmp / "a"), **kw)
    again = compare_demo(out=str(tmp / "b"), **kw)
    return tmp, first, again


def _rows(section, name):
    return next(r for r in section["approaches"] if r["name"] == name)


def test_every_requested_section_is_written(trusted):
    tmp, _, _ = trusted
    doc = json.loads((tmp / "a" / "results.json").read_text())
    for key in ("calibration", "robustness", "ood", "shortcuts", "selective"):
        assert doc[key], key
    assert "groups" not in doc  # no --group-col: skipped with a note
    assert any("--group-col" in n for n in doc["trust_notes"])
    assert doc["settings"]["trust"]["measures"] == list(TRUST_MEASURES)
    md = (tmp / "a" / "summary.md").read_text()
    for heading in ("## Calibration", "## Robustness", "## Out of distribution", "## Shortcuts"):
        assert heading in md


def test_calibration_has_temperature_for_all_and_contextual_for_llms_only(trusted):
    _, res, _ = trusted
    cal = res.results_json["calibration"]
    for r in cal["approaches"]:
        assert r["temperature"] is not None and r["temperature"]["t"] > 0
        assert 0 <= r["uncalibrated"]["ece_width"] <= 1
        assert (r["contextual"] is not None) == r["name"].endswith("@fake")
    assert cal["dev_n"] == round(0.2 * 342)
    ctx = _rows(cal, "zero-shot@fake")["contextual"]
    assert ctx["n_content_free"] == 3 and abs(sum(ctx["prior"].values()) - 1) < 1e-9


def test_robustness_pairs_clean_and_perturbed_predictions(trusted):
    _, res, _ = trusted
    rob = res.results_json["robustness"]
    assert [k["kind"] for k in rob["kinds"]] == [
        "typos",
        "casing",
        "no-punct",
        "word-dropout",
        "distractor",
        "entity-swap",
    ]
    tfidf = {p["kind"]: p for p in _rows(rob, "tfidf-lr")["perturbations"]}
    # TF-IDF lower-cases its input: a casing change cannot move a single prediction
    assert tfidf["casing"]["flip_rate"] == 0.0 and tfidf["casing"]["drop"]["value"] == 0.0
    assert tfidf["typos"]["n"] == 161 and tfidf["typos"]["n_changed"] > 0
    majority = _rows(rob, "majority")["perturbations"]
    assert all(p["flip_rate"] == 0.0 for p in majority)  # ignores its input
    llm = {p["kind"]: p for p in _rows(rob, "zero-shot@fake")["perturbations"]}
    assert llm["typos"]["n"] == 30  # the trust cap for prompted approaches
    with open(rob["exported"], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6 * 161
    assert {r["kind"] for r in rows} == {k["kind"] for k in rob["kinds"]}


def test_ood_uses_the_demo_shifted_set(trusted):
    _, res, _ = trusted
    ood = res.results_json["ood"]
    assert ood["source"] == "file:demo:ood_test.csv"
    assert (ood["n_id"], ood["n_ood"]) == (161, 124)
    tfidf = _rows(ood, "tfidf-lr")
    assert (tfidf["n_id"], tfidf["n_ood"]) == (161, 124)
    assert tfidf["id_accuracy"]["value"] == pytest.approx(
        next(a for a in res.results_json["approaches"] if a["name"] == "tfidf-lr")["metrics"][
            "accuracy"
        ]["value"]
    )
    gap = tfidf["gap"]
    assert gap["value"] == pytest.approx(
        tfidf["id_accuracy"]["value"] - tfidf["ood_accuracy"]["value"]
    )


def test_shortcuts_and_prompt_biases(trusted):
    _, res, _ = trusted
    sc = res.results_json["shortcuts"]
    assert set(sc["tokens"]) == set(res.dataset.labels)
    assert sc["masked_tokens"] and {r["name"] for r in sc["masked"]} == {"majority", "tfidf-lr"}
    bias = {r["name"]: r for r in sc["prompt_bias"]}
    assert set(bias) == {"zero-shot@fake", "few-shot@fake"}
    assert bias["zero-shot@fake"]["recency"] is None
    assert bias["few-shot@fake"]["recency"]["n_orders"] == 3


def test_selective_reports_coverage_at_target(trusted):
    _, res, _ = trusted
    sel = res.results_json["selective"]
    assert sel["target_accuracy"] == 0.9
    for r in sel["approaches"]:
        assert r["aurc"] >= r["oracle_aurc"] - 1e-12
        assert r["coverage_at_target"] is None or 0 <= r["coverage_at_target"] <= 1


def test_second_run_is_served_from_the_store(trusted):
    _, res, again = trusted
    stats = again.results_json["run_stats"]
    assert stats["units_run"] == 0 and stats["llm_calls_made"] == 0
    assert again.results_json["robustness"] == res.results_json["robustness"]
    # unchanged texts hit the cache within the first run too (e.g. casing on lower-case
    # texts re-asks prompts already answered)
    assert res.results_json["run_stats"]["llm_calls_cached"] > 0


def test_trust_reasons_reach_the_recommendation(trusted):
    _, res, _ = trusted
    reasons = " ".join(res.recommendation.reasons)
    assert "out of distribution" in reasons and "calibration" in reasons


def _grouped_csv(path, n=120):
    rows = [["text", "label", "source"]]
    words = {"refund": "money back please", "login": "cannot sign in", "ship": "where is parcel"}
    for i in range(n):
        lab = list(words)[i % 3]
        src = ["email", "chat", "phone"][(i // 3) % 3]
        rows.append([f"{words[lab]} {src} note {i}", lab, src])
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def test_group_column_gives_slices_and_a_group_ood_split(tmp_path):
    path = tmp_path / "g.csv"
    _grouped_csv(path)
    res = taskfit.compare(
        path,
        text="text",
        label="label",
        approaches=("majority", "tfidf-lr"),
        home=str(tmp_path / "h"),
        trust=TrustOptions(measures=("ood", "groups"), group_col="source"),
    )
    doc = res.results_json
    groups = {r["name"]: r for r in doc["groups"]["approaches"]}
    assert {g["group"] for g in groups["tfidf-lr"]["groups"]} == {"email", "chat", "phone"}
    assert doc["ood"]["source"] == "group:source"
    assert any("'phone'" in n for n in doc["ood"]["notes"])  # last group in sorted order


def test_unknown_trust_measure_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown trust measure"):
        TrustOptions(measures=("vibes",))


def test_without_file_or_groups_ood_holds_out_clusters(tmp_path):
    path = tmp_path / "g.csv"
    _grouped_csv(path, n=150)
    res = taskfit.compare(
        path,
        text="text",
        label="label",
        approaches=("majority", "tfidf-lr"),
        home=str(tmp_path / "h"),
        trust=TrustOptions(measures=("ood",)),
    )
    ood = res.results_json["ood"]
    assert ood["source"] == "clusters"
    assert any("k-means clusters" in n for n in ood["notes"])
    row = next(r for r in ood["approaches"] if r["name"] == "tfidf-lr")
    assert row["n_ood"] > 0 and row["n_id"] > 0
    assert row["n_id"] + row["n_ood"] == ood["n_id"] + ood["n_ood"]


def test_ood_labels_unseen_in_training_are_reported_per_label(tmp_path):
    path, ood_path = tmp_path / "g.csv", tmp_path / "ood.csv"
    _grouped_csv(path)
    ood_path.write_text(
        "text,label\n"
        + "".join(f"money back please pls {i},refund\n" for i in range(6))
        + "".join(f"gift card balance {i},giftcard\n" for i in range(4))
    )
    res = taskfit.compare(
        path,
        text="text",
        label="label",
        approaches=("tfidf-lr",),
        home=str(tmp_path / "h"),
        trust=TrustOptions(measures=("ood",), ood_test=str(ood_path)),
    )
    row = res.results_json["ood"]["approaches"][0]
    assert row["n_ood"] == 10 and row["n_unseen_label"] == 4
    assert row["per_label"]["giftcard"] == {"n": 4, "accuracy": 0.0, "seen_in_training": False}
    assert row["per_label"]["refund"]["seen_in_training"] is True
    assert row["ood_accuracy"]["value"] <= 0.6  # the unseen label counts as errors


def test_reliability_and_selective_figures_are_written(trusted):
    tmp, res, _ = trusted
    assert {"reliability.png", "reliability.svg", "selective.png", "selective.svg"} <= set(
        res.results_json["plots"]
    )
    svg = (tmp / "a" / "reliability.svg").read_text()
    assert "tfidf-lr (ECE" in svg and "perfectly calibrated" in svg


def test_the_choice_holds_on_the_ood_and_perturbed_evidence(trusted):
    _, res, _ = trusted
    rule = res.results_json["recommendation"]["rule"]
    sets = {s["key"]: s for s in rule["sets"]}
    assert list(sets) == ["test", "ood", "robustness"]
    assert sets["ood"]["label"] == "out of distribution (file:demo:ood_test.csv)"
    # Prompted approaches were scored on at most 30 OOD examples, learners on all 124.
    assert sets["ood"]["n"]["tfidf-lr"] == 124 and sets["ood"]["n"]["zero-shot@fake"] <= 30
    choice = res.recommendation.choice
    reasons = res.recommendation.reasons
    if all(choice in s["within_margin"] for s in rule["sets"]):
        assert any(r.startswith("Out of distribution (file:demo:ood_test.csv): ") for r in reasons)
        assert any(r.startswith("On perturbed inputs (") for r in reasons)
    else:
        assert any(r.startswith("No approach is within the tolerance") for r in reasons)
    for s in rule["sets"][1:]:
        best = s["best"]
        assert s["accuracy"][best] == max(s["accuracy"].values())
