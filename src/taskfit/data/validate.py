"""Checks that turn bad input files into one-line :class:`~taskfit.errors.DataError`\\ s.

The loader (:mod:`taskfit.data.load`) calls these in order: the path before reading, the
bytes before parsing (so an encoding problem names its byte offset and line rather than
surfacing as a pandas traceback), then the parsed table. Each check either passes,
returns a cleaned table (``drop_empty``), or raises with the file, the row and the column
a user has to look at.

Row numbers are those of :func:`taskfit.data.load.read_table`'s index: the line in the
file for CSV/TSV/JSONL (a CSV header is row 1), the 1-based record for Parquet. The error
prefix always says "row N".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from taskfit.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SUPPORTED_SUFFIXES",
    "check_classes",
    "check_columns",
    "check_distinct_columns",
    "check_path",
    "check_test_labels",
    "decode_utf8",
    "handle_empty",
    "plural",
]

#: file suffix (lower case) -> format name
SUPPORTED_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def plural(n: int, word: str) -> str:
    """``plural(1, "row") == "1 row"``, ``plural(3, "row") == "3 rows"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check_path(path: Path, extra: Collection[str] = ()) -> str:
    """Return the format of ``path`` (``"csv"``, ``"tsv"``, ``"jsonl"``, ``"parquet"``, or
    for a suffix of ``extra`` (formats a task type reads itself) the suffix).

    Raises if the file is missing, is a directory, has an unsupported suffix or is empty.
    """
    file = str(path)
    if not path.exists():
        raise DataError("file not found", file=file)
    if path.is_dir():
        raise DataError("is a directory; give the path of a data file", file=file)
    suffix = path.suffix.lower()
    fmt = suffix if suffix in extra else SUPPORTED_SUFFIXES.get(suffix)
    if fmt is None:
        supported = ", ".join((*SUPPORTED_SUFFIXES, *extra))
        shown = repr(path.suffix) if path.suffix else "no extension"
        raise DataError(f"unsupported file type ({shown}); supported: {supported}", file=file)
    if path.stat().st_size == 0:
        raise DataError("file is empty (0 bytes)", file=file)
    return fmt


def decode_utf8(data: bytes, file: str) -> str:
    """Decode ``data`` as UTF-8 (a leading BOM is dropped) or raise naming the bad byte.

    The offset is 0-based from the start of the file, as a hex editor shows it.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            hint = "the file looks UTF-16 encoded; re-save it as UTF-8"
        else:
            hint = f"byte 0x{data[e.start]:02x}; re-save the file as UTF-8"
        raise DataError(
            f"not valid UTF-8 at byte {e.start} (line {line}): {hint}", file=file, row=line
        ) from None
    return text.removeprefix("\ufeff")


def check_distinct_columns(
    text: str,
    label: str | None,
    text_pair: str | None,
    group: str | None = None,
    evidence: str | None = None,
) -> None:
    """The text, label, pair, group and evidence columns must be different columns."""
    roles = {
        "text": text,
        "label": label,
        "text_pair": text_pair,
        "group": group,
        "evidence": evidence,
    }
    seen: dict[str, str] = {}
    for role, col in roles.items():
        if col is None:
            continue
        if col in seen:
            raise DataError(
                f"the {seen[col]} column and the {role} column are both {col!r}; "
                "they must be different columns",
                column=col,
            )
        seen[col] = role


def check_columns(df: pd.DataFrame, file: str, columns: Iterable[str | None]) -> None:
    """Every requested column must exist; the message lists the columns that do."""
    existing = [str(c) for c in df.columns]
    for col in columns:
        if col is not None and col not in existing:
            listed = ", ".join(repr(c) for c in existing) or "(none)"
            raise DataError(f"no such column; the file has: {listed}", file=file, column=col)


def _is_empty(df: pd.DataFrame, column: str) -> pd.Series[bool]:
    return df[column].str.strip() == ""


def handle_empty(
    df: pd.DataFrame, file: str, column: str, kind: str, *, drop: bool
) -> tuple[pd.DataFrame, str | None]:
    """Rows whose ``column`` is empty or blank: raise, or drop them and return a note.

    ``kind`` names the value in messages ("text" or "label").
    """
    empty = _is_empty(df, column)
    n = int(empty.sum())
    if n == 0:
        return df, None
    if not drop:
        first = int(df.index[empty.to_numpy()][0])
        raise DataError(
            f"empty {kind} in {plural(n, 'row')} (first here); "
            "fill them in or pass --drop-empty to skip them",
            file=file,
            row=first,
            column=column,
        )
    kept = df[~empty]
    if kept.empty:
        raise DataError(f"every row has an empty {kind}; nothing left to load", file=file)
    note = f"dropped {plural(n, 'row')} with empty {kind} (column {column!r} of {file})"
    return kept, note


def check_classes(labels: Sequence[str], file: str, column: str) -> None:
    """Classification needs at least two classes in train."""
    classes = sorted(set(labels))
    if len(classes) < 2:
        only = repr(classes[0]) if classes else "none"
        raise DataError(
            f"single class in train ({only}); classification needs at least 2 classes",
            file=file,
            column=column,
        )


def check_test_labels(df: pd.DataFrame, column: str, train_labels: set[str], file: str) -> None:
    """Every label in the test file must occur in train, or no model could predict it."""
    unseen = ~df[column].isin(train_labels)
    if not unseen.any():
        return
    bad = df[unseen]
    first_row, first_label = int(bad.index[0]), str(bad[column].iloc[0])
    others = sorted(set(bad[column]) - {first_label})
    more = f" (also unseen: {', '.join(map(repr, others[:5]))}{', ...' if len(others) > 5 else ''})"
    raise DataError(
        f"label {first_label!r} does not occur in train; "
        f"{plural(len(bad), 'test row')} {'has' if len(bad) == 1 else 'have'} "
        f"labels unseen in train{more if others else ''}",
        file=file,
        row=first_row,
        column=column,
    )
