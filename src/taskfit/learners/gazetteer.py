"""A dictionary and shape-pattern baseline for extraction: the spans seen in training.

Targets are the extraction task's encoded spans, ``[[start,end,"TYPE"],...]`` (see
:func:`encode_target`); ``predict`` returns the same encoding.

- **Dictionary.** Every training span's surface string (stripped of surrounding
  whitespace) maps to its most frequent type (ties: the first type in sorted order);
  a surface seen fewer than ``min_count`` times is left out. Matching ignores case, must
  start and end on word boundaries (where the surface starts or ends with a word
  character), and takes longer matches first: all candidate matches are ranked by
  length, then position, and kept when they overlap none kept before.
- **Shapes.** A span's shape replaces ASCII digits by ``\\d``, upper-case ASCII letters
  by ``[A-Z]`` and lower-case ones by ``[a-z]``, collapses runs of one class with ``+``
  and escapes every other character: ``NW-12345`` has the shape ``[A-Z]+\\-\\d+``. A
  shape becomes a pattern of its type when at least two training spans have it, at
  least 90% of them of one type, and when at least half of its matches in the training
  texts are spans of that type (which drops shapes of ordinary words, such as
  ``[A-Z][a-z]+``). Pattern matches (on word boundaries, longest first) fill the gaps
  the dictionary left.

>>> g = SpanGazetteer().fit(
...     ["Order NW-10001 from Acme", "Acme sent NW-20002"],
...     ['[[6,14,"ORDER"],[20,24,"ORG"]]', '[[0,4,"ORG"],[10,18,"ORDER"]]'],
... )
>>> g.predict(["ACME lost NW-31337."])
['[[0,4,"ORG"],[10,18,"ORDER"]]']
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["SpanGazetteer", "decode_target", "encode_target", "span_shape"]

Triple = tuple[int, int, str]

_SHAPE_MIN_SPANS = 2
_SHAPE_PURITY = 0.9
_SHAPE_PRECISION = 0.5
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w")
_CLASSES = (
    (frozenset(string.digits), r"\d"),
    (frozenset(string.ascii_uppercase), "[A-Z]"),
    (frozenset(string.ascii_lowercase), "[a-z]"),
)


# The extraction task's target encoding (taskfit.tasks.extraction.spans), restated for the
# learners: they sit in a layer below the task types and cannot import them. The unit
# tests hold the two to the same strings.


def encode_target(spans: Iterable[Triple]) -> str:
    """Canonical target of (start, end, type) triples: sorted, unique, no spaces.

    >>> encode_target([(6, 9, "B"), (0, 4, "A")])
    '[[0,4,"A"],[6,9,"B"]]'
    """
    rows = [[int(s), int(e), str(t)] for s, e, t in sorted(set(spans))]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def decode_target(target: str) -> list[Triple]:
    """The sorted (start, end, type) triples of a target; ``""`` gives ``[]``.
    ``ValueError`` when the target is not a JSON list of ``[start, end, type]``."""
    if not target.strip():
        return []
    try:
        rows = json.loads(target)
    except ValueError as e:
        raise ValueError(f"spans target is not JSON: {e.args[0]}") from None
    if not isinstance(rows, list):
        raise ValueError("spans target is not a JSON list of [start, end, type]")
    out = []
    for i, row in enumerate(rows, 1):
        ok = isinstance(row, list) and len(row) == 3
        ok = ok and all(type(v) is int for v in row[:2]) and isinstance(row[2], str)
        if not ok:
            raise ValueError(f"span {i} is not [start, end, type] with integer offsets")
        out.append((row[0], row[1], row[2]))
    return sorted(set(out))


def span_shape(surface: str) -> str:
    """The regular expression of a surface string's shape (module docstring).

    >>> span_shape("NW-12345"), span_shape("$12.50")
    ('[A-Z]+\\\\-\\\\d+', '\\\\$\\\\d+\\\\.\\\\d+')
    """
    parts: list[str] = []
    previous = None
    for ch in surface:
        cls = next((name for chars, name in _CLASSES if ch in chars), None)
        if cls is None:
            parts.append(re.escape(ch))
        elif cls == previous:
            if not parts[-1].endswith("+"):
                parts[-1] += "+"
        else:
            parts.append(cls)
        previous = cls
    return "".join(parts)


def _bounded(body: str, surface: str) -> str:
    """``body`` held to word boundaries where ``surface`` starts or ends with a word
    character."""
    head = r"(?<!\w)" if _WORD.match(surface[0]) else ""
    tail = r"(?!\w)" if _WORD.match(surface[-1]) else ""
    return f"{head}{body}{tail}"


def _place(candidates: Iterable[Triple], taken: list[Triple]) -> list[Triple]:
    """Add candidates, longest first then leftmost, that overlap nothing in ``taken``."""
    added = []
    for s, e, t in sorted(set(candidates), key=lambda c: (c[0] - c[1], c[0], c[2])):
        if not any(s < te and ts < e for ts, te, _ in taken):
            taken.append((s, e, t))
            added.append((s, e, t))
    return added


class SpanGazetteer:
    """Tags the strings and shapes of the training spans (see the module docstring).

    After :meth:`fit`: ``classes_`` (the sorted types), ``lexicon_`` (lower-cased surface
    -> type) and ``patterns_`` (shape -> type).
    """

    def __init__(self, min_count: int = 1) -> None:
        self.min_count = min_count

    def fit(self, texts: Sequence[str], targets: Sequence[str]) -> SpanGazetteer:
        if len(texts) != len(targets):
            raise ValueError(f"{len(texts)} texts but {len(targets)} targets")
        surfaces: dict[str, Counter[str]] = defaultdict(Counter)
        shapes: dict[str, Counter[str]] = defaultdict(Counter)
        edges: dict[str, str] = {}  # shape -> a surface of it (its edges' word-ness)
        gold: list[set[Triple]] = []
        for text, target in zip(texts, targets, strict=True):
            spans = decode_target(target)
            gold.append(set(spans))
            for s, e, kind in spans:
                surface = text[s:e].strip()
                if surface:
                    surfaces[surface.lower()][kind] += 1
                    shape = span_shape(surface)
                    shapes[shape][kind] += 1
                    edges.setdefault(shape, surface)
        self.classes_ = np.array(sorted({t for c in surfaces.values() for t in c}), dtype=str)
        self.lexicon_ = {
            key: _top(counts)
            for key, counts in surfaces.items()
            if sum(counts.values()) >= self.min_count
        }
        # entries by their first token, for lookups at the token starts of a text
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for key in sorted(self.lexicon_, key=lambda k: (-len(k), k)):
            self._by_first[_TOKEN.findall(key)[0]].append(key)
        self.patterns_: dict[str, str] = {}
        self._pattern_res: list[tuple[re.Pattern[str], str]] = []
        for shape, counts in sorted(shapes.items()):
            kind = _top(counts)
            total = sum(counts.values())
            if total < _SHAPE_MIN_SPANS or counts[kind] < _SHAPE_PURITY * total:
                continue
            pattern = re.compile(_bounded(shape, edges[shape]))
            if _precision(pattern, kind, texts, gold) >= _SHAPE_PRECISION:
                self.patterns_[shape] = kind
                self._pattern_res.append((pattern, kind))
        return self

    def _lexicon_matches(self, text: str) -> list[Triple]:
        """The longest lexicon entry at every token start (case ignored, word-bounded)."""
        found = []
        for tok in _TOKEN.finditer(text):
            start = tok.start()
            for key in self._by_first.get(tok.group().lower(), ()):
                end = start + len(key)
                if text[start:end].lower() != key:
                    continue
                if end < len(text) and _WORD.match(key[-1]) and _WORD.match(text[end]):
                    continue
                found.append((start, end, self.lexicon_[key]))
                break
        return found

    def _spans(self, text: str) -> list[Triple]:
        taken: list[Triple] = []
        _place(self._lexicon_matches(text), taken)
        shaped = [
            (m.start(), m.end(), kind)
            for pattern, kind in self._pattern_res
            for m in pattern.finditer(text)
        ]
        _place(shaped, taken)
        return sorted(taken)

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The encoded spans found in each text."""
        return [encode_target(self._spans(str(t))) for t in texts]


def _top(counts: Counter[str]) -> str:
    """The most frequent key; ties go to the first in sorted order."""
    return min(counts, key=lambda k: (-counts[k], k))


def _precision(
    pattern: re.Pattern[str], kind: str, texts: Sequence[str], gold: Sequence[set[Triple]]
) -> float:
    """Share of a pattern's matches in the training texts that are spans of ``kind``."""
    hits = total = 0
    for text, spans in zip(texts, gold, strict=True):
        for m in pattern.finditer(text):
            total += 1
            hits += (m.start(), m.end(), kind) in spans
    return hits / total if total else 0.0
