"""Retrieval recall@k against the passages a question's answer is known to be in.

A question's gold is a string of passage or document ids separated by ``|`` (an
example's ``evidence``, :class:`taskfit.types.Example`); spaces around ids are dropped.
Its recall@k is 1.0 when any of its top ``k`` retrieved passages has an ``id`` or a
``doc`` among the gold ids (so a document id counts for every chunk cut from it), else
0.0; it is None when the question has no gold (None or blank: not given, or
unanswerable), and such questions are left out of the mean.

>>> ps = (Passage("a", "x"), Passage("b#1", "y", doc="b"), Passage("b#2", "z", doc="b"))
>>> recall_at_k([[0, 2], [0, 1], [2]], ["b", "c|a", None], ps, k=1)
[0.0, 1.0, None]
>>> mean_recall([0.0, 1.0, None])
0.5
"""

from __future__ import annotations

from collections.abc import Sequence

from taskfit.types import Passage

__all__ = ["gold_ids", "mean_recall", "recall_at_k"]


def gold_ids(gold: str | None) -> frozenset[str]:
    """The ids of a ``|``-separated gold string (empty for None or blank).

    >>> sorted(gold_ids(" p1 | d7|"))
    ['d7', 'p1']
    """
    if gold is None:
        return frozenset()
    return frozenset(g.strip() for g in gold.split("|") if g.strip())


def recall_at_k(
    hits: Sequence[Sequence[int]],
    gold: Sequence[str | None],
    passages: Sequence[Passage],
    k: int,
) -> list[float | None]:
    """Per question, 1.0 / 0.0 / None by the module's rule; ``hits`` are passage indices
    into ``passages``, best first, one list per question."""
    if len(hits) != len(gold):
        raise ValueError(f"{len(hits)} hit lists for {len(gold)} questions")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    out: list[float | None] = []
    for found, g in zip(hits, gold, strict=True):
        wanted = gold_ids(g)
        if not wanted:
            out.append(None)
            continue
        top = (passages[i] for i in list(found)[:k])
        out.append(1.0 if any(p.id in wanted or p.doc in wanted for p in top) else 0.0)
    return out


def mean_recall(values: Sequence[float | None]) -> float | None:
    """Mean of the values that are not None; None when every value is None.

    >>> mean_recall([None, None]) is None
    True
    """
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None
