"""Corrected variants of prompted approaches, the ``prompting`` section, collapse warnings
and their rendering, from hand-built unit results with planted outcomes."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from taskfit.cli.prompting_view import show_prompting
from taskfit.config import RunOptions
from taskfit.metrics.prompting import correction_name, derive_corrections
from taskfit.report.html import render_report
from taskfit.report.markdown import render_summary
from taskfit.types import Dataset, Example, UnitResult
from taskfit.workflows.scoring import Scored, score_headline

LABELS = ("negative", "positive")
N = 100
STATS = {
    "llm_calls_made": 0,
    "llm_calls_cached": 0,
    "units_run": 0,
    "units_cached": 0,
    "wall_seconds": 0.0,
}


def _dataset() -> Dataset:
    """A balanced test set: even indices negative, odd positive."""
    test = tuple(Example(f"review {i}", LABELS[i % 2]) for i in range(N))
    train = tuple(Example(f"train {i}", LABELS[i % 2]) for i in range(20))
    return Dataset(train, test, LABELS, "hash0123456789", "mem.csv", "text", "label")


DS = _dataset()
GOLD = [e.label for e in DS.test]


def _probs(n: int, seed: int, bias: float) -> list[list[float]]:
    """A model that reads the text (true label +2 in log space) with a constant head start
    of ``bias`` for "positive": with bias 4 it answers "positive" for everything."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    logits = 2.0 * np.eye(2)[y] + rng.normal(0.0, 0.5, (n, 2))
    logits[:, 1] += bias
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (p / p.sum(axis=1, keepdims=True)).tolist()


def _prompted(name: str, probs: list[list[float]], prompting: dict[str, Any]) -> UnitResult:
    return UnitResult(
        unit_key=f"key-{name}",
        name=name,
        family="prompt",
        model="qwen",
        labels=LABELS,
        test_indices=tuple(range(len(probs))),
        predictions=tuple(LABELS[int(np.argmax(p))] for p in probs),
        probabilities=tuple(tuple(p) for p in probs),
        latency_ms=tuple(float(10 + i % 7) for i in range(len(probs))),
        n_train_labels=0,
        train_seconds=0.0,
        prompt_tokens=1234,
        completion_tokens=56,
        parse_failures=2,
        llm_calls_made=100,
        llm_calls_cached=3,
        notes=("raw note",),
        prompting=prompting,
    )


def _learner(name: str, family: Any, predictions: list[str]) -> UnitResult:
    return UnitResult(
        unit_key=f"key-{name}",
        name=name,
        family=family,
        model="",
        labels=LABELS,
        test_indices=tuple(range(len(predictions))),
        predictions=tuple(predictions),
        probabilities=tuple((float(p == LABELS[0]), float(p == LABELS[1])) for p in predictions),
        latency_ms=(0.1,) * len(predictions),
        n_train_labels=20,
        train_seconds=0.5,
    )


def _candidate(fmt: str, variant: str, acc: float, top: str, share: float) -> dict[str, Any]:
    return {
        "format": fmt,
        "variant": variant,
        "description": f"{fmt} prompt, {variant}",
        "dev_accuracy": acc,
        "dev_macro_f1": acc - 0.05,
        "top_label": top,
        "top_label_share": share,
        "probabilities": "exact",
    }


DEV_N = 40
DEV_LABELS = [LABELS[i % 2] for i in range(DEV_N)]


def _zero_shot() -> UnitResult:
    """Chosen on dev (where it was fine), collapsed on the test set; the chat format
    scored 0.78 on dev without collapsing, the chat question variant collapsed on dev."""
    dev = _probs(DEV_N, seed=11, bias=0.0)
    dev_acc = float(
        np.mean([LABELS[int(np.argmax(p))] == t for p, t in zip(dev, DEV_LABELS, strict=True)])
    )
    return _prompted(
        "zero-shot@qwen",
        _probs(N, seed=1, bias=4.0),
        {
            "format": "completion",
            "variant": "list",
            "description": "a completion prompt, the labels one per line",
            "selected_on_dev": True,
            "candidates": [
                _candidate("completion", "list", dev_acc, "positive", 0.5),
                _candidate("chat", "list", 0.78, "positive", 0.55),
                _candidate("chat", "question", 0.55, "positive", 0.95),
            ],
            "dev_n": DEV_N,
            "dev_labels": DEV_LABELS,
            "dev_probabilities": dev,
            "probabilities": "exact",
            "requests": 200,
        },
    )


def _knn() -> UnitResult:
    """No prompt selection ran; collapsed on dev and test alike, so the dev prior fixes it."""
    return _prompted(
        "few-shot-knn@qwen",
        _probs(N, seed=2, bias=4.0),
        {
            "format": "chat",
            "variant": "list",
            "description": "the model's chat format, the labels one per line",
            "selected_on_dev": False,
            "candidates": [],
            "dev_n": DEV_N,
            "dev_labels": DEV_LABELS,
            "dev_probabilities": _probs(DEV_N, seed=12, bias=4.0),
            "probabilities": "exact",
            "requests": 100,
        },
    )


def _few_shot_old() -> UnitResult:
    """A balanced prompted result stored before prompts were chosen: empty ``prompting``."""
    return _prompted("few-shot@qwen", _probs(N, seed=3, bias=0.0), {})


def _majority() -> UnitResult:
    return _learner("majority", "baseline", ["positive"] * N)


def _tfidf(correct: int = 80) -> UnitResult:
    return _learner("tfidf-lr", "baseline", GOLD[:correct] + [LABELS[0]] * (N - correct))


def _score(results: list[UnitResult]) -> Scored:
    return score_headline(
        DS,
        results,
        RunOptions(usd_per_hour=1.0, usd_per_label=0.1, horizon_months=12),
        run_id="run-1",
        run_stats=STATS,
        settings={"usd_per_hour": 1.0},
        llms=(),
        prices={},
    )


def _acc(preds: tuple[str, ...] | list[str]) -> float:
    return float(np.mean([p == t for p, t in zip(preds, GOLD, strict=True)]))


# --------------------------------------------------------------------------- variants


def test_corrected_variants_keep_the_raw_result_and_fix_its_predictions():
    zs, knn, old = _zero_shot(), _knn(), _few_shot_old()
    fixed = derive_corrections([zs, _majority(), knn, old, _tfidf()])
    assert [(c.kind, c.result.name) for c in fixed] == [
        ("batch-cal", "zero-shot+batch-cal@qwen"),
        ("dev-cal", "zero-shot+dev-cal@qwen"),
        ("batch-cal", "few-shot-knn+batch-cal@qwen"),
        ("dev-cal", "few-shot-knn+dev-cal@qwen"),
        ("batch-cal", "few-shot+batch-cal@qwen"),  # no dev probabilities: batch only
    ]
    raw = {r.name: r for r in (zs, knn, old)}
    for c in fixed:
        r, d = raw[c.source], c.result
        assert (d.family, d.model, d.labels, d.test_indices) == (
            r.family,
            r.model,
            r.labels,
            r.test_indices,
        )
        assert (d.latency_ms, d.prompt_tokens, d.completion_tokens) == (
            r.latency_ms,
            r.prompt_tokens,
            r.completion_tokens,
        )
        assert (d.n_train_labels, d.parse_failures, d.llm_calls_made) == (0, 2, 0)
        assert d.unit_key != r.unit_key and d.prompting == {}
        (note,) = d.notes
        assert note.startswith(f"batch calibration of {r.name}" if c.kind == "batch-cal" else "dev")
        assert "no test labels used" in note
        assert sum(c.prior.values()) == pytest.approx(1.0)
    by = {c.result.name: c.result for c in fixed}
    assert _acc(zs.predictions) == 0.5 and _acc(knn.predictions) == 0.5
    assert _acc(by["zero-shot+batch-cal@qwen"].predictions) > 0.9
    assert _acc(by["few-shot-knn+dev-cal@qwen"].predictions) > 0.8
    # zero-shot's dev split was not biased, so its dev prior cannot remove the test bias
    assert _acc(by["zero-shot+dev-cal@qwen"].predictions) < 0.6


def test_no_variants_without_usable_probabilities():
    zs = _zero_shot()
    empty = UnitResult(**{**zs.__dict__, "probabilities": ()})
    ragged = UnitResult(**{**zs.__dict__, "probabilities": ((1.0,),) * N})
    bad_dev = UnitResult(**{**zs.__dict__, "prompting": {"dev_probabilities": [[1.0]]}})
    assert derive_corrections([empty, ragged, _tfidf()]) == []
    assert [c.kind for c in derive_corrections([bad_dev])] == ["batch-cal"]
    assert correction_name(_learner("x", "prompt", ["positive"]), "batch-cal") == "x+batch-cal"


# --------------------------------------------------------------------------- section


@pytest.fixture(scope="module")
def scored() -> Scored:
    return _score([_zero_shot(), _knn(), _few_shot_old(), _majority(), _tfidf()])


def test_variants_join_the_approaches_after_the_given_ones(scored):
    doc = scored.doc
    assert [a["name"] for a in doc["approaches"]] == [
        "zero-shot@qwen",
        "few-shot-knn@qwen",
        "few-shot@qwen",
        "majority",
        "tfidf-lr",
        "zero-shot+batch-cal@qwen",
        "zero-shot+dev-cal@qwen",
        "few-shot-knn+batch-cal@qwen",
        "few-shot-knn+dev-cal@qwen",
        "few-shot+batch-cal@qwen",
    ]
    by = {a["name"]: a for a in doc["approaches"]}
    assert by["zero-shot+batch-cal@qwen"]["family"] == "prompt"
    assert by["zero-shot+batch-cal@qwen"]["latency_ms"] == by["zero-shot@qwen"]["latency_ms"]
    assert (
        by["zero-shot+batch-cal@qwen"]["cost_per_1k_usd"] == by["zero-shot@qwen"]["cost_per_1k_usd"]
    )
    assert {c["name"] for c in doc["cost_model"]["approaches"]} == set(by)
    # few-shot's batch calibration moved nothing: it ties with few-shot and would win
    # the tie on its name alone, so the recommendation names the approach as it ran
    # (zero-shot's dev prior moved nothing either)
    ties = {"few-shot+batch-cal@qwen", "zero-shot+dev-cal@qwen"}
    assert by["few-shot+batch-cal@qwen"]["metrics"] == by["few-shot@qwen"]["metrics"]
    assert by["zero-shot+dev-cal@qwen"]["metrics"] == by["zero-shot@qwen"]["metrics"]
    assert doc["recommendation"]["choice"] == "few-shot@qwen"
    compared = {c["b"] for c in doc["comparisons"]} | {doc["comparisons"][0]["a"]}
    assert compared == set(by) - ties


def test_prompting_section_describes_choice_candidates_and_corrections(scored):
    doc = scored.doc
    sec = doc["prompting"]
    assert list(sec) == ["zero-shot@qwen", "few-shot-knn@qwen", "few-shot@qwen"]
    zs = sec["zero-shot@qwen"]
    assert (zs["format"], zs["variant"], zs["selected_on_dev"], zs["dev_n"]) == (
        "completion",
        "list",
        True,
        DEV_N,
    )
    assert zs["dev_accuracy"] == zs["candidates"][0]["dev_accuracy"] > 0.9
    assert zs["probabilities"] == "exact" and zs["requests_per_example"] == 2.0
    assert [(c["chosen"], c["collapsed"]) for c in zs["candidates"]] == [
        (True, False),
        (False, False),
        (False, True),  # 95% "positive" on a dev split that is 50% "positive"
    ]
    assert all(not isinstance(v, list) for c in zs["candidates"] for v in c.values())
    assert "dev_probabilities" not in zs and "dev_labels" not in zs

    by = {a["name"]: a for a in doc["approaches"]}
    assert set(zs["corrections"]) == {"batch-cal", "dev-cal"}
    batch = zs["corrections"]["batch-cal"]
    assert batch["name"] == "zero-shot+batch-cal@qwen"
    assert batch["accuracy"] == by[batch["name"]]["metrics"]["accuracy"]
    assert batch["macro_f1"] == by[batch["name"]]["metrics"]["macro_f1"]
    delta = batch["delta_accuracy"]
    assert delta["value"] == pytest.approx(batch["accuracy"]["value"] - 0.5)
    assert 0.3 < delta["ci_low"] <= delta["value"] <= delta["ci_high"]
    assert batch["p_value"] < 1e-6 and batch["collapse"] is None
    assert zs["collapse"] == {"label": "positive", "pred_share": 1.0, "true_share": 0.5}
    assert zs["accuracy"]["value"] == 0.5 and zs["n_test"] == N

    knn = sec["few-shot-knn@qwen"]
    assert knn["candidates"] == [] and knn["selected_on_dev"] is False
    assert knn["dev_accuracy"] == pytest.approx(0.5)  # collapsed on dev as well
    assert knn["corrections"]["dev-cal"]["accuracy"]["value"] > 0.8

    old = sec["few-shot@qwen"]
    assert old["format"] is None and old["candidates"] == [] and old["dev_n"] == 0
    assert old["dev_accuracy"] is None and old["requests_per_example"] is None
    assert list(old["corrections"]) == ["batch-cal"]
    assert old["collapse"] is None and old["remedy"] is None

    # zero-shot's dev prior was unbiased, so dividing by it leaves the test collapse
    assert zs["corrections"]["dev-cal"]["collapse"]["label"] == "positive"
    assert doc["collapsed"] == [
        "zero-shot@qwen",
        "few-shot-knn@qwen",
        "majority",
        "zero-shot+dev-cal@qwen",
    ]


# --------------------------------------------------------------------------- warnings


def _warning_for(warnings: list[str] | tuple[str, ...], name: str) -> str:
    (hit,) = [w for w in warnings if w.startswith(f"{name} ")]
    return hit


def test_collapse_warning_names_the_remedy_from_candidates_and_corrections(scored):
    warnings = scored.doc["recommendation"]["warnings"]
    assert warnings == list(scored.recommendation.warnings)
    zs = _warning_for(warnings, "zero-shot@qwen")
    assert zs.startswith(
        "zero-shot@qwen predicts 'positive' for 100% of test examples, which are 50% "
        "'positive': its accuracy (0.500 ["
    )
    assert "reflects a collapsed prompt, not the model's ability." in zs
    # the chat format, not the chat question variant that collapsed on dev
    assert "the chat format (prompt variant 'list') scored 0.78 on the dev split (n=40)" in zs
    assert "'question'" not in zs
    fix = scored.doc["prompting"]["zero-shot@qwen"]["corrections"]["batch-cal"]["accuracy"]
    assert (
        f"batch calibration: {fix['value']:.2f} [{fix['ci_low']:.2f}, {fix['ci_high']:.2f}]" in zs
    )
    assert scored.doc["prompting"]["zero-shot@qwen"]["remedy"] in zs

    knn = _warning_for(warnings, "few-shot-knn@qwen")
    assert "dev format" not in knn and "scored" not in knn  # no candidates to name
    assert re.search(r"(batch|dev-split) calibration: 0\.[89]\d \[", knn)
    assert "most accurate prompted approach" not in zs + knn  # corrected variants beat both

    # a collapsed correction is warned about too, with its source's remedies but itself
    dev = _warning_for(warnings, "zero-shot+dev-cal@qwen")
    assert "collapsed prompt" in dev and "scored 0.78 on the dev split" in dev
    assert "batch calibration:" in dev and "(zero-shot+dev-cal@qwen)" not in dev
    assert "(zero-shot+dev-cal@qwen)" not in zs  # a collapsed correction is no remedy


def test_no_warning_for_balanced_approaches():
    rec = _score([_few_shot_old(), _tfidf()])
    assert rec.recommendation.choice == "few-shot@qwen"
    assert rec.doc["collapsed"] == []
    assert rec.doc["prompting"]["few-shot@qwen"]["collapse"] is None
    assert rec.recommendation.warnings == ()


def test_majority_baseline_is_flagged_but_not_called_a_collapsed_prompt():
    both = _score([_majority(), _tfidf()])
    assert both.doc["collapsed"] == ["majority"]
    assert both.doc["prompting"] == {}
    assert both.recommendation.choice == "tfidf-lr"
    assert not [w for w in both.recommendation.warnings if "majority predicts" in w]

    alone = _score([_majority()])  # the recommended choice is the one-label baseline
    (warning,) = alone.recommendation.warnings
    assert warning.startswith(
        "majority predicts 'positive' for 100% of test examples, which are 50% 'positive'"
    )
    assert "by design" in warning and "prompt" not in warning


def test_a_collapsed_learner_gets_the_plain_wording():
    bad = _learner("setfit@minilm", "finetune", ["negative"] * 95 + GOLD[95:])
    s = _score([bad, _tfidf()])
    warning = _warning_for(s.recommendation.warnings, "setfit@minilm")
    assert "predicts 'negative' for 97% of test examples, which are 50% 'negative'" in warning
    assert "not what it learned from the data" in warning and "prompt" not in warning


def test_the_best_prompted_approach_collapsed_says_so():
    # parsed answers (one label each): no correction can move them, no candidates ran
    onehot = [[0.0, 1.0]] * 97 + [[1.0, 0.0]] * 3
    parsed = _prompted("zero-shot@qwen", onehot, {"format": "chat", "probabilities": "parsed"})
    s = _score([parsed, _tfidf(60)])
    assert s.doc["collapsed"] == ["zero-shot@qwen", "zero-shot+batch-cal@qwen"]
    warning = _warning_for(s.recommendation.warnings, "zero-shot@qwen")
    assert warning.startswith(
        "zero-shot@qwen is the most accurate prompted approach here, but it predicts "
        "'positive' for 97% of test examples, which are 50% 'positive'"
    )
    assert warning.endswith(
        "No other prompt format, prompt variant or correction measured here did better."
    )
    derived = _warning_for(s.recommendation.warnings, "zero-shot+batch-cal@qwen")
    assert "collapsed prompt" in derived and "most accurate" not in derived
    note = s.doc["approaches"][-1]["notes"][0]
    assert "parsed answers" in note


# --------------------------------------------------------------------------- rendering


def test_summary_has_the_prompted_approaches_section(scored):
    md = render_summary(scored.doc)
    assert "## Prompted approaches" in md
    part = md.split("## Prompted approaches", 1)[1]
    assert part.index("### zero-shot@qwen") < part.index("### few-shot-knn@qwen")
    assert "Prompt: completion format, variant 'list' (a completion prompt, the labels" in part
    assert f"chosen on a dev split of {DEV_N} training examples" in part
    assert "| chat | question | 0.550 | 0.500 | positive (95%) | collapsed |" in part
    delta = scored.doc["prompting"]["zero-shot@qwen"]["corrections"]["batch-cal"]["delta_accuracy"]
    shown = (
        f"{100 * delta['value']:+.1f} [{100 * delta['ci_low']:+.1f}, {100 * delta['ci_high']:+.1f}]"
    )
    assert "| zero-shot+batch-cal@qwen (batch calibration) |" in part and shown in part
    assert "**Collapsed: predicts 'positive' for 100% of test examples" in part
    assert "label probabilities exact, 2 LLM requests per test example." in part
    assert "1 LLM request per test example." in part
    assert "Prompt not recorded" in part  # the old result
    assert "Collapsed approaches (" in part and "`majority`" in part


def test_summary_and_report_leave_out_an_empty_section(scored, tmp_path):
    bare = {**scored.doc, "prompting": {}, "collapsed": []}
    assert "Prompted approaches" not in render_summary(bare)
    html = render_report(bare, tmp_path)
    assert 'id="prompting"' not in html
    older = {k: v for k, v in scored.doc.items() if k not in ("prompting", "collapsed")}
    assert "Prompted approaches" not in render_summary(older)
    assert 'id="prompting"' not in render_report(older, tmp_path)


def test_html_report_has_the_prompted_approaches_section(scored, tmp_path):
    html = render_report(scored.doc, tmp_path)
    assert '<section id="prompting">' in html and "<h2>Prompted approaches</h2>" in html
    part = html.split('<section id="prompting">', 1)[1].split("</section>", 1)[0]
    for name in ("zero-shot@qwen", "few-shot-knn@qwen", "few-shot@qwen"):
        assert f"<h3>{name}</h3>" in part
    assert "zero-shot+dev-cal@qwen (dev-split calibration)" in part
    assert '<p class="warn">Collapsed: predicts &#39;positive&#39; for 100%' in part
    assert "change vs raw, points [paired 95% CI]" in part
    assert '<tr class="hi"><td>completion</td><td>list</td>' in part  # the chosen candidate
    start = html.index('<section id="approaches">')
    assert start < html.index('<section id="prompting">')


def test_cli_view_prints_the_table(scored, capsys):
    show_prompting(scored.doc)
    printed = capsys.readouterr().out
    assert "Prompted approaches" in printed and "zero-shot@qwen (collapsed)" in printed
    assert "+dev-cal" in printed
    assert "collapsed onto one label: zero-shot@qwen, few-shot-knn@qwen, majority" in printed
    assert "+dev-cal (collapsed)" in printed
    show_prompting({"prompting": {}})
    assert capsys.readouterr().out == ""
