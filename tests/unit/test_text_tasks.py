"""Generation and reasoning end to end on the scripted backend: prompts, answer
extraction, votes, dev-split prompt choice, the metrics and the results document."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from taskfit.backends.fake import FakeBackend
from taskfit.config import CompareOptions
from taskfit.data.load import _data_hash
from taskfit.prompting.text import max_new_tokens, random_dev_split, vote
from taskfit.run.runners import UnitEnv
from taskfit.run.text_unit import TEXT_PROMPTED
from taskfit.tasks import get_task
from taskfit.tasks.answers import normalize_answer
from taskfit.tasks.reasoning import extract_answer
from taskfit.types import Dataset, Example, Unit
from taskfit.workflows.compare import compare_dataset


def _dataset(task: str, pairs: list[tuple[str, str]], n_test: int, cols: tuple[str, str]):
    ex = tuple(Example(t, y) for t, y in pairs)
    train, test = ex[:-n_test], ex[-n_test:]
    return Dataset(
        train=train,
        test=test,
        labels=(),
        data_hash=_data_hash(train, test, {"text": cols[0], "label": cols[1]}),
        source=f"memory:{task}",
        text_col=cols[0],
        label_col=cols[1],
        task=task,
    )


def sums(n: int = 60, n_test: int = 20) -> Dataset:
    pairs = [(f"What is {a} plus {a % 7 + 3}?", str(a + a % 7 + 3)) for a in range(10, 10 + n)]
    return _dataset("reasoning", pairs, n_test, ("question", "answer"))


def _last_sum(prompt: str) -> tuple[int, int]:
    a, b = re.findall(r"What is (\d+) plus (\d+)\?", prompt)[-1]
    return int(a), int(b)


def arithmetic(prompt: str) -> str:
    """Right when a is even, one too many when it is odd; chains when asked to."""
    a, b = _last_sum(prompt)
    answer = a + b + (a % 2)
    if "step by step" in prompt or "reasoning" in prompt:
        return f"First {a} + {b}. That makes {answer}. The answer is {answer}."
    return str(answer)


def test_extraction_rule():
    assert extract_answer("so 3 * 4 = 12. The answer is 12.") == "12"
    assert extract_answer("The answer is: $1,250.") == "1,250"
    assert extract_answer("The final answer is Paris.") == "Paris"
    assert extract_answer("  42  ") == "42"
    assert extract_answer("We add 2 and 3\nwhich gives 5 apples") == "5"
    assert extract_answer("") is None
    assert extract_answer("I do not know.\nNobody does.") is None
    assert normalize_answer("1,250") == normalize_answer("1250.00") == "1250"


def test_vote_and_dev_split():
    assert vote(["7", "8", "8.0", None, "7"]) == "7"  # 2-2 tie: the first seen wins
    assert vote(["3", None, "4", "4"]) == "4"
    ds = sums()
    dev, rest = random_dev_split(ds.train, 10, seed=1)
    assert len(dev) == 10 and len(rest) == len(ds.train) - 10
    assert not {e.text for e in dev} & {e.text for e in rest}
    assert random_dev_split(ds.train, 10, seed=1) == (dev, rest)
    assert random_dev_split(ds.train, 10, seed=2)[0] != dev
    assert len(random_dev_split(ds.train[:4], 10, seed=1, keep=3)[0]) == 1


def test_token_cap_follows_the_references():
    fb = FakeBackend()  # a token a word
    short = max_new_tokens(fb, ["12", "7"], chain=False)
    long = max_new_tokens(fb, ["word " * 40] * 5, chain=False)
    assert short == 10  # a 1-token answer: ceil(1.5 * 1) + 8
    assert long == 68  # 40 words = 40 tokens: ceil(1.5 * 40) + 8
    assert max_new_tokens(fb, ["12"], chain=True) == 10 + 256


def _env(ds: Dataset, fb: FakeBackend) -> UnitEnv:
    return UnitEnv(ds, None, lambda spec: fb, lambda n: None)  # type: ignore[arg-type]


def test_runner_direct_and_self_consistency():
    ds = sums()
    fb = FakeBackend(responder=arithmetic)
    idx = tuple(range(len(ds.test)))
    direct = Unit("zero-shot", "prompt", "fake", ds.data_hash, idx, 0, (("dev_size", 0),))
    res = TEXT_PROMPTED.run(direct, _env(ds, fb))
    truth = [e.target for e in ds.test]
    right = [p == t for p, t in zip(res.predictions, truth, strict=True)]
    # even first addends are answered right
    assert right == [int(e.text.split()[2]) % 2 == 0 for e in ds.test]
    assert res.probabilities == () and res.parse_failures == 0
    assert res.prompting["outputs"] == list(res.predictions)
    sc = Unit(
        "self-consistency",
        "prompt",
        "fake",
        ds.data_hash,
        idx,
        0,
        (("dev_size", 0), ("chain", True), ("samples", 3), ("temperature", 0.7)),
    )
    calls = fb.generate_calls
    res = TEXT_PROMPTED.run(sc, _env(ds, fb))
    assert fb.generate_calls - calls == 3 * len(idx)
    assert [len(s) for s in res.prompting["samples"]] == [3] * len(idx)
    assert res.prompting["outputs"][0].endswith(f"The answer is {res.predictions[0]}.")


def test_prompt_wording_is_chosen_on_the_dev_split():
    ds = sums()

    def only_numbered(prompt: str) -> str:  # answers right only under one wording
        a, b = _last_sum(prompt)
        return str(a + b) if "as a number" in prompt else "no idea"

    fb = FakeBackend(responder=only_numbered)
    unit = Unit("zero-shot", "prompt", "fake", ds.data_hash, (0, 1, 2), 0, (("dev_size", 8),))
    res = TEXT_PROMPTED.run(unit, _env(ds, fb))
    assert res.prompting["variant"] == "number" and res.prompting["selected_on_dev"]
    scores = {c["variant"]: c["dev_score"] for c in res.prompting["candidates"]}
    assert scores == {"answer": 0.0, "number": 1.0}
    assert [p == e.target for p, e in zip(res.predictions, ds.test[:3], strict=True)] == [True] * 3


@pytest.fixture()
def fake_llm(monkeypatch):
    """Every LLM spec opens the scripted arithmetic backend."""
    from taskfit.workflows import context

    monkeypatch.setattr(
        context, "make_backend", lambda spec, **kw: FakeBackend(responder=arithmetic)
    )


def test_reasoning_compare_end_to_end(tmp_path, fake_llm):
    ds = sums()
    opts = CompareOptions(
        llms=("fake",),
        approaches=("zero-shot", "cot", "self-consistency", "majority", "nearest-output"),
        samples=3,
        dev_size=0,
        home=str(tmp_path),
        out=str(tmp_path / "out"),
        plots=False,
    )
    res = compare_dataset(ds, opts)
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert doc["task"]["type"] == "reasoning"
    assert [m["name"] for m in doc["task"]["metrics"]] == ["exact_match"]
    by = {a["name"]: a for a in doc["approaches"]}
    assert set(by) == {
        "zero-shot@fake",
        "cot@fake",
        "self-consistency@fake",
        "majority",
        "nearest-output",
    }
    for a in by.values():
        assert set(a["metrics"]) == {"exact_match"}
    even = sum(int(e.text.split()[2]) % 2 == 0 for e in ds.test) / len(ds.test)
    for name in ("zero-shot@fake", "cot@fake", "self-consistency@fake"):
        assert by[name]["metrics"]["exact_match"]["value"] == pytest.approx(even), name
        assert by[name]["parse_failures"] == 0
    # chains cost more tokens than direct answers; three samples cost three chains
    tokens = {n: by[n]["tokens"]["completion"] for n in ("zero-shot@fake", "cot@fake")}
    assert tokens["cot@fake"] > tokens["zero-shot@fake"]
    assert by["self-consistency@fake"]["tokens"]["completion"] == 3 * tokens["cot@fake"]
    assert by["majority"]["metrics"]["exact_match"]["value"] < even
    # three approaches tie; 20 identical answers cannot show the cheaper one is within one
    # point, so the tie-break (name order) stands and the comparison says inconclusive
    assert res.recommendation.choice == "cot@fake"
    # the outputs beside their references, and the vote over 1 and 3 chains
    shown = doc["outputs"]["examples"]
    assert len(shown) == 8 and shown[0]["reference"] == ds.test[shown[0]["index"]].target
    cot_out = shown[0]["outputs"]["cot@fake"]
    assert cot_out["output"].endswith(f"The answer is {cot_out['answer']}.")
    assert cot_out["score"] == float(cot_out["answer"] == shown[0]["reference"])
    (curve,) = doc["self_consistency"].values()
    assert curve["samples"] == 3 and [p["k"] for p in curve["points"]] == [1, 3]
    assert [p["exact_match"]["value"] for p in curve["points"]] == pytest.approx([even, even])
    costs = [p["usd_per_example"] for p in curve["points"]]
    assert costs[1] == pytest.approx(3 * costs[0])
    verdicts = {c["b"]: c["verdict"] for c in doc["comparisons"]}
    assert verdicts["zero-shot@fake"] == "inconclusive"
    assert verdicts["majority"] == "inferior"
    assert "confusion" not in doc and "prompting" not in doc


def test_generation_metrics_in_results(tmp_path):
    pairs = [
        (
            f"name: Item {i} | colour: {c} | price: {10 + i} USD",
            f"Item {i} is {c} and costs ${10 + i}.",
        )
        for i, c in enumerate(["red", "blue", "green", "black", "white"] * 8)
    ]
    ds = _dataset("generation", pairs, 10, ("attributes", "description"))
    opts = CompareOptions(
        llms=("fake",),
        approaches=("zero-shot", "nearest-output"),
        dev_size=0,
        home=str(tmp_path),
        out=str(tmp_path / "out"),
        plots=False,
    )
    compare_dataset(ds, opts)
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [m["name"] for m in doc["task"]["metrics"]] == ["rouge_l", "chrf", "bleu"]
    near = next(a for a in doc["approaches"] if a["name"] == "nearest-output")
    assert 0.3 < near["metrics"]["rouge_l"]["value"] < 1.0
    assert 0 < near["metrics"]["chrf"]["value"] <= 100
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "ROUGE-L" in summary and "chrF" in summary
    assert (
        replace(ds, task="generation") == ds and get_task("generation").headline.name == "rouge_l"
    )


def test_an_approach_answering_one_number_everywhere_is_warned_about(tmp_path, monkeypatch):
    from taskfit.workflows import context

    monkeypatch.setattr(
        context, "make_backend", lambda spec, **kw: FakeBackend(responder=lambda p: "17")
    )
    ds = sums()
    opts = CompareOptions(
        llms=("fake",),
        approaches=("zero-shot", "nearest-output", "majority"),
        dev_size=0,
        home=str(tmp_path),
        out=str(tmp_path / "out"),
        plots=False,
    )
    res = compare_dataset(ds, opts)
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert "zero-shot@fake" in doc["collapsed"]
    warned = [w for w in res.recommendation.warnings if w.startswith("zero-shot@fake answers")]
    assert len(warned) == 1 and "'17' for 100% of test examples" in warned[0]
    assert "its exact match reflects one answer" in warned[0]
    # the majority baseline answers one number by design: warned about only as the choice
    warned_majority = any(w.startswith("majority answers") for w in res.recommendation.warnings)
    assert warned_majority == (res.recommendation.choice == "majority")
    assert doc["recommendation"]["warnings"] == list(res.recommendation.warnings)
