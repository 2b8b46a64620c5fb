"""Seeded perturbations (taskfit.data.perturb): determinism, documented behaviour, export."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from taskfit.data import perturb as perturb_mod
from taskfit.data.perturb import (
    CITIES,
    DESCRIPTIONS,
    DISTRACTORS,
    FIRST_NAMES,
    PERTURBATIONS,
    export_perturbed,
    parse_perturbations,
    perturb,
    perturb_examples,
)
from taskfit.errors import UsageError
from taskfit.types import Example

_SUBJECTS = ["customer", "manager", "traveller", "student", "engineer"]
_VERBS = ["reported", "complained", "mentioned", "explained", "noticed"]
_OBJECTS = ["delivery", "invoice", "package", "booking", "refund"]

# 50 distinct texts with several words of 4+ letters, mixed case and punctuation.
TEXTS = [
    f"The {_SUBJECTS[i % 5]} {_VERBS[(i // 5) % 5]} that the {_OBJECTS[(i + 2) % 5]} "
    f"number {100 + 7 * i} arrived late, again; please check it quickly (case {i})!"
    for i in range(50)
]


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(w in it for w in short)


# --- API surface ------------------------------------------------------------------------


def test_every_kind_has_a_one_line_description() -> None:
    assert set(DESCRIPTIONS) == set(PERTURBATIONS)
    assert len(PERTURBATIONS) == 6
    assert all(d and "\n" not in d for d in DESCRIPTIONS.values())


def test_unknown_kind_raises_value_error() -> None:
    with pytest.raises(ValueError, match="unknown perturbation"):
        perturb("some text", "shout", 0)
    with pytest.raises(ValueError, match="unknown perturbation"):
        perturb_examples([Example("x", "a")], "shout", 0)


# --- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PERTURBATIONS)
def test_same_seed_same_output(kind: str) -> None:
    first = [perturb(t, kind, 3) for t in TEXTS]
    assert first == [perturb(t, kind, 3) for t in TEXTS]


def test_different_seed_usually_different_typos() -> None:
    differ = sum(perturb(t, "typos", 0) != perturb(t, "typos", 1) for t in TEXTS)
    assert differ >= 40


@pytest.mark.parametrize("kind", ["typos", "distractor", "entity-swap", "word-dropout"])
def test_output_independent_of_set_and_order(kind: str) -> None:
    examples = [Example(t, str(i % 3)) for i, t in enumerate(TEXTS)]
    forward = perturb_examples(examples, kind, 5)
    backward = perturb_examples(examples[::-1], kind, 5)[::-1]
    subset = perturb_examples(examples[10:20], kind, 5)
    assert forward == backward
    assert forward[10:20] == subset


def test_seed_does_not_use_pythons_salted_hash() -> None:
    code = (
        "from taskfit.data.perturb import perturb, PERTURBATIONS;"
        "print([perturb('Anna paid 42 dollars in London, really quickly.', k, 9)"
        " for k in PERTURBATIONS])"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": salt},
        ).stdout
        for salt in ("1", "2", "3")
    }
    assert len(outs) == 1


# --- what each perturbation does --------------------------------------------------------


def test_typos_change_long_words_by_at_most_one_character() -> None:
    for seed in range(3):
        for text in TEXTS:
            out = perturb(text, "typos", seed)
            assert out != text  # every text has candidate words
            before, after = text.split(), out.split()
            assert len(before) == len(after)
            for a, b in zip(before, after, strict=True):
                if not re.search(r"[^\W\d_]{4,}", a):
                    assert a == b  # short words, numbers and punctuation untouched
                assert abs(len(a) - len(b)) <= 1
                assert a[0] == b[0]  # never on the first letter


def test_typos_rate_is_about_one_word_in_six() -> None:
    long_text = " ".join(["wonderful", "terrible"] * 300)
    out = perturb(long_text, "typos", 0)
    changed = sum(a != b for a, b in zip(long_text.split(), out.split(), strict=True))
    assert 60 <= changed <= 140  # 600 words / 6 = 100


def test_typos_leave_texts_of_short_words_alone() -> None:
    text = "I am on a bus to the zoo, 2024."
    assert all(perturb(text, "typos", s) == text for s in range(10))


def test_casing_is_lower_or_upper() -> None:
    outs = [perturb(t, "casing", 0) for t in TEXTS]
    assert all(o in (t.lower(), t.upper()) for o, t in zip(outs, TEXTS, strict=True))
    n_upper = sum(o == t.upper() for o, t in zip(outs, TEXTS, strict=True))
    assert 5 <= n_upper <= 30  # about one in three
    # a text already in lower case is changed: it goes to upper case
    assert perturb("already lower", "casing", 0) == "ALREADY LOWER"


def test_no_punct_removes_punctuation_and_collapses_whitespace() -> None:
    for text in [*TEXTS, "  «Quoted» text…\n\twith   gaps — and “smart” quotes!  "]:
        out = perturb(text, "no-punct", 0)
        assert not any(unicodedata.category(c).startswith("P") for c in out)
        assert "  " not in out and "\n" not in out and out == out.strip()
    assert perturb("state-of-the-art, isn't it?", "no-punct", 0) == "state of the art isnt it"
    assert perturb("Costs $5 + tax.", "no-punct", 0) == "Costs $5 + tax"


def test_word_dropout_keeps_an_ordered_subset() -> None:
    dropped = total = 0
    for text in TEXTS:
        out = perturb(text, "word-dropout", 0)
        assert out.split(), "at least one word kept"
        assert _is_subsequence(out.split(), text.split())
        dropped += len(text.split()) - len(out.split())
        total += len(text.split())
    assert 0.05 <= dropped / total <= 0.15


def test_word_dropout_leaves_one_word_and_keeps_one(monkeypatch: pytest.MonkeyPatch) -> None:
    assert perturb("Hello!", "word-dropout", 0) == "Hello!"
    monkeypatch.setattr(perturb_mod, "_DROPOUT_RATE", 1.0)  # every word would go
    out = perturb("one two three four", "word-dropout", 0)
    assert out in ("one", "two", "three", "four")


def test_distractor_appends_one_listed_sentence() -> None:
    assert 18 <= len(DISTRACTORS) <= 25
    used = set()
    for text in TEXTS:
        out = perturb(text, "distractor", 0)
        assert out.startswith(text + " ")
        used.add(out[len(text) + 1 :])
    assert used <= set(DISTRACTORS)
    assert len(used) >= 10


def test_entity_swap_changes_digits_keeps_counts() -> None:
    text = "Order NW-48213 for 3 items, call 0171 555 or ref 12."
    out = perturb(text, "entity-swap", 0)
    before, after = re.findall(r"[0-9]+", text), re.findall(r"[0-9]+", out)
    assert [len(x) for x in before] == [len(x) for x in after]
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert re.sub(r"[0-9]", "#", out) == re.sub(r"[0-9]", "#", text)  # only digits change
    assert after[0][0] != "0" and after[2][0] == "0"  # leading digits keep their kind


def test_entity_swap_swaps_names_within_their_list() -> None:
    text = "Anna flew from London to Paris; Anna liked Paris."
    out = perturb(text, "entity-swap", 1)
    words = re.findall(r"[A-Z][a-z]+", out)
    assert len(words) == 5
    anna1, city1, city2, anna2, city3 = words
    assert anna1 == anna2 != "Anna" and anna1 in FIRST_NAMES  # swapped consistently
    assert city2 == city3 and city1 in CITIES and city2 in CITIES
    assert city1 != city2 and {city1, city2}.isdisjoint({"London", "Paris"})
    assert out.replace(anna1, "N").replace(city1, "C").replace(city2, "C") == (
        "N flew from C to C; N liked C."
    )


def test_entity_swap_leaves_texts_without_entities() -> None:
    for text in ["the parcel never came", "annabel in parisian cafes", "Will it rain?"]:
        assert perturb(text, "entity-swap", 0) == text


@pytest.mark.parametrize("kind", PERTURBATIONS)
def test_never_empty(kind: str) -> None:
    for text in ["!!!", "...", "a", "—", " ? ", "x y", "Ok.", "42", *TEXTS[:5]]:
        for seed in range(5):
            assert perturb(text, kind, seed).strip()
    assert perturb("?!", "no-punct", 0) == "?!"  # would be empty: the original


# --- examples ---------------------------------------------------------------------------


def test_perturb_examples_keeps_labels_and_fields_and_perturbs_pairs() -> None:
    examples = [
        Example("Where is Anna?", "q", text_pair="She is in Berlin.", group="g1"),
        Example("Order 1234 now", "r", group="g2"),
    ]
    out = perturb_examples(examples, "entity-swap", 0)
    assert [e.label for e in out] == ["q", "r"]
    assert [e.group for e in out] == ["g1", "g2"]
    assert out[0].text != examples[0].text
    assert out[0].text_pair is not None and "Berlin" not in out[0].text_pair
    assert out[0].text_pair == perturb("She is in Berlin.", "entity-swap", 0)
    assert out[1].text_pair is None
    assert out[1].text == perturb("Order 1234 now", "entity-swap", 0)


# --- parse_perturbations ----------------------------------------------------------------


def test_parse_perturbations() -> None:
    assert parse_perturbations("typos,casing") == ("typos", "casing")
    assert parse_perturbations(" Typos , no_punct,typos ") == ("typos", "no-punct")
    assert parse_perturbations(["distractor", "casing,entity-swap"]) == (
        "distractor",
        "casing",
        "entity-swap",
    )
    assert parse_perturbations("all") == PERTURBATIONS
    assert parse_perturbations("typos,all") == PERTURBATIONS


def test_parse_perturbations_errors() -> None:
    with pytest.raises(UsageError) as err:
        parse_perturbations("typos,shouting")
    assert "shouting" in str(err.value)
    assert all(k in str(err.value) for k in PERTURBATIONS)
    with pytest.raises(UsageError):
        parse_perturbations(" , ")


# --- export -----------------------------------------------------------------------------


def _rows(with_pair: bool) -> list[tuple[str, int, Example, Example]]:
    a = Example("Grüße, Anna — 12 €", "x", text_pair="Berlin, 7" if with_pair else None)
    b = Example('Say "hi", then\nleave', "y")
    rows = []
    for kind in ("entity-swap", "no-punct"):
        for i, e in enumerate((a, b)):
            rows.append((kind, i, e, perturb_examples([e], kind, 0)[0]))
    return rows


@pytest.mark.parametrize("with_pair", [False, True])
def test_export_csv_round_trip(tmp_path: Path, with_pair: bool) -> None:
    rows = _rows(with_pair)
    path = tmp_path / "sub" / "perturbed.csv"
    export_perturbed(path, rows)
    with path.open(encoding="utf-8", newline="") as fh:
        back = list(csv.DictReader(fh))
    cols = ["kind", "row", "label", "original", "perturbed", "changed"]
    assert list(back[0]) == cols + (["original_pair", "perturbed_pair"] if with_pair else [])
    assert len(back) == len(rows)
    for rec, (kind, i, orig, pert) in zip(back, rows, strict=True):
        assert (rec["kind"], int(rec["row"]), rec["label"]) == (kind, i, orig.label)
        assert (rec["original"], rec["perturbed"]) == (orig.text, pert.text)
        assert rec["changed"] == ("true" if orig != pert else "false")
        if with_pair:
            assert rec["original_pair"] == (orig.text_pair or "")
            assert rec["perturbed_pair"] == (pert.text_pair or "")
    assert back[1]["changed"] == "false"  # entity-swap without entities


@pytest.mark.parametrize("with_pair", [False, True])
def test_export_jsonl_round_trip(tmp_path: Path, with_pair: bool) -> None:
    rows = _rows(with_pair)
    path = tmp_path / "perturbed.JSONL"
    export_perturbed(path, rows)
    back = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(back) == len(rows)
    for rec, (kind, i, orig, pert) in zip(back, rows, strict=True):
        expect = {
            "kind": kind,
            "row": i,
            "label": orig.label,
            "original": orig.text,
            "perturbed": pert.text,
            "changed": orig != pert,
        }
        if with_pair:
            expect |= {"original_pair": orig.text_pair, "perturbed_pair": pert.text_pair}
        assert rec == expect
    assert "Grüße" in path.read_text(encoding="utf-8")


def test_export_rejects_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\.csv or \.jsonl"):
        export_perturbed(tmp_path / "out.parquet", _rows(False))
    assert not (tmp_path / "out.parquet").exists()
