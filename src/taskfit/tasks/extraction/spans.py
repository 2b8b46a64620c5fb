"""Typed character spans: the extraction task's targets, their encoding and conversions.

- **Span.** ``Span(start, end, type)``: character offsets into the example's text, ``end``
  exclusive, ordered by ``(start, end, type)``.
- **Encoding.** An example's target is a string (``Example.target``): the canonical JSON
  list ``[[start,end,"TYPE"],...]``, sorted, without duplicates or spaces, so equal sets
  of spans give equal strings. ``""`` and ``"[]"`` are no spans.
- **Records.** :func:`spans_from_records` reads the span lists data files hold: objects
  with ``start``, ``end`` and a ``label``, ``type`` or ``entity_group`` (the Hugging Face
  NER pipeline's key), or ``[start, end, type]`` lists.
- **Checks.** :func:`check_spans` rejects a span outside the text, an empty span and two
  overlapping spans; nothing else (a span may start or end in whitespace).
- **Tokens and BIO.** Tokens are the matches of ``\\w+|[^\\w\\s]`` (words, and every other
  non-space character alone). A token is inside a span when the two overlap; the first
  token of a span is tagged ``B-TYPE``, the others ``I-TYPE``, and a token that overlaps
  two spans belongs to the first. So spans that start and end on token boundaries survive
  the round trip to BIO and back exactly; others are widened to whole tokens. Decoding
  BIO is lenient, as seqeval's default mode is: an ``I-X`` that does not follow ``B-X``
  or ``I-X`` starts an entity.
- **Mentions.** :func:`locate` places the (mention, type) pairs a prompted model answers
  with in the text (see its docstring for the rule).

>>> target = encode_spans([Span(6, 14, "ORDER"), Span(0, 4, "ORG")])
>>> target
'[[0,4,"ORG"],[6,14,"ORDER"]]'
>>> decode_spans(target)
(Span(start=0, end=4, type='ORG'), Span(start=6, end=14, type='ORDER'))
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "TOKEN_PATTERN",
    "Span",
    "bio_to_spans",
    "check_spans",
    "decode_spans",
    "encode_spans",
    "locate",
    "spans_from_records",
    "spans_to_bio",
    "split_tag",
    "token_offsets",
]

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
_TYPE_KEYS = ("label", "type", "entity_group")


@dataclass(frozen=True, order=True)
class Span:
    """Characters ``start`` to ``end`` (exclusive) of a text, of entity type ``type``."""

    start: int
    end: int
    type: str


SpanLike = Span | tuple[int, int, str]


def _as_span(s: SpanLike) -> Span:
    return s if isinstance(s, Span) else Span(int(s[0]), int(s[1]), str(s[2]))


# --------------------------------------------------------------------------- encoding


def encode_spans(spans: Iterable[SpanLike]) -> str:
    """The canonical target string of ``spans`` (sorted, duplicates dropped, no spaces).

    >>> encode_spans([(3, 5, "B"), (0, 2, "A"), (0, 2, "A")])
    '[[0,2,"A"],[3,5,"B"]]'
    >>> encode_spans([])
    '[]'
    """
    rows = [[s.start, s.end, s.type] for s in sorted({_as_span(s) for s in spans})]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _int(value: Any) -> int | None:
    """``value`` as an int when it is one (bools are not; 3.0 is)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def decode_spans(target: str) -> tuple[Span, ...]:
    """The spans of a target string, sorted; ``""`` and ``"[]"`` give ``()``.

    A string that is not a JSON list of ``[start, end, type]`` raises ``ValueError``.

    >>> decode_spans("")
    ()
    >>> decode_spans('[[0,4,"ORG"]]')
    (Span(start=0, end=4, type='ORG'),)
    """
    if not target.strip():
        return ()
    try:
        rows = json.loads(target)
    except ValueError as e:
        raise ValueError(f"spans target is not JSON: {e.args[0]}") from None
    if not isinstance(rows, list):
        raise ValueError("spans target is not a JSON list of [start, end, type]")
    out = []
    for i, row in enumerate(rows, 1):
        if not isinstance(row, list) or len(row) != 3:
            raise ValueError(f"span {i} is not [start, end, type]")
        start, end, kind = _int(row[0]), _int(row[1]), row[2]
        if start is None or end is None or not isinstance(kind, str) or not kind:
            raise ValueError(f"span {i} is not [start, end, type] with integer offsets")
        out.append(Span(start, end, kind))
    return tuple(sorted(set(out)))


def spans_from_records(obj: Any) -> list[Span]:
    """Spans from a list of records: ``{"start", "end", "label"|"type"|"entity_group"}``
    objects or ``[start, end, type]`` lists (spans are numbered from 1 in errors).

    >>> spans_from_records([{"start": 0, "end": 4, "label": "ORG"}, [6, 14, "ORDER"]])
    [Span(start=0, end=4, type='ORG'), Span(start=6, end=14, type='ORDER')]
    >>> spans_from_records([{"start": 0, "label": "ORG"}])
    Traceback (most recent call last):
    ...
    ValueError: span 1 has no end
    """
    if not isinstance(obj, list | tuple):
        raise ValueError("spans must be a list of {start, end, label} objects")
    out = []
    for i, rec in enumerate(obj, 1):
        if isinstance(rec, dict):
            for key in ("start", "end"):
                if key not in rec:
                    raise ValueError(f"span {i} has no {key}")
            kind = next((rec[k] for k in _TYPE_KEYS if k in rec), None)
            if kind is None:
                raise ValueError(f"span {i} has no label (or type, entity_group)")
            start, end = rec["start"], rec["end"]
        elif isinstance(rec, list | tuple) and len(rec) == 3:
            start, end, kind = rec
        else:
            raise ValueError(f"span {i} is neither an object nor [start, end, type]")
        s, e = _int(start), _int(end)
        if s is None or e is None:
            raise ValueError(f"span {i} has a start or end that is not an integer")
        if not isinstance(kind, str) or not kind.strip():
            raise ValueError(f"span {i} has an empty or non-text type")
        out.append(Span(s, e, kind.strip()))
    return out


# --------------------------------------------------------------------------- checks


def _show(span: Span, text: str) -> str:
    inside = 0 <= span.start < span.end <= len(text)
    quoted = f" {text[span.start : span.end]!r}" if inside else ""
    return f"{span.type} span {span.start}-{span.end}{quoted}"


def check_spans(text: str, spans: Iterable[SpanLike]) -> str | None:
    """None when every span lies inside ``text``, is non-empty and overlaps no other;
    else what is wrong, in one sentence.

    >>> check_spans("Acme Ltd", [Span(0, 4, "ORG")]) is None
    True
    >>> check_spans("Acme Ltd", [Span(0, 4, "ORG"), Span(2, 8, "ORG")])
    "ORG span 0-4 'Acme' and ORG span 2-8 'me Ltd' overlap"
    """
    ordered = sorted(_as_span(s) for s in spans)
    for s in ordered:
        if s.start < 0 or s.end > len(text):
            return f"{_show(s, text)} runs outside the text ({len(text)} characters)"
        if s.end <= s.start:
            return f"{_show(s, text)} is empty"
    reach: Span | None = None  # the span reaching furthest right so far
    for s in ordered:
        if reach is not None and s.start < reach.end:
            return f"{_show(reach, text)} and {_show(s, text)} overlap"
        if reach is None or s.end > reach.end:
            reach = s
    return None


# --------------------------------------------------------------------------- tokens, BIO


def token_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of every token of ``text`` (``\\w+|[^\\w\\s]``).

    >>> token_offsets("NW-12, ok")
    [(0, 2), (2, 3), (3, 5), (5, 6), (7, 9)]
    """
    return [(m.start(), m.end()) for m in TOKEN_PATTERN.finditer(text)]


def spans_to_bio(text: str, spans: Iterable[SpanLike]) -> tuple[list[str], list[str]]:
    """(tokens, BIO tags) of ``text``; see the module docstring for the rule.

    >>> spans_to_bio("Ship NW-12 now", [Span(5, 10, "ORDER")])
    (['Ship', 'NW', '-', '12', 'now'], ['O', 'B-ORDER', 'I-ORDER', 'I-ORDER', 'O'])
    """
    offsets = token_offsets(text)
    tags = ["O"] * len(offsets)
    for span in sorted(_as_span(s) for s in spans):
        first = True
        for i, (start, end) in enumerate(offsets):
            if start < span.end and end > span.start and tags[i] == "O":
                tags[i] = f"{'B' if first else 'I'}-{span.type}"
                first = False
    return [text[s:e] for s, e in offsets], tags


def split_tag(tag: str) -> tuple[str, str]:
    """(``"B"``, ``"I"`` or ``"O"``, type) of a BIO tag; ValueError on anything else.

    >>> split_tag("B-ORG"), split_tag("O")
    (('B', 'ORG'), ('O', ''))
    """
    if tag == "O":
        return "O", ""
    if len(tag) > 2 and tag[0] in "BI" and tag[1] == "-":
        return tag[0], tag[2:]
    raise ValueError(f"tag {tag!r} is not O, B-TYPE or I-TYPE")


def bio_to_spans(offsets: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[Span]:
    """Character spans of a BIO tag sequence over tokens at ``offsets`` (lenient: an
    ``I-X`` that does not continue an ``X`` entity starts one).

    >>> bio_to_spans([(0, 4), (5, 7), (8, 10)], ["I-ORG", "I-LOC", "O"])
    [Span(start=0, end=4, type='ORG'), Span(start=5, end=7, type='LOC')]
    """
    if len(offsets) != len(tags):
        raise ValueError(f"{len(offsets)} tokens but {len(tags)} tags")
    out: list[Span] = []
    current: tuple[int, int, str] | None = None  # (start, end, type) of the open entity
    for (start, end), tag in zip(offsets, tags, strict=True):
        prefix, kind = split_tag(tag)
        if prefix == "I" and current is not None and current[2] == kind:
            current = (current[0], end, kind)
            continue
        if current is not None:
            out.append(Span(*current))
        current = None if prefix == "O" else (start, end, kind)
    if current is not None:
        out.append(Span(*current))
    return out


# --------------------------------------------------------------------------- mentions


def _occurrences(text: str, mention: str, *, fold: bool, whole: bool) -> Iterable[int]:
    """Start offsets of ``mention`` in ``text``, left to right (overlapping ones too)."""
    head = r"(?<!\w)" if whole and re.match(r"\w", mention[0]) else ""
    tail = r"(?!\w)" if whole and re.match(r"\w", mention[-1]) else ""
    pattern = re.compile(f"{head}{re.escape(mention)}{tail}", re.IGNORECASE if fold else 0)
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        if m.end() - m.start() == len(mention):  # case folding kept the length
            yield m.start()
        pos = m.start() + 1


def locate(text: str, mentions: Sequence[tuple[str, str]]) -> tuple[list[Span], int]:
    """Character spans of the (mention text, type) pairs a model answered with, and how
    many of the mentions could not be placed in ``text``.

    The rule: mentions are placed in the order given, each once, at its first occurrence
    that overlaps no span placed before, trying in turn an exact match on word
    boundaries, an exact match anywhere, then the same two ignoring case. Surrounding
    whitespace of a mention is ignored; an empty mention, or one with no free occurrence
    left, is not found. So a mention the text holds twice is placed twice only when the
    model lists it twice.

    >>> locate("Acme and acme and ACME", [("ACME", "ORG"), ("acme", "ORG"), ("Bolt", "ORG")])
    ([Span(start=9, end=13, type='ORG'), Span(start=18, end=22, type='ORG')], 1)
    """
    placed: list[Span] = []
    missing = 0
    for mention, kind in mentions:
        needle = mention.strip()
        spot = _free_occurrence(text, needle, placed) if needle else None
        if spot is None:
            missing += 1
        else:
            placed.append(Span(spot, spot + len(needle), kind))
    return sorted(placed), missing


def _free_occurrence(text: str, needle: str, placed: Sequence[Span]) -> int | None:
    """Start of the first occurrence of ``needle`` overlapping no placed span, by the
    order of :func:`locate`'s rule; None when there is none."""
    for fold in (False, True):
        for whole in (True, False):
            for start in _occurrences(text, needle, fold=fold, whole=whole):
                end = start + len(needle)
                if not any(start < p.end and p.start < end for p in placed):
                    return start
    return None
