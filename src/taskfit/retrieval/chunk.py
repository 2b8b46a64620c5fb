"""Cut long documents into overlapping windows of words.

The rule (:func:`chunk_words`): words are the whitespace-separated pieces of the text.

- A text of at most ``max_words`` words is one chunk, returned untouched (its own
  spacing and line breaks kept).
- A longer text is cut into windows of ``max_words`` words. Window ``i`` (from 0) starts
  at word ``i * (max_words - overlap)``, so consecutive windows share ``overlap`` words.
  The first window that reaches the text's last word is the last one: it ends at the
  text's end and may be shorter than ``max_words``. A window's words are joined with
  single spaces.
- ``0 <= overlap < max_words`` (else ``ValueError``): each window starts after the
  previous one, so the cutting ends.

With ``max_words=120, overlap=30`` windows start every 90 words: a 130-word text gives
words 1-120 and 91-130; a 211-word text gives 1-120, 91-210 and 181-211.

>>> chunk_words("a b c d e f g", max_words=3, overlap=1)
['a b c', 'c d e', 'e f g']
>>> chunk_words("a b c d e f g h", max_words=3, overlap=1)
['a b c', 'c d e', 'e f g', 'g h']
>>> chunk_words("short  text", max_words=3, overlap=1)
['short  text']
"""

from __future__ import annotations

__all__ = ["chunk_words", "window_starts"]


def _check(max_words: int, overlap: int) -> None:
    if max_words < 1:
        raise ValueError(f"max_words must be at least 1, got {max_words}")
    if not 0 <= overlap < max_words:
        raise ValueError(
            f"overlap must be at least 0 and less than max_words ({max_words}), got {overlap}"
        )


def window_starts(n_words: int, max_words: int, overlap: int) -> list[int]:
    """0-based first word of each window of an ``n_words``-word text.

    >>> window_starts(211, 120, 30)
    [0, 90, 180]
    >>> window_starts(120, 120, 30)
    [0]
    """
    _check(max_words, overlap)
    step = max_words - overlap
    starts = [0]
    while starts[-1] + max_words < n_words:
        starts.append(starts[-1] + step)
    return starts


def chunk_words(text: str, max_words: int, overlap: int) -> list[str]:
    """The chunks of ``text`` by the module's rule (one chunk when it is short enough)."""
    _check(max_words, overlap)
    words = text.split()
    if len(words) <= max_words:
        return [text]
    return [
        " ".join(words[s : s + max_words]) for s in window_starts(len(words), max_words, overlap)
    ]
