"""How short answers are compared: the normal form of exact match and of answer votes.

>>> normalize_answer("1,200.0"), normalize_answer("The Eiffel Tower!")
('1200', 'eiffel tower')
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

__all__ = ["long_answers", "normalize_answer"]

_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    """The form answers are compared in.

    A number (thousands commas, a currency sign or a trailing full stop allowed) becomes
    its shortest decimal form (``"1,200.0"`` -> ``"1200"``); any other text is lower-cased,
    with punctuation, the articles a/an/the and extra spaces removed (the SQuAD rule).
    """
    s = text.strip()
    bare = s.replace(",", "").lstrip("$€£").rstrip(".").strip()
    if _NUMBER.match(bare):
        value = float(bare)
        return str(int(value)) if value == int(value) else f"{value:g}"
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def long_answers(answers: Sequence[str], max_words: int) -> int | None:
    """The answers' median length in words when it is over ``max_words`` (the column
    probably holds rationales or passages, not answers), else None.

    >>> long_answers(["12", "Paris", "7"], 12) is None, long_answers(["a b c"] * 3, 2)
    (True, 3)
    """
    words = sorted(len(a.split()) for a in answers)
    median = words[len(words) // 2] if words else 0
    return median if median > max_words else None
