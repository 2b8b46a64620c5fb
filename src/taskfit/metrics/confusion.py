"""Confusion matrices: counts of (true label, predicted label), and what to show of them.

The matrix has one row per label of the label space (true label) and one column per
label plus a final ``"(other)"`` column for predictions outside the label space (an LLM
answer that could not be parsed into a label). Rows and columns follow the order of
``labels``, so two approaches' matrices line up cell for cell.

>>> confusion_matrix(["a", "a", "b"], ["a", "b", "?"], ["a", "b"])
[[1, 1, 0], [0, 0, 1]]
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "OTHER",
    "best_for_confusion",
    "confusion_matrix",
    "most_confused_labels",
    "top_confusions",
]

OTHER = "(other)"


def confusion_matrix(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> list[list[int]]:
    """Counts ``m[i][j]`` of examples with true label ``labels[i]`` predicted as
    ``labels[j]``; the last column counts predictions outside ``labels``.

    A true label outside ``labels`` is an error (the label space is the dataset's, and
    every test label is in it).
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} items but y_pred has {len(y_pred)}")
    if len(set(labels)) != len(labels):
        raise ValueError("labels must be distinct")
    index = {lab: i for i, lab in enumerate(labels)}
    other = len(labels)
    matrix = [[0] * (len(labels) + 1) for _ in labels]
    for t, p in zip(y_true, y_pred, strict=True):
        if t not in index:
            raise ValueError(f"true label {t!r} is not in the label space")
        matrix[index[t]][index.get(p, other)] += 1
    return matrix


def best_for_confusion(rows: Sequence[tuple[str, str, float]], k: int = 2) -> list[str]:
    """Names of the ``k`` most accurate of ``(name, family, accuracy)`` rows.

    Baselines (family ``"baseline"``) are passed over while other approaches remain: a
    majority-class model's matrix is one filled column and says nothing new. Ties keep
    the input order.

    >>> best_for_confusion([("m", "baseline", 0.9), ("p", "prompt", 0.5), ("f", "finetune", 0.7)])
    ['f', 'p']
    >>> best_for_confusion([("m", "baseline", 0.2), ("t", "baseline", 0.8), ("p", "prompt", 0.5)])
    ['p', 't']
    """
    order = sorted(range(len(rows)), key=lambda i: (rows[i][1] == "baseline", -rows[i][2], i))
    return [rows[i][0] for i in order[:k]]


def top_confusions(
    matrix: Sequence[Sequence[int]], labels: Sequence[str], k: int = 10
) -> list[tuple[str, str, int]]:
    """The ``k`` largest off-diagonal cells as ``(true, predicted, count)``, largest
    first; ties in label order. Predictions outside the label space appear as
    ``"(other)"``. Zero cells are never listed.

    >>> top_confusions([[5, 2, 0], [3, 4, 1]], ["a", "b"])
    [('b', 'a', 3), ('a', 'b', 2), ('b', '(other)', 1)]
    """
    columns = [*labels, OTHER]
    cells = [
        (-count, i, j)
        for i, row in enumerate(matrix)
        for j, count in enumerate(row)
        if i != j and count > 0
    ]
    return [(labels[i], columns[j], -neg) for neg, i, j in sorted(cells)[:k]]


def most_confused_labels(matrix: Sequence[Sequence[int]], k: int) -> list[int]:
    """Indices of the ``k`` labels in the most errors, as true label (its row's
    off-diagonal cells, "(other)" included) plus as predicted label (its column's
    off-diagonal cells), returned in label order. Ties go to the earlier label.

    >>> most_confused_labels([[5, 2, 0, 0], [0, 4, 0, 1], [0, 0, 9, 0]], 2)
    [0, 1]
    """
    n = len(matrix)
    errors = [sum(c for j, c in enumerate(matrix[i]) if j != i) for i in range(n)]
    for i in range(n):
        errors[i] += sum(matrix[r][i] for r in range(n) if r != i)
    ranked = sorted(range(n), key=lambda i: (-errors[i], i))
    return sorted(ranked[:k])
