"""Parsing a generated answer into a label, for endpoints without prompt log-probs.

Matching is tolerant (case, punctuation, surrounding words) but never guesses: an
answer that names no label, or names two, is a parse failure that the caller counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["parse_label"]


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def parse_label(answer: str, verbal: Mapping[str, str]) -> str | None:
    """The label whose verbal form the answer gives, or ``None``.

    >>> parse_label("Label: Card Arrival.", {"card_arrival": "card arrival", "x": "lost card"})
    'card_arrival'
    >>> parse_label("no idea", {"a": "yes", "b": "no way"}) is None
    True
    """
    text = _norm(answer)
    if not text:
        return None
    exact = [lab for lab, v in verbal.items() if _norm(v) == text or _norm(lab) == text]
    if len(exact) == 1:
        return exact[0]
    first_line = _norm(answer.strip().splitlines()[0]) if answer.strip() else ""
    for candidate in (first_line, text):
        padded = f" {candidate} "
        hits = [
            lab
            for lab, v in verbal.items()
            if f" {_norm(v)} " in padded or f" {_norm(lab)} " in padded
        ]
        # Prefer the longest match when one label's name contains another's.
        hits = [
            h
            for h in hits
            if not any(h != o and _norm(verbal[h]) in _norm(verbal[o]) for o in hits)
        ]
        if len(hits) == 1:
            return hits[0]
    return None
