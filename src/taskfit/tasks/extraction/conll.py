"""CoNLL-style BIO files: one token per line, a blank line between sentences.

Reading (:func:`read_conll`):

- a line's first column is the token and its last column the tag, separated by
  whitespace (spaces or tabs); columns between them (part of speech, chunk) are ignored;
- a tag is ``O``, ``B-TYPE`` or ``I-TYPE``; decoding is lenient, as seqeval's default
  mode is (an ``I-X`` that continues no ``X`` entity starts one);
- blank lines end sentences; ``-DOCSTART-`` lines are skipped;
- a sentence's text is its tokens joined by single spaces, and its spans are character
  offsets into that text.

A line with one column, a tag of another form, a file that cannot be read as UTF-8 and a
file without any token are :class:`~taskfit.errors.DataError`\\ s naming the file and the
1-based line (``row``).

Writing (:func:`write_conll`) tokenises each text with
:func:`~taskfit.tasks.extraction.spans.token_offsets` and writes ``token tag`` lines. Read
back, a text comes out tokenised (``"Hi, Bo"`` becomes ``"Hi , Bo"``) with its spans on
the same tokens; spans that do not start and end on token boundaries come back widened to
whole tokens.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from taskfit.errors import DataError
from taskfit.tasks.extraction.spans import Span, bio_to_spans, spans_to_bio, split_tag

__all__ = ["read_conll", "write_conll"]

_DOCSTART = "-DOCSTART-"


def _sentence(tokens: Sequence[str], tags: Sequence[str]) -> tuple[str, tuple[Span, ...]]:
    offsets, pos = [], 0
    for tok in tokens:
        offsets.append((pos, pos + len(tok)))
        pos += len(tok) + 1
    return " ".join(tokens), tuple(bio_to_spans(offsets, tags))


def read_conll(path: str | os.PathLike[str]) -> list[tuple[str, tuple[Span, ...]]]:
    """(text, spans) of every sentence of a CoNLL-style BIO file, in file order."""
    name = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise DataError("no such file", file=name) from None
    except UnicodeDecodeError as e:
        raise DataError(f"not UTF-8 text ({e.reason} at byte {e.start})", file=name) from None
    except OSError as e:
        raise DataError(f"cannot read the file: {e.strerror or e}", file=name) from None
    out: list[tuple[str, tuple[Span, ...]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(lines, 1):
        cols = line.split()
        if not cols or cols[0] == _DOCSTART:
            if tokens:
                out.append(_sentence(tokens, tags))
                tokens, tags = [], []
            continue
        if len(cols) < 2:
            raise DataError(
                f"line {cols[0]!r} has one column; expected a token and its tag",
                file=name,
                row=number,
            )
        try:
            split_tag(cols[-1])
        except ValueError as e:
            raise DataError(str(e), file=name, row=number) from None
        tokens.append(cols[0])
        tags.append(cols[-1])
    if tokens:
        out.append(_sentence(tokens, tags))
    if not out:
        raise DataError("no tokens: a CoNLL file has one token and its tag a line", file=name)
    return out


def write_conll(
    path: str | os.PathLike[str], examples: Iterable[tuple[str, Sequence[Span]]]
) -> None:
    """Write (text, spans) examples as a BIO file :func:`read_conll` reads.

    A text without any token, or a type with whitespace in it, raises ``ValueError``.
    """
    blocks = []
    for i, (text, spans) in enumerate(examples, 1):
        for s in spans:
            if not s.type or any(ch.isspace() for ch in s.type):
                raise ValueError(f"example {i}: type {s.type!r} is empty or has whitespace")
        tokens, tags = spans_to_bio(text, spans)
        if not tokens:
            raise ValueError(f"example {i} has no token to write")
        blocks.append("".join(f"{tok} {tag}\n" for tok, tag in zip(tokens, tags, strict=True)))
    Path(path).write_text("\n".join(blocks), encoding="utf-8")
