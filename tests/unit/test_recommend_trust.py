"""The trust sections' reasons and warnings in the recommendation."""

from __future__ import annotations

from taskfit.recommend.trust import with_trust
from taskfit.types import Recommendation


def iv(v, lo=None, hi=None):
    return {"value": v, "ci_low": v - 0.03 if lo is None else lo, "ci_high": hi or v + 0.03}


def ood_row(name, id_acc, ood_acc):
    return {
        "name": name,
        "id_accuracy": iv(id_acc),
        "ood_accuracy": iv(ood_acc),
        "gap": iv(id_acc - ood_acc),
        "n_id": 161,
        "n_ood": 124,
    }


REC = Recommendation("encoder-lr@minilm", ("most accurate",), (), "fine-tune", True)


def test_winner_in_distribution_that_loses_ood_gets_a_warning_naming_the_better_one():
    doc = {
        "ood": {
            "source": "file:shifted.csv",
            "approaches": [
                ood_row("encoder-lr@minilm", 0.93, 0.62),
                ood_row("few-shot@gpt", 0.88, 0.85),
            ],
        }
    }
    rec = with_trust(REC, doc)
    assert rec.reasons[0] == "most accurate" and rec.choice == REC.choice
    assert "goes from 0.930 to 0.620 (gap 31.0 points" in rec.reasons[1]
    (warning,) = rec.warnings
    assert "wins in distribution but loses 31.0 points" in warning
    assert "few-shot@gpt does better (0.850 vs 0.620)" in warning


def test_the_choice_rule_naming_the_winners_is_not_repeated():
    from dataclasses import replace

    from taskfit.recommend.choice import NO_COMMON_PREFIX

    said = f"{NO_COMMON_PREFIX} of the best both on the test set and out of distribution."
    doc = {
        "ood": {
            "source": "file:shifted.csv",
            "approaches": [
                ood_row("encoder-lr@minilm", 0.93, 0.62),
                ood_row("few-shot@gpt", 0.88, 0.85),
            ],
        }
    }
    rec = with_trust(replace(REC, warnings=(said,)), doc)
    assert rec.warnings == (said,)  # no second "wins in distribution but loses" warning
    assert "goes from 0.930 to 0.620" in rec.reasons[1]  # the figures are still given


def test_no_warning_when_the_choice_holds_up_out_of_distribution():
    doc = {
        "ood": {
            "source": "clusters",
            "approaches": [
                ood_row("encoder-lr@minilm", 0.93, 0.91),
                ood_row("tfidf-lr", 0.90, 0.80),
            ],
        }
    }
    rec = with_trust(REC, doc)
    assert rec.warnings == () and len(rec.reasons) == 2


def test_fragile_and_overconfident_choice_is_flagged():
    doc = {
        "robustness": {
            "approaches": [
                {
                    "name": "encoder-lr@minilm",
                    "perturbations": [
                        {"kind": "typos", "drop": iv(0.12, 0.08, 0.16), "flip_rate": 0.2},
                        {"kind": "casing", "drop": iv(0.01, -0.01, 0.03), "flip_rate": 0.02},
                    ],
                }
            ]
        },
        "calibration": {
            "approaches": [
                {
                    "name": "encoder-lr@minilm",
                    "uncalibrated": {"ece_width": 0.21},
                    "temperature": {"t": 0.45, "after": {"ece_width": 0.04}},
                }
            ]
        },
    }
    rec = with_trust(REC, doc)
    assert any("largest drop is under typos: 12.0 points" in r for r in rec.reasons)
    assert any("fragile under typos" in w for w in rec.warnings)
    assert any("apply the fitted temperature t=0.45" in w for w in rec.warnings)
    assert any("0.210; after temperature scaling (t=0.45) 0.040" in r for r in rec.reasons)


def test_selective_names_an_approach_that_keeps_more_inputs():
    doc = {
        "selective": {
            "target_accuracy": 0.95,
            "approaches": [
                {"name": "encoder-lr@minilm", "coverage_at_target": 0.6},
                {"name": "setfit@minilm", "coverage_at_target": 0.75},
            ],
        }
    }
    (reason,) = with_trust(REC, doc).reasons[1:]
    assert "keeps 60% of inputs at accuracy >= 0.95" in reason
    assert "setfit@minilm keeps 75%" in reason


def test_full_coverage_and_a_shortcut_reliant_choice():
    doc = {
        "selective": {
            "target_accuracy": 0.8,
            "approaches": [{"name": "encoder-lr@minilm", "coverage_at_target": 1.0}],
        },
        "shortcuts": {
            "masked_tokens": ["refund", "card", "pin"],
            "masked": [{"name": "encoder-lr@minilm", "drop": iv(0.3, 0.25, 0.35)}],
            "prompt_bias": [],
        },
    }
    rec = with_trust(REC, doc)
    assert (
        rec.reasons[1]
        == "selective prediction: encoder-lr@minilm answers every input at accuracy >= 0.8"
    )
    (warning,) = rec.warnings
    assert "loses 30.0 points when the 3 most label-predictive training words" in warning
