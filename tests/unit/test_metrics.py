"""Metrics stage: quality, bootstrap, McNemar, cost, summarize, compare_to_best."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, f1_score

from taskfit.errors import UsageError
from taskfit.metrics import (
    DEFAULT_PRICES,
    DEFAULT_USD_PER_HOUR,
    MetricName,
    accuracy,
    bootstrap_interval,
    compare_to_best,
    cost_per_1k,
    load_price_file,
    macro_f1,
    mcnemar,
    per_class_f1,
    price_for,
    summarize,
)
from taskfit.types import UnitResult

METRICS: list[MetricName] = ["accuracy", "macro_f1"]
Y_TRUE = ["a", "a", "b", "b", "c"]
Y_PRED = ["a", "b", "b", "b", "a"]


def make_result(
    name: str,
    preds: list[str],
    indices: list[int] | None = None,
    latency: list[float] | None = None,
    labels: tuple[str, ...] = ("a", "b", "c"),
    **kw: object,
) -> UnitResult:
    n = len(preds)
    return UnitResult(
        unit_key=f"key-{name}",
        name=name,
        family="baseline",
        model="",
        labels=labels,
        test_indices=tuple(indices if indices is not None else range(n)),
        predictions=tuple(preds),
        probabilities=tuple(tuple(1.0 / len(labels) for _ in labels) for _ in preds),
        latency_ms=tuple(latency if latency is not None else [1.0] * n),
        n_train_labels=10,
        train_seconds=2.5,
        **kw,  # type: ignore[arg-type]
    )


# --- accuracy / F1 -------------------------------------------------------------------


def test_accuracy_by_hand() -> None:
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(3 / 5)
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(accuracy_score(Y_TRUE, Y_PRED))


def test_f1_by_hand() -> None:
    # a: TP 1, support 2, predicted 2 -> 2/4; b: TP 2, support 2, predicted 3 -> 4/5;
    # c: TP 0, support 1, predicted 0 -> 0.
    assert per_class_f1(Y_TRUE, Y_PRED) == pytest.approx({"a": 0.5, "b": 0.8, "c": 0.0})
    assert macro_f1(Y_TRUE, Y_PRED) == pytest.approx(1.3 / 3)
    assert macro_f1(Y_TRUE, Y_PRED) == pytest.approx(f1_score(Y_TRUE, Y_PRED, average="macro"))


def test_label_without_support_or_prediction_is_not_averaged() -> None:
    space = ["a", "b", "c", "d"]
    assert "d" not in per_class_f1(Y_TRUE, Y_PRED, space)
    assert macro_f1(Y_TRUE, Y_PRED, space) == pytest.approx(1.3 / 3)


def test_prediction_outside_label_space_is_an_error_not_a_class() -> None:
    y_true, y_pred = ["a", "b"], ["a", ""]
    assert macro_f1(y_true, y_pred) == pytest.approx(1 / 3)  # "" averaged, like sklearn
    assert macro_f1(y_true, y_pred) == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    assert macro_f1(y_true, y_pred, ["a", "b"]) == pytest.approx(0.5)
    assert macro_f1(y_true, y_pred, ["a", "b"]) == pytest.approx(
        f1_score(y_true, y_pred, labels=["a", "b"], average="macro")
    )


def test_f1_matches_sklearn_on_random_data() -> None:
    rng = np.random.default_rng(1)
    labels = [f"l{i}" for i in range(7)]
    y_true = list(rng.choice(labels, 300))
    y_pred = [t if rng.random() < 0.6 else str(rng.choice(labels)) for t in y_true]
    ours = per_class_f1(y_true, y_pred)
    ref = f1_score(y_true, y_pred, labels=sorted(ours), average=None)
    assert list(ours.values()) == pytest.approx(list(ref))
    assert macro_f1(y_true, y_pred) == pytest.approx(f1_score(y_true, y_pred, average="macro"))


def test_empty_or_misaligned_inputs_raise() -> None:
    with pytest.raises(ValueError):
        accuracy([], [])
    with pytest.raises(ValueError):
        macro_f1(["a"], ["a", "b"])


# --- bootstrap -----------------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS)
def test_bootstrap_contains_value_and_is_deterministic(metric: MetricName) -> None:
    rng = np.random.default_rng(0)
    y_true = list(rng.choice(["x", "y", "z"], 200))
    y_pred = [t if rng.random() < 0.7 else "x" for t in y_true]
    iv = bootstrap_interval(y_true, y_pred, metric, seed=3)
    assert iv.ci_low <= iv.value <= iv.ci_high
    assert iv.ci_low < iv.ci_high
    assert iv == bootstrap_interval(y_true, y_pred, metric, seed=3)
    assert iv != bootstrap_interval(y_true, y_pred, metric, seed=4)


def test_bootstrap_narrows_as_n_grows() -> None:
    def width(n: int) -> float:
        y_true = ["a"] * n
        y_pred = ["a"] * (n * 4 // 5) + ["b"] * (n - n * 4 // 5)
        iv = bootstrap_interval(y_true, y_pred, "accuracy")
        assert iv.value == pytest.approx(0.8)
        return iv.ci_high - iv.ci_low

    assert width(5000) < width(500) < width(50)


def test_bootstrap_accuracy_width_matches_normal_approximation() -> None:
    n = 2000
    y_true = ["a"] * n
    y_pred = ["a"] * 1500 + ["b"] * 500
    iv = bootstrap_interval(y_true, y_pred, "accuracy", n_boot=2000)
    half = 1.96 * math.sqrt(0.75 * 0.25 / n)
    assert (iv.ci_high - iv.ci_low) / 2 == pytest.approx(half, rel=0.15)


def test_bootstrap_vectorised_macro_f1_matches_callable_path() -> None:
    rng = np.random.default_rng(5)
    y_true = list(rng.choice(["p", "q", "r", "s"], 80))
    y_pred = [t if rng.random() < 0.5 else "p" for t in y_true]
    fast = bootstrap_interval(y_true, y_pred, "macro_f1", n_boot=300, seed=9)
    slow = bootstrap_interval(y_true, y_pred, macro_f1, n_boot=300, seed=9)
    assert fast.value == pytest.approx(slow.value)
    # Same seed and draw shape per resample, so identical resamples and identical intervals.
    assert (fast.ci_low, fast.ci_high) == pytest.approx((slow.ci_low, slow.ci_high))


def test_bootstrap_macro_f1_is_fast() -> None:
    rng = np.random.default_rng(0)
    labels = [f"intent_{i}" for i in range(77)]
    y_true = list(rng.choice(labels, 3000))
    y_pred = [t if rng.random() < 0.8 else str(rng.choice(labels)) for t in y_true]
    start = time.perf_counter()
    iv = bootstrap_interval(y_true, y_pred, "macro_f1", labels=labels, n_boot=1000)
    elapsed = time.perf_counter() - start
    assert iv.ci_low <= iv.value <= iv.ci_high
    assert elapsed < 3.0  # typically ~0.3 s; generous for loaded CI machines


def test_bootstrap_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        bootstrap_interval(["a"], ["a"], "accuracy", n_boot=0)
    with pytest.raises(ValueError):
        bootstrap_interval(["a"], ["a"], "accuracy", alpha=1.5)
    with pytest.raises(ValueError):
        bootstrap_interval(["a"], ["a"], "nope")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from("abcd"), st.sampled_from("abcde")), min_size=1, max_size=40
    ),
    metric=st.sampled_from(METRICS),
    seed=st.integers(0, 2**16),
)
def test_property_interval_contains_value(
    pairs: list[tuple[str, str]], metric: MetricName, seed: int
) -> None:
    y_true = [t for t, _ in pairs]
    y_pred = [p for _, p in pairs]
    iv = bootstrap_interval(y_true, y_pred, metric, labels="abcd", n_boot=200, seed=seed)
    assert 0.0 <= iv.ci_low <= iv.value <= iv.ci_high <= 1.0


# --- McNemar -------------------------------------------------------------------------


def discordant(b: int, c: int, both_right: int = 5, both_wrong: int = 3) -> tuple[list[bool], ...]:
    a = [True] * b + [False] * c + [True] * both_right + [False] * both_wrong
    bb = [False] * b + [True] * c + [True] * both_right + [False] * both_wrong
    return a, bb


def test_mcnemar_exact_by_hand() -> None:
    # b=1, c=6: P[Bin(7, 1/2) <= 1] = (1 + 7) / 128; two-sided doubles it.
    assert mcnemar(*discordant(1, 6)) == pytest.approx(0.125)
    assert mcnemar(*discordant(6, 1)) == pytest.approx(0.125)
    assert mcnemar(*discordant(0, 5)) == pytest.approx(2 / 32)
    assert mcnemar(*discordant(3, 3)) == 1.0  # capped at 1


def test_mcnemar_chi_square_by_hand() -> None:
    # b=20, c=10: (|20 - 10| - 1)^2 / 30 = 2.7; chi2(1) survival = erfc(sqrt(2.7 / 2)).
    assert mcnemar(*discordant(20, 10)) == pytest.approx(math.erfc(math.sqrt(2.7 / 2)))
    assert mcnemar(*discordant(15, 15)) == pytest.approx(1.0)


def test_mcnemar_no_discordant_pairs() -> None:
    assert mcnemar(*discordant(0, 0)) == 1.0
    assert mcnemar([], []) == 1.0
    with pytest.raises(ValueError):
        mcnemar([True], [True, False])


# --- cost ----------------------------------------------------------------------------


def test_cost_api_by_hand() -> None:
    # (100_000 * 0.15 + 2_000 * 0.60) / 1e6 = $0.0162 for 500 examples -> $0.0324 per 1k.
    usd, basis = cost_per_1k(
        prompt_tokens=100_000,
        completion_tokens=2_000,
        n_examples=500,
        price_in_per_1m=0.15,
        price_out_per_1m=0.60,
        compute_seconds=99.0,
        usd_per_hour=DEFAULT_USD_PER_HOUR,
    )
    assert usd == pytest.approx(0.0324)
    assert basis == "API list price $0.15/1M in, $0.60/1M out"


def test_cost_compute_by_hand() -> None:
    # 6.15 s / 500 = 12.3 ms/example; 12.3 s per 1k at $0.10/h = $0.000341666...
    usd, basis = cost_per_1k(
        prompt_tokens=0,
        completion_tokens=0,
        n_examples=500,
        price_in_per_1m=None,
        price_out_per_1m=None,
        compute_seconds=6.15,
        usd_per_hour=0.10,
    )
    assert usd == pytest.approx(12.3 / 3600 * 0.10)
    assert basis == "measured compute 12.3 ms/example × $0.10/hour"


def test_cost_needs_both_prices() -> None:
    with pytest.raises(ValueError):
        cost_per_1k(
            prompt_tokens=1,
            completion_tokens=1,
            n_examples=1,
            price_in_per_1m=0.1,
            price_out_per_1m=None,
            compute_seconds=0.0,
            usd_per_hour=0.1,
        )


def test_default_prices_and_lookup() -> None:
    assert DEFAULT_PRICES["gpt-4o-mini"] == (0.15, 0.60)
    assert price_for("openai:gpt-4o-mini") == (0.15, 0.60)
    assert price_for("openai/gpt-4.1") == (2.00, 8.00)
    assert price_for("local:smollm2") is None


def test_load_price_file_json_and_yaml(tmp_path: Path) -> None:
    j = tmp_path / "prices.json"
    j.write_text(json.dumps({"m1": {"input_per_1m": 1, "output_per_1m": 2.5}}))
    assert load_price_file(j) == {"m1": (1.0, 2.5)}
    y = tmp_path / "prices.yaml"
    y.write_text("m2:\n  input_per_1m: 0.2\n  output_per_1m: 0.8\n")
    assert load_price_file(y) == {"m2": (0.2, 0.8)}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"m1": {"input_per_1m": 1}}', "output_per_1m"),
        ('{"m1": {"input_per_1m": 1, "output_per_1m": 2, "extra": 3}}', "extra"),
        ('{"m1": {"input_per_1m": "cheap", "output_per_1m": 2}}', "input_per_1m"),
        ('{"m1": {"input_per_1m": -1, "output_per_1m": 2}}', "input_per_1m"),
        ('{"m1": 3}', "m1"),
        ("[1, 2]", "map model names"),
        ("{not json", "invalid JSON"),
    ],
)
def test_load_price_file_errors_name_file_and_key(
    tmp_path: Path, content: str, needle: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(UsageError) as err:
        load_price_file(path)
    assert str(path) in str(err.value)
    assert needle in str(err.value)


def test_load_price_file_missing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        load_price_file(tmp_path / "nope.yaml")


# --- summarize / compare_to_best -----------------------------------------------------


def test_summarize_synthetic_result() -> None:
    res = make_result("tfidf-lr", Y_PRED, latency=[10, 20, 30, 40, 50], parse_failures=1)
    m = summarize(res, Y_TRUE, usd_per_hour=0.10, n_boot=200)
    assert m.name == "tfidf-lr" and m.family == "baseline" and m.n_test == 5
    assert m.accuracy.value == pytest.approx(0.6)
    assert m.macro_f1.value == pytest.approx(1.3 / 3)
    assert m.per_class_f1 == pytest.approx({"a": 0.5, "b": 0.8, "c": 0.0})
    assert m.latency_p50_ms == pytest.approx(30.0)
    assert m.latency_p95_ms == pytest.approx(48.0)  # linear: 40 + 0.8 * 10
    assert m.throughput_per_s == pytest.approx(5 / 0.15)
    assert m.cost_per_1k_usd == pytest.approx(30.0 / 3600 * 0.10)  # 30 ms/example
    assert m.cost_basis == "measured compute 30.0 ms/example × $0.10/hour"
    assert (m.train_seconds, m.n_train_labels, m.parse_failures) == (2.5, 10, 1)


def test_summarize_scales_a_latency_sample_to_all_predictions() -> None:
    # Learners time single requests on a sample; the mean stands for every prediction.
    res = make_result("encoder-lr", Y_PRED, latency=[10, 30])
    m = summarize(res, Y_TRUE, usd_per_hour=0.10, n_boot=50)
    assert m.throughput_per_s == pytest.approx(1000 / 20)
    assert m.cost_per_1k_usd == pytest.approx(20.0 / 3600 * 0.10)


def test_summarize_with_api_prices() -> None:
    res = make_result("zero-shot", Y_PRED, prompt_tokens=5000, completion_tokens=50)
    m = summarize(res, Y_TRUE, usd_per_hour=0.1, price_in_per_1m=0.15, price_out_per_1m=0.6)
    assert m.cost_per_1k_usd == pytest.approx((5000 * 0.15 + 50 * 0.6) / 1e6 / 5 * 1000)
    assert m.cost_basis.startswith("API list price")
    assert (m.prompt_tokens, m.completion_tokens) == (5000, 50)


def test_summarize_rejects_misaligned_labels() -> None:
    with pytest.raises(ValueError):
        summarize(make_result("x", Y_PRED), Y_TRUE[:3], usd_per_hour=0.1)


def test_compare_to_best_picks_best_and_pairs_by_index() -> None:
    truth = ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b"]  # indexed by test index
    best = make_result("best", list(truth))  # all right, indices 0..9
    # "other" saw indices 9..3 in reverse order and is wrong on 9 and 8 only:
    # shared 7, b=2 (best right, other wrong), c=0 -> exact p = 2 * 0.5**2 = 0.5.
    idx = list(range(9, 2, -1))
    other_preds = ["x" if i in (9, 8) else truth[i] for i in idx]
    other = make_result("other", other_preds, indices=idx)
    results = {"other": other, "best": best}
    y_true = {"best": truth, "other": [truth[i] for i in idx]}
    metrics = [summarize(r, y_true[n], usd_per_hour=0.1, n_boot=50) for n, r in results.items()]
    name, comps = compare_to_best(results, y_true, metrics)
    assert name == "best"
    assert len(comps) == 1
    c = comps[0]
    assert (c.a, c.b, c.test, c.n) == ("best", "other", "mcnemar", 7)
    assert c.p_value == pytest.approx(0.5)


def test_compare_to_best_tie_breaks_on_macro_f1() -> None:
    truth = ["a", "a", "a", "b"]
    # Both 3/4 accurate; "balanced" gets b right, so its macro-F1 is higher.
    majority = make_result("majority", ["a", "a", "a", "a"])
    balanced = make_result("balanced", ["a", "a", "b", "b"])
    results = {"majority": majority, "balanced": balanced}
    y_true = {"majority": truth, "balanced": truth}
    metrics = {n: summarize(r, truth, usd_per_hour=0.1, n_boot=50) for n, r in results.items()}
    assert metrics["majority"].accuracy.value == metrics["balanced"].accuracy.value
    name, comps = compare_to_best(results, y_true, metrics)
    assert name == "balanced"
    assert [(c.b, c.n) for c in comps] == [("majority", 4)]


def test_compare_to_best_disjoint_indices() -> None:
    a = make_result("a", ["a", "a"], indices=[0, 1])
    b = make_result("b", ["b", "b"], indices=[2, 3])
    results = {"a": a, "b": b}
    y_true = {"a": ["a", "a"], "b": ["a", "a"]}
    metrics = [summarize(r, y_true[n], usd_per_hour=0.1, n_boot=20) for n, r in results.items()]
    name, comps = compare_to_best(results, y_true, metrics)
    assert name == "a"
    assert (comps[0].n, comps[0].p_value) == (0, 1.0)
