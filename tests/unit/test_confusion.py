"""Confusion matrices: counts computed by hand, which approaches get one, what a figure
with many labels keeps."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from taskfit.metrics.confusion import (
    OTHER,
    best_for_confusion,
    confusion_matrix,
    most_confused_labels,
    top_confusions,
)
from taskfit.report.plots_report import MAX_CONFUSION_LABELS, _confusion_grid, plot_confusion

SVG_NS = "{http://www.w3.org/2000/svg}"


def test_matrix_rows_are_true_labels_columns_predictions_plus_other():
    labels = ["cat", "dog", "emu"]
    y_true = ["cat", "cat", "cat", "dog", "dog", "emu", "emu", "emu"]
    y_pred = ["cat", "dog", "cat", "dog", "???", "cat", "emu", ""]
    # by hand: cat -> cat 2, dog 1; dog -> dog 1, other 1; emu -> cat 1, emu 1, other 1
    assert confusion_matrix(y_true, y_pred, labels) == [
        [2, 1, 0, 0],
        [0, 1, 0, 1],
        [1, 0, 1, 1],
    ]


def test_matrix_follows_the_given_label_order_not_sorted_order():
    assert confusion_matrix(["b", "a"], ["a", "a"], ["b", "a"]) == [[0, 1, 0], [0, 1, 0]]


def test_label_without_examples_has_a_zero_row():
    assert confusion_matrix(["a"], ["b"], ["a", "b"]) == [[0, 1, 0], [0, 0, 0]]


@pytest.mark.parametrize(
    ("y_true", "y_pred", "labels", "match"),
    [
        (["a", "b"], ["a"], ["a", "b"], "2 items"),
        (["z"], ["a"], ["a", "b"], "not in the label space"),
        (["a"], ["a"], ["a", "a"], "distinct"),
    ],
)
def test_bad_input_is_an_error(y_true, y_pred, labels, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(y_true, y_pred, labels)


def test_best_two_skip_baselines_while_others_remain():
    rows = [
        ("tfidf-lr", "baseline", 0.95),
        ("zero-shot", "prompt", 0.60),
        ("setfit", "finetune", 0.90),
        ("few-shot", "prompt", 0.70),
    ]
    assert best_for_confusion(rows) == ["setfit", "few-shot"]


def test_best_two_fill_with_the_best_baseline_when_one_other_exists():
    rows = [("majority", "baseline", 0.2), ("zero-shot", "prompt", 0.3), ("tfidf", "baseline", 0.8)]
    assert best_for_confusion(rows) == ["zero-shot", "tfidf"]
    assert best_for_confusion([("majority", "baseline", 0.2)]) == ["majority"]


def test_best_two_ties_keep_the_input_order():
    rows = [("a", "prompt", 0.5), ("b", "distill", 0.5), ("c", "finetune", 0.5)]
    assert best_for_confusion(rows) == ["a", "b"]


def test_top_confusions_largest_first_ties_in_label_order_no_diagonal():
    matrix = [
        [9, 2, 0, 1],
        [2, 7, 3, 0],
        [0, 0, 5, 2],
    ]
    assert top_confusions(matrix, ["a", "b", "c"]) == [
        ("b", "c", 3),
        ("a", "b", 2),
        ("b", "a", 2),
        ("c", OTHER, 2),
        ("a", OTHER, 1),
    ]
    assert top_confusions(matrix, ["a", "b", "c"], k=1) == [("b", "c", 3)]


def test_most_confused_labels_count_rows_and_columns():
    matrix = [
        [9, 0, 0, 0],  # a: no errors, but predicted 4 times for c
        [0, 9, 0, 1],  # b: 1 error (other)
        [4, 0, 9, 0],  # c: 4 errors
    ]
    # errors: a 0 + 4 = 4, b 1 + 0 = 1, c 4 + 0 = 4
    assert most_confused_labels(matrix, 2) == [0, 2]
    assert most_confused_labels(matrix, 1) == [0]  # tie with c: the earlier label


def _many(n: int) -> tuple[list[str], list[list[int]]]:
    labels = [f"intent_{i:02d}" for i in range(n)]
    matrix = [[0] * (n + 1) for _ in range(n)]
    for i in range(n):
        matrix[i][i] = 20
    # errors only among the even labels below 50, and one unparsed answer
    top = min(n, 50)
    for i in range(0, top, 2):
        matrix[i][(i + 2) % top] = 3 + i % 7
    matrix[5][n] = 1
    return labels, matrix


def test_grid_with_many_labels_folds_the_rest_and_keeps_row_sums():
    labels, matrix = _many(77)
    rows, cols, grid = _confusion_grid(labels, matrix)
    assert len(rows) == MAX_CONFUSION_LABELS
    assert cols[-2:] == ["(other labels)", OTHER]
    assert all(int(r.split("_")[1]) % 2 == 0 for r in rows)  # the labels with errors
    for name, row in zip(rows, grid, strict=True):
        assert sum(row) == sum(matrix[labels.index(name)])


def test_small_grid_is_the_whole_matrix():
    labels, matrix = _many(8)
    assert _confusion_grid(labels, matrix) == (labels, [*labels, OTHER], matrix)


def test_confusion_figure_with_77_labels_shows_the_kept_labels_only(tmp_path):
    labels, matrix = _many(77)
    section = {"labels": labels, "approaches": [{"name": "setfit", "n": 1600, "matrix": matrix}]}
    paths = plot_confusion(section, tmp_path)
    assert [p.name for p in paths] == ["confusion_1.png", "confusion_1.svg"]
    texts = {"".join(t.itertext()) for t in ET.parse(paths[1]).iter(f"{SVG_NS}text")}
    shown = {t for t in texts if t.startswith("intent_")}
    assert len(shown) == MAX_CONFUSION_LABELS
    assert "intent_01" not in shown and "intent_76" not in shown
    assert any("20 of 77 labels" in t for t in texts)


def test_confusion_figure_rejects_a_ragged_matrix(tmp_path):
    section = {"labels": ["a", "b"], "approaches": [{"name": "x", "n": 2, "matrix": [[1, 0]]}]}
    with pytest.raises(ValueError, match="2 rows of 3 counts"):
        plot_confusion(section, tmp_path)
