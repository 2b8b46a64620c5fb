"""The bundled QA and extraction demo data and the seeded generators that write it."""

from __future__ import annotations

import csv
import json
import re
import string
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from taskfit.data.demo_extraction import TEST_ONLY_PRODUCTS, write_demo_extraction
from taskfit.data.demo_qa import LONG_PASSAGES, UNANSWERABLE, write_demo_qa

DEMO = Path(str(files("taskfit") / "data" / "demo"))
QA_FILES = ("corpus.csv", "train.csv", "test.csv")
EXTRACTION_FILES = ("train.jsonl", "test.jsonl", "test.conll")
LABELS = {"ORDER_ID", "PRODUCT", "DATE", "AMOUNT"}
TOKEN = re.compile(r"\w+|[^\w\s]")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def squad_normalise(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces (the SQuAD answer rule)."""
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def corpus() -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in read_csv(DEMO / "qa" / "corpus.csv")}


def questions(split: str) -> list[dict[str, str]]:
    return read_csv(DEMO / "qa" / f"{split}.csv")


def messages(split: str) -> list[dict[str, Any]]:
    return read_jsonl(DEMO / "extraction" / f"{split}.jsonl")


def bio_tags(message: dict[str, Any]) -> list[tuple[str, str]]:
    """``(token, tag)`` for each regex token of the message: ``B-``/``I-`` when the token
    overlaps a span, ``B-`` for the first token of the span."""
    tagged = []
    started: set[int] = set()
    for token in TOKEN.finditer(message["text"]):
        tag = "O"
        for i, span in enumerate(message["spans"]):
            if token.start() < span["end"] and span["start"] < token.end():
                tag = ("I-" if i in started else "B-") + span["label"]
                started.add(i)
                break
        tagged.append((token.group(), tag))
    return tagged


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    sentences: list[list[tuple[str, str]]] = [[]]
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line:
            token, tag = line.split(" ")
            sentences[-1].append((token, tag))
        elif sentences[-1]:
            sentences.append([])
    return [s for s in sentences if s]


# --------------------------------------------------------------------------- files


def test_regenerating_gives_the_bundled_files(tmp_path: Path) -> None:
    qa = write_demo_qa(tmp_path, seed=0)
    extraction = write_demo_extraction(tmp_path, seed=0)
    assert {p.name for p in qa.values()} == set(QA_FILES)
    assert {p.name for p in extraction.values()} == set(EXTRACTION_FILES)
    for task, names in (("qa", QA_FILES), ("extraction", EXTRACTION_FILES)):
        for name in names:
            bundled = DEMO / task / name
            assert (tmp_path / task / name).read_bytes() == bundled.read_bytes(), bundled


def test_another_seed_gives_other_questions(tmp_path: Path) -> None:
    write_demo_qa(tmp_path, seed=1)
    write_demo_extraction(tmp_path, seed=1)
    corpus_csv = Path("qa") / "corpus.csv"
    assert (tmp_path / corpus_csv).read_bytes() == (DEMO / corpus_csv).read_bytes()
    for task, name in (("qa", "train.csv"), ("extraction", "train.jsonl")):
        assert (tmp_path / task / name).read_bytes() != (DEMO / task / name).read_bytes()


# --------------------------------------------------------------------------- qa


def test_qa_headers_and_sizes() -> None:
    with (DEMO / "qa" / "corpus.csv").open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["id", "title", "text"]
    for split in ("train", "test"):
        with (DEMO / "qa" / f"{split}.csv").open(encoding="utf-8", newline="") as f:
            assert next(csv.reader(f)) == ["question", "answer", "passage_id"]
    assert 80 <= len(corpus()) <= 120
    assert 140 <= len(questions("train")) <= 180
    assert 50 <= len(questions("test")) <= 70


def test_corpus_ids_are_unique_and_passages_sized() -> None:
    rows = read_csv(DEMO / "qa" / "corpus.csv")
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids)
    assert all(row["title"] and row["text"] for row in rows)
    long = {row["id"] for row in rows if len(row["text"].split()) > 150}
    assert long == set(LONG_PASSAGES) and len(long) >= 3
    for row in rows:
        if row["id"] not in long:
            assert 40 <= len(row["text"].split()) <= 110, row["id"]


@pytest.mark.parametrize("split", ["train", "test"])
def test_answers_occur_in_their_passages(split: str) -> None:
    passages = corpus()
    for row in questions(split):
        if row["answer"] == UNANSWERABLE:
            assert row["passage_id"] == "", row
            continue
        assert row["passage_id"] in passages, row
        answer = squad_normalise(row["answer"])
        assert 1 <= len(answer.split()) <= 6, row
        text = squad_normalise(passages[row["passage_id"]]["text"])
        assert f" {answer} " in f" {text} ", row


@pytest.mark.parametrize("split", ["train", "test"])
def test_unanswerable_share(split: str) -> None:
    rows = questions(split)
    unanswerable = [r for r in rows if r["answer"] == UNANSWERABLE]
    assert all(not r["passage_id"] for r in unanswerable)
    assert all(r["passage_id"] for r in rows if r["answer"] != UNANSWERABLE)
    assert 0.15 <= len(unanswerable) / len(rows) <= 0.25


def test_no_question_in_both_splits() -> None:
    train = [r["question"] for r in questions("train")]
    test = [r["question"] for r in questions("test")]
    assert len(set(train)) == len(train) and len(set(test)) == len(test)
    assert not {q.lower() for q in train} & {q.lower() for q in test}


def test_test_mostly_asks_about_other_facts() -> None:
    asked = {(r["passage_id"], r["answer"]) for r in questions("train") if r["passage_id"]}
    test = [(r["passage_id"], r["answer"]) for r in questions("test") if r["passage_id"]]
    shared = sum(fact in asked for fact in test)
    assert 0 < shared <= len(test) // 4


# --------------------------------------------------------------------------- extraction


@pytest.mark.parametrize("split", ["train", "test"])
def test_spans_are_well_formed(split: str) -> None:
    rows = messages(split)
    assert len({m["text"] for m in rows}) == len(rows)
    for message in rows:
        assert list(message) == ["text", "spans"]
        text, spans = message["text"], message["spans"]
        assert 8 <= len(text.split()) <= 40, text
        assert len(spans) <= 4, text
        previous_end = 0
        for span in sorted(spans, key=lambda s: s["start"]):
            assert list(span) == ["start", "end", "label"]
            assert span["label"] in LABELS
            assert previous_end <= span["start"] < span["end"] <= len(text), message
            mention = text[span["start"] : span["end"]]
            assert mention and mention == mention.strip(), message
            previous_end = span["end"]


def test_span_types_and_products_per_split() -> None:
    train, test = messages("train"), messages("test")
    assert {s["label"] for m in train for s in m["spans"]} == LABELS
    assert {s["label"] for m in test for s in m["spans"]} == LABELS
    assert any(not m["spans"] for m in train) and any(not m["spans"] for m in test)
    assert not set(m["text"] for m in train) & set(m["text"] for m in test)

    def products(rows: list[dict[str, Any]]) -> set[str]:
        return {
            m["text"][s["start"] : s["end"]].lower()
            for m in rows
            for s in m["spans"]
            if s["label"] == "PRODUCT"
        }

    test_only = {name.lower() for name in TEST_ONLY_PRODUCTS}
    assert not products(train) & test_only
    assert products(test) & test_only


def test_order_ids_look_like_order_numbers() -> None:
    for split in ("train", "test"):
        for message in messages(split):
            for span in message["spans"]:
                if span["label"] == "ORDER_ID":
                    mention = message["text"][span["start"] : span["end"]]
                    assert re.fullmatch(r"NW-\d{5}", mention), mention


def test_conll_agrees_with_the_jsonl_spans() -> None:
    rows = messages("test")
    sentences = read_conll(DEMO / "extraction" / "test.conll")
    assert len(sentences) == len(rows)
    for message, sentence in zip(rows, sentences, strict=True):
        assert sentence == bio_tags(message), message["text"]
        # the tags give the spans back: no span boundary falls inside a token
        tokens = list(TOKEN.finditer(message["text"]))
        spans = []
        for token, (_, tag) in zip(tokens, sentence, strict=True):
            if tag.startswith("B-"):
                spans.append([token.start(), token.end(), tag[2:]])
            elif tag.startswith("I-"):
                assert spans and spans[-1][2] == tag[2:], message["text"]
                spans[-1][1] = token.end()
        expected = [[s["start"], s["end"], s["label"]] for s in message["spans"]]
        assert spans == expected, message["text"]
