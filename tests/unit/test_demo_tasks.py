"""The bundled generation/reasoning demo data and the seeded generator that writes it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from taskfit.data import demo_paths, load_demo
from taskfit.data.demo import DEMO_COLUMNS
from taskfit.data.demo_tasks import (
    DEMO_TASK_SIZES,
    product_descriptions,
    word_problems,
    write_demo_tasks,
)
from taskfit.errors import UsageError

TASKS = ("generation", "reasoning")
INPUT = {"generation": "attributes", "reasoning": "question"}
EQUATION = re.compile(r"(\d+) ([-+*/]) (\d+) = (\d+)")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def bundled(task: str) -> dict[str, list[dict[str, str]]]:
    return {split: read(path) for split, path in demo_paths(task).items()}


def attribute_values(attributes: str) -> list[str]:
    return [part.split(": ", 1)[1] for part in attributes.split(" | ")]


def mentions(description: str, value: str) -> bool:
    """``value`` appears as written, or (for measures like ``30 litres``) its number does."""
    if value.lower() in description.lower():
        return True
    numbers = re.findall(r"\d+(?:\.\d+)?", value)
    return bool(numbers) and all(
        re.search(rf"(?<![\d.]){re.escape(n)}(?!\.?\d)", description) for n in numbers
    )


def compute(a: int, op: str, b: int) -> int:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    assert a % b == 0, f"{a} / {b} is not exact"
    return a // b


# --------------------------------------------------------------------------- files


def test_regenerating_gives_the_bundled_files(tmp_path: Path) -> None:
    written = write_demo_tasks(tmp_path, seed=0)
    assert len(written) == 4
    for task in TASKS:
        for split, path in demo_paths(task).items():
            assert written[f"{task}/{split}"] == tmp_path / task / f"{split}.csv"
            assert written[f"{task}/{split}"].read_bytes() == path.read_bytes(), path


def test_headers_and_sizes() -> None:
    headers = {
        "generation": ["attributes", "description"],
        "reasoning": ["question", "rationale", "answer"],
    }
    for task in TASKS:
        for split, path in demo_paths(task).items():
            with path.open(encoding="utf-8", newline="") as f:
                assert next(csv.reader(f)) == headers[task]
            assert len(read(path)) == DEMO_TASK_SIZES[split]


@pytest.mark.parametrize("task", TASKS)
def test_no_input_repeats_within_or_across_splits(task: str) -> None:
    splits = bundled(task)
    train = [r[INPUT[task]] for r in splits["train"]]
    test = [r[INPUT[task]] for r in splits["test"]]
    assert len(set(train)) == len(train) and len(set(test)) == len(test)
    assert not set(train) & set(test)


# --------------------------------------------------------------------------- reasoning


def test_word_problem_answers_are_computed_from_their_rationales() -> None:
    rows = [r for rows in bundled("reasoning").values() for r in rows]
    for row in rows:
        answer = row["answer"]
        assert answer.isdigit() and str(int(answer)) == answer  # a non-negative integer
        assert row["rationale"].endswith(f"The answer is {answer}."), row
        equations = EQUATION.findall(row["rationale"])
        assert 2 <= len(equations) <= 3, row
        for a, op, b, result in equations:
            assert compute(int(a), op, int(b)) == int(result), row
        assert equations[-1][3] == answer, row


def test_word_problems_are_seeded() -> None:
    assert word_problems(5, seed=3) == word_problems(5, seed=3)
    assert word_problems(5, seed=3) != word_problems(5, seed=4)


def test_exclude_draws_replacements() -> None:
    first = word_problems(5, seed=0)
    rest = word_problems(5, seed=0, exclude={r["question"] for r in first[:2]})
    assert len(rest) == 5 and rest[:3] == first[2:]


# --------------------------------------------------------------------------- generation


def test_descriptions_mention_every_attribute_value() -> None:
    rows = [r for rows in bundled("generation").values() for r in rows]
    rows += product_descriptions(300, seed=7)
    for row in rows:
        values = attribute_values(row["attributes"])
        assert len(values) >= 5
        for value in values:
            assert mentions(row["description"], value), (value, row)


def test_descriptions_vary_per_product_type() -> None:
    rows = bundled("generation")["train"]
    types = {attribute_values(r["attributes"])[1] for r in rows}
    assert len(types) >= 5
    # the same product type is described with more than one sentence pattern
    openings = {r["description"].split()[0] for r in rows if "type: backpack" in r["attributes"]}
    assert len(openings) >= 2


def test_product_descriptions_are_seeded() -> None:
    assert product_descriptions(5, seed=3) == product_descriptions(5, seed=3)
    assert product_descriptions(5, seed=3) != product_descriptions(5, seed=4)


# --------------------------------------------------------------------------- load_demo


@pytest.mark.parametrize("task", TASKS)
def test_load_demo_tasks(task: str) -> None:
    ds = load_demo(task=task)
    text, target = DEMO_COLUMNS[task]
    assert (ds.text_col, ds.label_col) == (text, target)
    assert len(ds.train) == DEMO_TASK_SIZES["train"] and len(ds.test) == DEMO_TASK_SIZES["test"]
    assert ds.task == task and ds.labels == ()
    assert ds.source == f"demo:{task}/train.csv" and ds.test_source == f"demo:{task}/test.csv"
    first = bundled(task)["train"][0]
    assert ds.train[0].text == first[text] and ds.train[0].target == first[target]
    assert load_demo(seed=1, task=task).data_hash == ds.data_hash  # fixed files, no split


def test_classification_demo_is_unchanged() -> None:
    assert set(demo_paths()) == {"train", "test", "ood_test"}
    assert demo_paths() == demo_paths("classification")
    ds = load_demo(seed=0)
    assert ds.task == "classification" and ds.labels and ds.label_col == "intent"
    assert ds.data_hash == load_demo(seed=0, task="classification").data_hash
    assert ds.data_hash != load_demo(task="generation").data_hash


def test_unknown_demo_task() -> None:
    for call in (lambda: demo_paths("summarisation"), lambda: load_demo(task="summarisation")):
        with pytest.raises(UsageError) as info:
            call()
        assert "summarisation" in info.value.message
        assert all(task in info.value.message for task in DEMO_COLUMNS)
