"""Load a corpus file into the passages retrievers index.

Formats, chosen by suffix:

- ``.csv``, ``.tsv``, ``.jsonl``, ``.parquet``: one document per row, read as the data
  loader reads a table (every value a string exactly as written; an empty cell, a JSON
  ``null`` or a missing key is empty; header names stripped).
- ``.txt``: UTF-8 text, documents separated by blank lines (lines of whitespace only);
  their ids are ``d1``, ``d2``, ... in order. A ``.txt`` corpus has no titles.

Columns: the text is the column named by ``text_col``, else the first of ``text``,
``passage``, ``content``, ``body`` present; the id is ``id_col``, else the first of ``id``,
``passage_id``, ``doc_id`` present, else ``p{row}``; the title is ``title_col``, else
``title`` when present (an empty title is allowed).

Table files are read by :func:`taskfit.data.load.read_table`, so "row N" (in ids and
errors) is what the data loader's errors call a row: the line a record starts on (a CSV
header is row 1), the record number in a Parquet file; for ``.txt`` it is the N-th
document.

Chunking (:mod:`taskfit.retrieval.chunk`): a document of at most ``max_words`` words is
one passage with the document's id; a longer one is cut into windows of ``max_words``
words starting every ``max_words - overlap`` words, with ids ``{id}#1``, ``{id}#2``, ...;
every window keeps the document's title, and its ``doc`` is the document's id.

Errors are one-line :class:`~taskfit.errors.DataError` naming the file and, where known,
the row: a missing or unreadable file, an unknown column, an empty text or id, a
duplicate id, no passages at all, and a corpus too large for memory. The memory check
runs twice against ``max_bytes`` (default: the memory available now, ``MemAvailable`` of
``/proc/meminfo``; skipped where it cannot be read): before reading, the file's size;
after reading, an estimate of what indexing needs,
``INDEX_MEMORY_FACTOR x (bytes of the passages' texts and titles + 384 x 4 bytes per
passage)``, the second term being the float32 vectors of the dense index. The factor (3)
covers the Python strings next to the BM25 token lists and sparse score matrix, and the
encoder's output next to the index's own copy of the vectors (HNSW adds 256 bytes of
graph links per vector).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from taskfit.data.load import read_table
from taskfit.errors import DataError, UsageError
from taskfit.retrieval.chunk import chunk_words
from taskfit.types import Passage

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMATS",
    "INDEX_MEMORY_FACTOR",
    "available_memory",
    "index_bytes",
    "load_corpus",
]

PathLike = str | os.PathLike[str]

FORMATS = (".csv", ".tsv", ".jsonl", ".parquet", ".txt")
TEXT_COLUMNS = ("text", "passage", "content", "body")
ID_COLUMNS = ("id", "passage_id", "doc_id")
DENSE_DIM = 384  # all-MiniLM-L6-v2, the embedded encoder
INDEX_MEMORY_FACTOR = 3


def available_memory() -> int | None:
    """Bytes of memory available now, or None when the system does not say.

    ``MemAvailable`` of ``/proc/meminfo`` (Linux), else free physical pages from
    :func:`os.sysconf` (other Unix systems)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def index_bytes(passages: tuple[Passage, ...] | list[Passage]) -> int:
    """Estimated bytes that indexing ``passages`` needs (the module docstring's rule).

    >>> index_bytes([Passage("a", "four bytes")])
    4638
    """
    text = sum(len(p.text.encode("utf-8")) + len(p.title.encode("utf-8")) for p in passages)
    return INDEX_MEMORY_FACTOR * (text + DENSE_DIM * 4 * len(passages))


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def _too_large(what: str, need: int, have: int) -> str:
    return (
        f"{what} {_size(need)}, more than the {_size(have)} of memory available; split the "
        "corpus into smaller files, or pass fewer documents"
    )


def load_corpus(
    path: PathLike,
    *,
    text_col: str | None = None,
    id_col: str | None = None,
    title_col: str | None = None,
    max_words: int = 120,
    overlap: int = 30,
    max_bytes: int | None = None,
) -> tuple[Passage, ...]:
    """The passages of the corpus at ``path`` (rules in the module docstring).

    >>> load_corpus("wiki.jsonl", max_words=200, overlap=50)  # doctest: +SKIP
    (Passage(id='q7#1', text='...', title='Paris', doc='q7'), ...)
    """
    if max_words < 1 or not 0 <= overlap < max_words:
        raise UsageError(
            f"chunking needs max_words >= 1 and 0 <= overlap < max_words; got max_words "
            f"{max_words}, overlap {overlap}"
        )
    p = Path(path)
    file = str(path)
    if not p.exists():
        raise DataError("file not found", file=file)
    if p.is_dir():
        raise DataError("is a directory; give the path of a corpus file", file=file)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        shown = repr(p.suffix) if p.suffix else "no extension"
        raise DataError(
            f"unsupported corpus format ({shown}); supported: {', '.join(FORMATS)}", file=file
        )
    limit = available_memory() if max_bytes is None else max_bytes
    size = p.stat().st_size
    if limit is not None and size > limit:
        raise DataError(_too_large("the corpus file is", size, limit), file=file)

    if suffix == ".txt":
        docs: Iterator[tuple[int, str, str, str]] = _txt_documents(p, file)
    else:
        if size == 0:
            raise DataError("the corpus has no passages", file=file)
        try:
            table = read_table(p)
        except DataError as e:
            if e.message.startswith("no data rows"):  # a header, or blank lines, only
                raise DataError("the corpus has no passages", file=file) from None
            raise
        docs = _row_documents(table, file, text_col, id_col, title_col)

    passages: list[Passage] = []
    doc_rows: dict[str, int] = {}  # document id -> its row
    passage_rows: dict[str, int] = {}  # passage id -> the row it came from
    for row, doc_id, text, title in docs:
        if doc_id in doc_rows:
            raise DataError(
                f"duplicate id {doc_id!r} (first at row {doc_rows[doc_id]}); ids must be unique",
                file=file,
                row=row,
            )
        doc_rows[doc_id] = row
        chunks = chunk_words(text, max_words, overlap)
        ids = [doc_id] if len(chunks) == 1 else [f"{doc_id}#{i}" for i in range(1, len(chunks) + 1)]
        for pid, chunk in zip(ids, chunks, strict=True):
            if pid in passage_rows:
                raise DataError(
                    f"duplicate passage id {pid!r} (also made by row {passage_rows[pid]}: a "
                    "long document's chunks are named id#1, id#2, ...); ids must be unique",
                    file=file,
                    row=row,
                )
            passage_rows[pid] = row
            passages.append(Passage(id=pid, text=chunk, title=title, doc=doc_id))
    if not passages:
        raise DataError("the corpus has no passages", file=file)
    if limit is not None:
        need = index_bytes(passages)
        if need > limit:
            raise DataError(
                _too_large(f"indexing its {len(passages):,} passages needs about", need, limit),
                file=file,
            )
    return tuple(passages)


# --------------------------------------------------------------------------- reading


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"not UTF-8 text: byte 0x{data[e.start]:02x} on line {line} (offset {e.start}); "
            "re-save the file as UTF-8",
            file=file,
        ) from None


def _txt_documents(path: Path, file: str) -> Iterator[tuple[int, str, str, str]]:
    text = _decode(path.read_bytes(), file)
    doc: list[str] = []
    n = 0
    for line in [*text.splitlines(), ""]:
        if line.strip():
            doc.append(line)
        elif doc:
            n += 1
            yield n, f"d{n}", "\n".join(doc), ""
            doc = []


def _pick(
    header: list[str], named: str | None, defaults: tuple[str, ...], what: str, file: str
) -> str | None:
    if named is not None:
        if named not in header:
            raise DataError(
                f"no {what} column {named!r}; the columns are: {', '.join(header) or 'none'}",
                file=file,
                column=named,
            )
        return named
    return next((c for c in defaults if c in header), None)


def _row_documents(
    table: pd.DataFrame,
    file: str,
    text_col: str | None,
    id_col: str | None,
    title_col: str | None,
) -> Iterator[tuple[int, str, str, str]]:
    header = [str(c) for c in table.columns]
    text_name = _pick(header, text_col, TEXT_COLUMNS, "text", file)
    if text_name is None:
        raise DataError(
            f"no text column (looked for {', '.join(TEXT_COLUMNS)}); name the column that "
            f"holds the passages. The columns are: {', '.join(header) or 'none'}",
            file=file,
        )
    id_name = _pick(header, id_col, ID_COLUMNS, "id", file)
    title_name = _pick(header, title_col, ("title",), "title", file)
    for row, record in zip(table.index, table.to_dict("records"), strict=True):
        row = int(row)
        text = str(record.get(text_name) or "").strip()
        if not text:
            raise DataError("the text is empty", file=file, row=row, column=text_name)
        if id_name is None:
            doc_id = f"p{row}"
        else:
            doc_id = str(record.get(id_name) or "").strip()
            if not doc_id:
                raise DataError("the id is empty", file=file, row=row, column=id_name)
        title = str(record.get(title_name) or "").strip() if title_name else ""
        yield row, doc_id, text, title
