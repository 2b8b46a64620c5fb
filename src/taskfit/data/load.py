"""Load a user's labelled text file(s) into a validated :class:`~taskfit.types.Dataset`.

This is the first stage of the pipeline (``files -> Dataset``): every later stage trusts
that texts are non-empty strings, labels are stripped strings, train holds at least two
classes and every test label occurs in train. Anything wrong with the input is reported
here, once, as a one-line :class:`~taskfit.errors.DataError`.

Formats, chosen by suffix: CSV (``.csv``), TSV (``.tsv``, ``.tab``), JSON Lines
(``.jsonl``, ``.ndjson``) and Parquet (``.parquet``, ``.pq``). Every value is read as a
string, exactly as written: ``NA``, ``None`` or ``null`` *texts* are kept; only truly
empty cells (or a JSON ``null``, or a missing key) count as empty. Text files must be
UTF-8; we decode the bytes ourselves before parsing so a bad byte is named precisely.
CSV/TSV are parsed with the :mod:`csv` module (strict quoting) rather than pandas, so
duplicate header names are seen before pandas would rename them, and every record keeps
the line it starts on. Header names are stripped of surrounding spaces; blank lines and
all-empty records (``,,,`` trailers from spreadsheets) are skipped.

Row numbers (the "row N" of an error) are what a user looks up in the file: for
CSV/TSV/JSONL the line number where the record starts, as an editor shows it (a CSV
header is row 1, so the first data row is row 2); for Parquet the 1-based record number.
:func:`read_table` returns them as the DataFrame's index.

The content hash does not depend on the file format: the same examples and column
mapping give the same ``data_hash`` whether they came from CSV, TSV, JSONL or Parquet.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from taskfit.data.validate import (
    check_classes,
    check_columns,
    check_distinct_columns,
    check_path,
    check_test_labels,
    decode_utf8,
    handle_empty,
    plural,
)
from taskfit.errors import DataError, UsageError
from taskfit.types import Dataset, Example, canonical_hash

__all__ = ["load_dataset", "load_examples", "read_table"]

PathLike = str | os.PathLike[str]
# A reader of a format a task type brings (e.g. CoNLL files for extraction), by suffix:
# the file's rows as a DataFrame of strings indexed by row number.
Readers = Mapping[str, Callable[[Path], pd.DataFrame]]
# A task type's conversion of one target cell, given the row's text: the target it scores
# (e.g. spans as records -> their canonical form); ValueError says what is wrong.
TargetFrom = Callable[[str, str], str]

# csv's default field limit (128 KiB) would reject long texts; truncation is the model's job.
_CSV_FIELD_LIMIT = 2**31 - 1


# --------------------------------------------------------------------------- reading


def read_table(path: PathLike, readers: Readers | None = None) -> pd.DataFrame:
    """Read a CSV/TSV/JSONL/Parquet file (or a format of ``readers``) into a DataFrame of
    strings.

    The index holds user-facing row numbers (see the module docstring). Raises
    :class:`DataError` for a missing, empty, undecodable or malformed file.

    >>> read_table("tickets.csv")  # doctest: +SKIP
            text     intent
    row
    2     hello   greeting
    """
    p = Path(path)
    file = str(path)
    fmt = check_path(p, tuple(readers or ()))
    if readers and fmt in readers:
        df = readers[fmt](p)
    elif fmt == "parquet":
        df = _read_parquet(p, file)
    else:
        text = decode_utf8(p.read_bytes(), file)
        if fmt == "jsonl":
            df = _read_jsonl(text, file)
        else:
            df = _read_delimited(text, file, "," if fmt == "csv" else "\t")
    if df.empty:
        raise DataError("no data rows (the file holds a header or blank lines only)", file=file)
    return df


def _read_delimited(text: str, file: str, delimiter: str) -> pd.DataFrame:
    """Parse CSV/TSV with the csv module, tracking each record's first line."""
    old_limit = csv.field_size_limit(_CSV_FIELD_LIMIT)
    # strict: a missing closing quote must be an error, not a text that swallows the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    end = 0  # last line consumed so far
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if not any(field.strip() for field in record):  # blank line or ",,,"
                continue
            if header is None:
                header = [h.strip() for h in record]
                _check_unique(header, file, start)
                continue
            if len(record) > len(header):
                sep = "commas" if delimiter == "," else "tabs"
                raise DataError(
                    f"row has {len(record)} fields but the header has {len(header)}; "
                    f"quote texts that contain {sep}",
                    file=file,
                    row=start,
                )
            rows.append(record + [""] * (len(header) - len(record)))
            lines.append(start)
    except csv.Error as e:
        if "end of data" in str(e):
            why = "a quoted field starts here but its closing quote is missing"
        else:
            why = f"bad quoting ({e}); a closing quote must be followed by the delimiter"
        raise DataError(why, file=file, row=end + 1) from None
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise DataError("no header row (the file holds blank lines only)", file=file)
    return _frame(header, rows, lines)


def _read_jsonl(text: str, file: str) -> pd.DataFrame:
    """Parse JSON Lines: one object per line; keys become columns (first-seen order)."""
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    columns: dict[str, None] = {}  # ordered set
    # split on "\n" only: str.splitlines would also split on U+2028 inside a JSON string
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            # numbers keep their literal spelling, as they would in a CSV
            obj = json.loads(line, parse_int=str, parse_float=str, parse_constant=str)
        except json.JSONDecodeError as e:
            raise DataError(
                f"not valid JSON ({e.msg} at character {e.colno})", file=file, row=n
            ) from None
        if not isinstance(obj, dict):
            raise DataError(
                f"expected one JSON object per line, got {_json_kind(line)}", file=file, row=n
            )
        columns.update(dict.fromkeys(obj))
        records.append(obj)
        lines.append(n)
    header = list(columns)
    return _frame(header, [[_cell(r.get(c)) for c in header] for r in records], lines)


def _read_parquet(path: Path, file: str) -> pd.DataFrame:
    try:
        raw = pd.read_parquet(path)
    except (OSError, ValueError) as e:  # pyarrow's errors subclass these
        raise DataError(f"not a readable Parquet file ({e})", file=file) from None
    header = [str(c) for c in raw.columns]
    _check_unique(header, file, None)
    columns = [[_cell(v) for v in raw.iloc[:, i].tolist()] for i in range(len(header))]
    rows = [list(r) for r in zip(*columns, strict=True)]
    return _frame(header, rows, list(range(1, len(raw) + 1)))


def _frame(header: list[str], rows: list[list[str]], lines: list[int]) -> pd.DataFrame:
    index = pd.Index(lines, name="row", dtype="int64")
    if not rows:
        return pd.DataFrame(columns=header, index=index, dtype=object)
    return pd.DataFrame(rows, columns=header, index=index)


def _check_unique(header: list[str], file: str, row: int | None) -> None:
    """Duplicate names are checked on the raw header: pandas would rename them to ``a.1``."""
    dups = [name for name, n in Counter(header).items() if n > 1]
    if dups:
        raise DataError(
            f"duplicate column names in the header: {', '.join(map(repr, dups))}; "
            "rename them so each column has its own name",
            file=file,
            row=row,
        )


def _cell(value: Any) -> str:
    """One value as a string; ``None``/NaN/NA (a truly empty cell) become ``""``."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        # a Parquet float column is often an integer column with missing values
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _json_kind(line: str) -> str:
    """What a non-object JSON line holds (numbers were parsed to strings, so look)."""
    kinds = {"[": "an array", '"': "a string", "t": "a boolean", "f": "a boolean", "n": "null"}
    return kinds.get(line.lstrip()[:1], "a number")


# --------------------------------------------------------------------------- loading


def load_dataset(
    path: PathLike,
    *,
    text: str,
    label: str,
    text_pair: str | None = None,
    test: PathLike | None = None,
    test_size: float = 0.3,
    seed: int = 0,
    drop_empty: bool = False,
    demo: bool = False,
    group: str | None = None,
    task: str = "classification",
    label_set: bool = True,
    evidence: str | None = None,
    target_from: TargetFrom | None = None,
    readers: Readers | None = None,
) -> Dataset:
    """Load, validate and split labelled data into a :class:`Dataset`.

    ``label`` names the target column: what the task type ``task`` scores (a label, a
    reference text, an answer). ``label_set`` says the targets are labels of a fixed set
    (the task type's ``label_set``): then train needs two classes, every test label must
    occur in train and the split is stratified; otherwise the split is a seeded random one
    and the dataset has no label space.

    With ``test`` the second file (same columns) is the test set; otherwise a seeded,
    stratified ``test_size`` split of ``path`` is held out. Train and test keep file
    order. ``group`` names an optional metadata column kept on each example (for group
    slices and group OOD splits; empty cells become ``""``). ``drop_empty`` drops rows
    with an empty text or label (noted in ``Dataset.notes``) instead of raising.
    ``demo`` marks the bundled demo data: sources are recorded as ``demo:<name>`` so
    results do not depend on the install location. ``evidence`` names an optional column
    of the corpus passage ids that hold each answer (QA; ``|`` between ids, empty when
    none). ``target_from`` and ``readers`` are the task type's: its conversion of each
    target cell (an error names file, row and column) and the file formats it reads.

    >>> ds = load_dataset("tickets.csv", text="body", label="intent")  # doctest: +SKIP
    >>> ds.labels  # doctest: +SKIP
    ('billing', 'login', 'refund')
    """
    check_distinct_columns(text, label, text_pair, group, evidence)
    if not 0 < test_size < 1:
        raise UsageError(f"test size must be between 0 and 1 (exclusive), got {test_size}")
    notes: list[str] = []
    kind = "label" if label_set else "target"
    extra = _Extra(group, evidence, target_from, readers)
    train_df = _read_labelled(path, text, label, text_pair, drop_empty, notes, extra, kind)
    if label_set:
        check_classes(train_df[label].tolist(), str(path), label)
    if test is None and label_set:
        train_df, test_df = _split(train_df, str(path), label, test_size, seed, notes)
    elif test is None:
        train_df, test_df = _random_split(train_df, str(path), test_size, seed)
    else:
        test_df = _read_labelled(test, text, label, text_pair, drop_empty, notes, extra, kind)
        if label_set:
            check_test_labels(test_df, label, set(train_df[label]), str(test))

    train = _examples(train_df, text, label, text_pair, group, evidence)
    test_examples = _examples(test_df, text, label, text_pair, group, evidence)
    columns = {"text": text, "label": label, "text_pair": text_pair}
    if group is not None:  # only then, so hashes of data without groups stay as they were
        columns["group"] = group
    if evidence is not None:
        columns["evidence"] = evidence
    source, test_source = str(path), None if test is None else str(test)
    if demo:
        source, test_source = _demo_name(path), None if test is None else _demo_name(test)
        notes.append("bundled demo data")
    return Dataset(
        train=train,
        test=test_examples,
        labels=tuple(sorted({e.target for e in train})) if label_set else (),
        data_hash=_data_hash(train, test_examples, columns),
        source=source,
        text_col=text,
        label_col=label,
        text_pair_col=text_pair,
        test_source=test_source,
        notes=tuple(notes),
        task=task,
    )


def _demo_name(path: PathLike) -> str:
    """``demo:train.csv`` for the classification demo, ``demo:<task>/train.csv`` for the
    demos of other task types (in a subfolder of the demo folder)."""
    p = Path(path)
    folder = "" if p.parent.name == "demo" else f"{p.parent.name}/"
    return f"demo:{folder}{p.name}"


def load_examples(
    path: PathLike,
    *,
    text: str,
    label: str | None = None,
    text_pair: str | None = None,
    drop_empty: bool = False,
    group: str | None = None,
) -> tuple[Example, ...]:
    """Load examples from an unlabeled or out-of-distribution file.

    Without ``label`` every example's label is ``""``. Same formats and checks as
    :func:`load_dataset`, but no split and no class checks.

    >>> pool = load_examples("pool.jsonl", text="body")  # doctest: +SKIP
    """
    check_distinct_columns(text, label, text_pair, group)
    df = _read_labelled(path, text, label, text_pair, drop_empty, [], _Extra(group))
    return _examples(df, text, label, text_pair, group)


@dataclass(frozen=True)
class _Extra:
    """The optional parts of reading a labelled file (see :func:`load_dataset`)."""

    group: str | None = None
    evidence: str | None = None
    target_from: TargetFrom | None = None
    readers: Readers | None = None


def _read_labelled(
    path: PathLike,
    text: str,
    label: str | None,
    text_pair: str | None,
    drop_empty: bool,
    notes: list[str],
    extra: _Extra,
    kind: str = "label",
) -> pd.DataFrame:
    """Read ``path``, keep the mapped columns, handle empty cells, strip labels.

    ``kind`` is how an empty target cell is named in errors ("label", "target")."""
    file = str(path)
    df = read_table(path, extra.readers)
    wanted = [c for c in (text, text_pair, label, extra.group, extra.evidence) if c is not None]
    check_columns(df, file, wanted)
    df = df[wanted]
    for optional in (extra.group, extra.evidence):
        if optional is not None:
            df = df.assign(**{optional: df[optional].fillna("").astype(str).str.strip()})
    checks = [(text, "text"), (text_pair, "text"), (label, kind)]
    for column, kind in checks:
        if column is None:
            continue
        df, note = handle_empty(df, file, column, kind, drop=drop_empty)
        if note:
            notes.append(note)
    if label is not None:
        df = df.assign(**{label: df[label].str.strip()})
    if label is not None and extra.target_from is not None:
        df = df.assign(**{label: _converted(df, file, text, label, extra.target_from)})
    return df


def _converted(df: pd.DataFrame, file: str, text: str, label: str, fn: TargetFrom) -> list[str]:
    """Every target cell through the task type's conversion; the first bad one is an
    error naming its row and column."""
    out = []
    for row, t, y in zip(df.index, df[text], df[label], strict=True):
        try:
            out.append(fn(str(t), str(y)))
        except ValueError as e:
            raise DataError(str(e), file=file, row=int(row), column=label) from None
    return out


def _split(
    df: pd.DataFrame, file: str, label: str, test_size: float, seed: int, notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded stratified split that keeps at least one example of every class in train.

    A class with a single row cannot be stratified: it goes to train (and is noted).
    If the rest is still too small to stratify, a seeded random split is used instead.
    """
    counts = df[label].value_counts()
    singles = sorted(str(c) for c in counts[counts < 2].index)
    if singles:
        notes.append(
            f"{plural(len(singles), 'class')} with a single row kept in train only "
            f"(no test example): {_shown(singles)}"
        )
    is_single = df[label].isin(singles)
    rest = df[~is_single]
    tr, te = _split_ids(rest.index.to_numpy(), rest[label].to_numpy(), test_size, seed, notes)
    train_ids = set(tr) | set(df.index[is_single].tolist())
    test_ids = list(te)
    # every class needs a training example, or no model could learn it
    missing = sorted(set(rest[label]) - set(df.loc[sorted(train_ids), label]))
    for cls in missing:
        moved = next(i for i in test_ids if df.at[i, label] == cls)
        test_ids.remove(moved)
        train_ids.add(moved)
    if missing:
        notes.append(f"moved one test row to train for classes without one: {_shown(missing)}")
    if not test_ids:
        raise DataError(
            f"too few rows ({len(df)}) to hold out a test set; add rows or pass a test file",
            file=file,
        )
    return df.loc[sorted(train_ids)], df.loc[sorted(test_ids)]


def _random_split(
    df: pd.DataFrame, file: str, test_size: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded random split (targets that are not labels of a fixed set)."""
    tr, te = _split_ids(df.index.to_numpy(), None, test_size, seed, [])
    if not te or not tr:
        raise DataError(
            f"too few rows ({len(df)}) to hold out a test set; add rows or pass a test file",
            file=file,
        )
    return df.loc[sorted(tr)], df.loc[sorted(te)]


def _split_ids(
    ids: np.ndarray, y: np.ndarray | None, test_size: float, seed: int, notes: list[str]
) -> tuple[list[int], list[int]]:
    if len(ids) < 2:
        return ids.tolist(), []
    if y is None:
        try:
            tr, te = train_test_split(ids, test_size=test_size, random_state=seed)
        except ValueError:
            return ids.tolist(), []
        return tr.tolist(), te.tolist()
    try:
        tr, te = train_test_split(ids, test_size=test_size, random_state=seed, stratify=y)
        return tr.tolist(), te.tolist()
    except ValueError:  # e.g. fewer test rows than classes
        notes.append("too few rows per class for a stratified split; used a seeded random split")
    try:
        tr, te = train_test_split(ids, test_size=test_size, random_state=seed)
    except ValueError:  # test_size rounds to zero rows
        return ids.tolist(), []
    return tr.tolist(), te.tolist()


def _shown(names: list[str], limit: int = 5) -> str:
    return ", ".join(map(repr, names[:limit])) + (", ..." if len(names) > limit else "")


def _examples(
    df: pd.DataFrame,
    text: str,
    label: str | None,
    text_pair: str | None,
    group: str | None = None,
    evidence: str | None = None,
) -> tuple[Example, ...]:
    n = len(df)
    texts = df[text].tolist()
    labels = df[label].tolist() if label is not None else [""] * n
    pairs = df[text_pair].tolist() if text_pair is not None else [None] * n
    groups = df[group].tolist() if group is not None else [None] * n
    gold = df[evidence].tolist() if evidence is not None else [None] * n
    return tuple(
        Example(
            text=str(t),
            target=str(y),
            text_pair=None if p is None else str(p),
            group=None if g is None else str(g),
            evidence=str(ev) or None if ev is not None else None,
        )
        for t, y, p, g, ev in zip(texts, labels, pairs, groups, gold, strict=True)
    )


def _data_hash(
    train: tuple[Example, ...], test: tuple[Example, ...], columns: dict[str, str | None]
) -> str:
    """sha256 of the examples in order plus the column mapping; independent of format."""

    def rows(examples: tuple[Example, ...]) -> list[list[str | None]]:
        return [
            [e.text, e.text_pair, e.target]
            + ([] if e.group is None else [e.group])
            + ([] if "evidence" not in columns else [e.evidence])
            for e in examples
        ]

    return canonical_hash({"columns": columns, "train": rows(train), "test": rows(test)})
