"""Uploaded files: checked, stored under the store with names the server chooses.

A file is kept as ``<home>/uploads/<random id>/<sanitised name>``: the name the browser
sent is reduced to its last component and safe characters (:func:`safe_name`), and the
folder is a fresh random id, so no request can choose where a file lands. The file is
parsed once on upload, so a broken file is refused with the same one-line message the
command line gives, naming the file as the user did.

Two kinds of upload:

- data (the labelled data and the test set): CSV/TSV/JSONL/Parquet, or a format a task
  type reads itself (CoNLL BIO files for extraction), parsed as ``compare DATA`` reads it;
- a corpus (``--corpus``, the passages QA retrieves from): CSV/TSV/JSONL/Parquet or
  ``.txt``, loaded as the corpus loader loads it (columns, ids, chunking). Its format is
  recorded as ``corpus:<format>``.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from taskfit.errors import DataError, TaskfitError
from taskfit.web.jobs import JobBoard, Upload
from taskfit.workflows.inputs import SUPPORTED_SUFFIXES, redact_text

__all__ = [
    "CORPUS_SUFFIXES",
    "UPLOAD_ID",
    "UnsupportedType",
    "UploadTooLarge",
    "data_suffixes",
    "head_lines",
    "is_corpus",
    "preview",
    "reading_task",
    "remove_upload",
    "safe_name",
    "store_upload",
    "user_message",
]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")

#: corpus file suffix -> format: the formats the corpus loader reads (``--corpus``)
CORPUS_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".parquet": "parquet",
    ".txt": "txt",
}
_CORPUS = "corpus:"  # prefix of a corpus upload's recorded format


class UploadTooLarge(TaskfitError):
    """The upload is over the server's ``--max-upload-mb``."""


class UnsupportedType(DataError):
    """The upload's name does not end in a supported suffix."""


def safe_name(name: str | None) -> str:
    """A display name: the last path component, unsafe characters replaced, no leading dot.

    >>> safe_name("../../etc/passwd")
    'passwd'
    >>> safe_name("C:\\\\data\\\\tickets 2024.csv")
    'tickets_2024.csv'
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).lstrip("._")[:100]
    return cleaned or "upload"


def user_message(e: TaskfitError, names: dict[str, str]) -> str:
    """The CLI's one-line message, with server paths replaced by the user's file names and
    credentials in URLs redacted."""
    text = redact_text(f"error: {e}")
    for path, name in names.items():
        text = text.replace(path, name)
    return text


def _task_readers() -> dict[str, dict[str, Callable[[Path], Any]]]:
    """Task type -> the formats it reads itself (suffix -> reader), for those that do."""
    from taskfit.workflows.context import task_type
    from taskfit.workflows.inputs import task_names

    out = {}
    for name in task_names():
        if readers := task_type(name).readers:
            out[name] = dict(readers)
    return out


def _readers() -> dict[str, Callable[[Path], Any]]:
    """The formats task types read themselves (suffix -> reader), of every task type."""
    return {s: r for readers in _task_readers().values() for s, r in readers.items()}


def reading_task(up: Upload) -> str | None:
    """The task type that reads the data upload's format itself (a CoNLL file:
    extraction), or None for a table every task type reads."""
    suffix = up.path.suffix.lower()
    return next((t for t, readers in _task_readers().items() if suffix in readers), None)


def data_suffixes() -> dict[str, str]:
    """Data file suffix -> format: the tables every task type reads, then the formats task
    types read themselves (``.conll``, ``.bio``, ``.iob`` for extraction), in the order
    ``compare --task extraction`` lists them."""
    return {**SUPPORTED_SUFFIXES, **{s: s.lstrip(".") for s in _readers()}}


def is_corpus(up: Upload) -> bool:
    """Whether ``up`` was uploaded as a corpus."""
    return up.fmt.startswith(_CORPUS)


def _check_data(path: Path) -> None:
    from taskfit.workflows.inputs import read_table

    read_table(path, _readers())


def _check_corpus(path: Path) -> None:
    """Load the corpus as ``compare --corpus`` does (its one-line errors): attached to a
    dataset without examples, so that only the file itself is checked."""
    from taskfit.types import Dataset
    from taskfit.workflows.context import with_corpus

    empty = Dataset(
        train=(), test=(), labels=(), data_hash="", source="", text_col="", label_col=""
    )
    with_corpus(empty, path)


def store_upload(
    board: JobBoard,
    uploads_dir: Path,
    filename: str | None,
    chunks: Iterable[bytes],
    max_bytes: int,
    *,
    corpus: bool = False,
) -> Upload:
    """Write the upload, check that it parses (as data, or as a ``corpus``), record it.
    Raises :class:`TaskfitError`."""
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    suffixes = CORPUS_SUFFIXES if corpus else data_suffixes()
    fmt = suffixes.get(suffix)
    if fmt is None:
        shown = repr(suffix) if suffix else "no extension"
        what = "corpus format" if corpus else "file type"
        raise UnsupportedType(
            f"unsupported {what} ({shown}); supported: {', '.join(suffixes)}", file=name
        )
    upload_id = secrets.token_hex(16)
    folder = uploads_dir / upload_id
    folder.mkdir(parents=True)
    path = folder / name
    size = 0
    try:
        with path.open("wb") as f:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(
                        f"file is larger than the server's limit of {max_bytes / 2**20:g} MB"
                        " (start the UI with a larger --max-upload-mb)",
                        file=name,
                    )
                f.write(chunk)
        try:
            (_check_corpus if corpus else _check_data)(path)
        except TaskfitError as e:
            raise DataError(user_message(e, {str(path): name}).removeprefix("error: ")) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    up = Upload(upload_id, name, _CORPUS + fmt if corpus else fmt, size, path)
    board.add_upload(up)
    return up


def remove_upload(board: JobBoard, up: Upload) -> None:
    """Forget ``up`` and delete its file (an upload refused along with another)."""
    board.remove_upload(up.upload_id)
    shutil.rmtree(up.path.parent, ignore_errors=True)


def head_lines(up: Upload, n: int = 5, width: int = 160) -> list[str]:
    """The first ``n`` non-blank lines of a text file (each cut to ``width`` characters);
    none for a Parquet file."""
    if up.path.suffix.lower() in (".parquet", ".pq"):
        return []
    with up.path.open("rb") as f:
        head = f.read(n * (4 * width + 1))
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = [ln for ln in text.splitlines() if ln.strip()][:n]
    return [ln if len(ln) <= width else ln[: width - 1] + "\u2026" for ln in lines]


def preview(up: Upload, n: int = 10) -> dict[str, Any]:
    """Columns, the first ``n`` rows (as strings, with their row numbers) and the row count
    of a data upload (a CoNLL file: its sentences' text and spans, as they are read)."""
    from taskfit.workflows.inputs import read_table

    df = read_table(up.path, _readers())
    head = df.head(n)
    return {
        "columns": [str(c) for c in df.columns],
        "rows": [
            (int(i), ["" if v is None else str(v) for v in row])
            for i, row in zip(head.index, head.itertuples(index=False), strict=True)
        ],
        "n_rows": len(df),
    }
