"""Tests for ``taskfit.data``: every format loads alike, splits are seeded, bad input is named.

Each bad-input test writes a small real file into ``tmp_path`` and checks the one-line
error names the file, the row (the file's line for CSV/TSV/JSONL) and the column.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from taskfit.data import demo_paths, load_dataset, load_demo, load_examples, read_table
from taskfit.errors import DataError, UsageError
from taskfit.types import Dataset

Rows = list[dict[str, object]]

TRAIN: Rows = [
    {"body": "my card never arrived", "intent": "card", "other": "x"},
    {"body": "NA", "intent": "card", "other": ""},  # an "NA" text must survive
    {"body": "reset my password", "intent": "login", "other": "y"},
    {"body": "None", "intent": "login", "other": "z"},
    {"body": "refund, please", "intent": "refund", "other": "w"},  # comma needs quoting
    {"body": 'he said "hi"\nthen left', "intent": " refund ", "other": "v"},  # newline
]
TEST: Rows = [
    {"body": "where is my card", "intent": "card", "other": ""},
    {"body": "cannot log in", "intent": "login", "other": ""},
    {"body": "money back", "intent": "refund", "other": ""},
]


def write(path: Path, rows: Rows) -> Path:
    """Write ``rows`` in the format named by ``path``'s suffix."""
    suffix = path.suffix
    if suffix in (".csv", ".tsv", ".tab"):
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(
                f, fieldnames=list(rows[0]), delimiter="," if suffix == ".csv" else "\t"
            )
            w.writeheader()
            w.writerows(rows)
    elif suffix in (".jsonl", ".ndjson"):
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pd.DataFrame(rows).to_parquet(path)
    return path


def raw(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def load(path: Path, **kw: object) -> Dataset:
    kw.setdefault("text", "text")
    kw.setdefault("label", "label")
    return load_dataset(path, **kw)  # type: ignore[arg-type]


def error(path: Path | None = None, **kw: object) -> DataError:
    with pytest.raises(DataError) as info:
        load(path if path is not None else Path("unused.csv"), **kw)
    assert "\n" not in str(info.value)
    return info.value


# --------------------------------------------------------------------------- formats

SUFFIXES = [".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".parquet", ".pq"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_format_loads_to_the_same_dataset(tmp_path: Path, suffix: str) -> None:
    ref = load_dataset(
        write(tmp_path / "train.csv", TRAIN),
        text="body",
        label="intent",
        test=write(tmp_path / "test.csv", TEST),
    )
    ds = load_dataset(
        write(tmp_path / f"tr{suffix}", TRAIN),
        text="body",
        label="intent",
        test=write(tmp_path / f"te{suffix}", TEST),
    )
    assert ds.train == ref.train
    assert ds.test == ref.test
    assert ds.labels == ("card", "login", "refund")
    assert ds.data_hash == ref.data_hash
    assert ds.source == str(tmp_path / f"tr{suffix}")
    assert ds.test_source == str(tmp_path / f"te{suffix}")
    assert [e.text for e in ds.train][:2] == ["my card never arrived", "NA"]
    assert ds.train[3].text == "None"
    assert ds.train[5].text == 'he said "hi"\nthen left'
    assert ds.train[5].label == "refund"  # stripped


def test_hash_depends_on_content_and_mapping(tmp_path: Path) -> None:
    train, test = write(tmp_path / "a.csv", TRAIN), write(tmp_path / "b.csv", TEST)
    base = load_dataset(train, text="body", label="intent", test=test).data_hash
    changed = [dict(r) for r in TRAIN]
    changed[0]["body"] = "my card never arrived!"
    other = write(tmp_path / "c.csv", changed)
    assert load_dataset(other, text="body", label="intent", test=test).data_hash != base
    # same examples under another column name: the mapping is part of the hash
    renamed = [{"content": r["body"], "intent": r["intent"]} for r in TRAIN]
    test_renamed = [{"content": r["body"], "intent": r["intent"]} for r in TEST]
    ds = load_dataset(
        write(tmp_path / "d.csv", renamed),
        text="content",
        label="intent",
        test=write(tmp_path / "e.csv", test_renamed),
    )
    assert ds.train == load_dataset(train, text="body", label="intent", test=test).train
    assert ds.data_hash != base


def test_numeric_labels_become_strings(tmp_path: Path) -> None:
    rows: Rows = [{"text": f"t{i}", "label": i % 2} for i in range(10)]
    for suffix in (".csv", ".jsonl", ".parquet"):
        ds = load(write(tmp_path / f"n{suffix}", rows))
        assert ds.labels == ("0", "1"), suffix


def test_read_table_index_is_the_file_line(tmp_path: Path) -> None:
    path = raw(tmp_path / "t.csv", 'text,label\n"two\nlines",a\n\nnext,b\n')
    df = read_table(path)
    assert df.index.tolist() == [2, 5]
    assert df["text"].tolist() == ["two\nlines", "next"]
    jsonl = raw(tmp_path / "t.jsonl", '{"text": "a", "label": null}\n\n{"text": "b"}\n')
    df = read_table(jsonl)
    assert df.index.tolist() == [1, 3]
    assert df["label"].tolist() == ["", ""]  # null and missing key are empty


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    rows = "".join(f"t{i},{'ab'[i % 2]}\r\n" for i in range(6))
    ds = load(raw(tmp_path / "bom.csv", b"\xef\xbb\xbftext,label\r\n" + rows.encode()))
    assert ds.labels == ("a", "b")
    assert all(not e.text.endswith("\r") for e in ds.train + ds.test)


def test_text_pair(tmp_path: Path) -> None:
    rows: Rows = [
        {"premise": f"p{i}", "hypothesis": f"h{i}", "label": ["yes", "no"][i % 2]}
        for i in range(10)
    ]
    for suffix in (".csv", ".jsonl", ".parquet"):
        ds = load(write(tmp_path / f"pair{suffix}", rows), text="premise", text_pair="hypothesis")
        assert ds.is_pair and ds.text_pair_col == "hypothesis"
        assert all(e.text_pair == "h" + e.text[1:] for e in ds.train + ds.test)


def test_one_megabyte_text_loads_unchanged(tmp_path: Path) -> None:
    long = "word " * 200_000 + "end"
    rows: Rows = [{"text": f"t{i}", "label": "ab"[i % 2]} for i in range(9)]
    rows.insert(0, {"text": long, "label": "a"})
    for suffix in (".csv", ".tsv", ".jsonl", ".parquet"):
        ds = load(write(tmp_path / f"long{suffix}", rows))
        assert long in [e.text for e in ds.train + ds.test], suffix
        assert ds.notes == ()


def test_load_examples_without_label(tmp_path: Path) -> None:
    path = raw(tmp_path / "pool.jsonl", '{"body": "a"}\n{"body": "b"}\n')
    examples = load_examples(path, text="body")
    assert [(e.text, e.label) for e in examples] == [("a", ""), ("b", "")]
    with pytest.raises(DataError, match="empty text"):
        load_examples(raw(tmp_path / "p.csv", "id,body\n1,x\n2,\n"), text="body")


# --------------------------------------------------------------------------- split


def balanced(n_a: int, n_b: int, n_c: int) -> Rows:
    labels = ["a"] * n_a + ["b"] * n_b + ["c"] * n_c
    return [{"text": f"text {i}", "label": y} for i, y in enumerate(labels)]


def test_split_is_seeded_and_stratified(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", balanced(50, 30, 20))
    ds0, again, ds1 = load(path, seed=0), load(path, seed=0), load(path, seed=1)
    assert ds0 == again
    assert set(ds0.test) != set(ds1.test)
    assert ds0.data_hash != ds1.data_hash
    assert Counter(e.label for e in ds0.test) == {"a": 15, "b": 9, "c": 6}
    assert Counter(e.label for e in ds0.train) == {"a": 35, "b": 21, "c": 14}
    # a partition of the file, each split in file order
    texts = [e.text for e in ds0.train + ds0.test]
    assert sorted(texts) == sorted(f"text {i}" for i in range(100))
    for split in (ds0.train, ds0.test):
        nums = [int(e.text.split()[1]) for e in split]
        assert nums == sorted(nums)
    assert len(load(path, test_size=0.5).test) == 50


def test_single_row_class_stays_in_train(tmp_path: Path) -> None:
    ds = load(write(tmp_path / "d.csv", balanced(10, 10, 1)))
    assert "c" in ds.labels and "c" not in {e.label for e in ds.test}
    assert any("single row kept in train" in n and "'c'" in n for n in ds.notes)


def test_tiny_data_keeps_every_class_in_train(tmp_path: Path) -> None:
    ds = load(write(tmp_path / "d.csv", balanced(2, 2, 2)), test_size=0.2)
    assert ds.labels == ("a", "b", "c")
    assert len(ds.test) >= 1
    assert any("random split" in n for n in ds.notes)


def test_too_few_rows_to_split(tmp_path: Path) -> None:
    e = error(write(tmp_path / "d.csv", balanced(1, 1, 0)))
    assert "too few rows" in e.message and "test file" in e.message


def test_test_size_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="test size"):
        load(write(tmp_path / "d.csv", balanced(5, 5, 0)), test_size=1.0)


# --------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path: Path) -> None:
    e = error(tmp_path / "nope.csv")
    assert e.file == str(tmp_path / "nope.csv") and "file not found" in str(e)


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    assert "is a directory" in error(tmp_path / "dir.csv").message


def test_unsupported_extension(tmp_path: Path) -> None:
    e = error(raw(tmp_path / "d.xlsx", "x"))
    assert "'.xlsx'" in e.message
    for suffix in SUFFIXES:
        assert suffix in e.message


def test_unknown_column(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", TRAIN)
    e = error(path, text="text", label="intent")
    assert e.column == "text" and e.file == str(path)
    assert "'body', 'intent', 'other'" in e.message
    assert str(e).startswith(f"{path}, column 'text': ")


def test_unknown_column_in_test_file(tmp_path: Path) -> None:
    test = raw(tmp_path / "test.csv", "body,label\nx,card\n")
    e = error(write(tmp_path / "d.csv", TRAIN), text="body", label="intent", test=test)
    assert e.file == str(test) and e.column == "intent"


def test_empty_file(tmp_path: Path) -> None:
    for suffix in (".csv", ".jsonl", ".parquet"):
        e = error(raw(tmp_path / f"e{suffix}", b""))
        assert "empty (0 bytes)" in e.message


def test_header_only(tmp_path: Path) -> None:
    assert "no data rows" in error(raw(tmp_path / "h.csv", "text,label\n")).message
    assert "no data rows" in error(raw(tmp_path / "h.jsonl", "\n\n")).message
    empty = pd.DataFrame({"text": pd.Series([], dtype=str), "label": pd.Series([], dtype=str)})
    empty.to_parquet(tmp_path / "h.parquet")
    assert "no data rows" in error(tmp_path / "h.parquet").message


def test_empty_text_names_first_line_and_count(tmp_path: Path) -> None:
    # the quoted two-line text shifts later rows: row numbers are file lines
    content = 'text,label\n"two\nlines",a\nok,b\n   ,a\nfine,b\n,a\nshort\n\n"",b\n'
    path = raw(tmp_path / "d.csv", content)
    e = error(path)
    assert (e.file, e.row, e.column) == (str(path), 5, "text")
    assert "3 rows" in e.message and "--drop-empty" in e.message
    assert str(e).startswith(f"{path}, row 5, column 'text': empty text")


def test_missing_text_in_a_short_row(tmp_path: Path) -> None:
    e = error(raw(tmp_path / "d.csv", "label,text\na,hello\nb\n"))
    assert (e.row, e.column) == (3, "text") and "empty text in 1 row" in e.message
    e = error(raw(tmp_path / "d.jsonl", '{"label": "a", "text": "x"}\n{"label": "b"}\n'))
    assert (e.row, e.column) == (2, "text")


def test_drop_empty_text_adds_note(tmp_path: Path) -> None:
    rows: Rows = [*balanced(5, 5, 0), {"text": "", "label": "a"}, {"text": " ", "label": "b"}]
    ds = load(write(tmp_path / "d.jsonl", rows), drop_empty=True)
    assert len(ds.train) + len(ds.test) == 10
    assert any(n.startswith("dropped 2 rows with empty text") for n in ds.notes)


def test_empty_label(tmp_path: Path) -> None:
    path = raw(tmp_path / "d.tsv", "text\tlabel\na\tx\nb\t\nc\ty\nd\tx\ne\ty\n")
    e = error(path)
    assert (e.row, e.column) == (3, "label") and "1 row" in e.message
    ds = load(path, drop_empty=True)
    assert len(ds.train) + len(ds.test) == 4
    assert any(n.startswith("dropped 1 row with empty label") for n in ds.notes)


def test_empty_text_pair(tmp_path: Path) -> None:
    path = raw(tmp_path / "d.csv", "a,b,label\nx,y,l1\nx,,l2\n")
    e = error(path, text="a", text_pair="b")
    assert (e.row, e.column) == (3, "b")


def test_test_label_absent_from_train(tmp_path: Path) -> None:
    train = write(tmp_path / "train.csv", TRAIN)
    test = raw(tmp_path / "test.csv", "body,intent\nx,card\ny,card\nz,cancel\nw,other\n")
    e = error(train, text="body", label="intent", test=test)
    assert (e.file, e.row, e.column) == (str(test), 4, "intent")
    assert "'cancel'" in e.message and "'other'" in e.message and "2 test rows" in e.message


def test_single_class(tmp_path: Path) -> None:
    e = error(write(tmp_path / "d.csv", balanced(5, 0, 0)))
    assert "single class" in e.message and "'a'" in e.message and e.column == "label"


def test_non_utf8_names_byte_offset_and_line(tmp_path: Path) -> None:
    head = b"text,label\nhello,a\nworld,b\n"
    data = head + b"caf\xe9,a\nok,b\n"
    e = error(raw(tmp_path / "latin1.csv", data))
    offset = len(head) + 3
    assert f"not valid UTF-8 at byte {offset} (line 4)" in e.message
    assert e.row == 4 and "0xe9" in e.message
    e = error(raw(tmp_path / "latin1.jsonl", b'{"text": "ok"}\n{"text": "\xff"}\n'))
    assert "at byte 25 (line 2)" in e.message


def test_utf16_gets_a_hint(tmp_path: Path) -> None:
    e = error(raw(tmp_path / "u16.csv", "text,label\nx,a\n".encode("utf-16")))
    assert "UTF-16" in e.message and "byte 0" in e.message


def test_malformed_jsonl_line(tmp_path: Path) -> None:
    path = raw(tmp_path / "d.jsonl", '{"text": "a", "label": "x"}\n\n{"text": "b", "label": \n')
    e = error(path)
    assert (e.file, e.row) == (str(path), 3) and "not valid JSON" in e.message


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    e = error(raw(tmp_path / "d.jsonl", '{"text": "a", "label": "x"}\n["b", "y"]\n'))
    assert e.row == 2 and "got an array" in e.message
    e = error(raw(tmp_path / "n.jsonl", '{"text": "a", "label": "x"}\n5\n'))
    assert e.row == 2 and "got a number" in e.message
    e = error(raw(tmp_path / "e.jsonl", '[{"text": "a", "label": "x"}]\n'))
    assert e.row == 1 and "one JSON object per line" in e.message


def test_duplicate_columns(tmp_path: Path) -> None:
    path = raw(tmp_path / "d.csv", "\ntext,label,text,note,note\nx,a,y,1,2\n")
    e = error(path)
    assert e.row == 2 and "duplicate column names" in e.message
    assert "'text', 'note'" in e.message


def test_ragged_row(tmp_path: Path) -> None:
    path = raw(tmp_path / "d.csv", "text,label\na,x\nb,y\nhello, world,x\nc,y\n")
    e = error(path)
    assert (e.file, e.row) == (str(path), 4)
    assert "3 fields but the header has 2" in e.message


def test_unterminated_quote_names_its_line(tmp_path: Path) -> None:
    path = raw(tmp_path / "d.csv", 'text,label\na,x\n"no closing quote,y\nb,x\nc,y\n')
    e = error(path)
    assert e.row == 3 and "closing quote is missing" in e.message
    e = error(raw(tmp_path / "e.tsv", 'text\tlabel\na\tx\n"quoted"tail\ty\n'))
    assert e.row == 3 and "bad quoting" in e.message


def test_text_column_equal_to_label_column(tmp_path: Path) -> None:
    e = error(write(tmp_path / "d.csv", TRAIN), text="intent", label="intent")
    assert e.column == "intent" and "must be different" in e.message


def test_not_a_parquet_file(tmp_path: Path) -> None:
    e = error(raw(tmp_path / "d.parquet", "text,label\nx,a\n"))
    assert "not a readable Parquet file" in e.message


# --------------------------------------------------------------------------- demo


def test_demo_paths_point_into_the_package() -> None:
    paths = demo_paths()
    assert set(paths) == {"train", "test", "ood_test"}
    for key, path in paths.items():
        assert path.name == f"{key}.csv" and path.parent.name == "demo"
        assert path.parent.parent.name == "data"


@pytest.mark.skipif(
    not all(p.is_file() for p in demo_paths().values()),
    reason="bundled demo CSVs (taskfit/data/demo/*.csv) are not written yet",
)
def test_demo_data_loads() -> None:
    ds = load_demo()
    assert ds.text_col == "text" and ds.label_col == "intent"
    assert len(ds.labels) >= 2 and ds.train and ds.test
    assert ds.source == "demo:train.csv" and ds.test_source == "demo:test.csv"
    assert load_demo().data_hash == ds.data_hash
    ood = load_examples(demo_paths()["ood_test"], text="text", label="intent")
    assert ood
