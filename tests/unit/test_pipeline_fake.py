"""The whole compare pipeline with the fake backend: results.json contract, caching, API."""

from __future__ import annotations

import json

import pytest

import taskfit
from taskfit.errors import UsageError
from taskfit.workflows.compare import compare_demo

FAST = ("zero-shot", "few-shot", "majority", "tfidf-lr")


def test_results_json_contract_and_resume_from_cache(tmp_path):
    home, out = tmp_path / "home", tmp_path / "out"
    res = compare_demo(llms=("fake",), approaches=FAST, home=str(home), out=str(out), max_test=40)
    doc = json.loads((out / "results.json").read_text())
    assert doc["schema_version"] == 1 and doc["run_id"] == res.run_id
    assert set(doc) >= {
        "taskfit_version",
        "created_at",
        "task",
        "approaches",
        "comparisons",
        "run_stats",
        "recommendation",
    }
    assert doc["task"]["n_test"] == 161 and len(doc["task"]["labels"]) == 8
    names = [a["name"] for a in doc["approaches"]]
    assert names[:4] == ["zero-shot@fake", "few-shot@fake", "majority", "tfidf-lr"]
    # then the label-prior corrected variants of the prompted approaches (dev-split ones
    # when the prompt was chosen on a dev split)
    assert {"zero-shot+batch-cal@fake", "few-shot+batch-cal@fake"} <= set(names[4:])
    assert set(names[4:]) <= {
        f"{a}+{c}@fake" for a in ("zero-shot", "few-shot") for c in ("batch-cal", "dev-cal")
    }
    assert set(doc["prompting"]) == {"zero-shot@fake", "few-shot@fake"}
    for a in doc["approaches"]:
        for metric in ("accuracy", "macro_f1"):
            m = a["metrics"][metric]
            assert m["ci_low"] <= m["value"] <= m["ci_high"]
        assert set(a["latency_ms"]) == {"p50", "p95"} and a["cost_per_1k_usd"] >= 0
        assert a["family"] in {"prompt", "finetune", "baseline", "distill"}
    llm = doc["approaches"][0]
    assert llm["n_test"] == 40  # --max-test caps prompted approaches only
    assert doc["approaches"][3]["n_test"] == 161
    # 40 test examples per prompted approach, plus every prompt candidate on the dev split
    dev = sum(p["dev_n"] * len(p["candidates"]) for p in doc["prompting"].values())
    assert dev == 2 * 64 * 6
    assert doc["run_stats"]["llm_calls_made"] == 80 + dev and doc["run_stats"]["units_run"] == 4
    assert doc["recommendation"]["choice"] in names
    summary = (out / "summary.md").read_text()
    assert summary.startswith("# taskfit comparison")
    # The rule and its working: every comparison has the paired loss interval and verdict.
    rule = doc["recommendation"]["rule"]
    assert rule["max_accuracy_loss_points"] == 1.0 and rule["volume_per_month"] is None
    assert [s["key"] for s in rule["sets"]] == ["test"]
    for c in doc["comparisons"]:
        d = c["difference"]
        assert d["ci_low"] <= d["value"] <= d["ci_high"]
        assert c["verdict"] in {"non-inferior", "inferior", "inconclusive"}
        assert (c["n_needed"] is None) or c["verdict"] == "inconclusive"
    assert "How the choice is made: the most accurate approach, unless" in summary
    assert "| loss, points [95% CI] | McNemar p | shared n |" in summary

    again = compare_demo(llms=("fake",), approaches=FAST, home=str(home), out=str(out), max_test=40)
    stats = again.results_json["run_stats"]
    assert (stats["units_run"], stats["units_cached"]) == (0, 4)
    assert again.to_frame()["accuracy"].tolist() == res.to_frame()["accuracy"].tolist()


def test_python_api_to_frame(tmp_path):
    path = tmp_path / "d.csv"
    rows = (
        ["text,label"]
        + [f"refund order {i},refund" for i in range(12)]
        + [f"password reset {i},password" for i in range(12)]
    )
    path.write_text("\n".join(rows) + "\n")
    res = taskfit.compare(
        path,
        text="text",
        label="label",
        llms=("fake",),
        approaches=("zero-shot", "tfidf-lr"),
        home=str(tmp_path / "h"),
    )
    frame = res.to_frame()
    names = list(frame["name"])
    assert names[:2] == ["zero-shot@fake", "tfidf-lr"]
    assert "zero-shot+batch-cal@fake" in names[2:]  # the label-prior corrected variants
    assert frame.loc[1, "accuracy"] == 1.0  # separable by a single word


def test_bad_option_writes_nothing(tmp_path):
    with pytest.raises(UsageError):
        compare_demo(llms=("fake",), approaches=("bogus",), home=str(tmp_path / "h"))
    for bad in ({"max_accuracy_loss": -1.0}, {"volume_per_month": -5.0}):
        with pytest.raises(UsageError, match="must be"):
            compare_demo(llms=("fake",), approaches=("majority",), home=str(tmp_path / "h"), **bad)
    assert not (tmp_path / "h").exists()


def test_volume_per_month_prices_the_choice_by_total_cost(tmp_path):
    res = compare_demo(
        llms=("fake",),
        approaches=("majority", "tfidf-lr"),
        home=str(tmp_path / "h"),
        out=str(tmp_path / "o"),
        volume_per_month=20_000,
        horizon_months=6,
    )
    rule = res.results_json["recommendation"]["rule"]
    assert rule["volume_per_month"] == 20_000
    assert rule["cost_basis"] == "total cost over 6 months at 20k predictions/month"
    costs = {a["name"]: a for a in res.results_json["cost_model"]["approaches"]}
    for name, total in rule["total_usd"].items():
        a = costs[name]
        assert total == pytest.approx(
            a["one_off_usd"] + 20_000 * 6 * a["running_per_1k_usd"] / 1000
        )
    choice = res.recommendation.choice
    assert any(
        r.startswith(f"At 20k predictions/month over 6 months {choice} costs")
        for r in res.recommendation.reasons
    )


def test_label_descriptions_reach_the_prompt_and_the_unit_key(tmp_path):
    desc = tmp_path / "d.yaml"
    desc.write_text("refund_request: the customer wants money back\n")
    kw = {
        "llms": ("fake",),
        "approaches": ("zero-shot",),
        "home": str(tmp_path / "h"),
        "max_test": 8,
    }
    plain = compare_demo(**kw)
    described = compare_demo(label_descriptions=str(desc), **kw)
    stats = described.results_json["run_stats"]
    # different prompts: the test examples and every dev candidate are scored again
    (rec,) = described.results_json["prompting"].values()
    dev = rec["dev_n"] * len(rec["candidates"])
    assert stats["units_cached"] == 0 and stats["llm_calls_made"] == 8 + dev
    assert plain.results_json["settings"]["label_descriptions"] is None
    bad = tmp_path / "bad.yaml"
    bad.write_text("no_such_label: x\n")
    with pytest.raises(UsageError, match="unknown label 'no_such_label'"):
        compare_demo(label_descriptions=str(bad), **kw)
