"""Bad input of QA over a corpus and of extraction: one error line naming the file, row
and column where known, exit code 2, no traceback, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.data import fails_with_one_line as _fails
from tests.support.data import write_csv as _write


def _qa(tmp_path: Path, n: int = 30) -> Path:
    rows = [[f"How many days is window {i}?", f"{i} days", f"p{i % 5}"] for i in range(n)]
    return _write(tmp_path / "qa.csv", ["question", "answer", "passage_id"], rows)


def _corpus(tmp_path: Path, rows: list[list[str]] | None = None) -> Path:
    rows = (
        rows if rows is not None else [[f"p{i}", f"Window {i} lasts {i} days."] for i in range(5)]
    )
    return _write(tmp_path / "corpus.csv", ["id", "text"], rows)


def _qa_args(data: Path, corpus: Path, out: Path, *extra: str) -> list[str]:
    return [
        "compare", str(data), "--task", "qa", "--text", "question", "--target", "answer",
        "--corpus", str(corpus), "--approaches", "rag-bm25", "--out", str(out), *extra,
    ]  # fmt: skip


def test_empty_corpus(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    line = _fails(_qa_args(_qa(tmp_path), _corpus(tmp_path, []), out), capsys)
    assert "corpus.csv" in line
    assert not out.exists()


def test_corpus_row_with_an_empty_text_is_named(tmp_path: Path, capsys) -> None:
    rows = [["p0", "Window 0 lasts 0 days."], ["p1", ""], ["p2", "x"]]
    out = tmp_path / "run"
    line = _fails(_qa_args(_qa(tmp_path), _corpus(tmp_path, rows), out), capsys)
    assert "corpus.csv" in line and "row 3" in line
    assert not out.exists()


def test_gold_passage_not_in_the_corpus(tmp_path: Path, capsys) -> None:
    rows = [[f"p{i}", f"Window {i} lasts {i} days."] for i in range(3)]  # no p3, p4
    out = tmp_path / "run"
    args = _qa_args(_qa(tmp_path), _corpus(tmp_path, rows), out, "--evidence", "passage_id")
    line = _fails(args, capsys)
    assert "'p3'" in line and "not in the corpus" in line
    assert not out.exists()


def test_corpus_too_large_for_memory(tmp_path: Path, capsys, monkeypatch) -> None:
    from taskfit.retrieval import corpus

    # a machine with 1 KiB of memory to spare
    monkeypatch.setattr(corpus, "available_memory", lambda: 1024)
    out = tmp_path / "run"
    big = [[f"p{i}", "word " * 200] for i in range(50)]
    line = _fails(_qa_args(_qa(tmp_path), _corpus(tmp_path, big), out), capsys)
    assert "corpus.csv" in line and "memory" in line
    assert not out.exists()


def test_retrieval_approach_without_a_corpus(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    args = [
        "compare", str(_qa(tmp_path)), "--task", "qa", "--text", "question", "--target",
        "answer", "--approaches", "rag-dense", "--out", str(out),
    ]  # fmt: skip
    line = _fails(args, capsys)
    assert "rag-dense" in line and "--corpus" in line
    assert not out.exists()


def test_corpus_on_a_task_without_retrieval(tmp_path: Path, capsys) -> None:
    rows = [[f"text {i}", "a" if i % 2 else "b"] for i in range(30)]
    data = _write(tmp_path / "c.csv", ["text", "label"], rows)
    out = tmp_path / "run"
    args = [
        "compare", str(data), "--text", "text", "--label", "label", "--corpus",
        str(_corpus(tmp_path)), "--approaches", "tfidf-lr", "--out", str(out),
    ]  # fmt: skip
    line = _fails(args, capsys)
    assert "--corpus" in line and "classification" in line


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _messages(n: int = 30) -> list[dict]:
    return [
        {"text": f"Order NW-{i:05d} is late", "spans": [{"start": 6, "end": 14, "label": "ID"}]}
        for i in range(n)
    ]


def _ex_args(data: Path, out: Path) -> list[str]:
    return [
        "compare", str(data), "--task", "extraction", "--text", "text", "--target", "spans",
        "--approaches", "gazetteer", "--out", str(out),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"start": 6, "end": 99, "label": "ID"}, "outside"),
        ({"start": 3, "end": 3, "label": "ID"}, "empty"),
        ({"start": 10, "end": 20, "label": "ID"}, "overlap"),
        ({"start": 6}, "end"),
    ],
)
def test_bad_spans_name_row_and_column(tmp_path: Path, capsys, bad: dict, words: str) -> None:
    records = _messages()
    records[4] = {**records[4], "spans": [*records[4]["spans"], bad]}
    out = tmp_path / "run"
    line = _fails(_ex_args(_jsonl(tmp_path / "m.jsonl", records), out), capsys)
    assert "m.jsonl" in line and "row 5" in line and "'spans'" in line
    assert words in line
    assert not out.exists()


def test_spans_that_are_not_json(tmp_path: Path, capsys) -> None:
    rows = [[f"Order NW-{i:05d} is late", "[[6,14,'ID']]"] for i in range(30)]
    data = _write(tmp_path / "m.csv", ["text", "spans"], rows)
    line = _fails(_ex_args(data, tmp_path / "run"), capsys)
    assert "row 2" in line and "'spans'" in line and "JSON" in line


def test_conll_with_a_bad_tag_names_its_line(tmp_path: Path, capsys) -> None:
    lines = []
    for i in range(20):
        lines += ["Order O", f"NW-{i} B-ID", "late O", ""]
    lines[5] = "NW-1 X-ID"  # line 6
    data = tmp_path / "m.conll"
    data.write_text("\n".join(lines), encoding="utf-8")
    line = _fails(_ex_args(data, tmp_path / "run"), capsys)
    assert "m.conll" in line and "row 6" in line
